#!/usr/bin/env bash
# The hot paths on a demo database of CASES cases (default 100,000) on SQLite, with the release
# build, next to raw SQL on the same data in the same run:
#   tools/bench.sh                      this tree
#   BEFORE_BIN=/path/to/old/gongzhi tools/bench.sh    the same, and an older binary on the same data
#   PG=1 tools/bench.sh                 also on PostgreSQL (demo size; 127.0.0.1:5432, trust auth)
# Prints one JSON line per binary (see tools/bench.js) and one for raw SQL (sqlite3).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -p gongzhi -q
BIN="$CARGO_TARGET_DIR/release/gongzhi"
CASES="${CASES:-100000}"
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
export GONGZHI__SECURITY__FIELD_KEY=00112233445566778899aabbccddeeff
export GONGZHI__SECURITY__INDEX_KEY=ffeeddccbbaa99887766554433221100
export RUST_LOG=warn

seed() { # binary database
  local t0
  t0=$(date +%s)
  GONGZHI__DATABASE__URL="sqlite://$2" GONGZHI__CASES__DEMO_CASES="$CASES" "$1" seed-demo >/dev/null
  sqlite3 "$2" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  echo "demo database by $1: $CASES cases in $(( $(date +%s) - t0 )) s"
}
seed "$BIN" "$dir/base.db"

bench() { # name binary url port
  GONGZHI__DATABASE__URL="$3" GONGZHI__HTTP__BIND="127.0.0.1:$4" "$2" serve >"$dir/$1.log" 2>&1 &
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$4/readyz" >/dev/null && break; sleep 0.1; done
  echo "$1: $(node tools/bench.js "http://127.0.0.1:$4" "${REQUESTS:-800}")"
  kill %% 2>/dev/null || true
  wait 2>/dev/null || true
}

ms() { # sql-file repetitions → milliseconds per repetition
  local start end
  start=$(date +%s%N)
  sqlite3 "$dir/raw.db" <"$1" >/dev/null
  end=$(date +%s%N)
  echo "scale=3; ($end - $start) / 1000000 / $2" | bc
}

# Raw SQL on a copy of the same data: single-row write transactions, the open-case list, and the
# case page's rows (case, parties, clocks, the latest 100 events).
cp "$dir/base.db" "$dir/raw.db"
{
  echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE bench_t (id INTEGER PRIMARY KEY, v TEXT);"
  for i in $(seq 1 20000); do echo "BEGIN IMMEDIATE; INSERT INTO bench_t (v) VALUES ('case $i'); COMMIT;"; done
} >"$dir/tx.sql"
tx_ms=$(ms "$dir/tx.sql" 20000)
{
  for _ in $(seq 1 200); do
    echo "SELECT id, number, title, status, received_at FROM dispute_case WHERE status <> 'closed' ORDER BY received_at DESC, id DESC LIMIT 50;"
  done
} >"$dir/list.sql"
list_ms=$(ms "$dir/list.sql" 200)
ids=$(sqlite3 "$dir/raw.db" "SELECT id FROM dispute_case ORDER BY random() LIMIT 200")
for id in $ids; do
  echo "SELECT * FROM dispute_case WHERE id = '$id'; SELECT * FROM case_party WHERE case_id = '$id';"
  echo "SELECT * FROM case_clock WHERE case_id = '$id'; SELECT * FROM case_event WHERE case_id = '$id' ORDER BY at DESC LIMIT 100;"
done >"$dir/case.sql"
case_ms=$(ms "$dir/case.sql" 200)
echo "raw sql: {\"tx_per_s\":$(echo "scale=0; 1000 / $tx_ms" | bc),\"list_ms\":$list_ms,\"case_rows_ms\":$case_ms}"

if [ -n "${BEFORE_BIN:-}" ]; then
  # The older binary on a database of its own making (its schema, its indexes).
  seed "$BEFORE_BIN" "$dir/before.db"
  bench before "$BEFORE_BIN" "sqlite://$dir/before.db" 18180
fi
cp "$dir/base.db" "$dir/after.db"
bench sqlite "$BIN" "sqlite://$dir/after.db" 18181

if [ -n "${PG:-}" ]; then
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS gz_bench WITH (FORCE)" -c "CREATE DATABASE gz_bench"
  GONGZHI__DATABASE__URL="postgres://postgres@127.0.0.1:5432/gz_bench" "$BIN" seed-demo >/dev/null
  bench postgres "$BIN" "postgres://postgres@127.0.0.1:5432/gz_bench" 18182
fi
