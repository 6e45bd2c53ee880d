#!/usr/bin/env bash
# README command 2: install what is missing, then run the whole test suite
# (typecheck; unit tests against a real mediasoup worker; API and socket tests against a real
# server on loopback; end-to-end tests in Debian's Chromium with fake camera and microphone).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
echo "[test] typecheck" >&2
npx tsc -p tsconfig.json --noEmit
npx tsc -p client/tsconfig.json --noEmit
echo "[test] node --test" >&2
exec bash scripts/run-tests.sh tests
