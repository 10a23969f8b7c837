#!/usr/bin/env bash
# Fails when a Rust source file passes 600 lines before its first `#[cfg(test)]` (tests of a file
# may follow it; its code may not). Files under a `tests/` directory are test code and are skipped.
# Prints the longest files, so the closing note can say how close the code is to the line.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=600
over=0
report=$(find crates -name '*.rs' -not -path '*/tests/*' -not -name 'tests.rs' -not -name '*_tests.rs' | sort | while read -r f; do
  n=$(awk '/^[[:space:]]*#\[cfg\(test\)\]/ { exit } { n++ } END { print n + 0 }' "$f")
  echo "$n $f"
done | sort -rn)
echo "$report" | head -n 5 | sed 's/^/  /'
while read -r n f; do
  if [ "$n" -gt "$limit" ]; then
    echo "$f: $n lines of code before its tests (at most $limit)" >&2
    over=1
  fi
done <<<"$report"
exit "$over"
