#!/usr/bin/env bash
# Installs whatever is missing, idempotently, and quickly on a second run:
#   Debian packages, npm packages, the mediasoup worker (built offline, cached outside node_modules),
#   the Prisma clients (SQLite and PostgreSQL) and the client bundle.
# Usage: scripts/setup.sh [demo|test]   ("test" also installs Chromium, PostgreSQL, Redis, nginx, coturn, and iproute2 + nftables for the firewall tests)
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-demo}

log() { printf '\033[36m[setup]\033[0m %s\n' "$*" >&2; }
stamp_dir=node_modules/.cloud-mediation
hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# --- Debian packages --------------------------------------------------------------
need=()
runtime_pkgs=(fonts-noto-cjk poppler-utils ffmpeg)
[[ $purpose == test ]] && runtime_pkgs+=(chromium postgresql redis-server nginx-light coturn iproute2 nftables openssl)
for p in "${runtime_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if ((${#need[@]})); then
  bash scripts/apt-install.sh "${need[@]}"
fi

# --- npm packages -----------------------------------------------------------------
lock_hash=$(hash_of package-lock.json package.json)
if [[ ! -f $stamp_dir/npm || $(cat $stamp_dir/npm) != "$lock_hash" ]]; then
  log "npm ci"
  # mediasoup's postinstall would download a prebuilt worker or build with meson from PyPI;
  # with MEDIASOUP_WORKER_BIN set it skips that, and we build the worker below.
  MEDIASOUP_WORKER_BIN=/nonexistent npm ci --no-audit --no-fund --loglevel=error
  mkdir -p $stamp_dir
  echo "$lock_hash" > $stamp_dir/npm
fi

# --- mediasoup worker -------------------------------------------------------------
worker_bin=$(bash scripts/mediasoup-worker/build.sh | tail -n 1)
target=node_modules/mediasoup/worker/out/Release/mediasoup-worker
if ! cmp -s "$worker_bin" "$target" 2>/dev/null; then
  log "installing mediasoup worker from $worker_bin"
  mkdir -p "$(dirname "$target")"
  cp "$worker_bin" "$target.tmp" && mv "$target.tmp" "$target"
fi

# --- Prisma clients ---------------------------------------------------------------
# prisma/schema.prisma is the one hand-edited schema; the PostgreSQL one is generated from it.
prisma_inputs=(prisma/schema.prisma prisma/postgresql/schema.prisma scripts/gen-pg-schema.ts package-lock.json)
schema_hash=$(hash_of "${prisma_inputs[@]}")
if [[ ! -f server/db/generated/index.js || ! -f server/db/generated-pg/index.js || ! -f $stamp_dir/prisma || $(cat $stamp_dir/prisma) != "$schema_hash" ]]; then
  log "prisma generate (SQLite and PostgreSQL clients)"
  npm run --silent db:generate >/dev/null
  hash_of "${prisma_inputs[@]}" > $stamp_dir/prisma
fi

# --- client bundle ----------------------------------------------------------------
client_hash=$(find client server/protocol -type f -not -path 'client/dist/*' -print0 | LC_ALL=C sort -z | xargs -0 cat | cat - package-lock.json | sha256sum | cut -c1-16)
if [[ ! -f client/dist/index.html || ! -f $stamp_dir/client || $(cat $stamp_dir/client) != "$client_hash" ]]; then
  log "building the client"
  npx vite build --config client/vite.config.ts --logLevel warn
  echo "$client_hash" > $stamp_dir/client
fi
log "ready"
