#!/usr/bin/env bash
# Makes the databases of a released version that the upgrade test starts from:
#   tools/upgrade-fixture.sh <release binary> <name>
# writes crates/server/tests/fixtures/<name>.sqlite.sql and <name>.postgres.sql: the release's own
# demo data (40 cases) on SQLite and on PostgreSQL, under the test suite's keys. Run it once per
# release with that release's binary (built from its commit); never regenerate an old fixture.
set -euo pipefail
bin=$(realpath "$1")
name=$2
cd "$(dirname "$0")/.."
out=crates/server/tests/fixtures
work=$(mktemp -d)
export GONGZHI__SECURITY__FIELD_KEY=09090909090909090909090909090909
export GONGZHI__SECURITY__INDEX_KEY=07070707070707070707070707070707
export GONGZHI__CASES__DEMO_CASES=40

GONGZHI__DATABASE__URL="sqlite://$work/gongzhi.db" "$bin" seed-demo >/dev/null
sqlite3 "$work/gongzhi.db" .dump >"$out/$name.sqlite.sql"

db="gz_fixture_$$"
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db"
GONGZHI__DATABASE__URL="postgres://postgres@127.0.0.1:5432/$db" "$bin" seed-demo >/dev/null
# Plain SQL without owners, grants or psql meta-commands, loadable by any client.
pg_dump -h 127.0.0.1 -U postgres --no-owner --no-privileges --inserts "$db" | grep -v '^\\' >"$out/$name.postgres.sql"
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE $db"
rm -rf "$work"
ls -l "$out/$name".*
