#!/usr/bin/env bash
# Runs node's test runner over every *.test.ts below the given folders (default: tests).
# Node 20's --test takes no globs, so the files are listed here.
# TEST_DATABASE=postgresql: the API tests run on PostgreSQL; one cluster (tests/helpers/postgresCluster.ts)
# serves the whole run, each test database a copy of its migrated template; stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find "${@:-tests}" -name '*.test.ts' -type f | LC_ALL=C sort)
if ((${#files[@]} == 0)); then echo "no test files under ${*:-tests}" >&2; exit 1; fi
if [[ ${TEST_DATABASE:-sqlite} == postgresql && -z ${TEST_PG_URL:-} ]]; then
  cluster=$(node --import tsx tests/helpers/postgresCluster.ts start)
  export TEST_PG_URL=$(sed -n 's/^TEST_PG_URL=//p' <<<"$cluster")
  pg_pid=$(sed -n 's/^TEST_PG_PID=//p' <<<"$cluster")
  pg_dir=$(sed -n 's/^TEST_PG_DIR=//p' <<<"$cluster")
  trap 'node --import tsx tests/helpers/postgresCluster.ts stop "$pg_pid" "$pg_dir"' EXIT
  node --import tsx --test --test-concurrency=1 --test-force-exit --test-timeout=900000 "${files[@]}"
  exit
fi
exec node --import tsx --test --test-concurrency=1 --test-force-exit --test-timeout=900000 "${files[@]}"
