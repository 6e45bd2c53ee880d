#!/usr/bin/env bash
# README command 2: install what is missing, then run the whole test suite
# (typecheck; lint and format check; unit tests against a real mediasoup worker; API and socket tests against a real
# server on loopback; end-to-end tests in Debian's Chromium with fake camera and microphone),
# then the API and socket tests once more on PostgreSQL (Debian's package, a throwaway cluster),
# and the concurrency suite with its requests alternating between two nodes (PostgreSQL and Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
echo "[test] typecheck" >&2
npx tsc -p tsconfig.json --noEmit
npx tsc -p client/tsconfig.json --noEmit
echo "[test] lint (ESLint) and format (Prettier)" >&2
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --list-different .; echo "[test] not formatted: run npm run format" >&2; exit 1; }
status=0
echo "[test] node --test (SQLite)" >&2
bash scripts/run-tests.sh tests || status=$?
echo "[test] node --test tests/api on PostgreSQL" >&2
TEST_DATABASE=postgresql bash scripts/run-tests.sh tests/api || status=$?
echo "[test] the concurrency suite split across two nodes (PostgreSQL, Redis)" >&2
TEST_DATABASE=postgresql TEST_NODES=2 bash scripts/run-tests.sh tests/api/concurrency.test.ts || status=$?
exit $status
