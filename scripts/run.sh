#!/usr/bin/env bash
# The README's first command: install what is missing, build, and start
# rampartd on 127.0.0.1:7311 with its data in ./data, loading the demo data set
# when ./data is new. Ctrl-C stops the server (gracefully).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/bin/rampartd --listen "${RAMPART_LISTEN:-127.0.0.1:7311}" \
  --data-dir "${RAMPART_DATA_DIR:-./data}" --demo --sdk-keys demo-sdk-key "$@"
