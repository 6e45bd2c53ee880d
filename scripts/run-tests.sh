#!/usr/bin/env bash
# Runs node's test runner over every *.test.ts below the given folders (default: tests).
# Node 20's --test takes no globs, so the files are listed here.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find "${@:-tests}" -name '*.test.ts' -type f | LC_ALL=C sort)
if ((${#files[@]} == 0)); then echo "no test files under ${*:-tests}" >&2; exit 1; fi
exec node --import tsx --test --test-concurrency=1 --test-force-exit --test-timeout=900000 "${files[@]}"
