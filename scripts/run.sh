#!/usr/bin/env bash
# The README's first command: install what is missing, build, and start
# rampartd with gRPC on 127.0.0.1:7311 and the HTTP API and web console on
# 127.0.0.1:7312, its data in ./data, loading the demo data set when ./data
# is new (and writing the first admin token to ./data/admin.token). Ctrl-C
# stops the server (gracefully).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/bin/rampartd --listen "${RAMPART_LISTEN:-127.0.0.1:7311}" \
  --http-listen "${RAMPART_HTTP_LISTEN:-127.0.0.1:7312}" \
  --data-dir "${RAMPART_DATA_DIR:-./data}" --demo --sdk-keys demo-sdk-key "$@"
