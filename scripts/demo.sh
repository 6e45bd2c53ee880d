#!/usr/bin/env bash
# README command 1: install what is missing, then start the service with a ready demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
export DATA_DIR=${DATA_DIR:-$PWD/data}
npx prisma migrate deploy >/dev/null
export DEMO=${DEMO:-true}
exec node --import tsx server/main.ts
