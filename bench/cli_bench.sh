#!/usr/bin/env bash
# Measures what a user of the CLI sees, against a real rampartd on loopback
# with a temp data dir: flag updates per second through `rampart flag update`
# (one process per change, as a script would run it), and the wall time of
# `rampart account import` of a 100 000-row CSV. Prints one line per figure.
#   bench/cli_bench.sh [BUILD_DIR]
set -euo pipefail
BUILD="${1:-build}"
BIN="$BUILD/bin"
TMP="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT

"$BIN/rampartd" --listen 127.0.0.1:0 --data-dir "$TMP/data" --log_requests=false >"$TMP/out" 2>"$TMP/err" &
PID=$!
for _ in $(seq 100); do grep -q "listening on" "$TMP/out" 2>/dev/null && break; sleep 0.1; done
ADDR="$(sed -n 's/.*listening on //p' "$TMP/out")"
export RAMPART_SERVER="$ADDR" RAMPART_ACTOR=bench

"$BIN/rampart" flag create bench-flag --type bool --reason bench >/dev/null
N=200
start=$(date +%s.%N)
for i in $(seq $N); do
  "$BIN/rampart" flag update bench-flag --description "update $i" --reason bench >/dev/null
done
end=$(date +%s.%N)
awk -v n=$N -v s="$start" -v e="$end" \
  'BEGIN { printf "cli flag update: %d updates in %.2f s = %.0f updates/s (each a get + put)\n", n, e - s, n / (e - s) }'

ROWS=100000
{
  echo "key,name,time_zone,industry,ltv:number,tags:list"
  for ((i = 0; i < ROWS; i++)); do
    echo "acct-$i,Company $i,Europe/Moscow,accounting,$((i * 7919 % 5000000)),beta;vip"
  done
} >"$TMP/accounts.csv"
start=$(date +%s.%N)
"$BIN/rampart" account import "$TMP/accounts.csv" --reason "bench import" >"$TMP/import.out"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v r=$ROWS 'BEGIN { printf "cli import of %d accounts: %.2f s\n", r, e - s }'
cat "$TMP/import.out"
