#!/usr/bin/env bash
# Regenerates test/fixtures/golden/*.inspect.txt (except the master-sim ones) from the
# real Glance tool, on SQLite and on the servers named by TEST_POSTGRESQL_URL and
# TEST_MYSQL_URL; test/fixtures/ddl/<dialect>.json (the statements the real tool sends for
# each revision, ddl_trace.py); and test/fixtures/metadefs/glance-common-counts.json (what
# the real tool loads from glance-common's metadefs). With --check, writes to a temporary directory instead and fails
# (exit 1, with the diff) when the committed fixtures differ.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
metadefs=$(bash scripts/reference/install.sh)
counts=test/fixtures/metadefs/glance-common-counts.json
if [ "${1:-}" = --check ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  /usr/bin/python3 scripts/reference/golden.py "$out"
  rc=0
  for f in "$out"/*.inspect.txt; do
    # alembic_version takes the server's default charset (test D2): not the tool's doing.
    diff -u --label "fixture $(basename "$f")" --label "real tool" \
      <(sed '/^TABLE alembic_version/,/^TABLE/{/options:/d}' "test/fixtures/golden/$(basename "$f")") \
      <(sed '/^TABLE alembic_version/,/^TABLE/{/options:/d}' "$f") || rc=1
  done
  for d in sqlite postgresql mysql; do
    PYTHONHASHSEED=0 /usr/bin/python3 scripts/reference/ddl_trace.py "$d" >"$out/$d.json" 2>/dev/null
    diff -u --label "fixture test/fixtures/ddl/$d.json" --label "real tool" "test/fixtures/ddl/$d.json" "$out/$d.json" || rc=1
  done
  /usr/bin/python3 scripts/reference/metadef_counts.py "$metadefs" >"$out/counts.json"
  diff -u --label "fixture $counts" --label "real tool" "$counts" "$out/counts.json" || rc=1
  [ "$rc" = 0 ] && echo "golden fixtures: $(ls "$out"/*.inspect.txt | wc -l) listings, 3 DDL traces and the metadef counts equal the real tool's"
  exit "$rc"
fi
/usr/bin/python3 scripts/reference/golden.py test/fixtures/golden
/usr/bin/python3 scripts/reference/metadef_counts.py "$metadefs" >"$counts"
for d in sqlite postgresql mysql; do
  PYTHONHASHSEED=0 /usr/bin/python3 scripts/reference/ddl_trace.py "$d" >"test/fixtures/ddl/$d.json" 2>/dev/null
done
