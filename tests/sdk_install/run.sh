#!/usr/bin/env bash
# The installed SDK works for an app outside this tree: installs the sdk
# component of build dir $1 into a temp prefix, checks that the library
# exports only the public API, then configures, builds and runs
# tests/sdk_install against it with find_package(Rampart).
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --build "$build" --target rampart_sdk >/dev/null
cmake --install "$build" --prefix "$tmp/prefix" --component sdk >/dev/null
test -f "$tmp/prefix/include/rampart/client.h"
test -f "$tmp/prefix/lib/cmake/Rampart/RampartConfig.cmake"
lib=$(ls "$tmp/prefix"/lib/librampart_sdk.so.*.* | head -1)

# Only rampart:: symbols outside rampart::v1 / rampart::eval / rampart::sdk
# (the internals) may be exported.
leaked=$(nm -D --defined-only -C "$lib" | awk '{ $1=""; $2=""; print }' |
  grep -E 'rampart::(v1|eval|sdk)::|google::protobuf|descriptor_table' || true)
if [ -n "$leaked" ]; then
  echo "librampart_sdk exports internal symbols:" >&2
  echo "$leaked" | head -20 >&2
  exit 1
fi

cmake -S "$here" -B "$tmp/app" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_TYPE=Release \
  >/dev/null
cmake --build "$tmp/app" >/dev/null
"$tmp/app/sdk_install_app"
