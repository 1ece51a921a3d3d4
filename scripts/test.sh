#!/usr/bin/env bash
# The README's second command, and exactly what CI runs (.ci/run): install what
# is missing, build, and run every test (unit and end-to-end) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 600
