#!/usr/bin/env bash
# Measures case registration (1 and 16 concurrent API clients) and the case page with the demo data
# (about 2,000 cases) on SQLite and on PostgreSQL, in one run, with the release build.
# Usage: tools/bench.sh   (PostgreSQL at 127.0.0.1:5432, trust auth, as on the development machine)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -p gongzhi -q
BIN="$CARGO_TARGET_DIR/release/gongzhi"
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT

bench() { # name url port
  GONGZHI__DATABASE__URL="$2" GONGZHI__HTTP__BIND="127.0.0.1:$3" RUST_LOG=warn \
    GONGZHI__SECURITY__FIELD_KEY=00112233445566778899aabbccddeeff GONGZHI__SECURITY__INDEX_KEY=ffeeddccbbaa99887766554433221100 \
    "$BIN" serve --demo >"$dir/$1.log" 2>&1 &
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$3/readyz" >/dev/null && break; sleep 0.1; done
  echo "$1: $(node tools/bench.js "http://127.0.0.1:$3" "${REQUESTS:-400}")"
  kill %% 2>/dev/null || true
  wait 2>/dev/null || true
}

bench sqlite "sqlite://$dir/bench.db" 18181
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS gz_bench WITH (FORCE)" -c "CREATE DATABASE gz_bench"
bench postgres "postgres://postgres@127.0.0.1:5432/gz_bench" 18182
