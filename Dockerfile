# Cloud Mediation: Node 20 + mediasoup SFU on Debian 12 (bookworm).
# The mediasoup C++ worker is built from source against Debian's libraries by
# scripts/mediasoup-worker/build.sh (no prebuilt download, no wrapdb/GitHub).
FROM node:20-bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive

# Worker build deps: the same list as APT_PACKAGES in
# scripts/mediasoup-worker/build.sh (which would otherwise apt-get them itself),
# plus make/python3 for native npm modules and the app's PDF/CJK font packages
# (as scripts/setup.sh installs).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev \
      libflatbuffers-dev flatbuffers-compiler liburing-dev pkg-config \
      ninja-build python3-venv g++ patch openssl \
      make ca-certificates fonts-noto-cjk poppler-utils postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Set before `npm ci`: mediasoup's postinstall then skips its prebuilt-worker
# download/build, and at runtime mediasoup loads this binary.
ENV CLOUD_MEDIATION_CACHE=/opt/cloud-mediation-cache \
    MEDIASOUP_WORKER_BIN=/usr/local/lib/cloud-mediation/mediasoup-worker

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# Build the worker from node_modules/mediasoup (3.19.3); build.sh prints the
# binary path as its only stdout line and smoke-tests it before returning.
COPY scripts/mediasoup-worker/ scripts/mediasoup-worker/
RUN set -eu; \
    bin="$(bash scripts/mediasoup-worker/build.sh)"; \
    install -D -m 0755 "$bin" "$MEDIASOUP_WORKER_BIN"; \
    rm -rf "$CLOUD_MEDIATION_CACHE"

# Application sources (explicit list, so a host node_modules/ or data/ is never
# copied over the image's).
COPY tsconfig.json prisma.config.ts ./
COPY prisma/ prisma/
COPY server/ server/
COPY client/ client/
COPY scripts/ scripts/
# The cluster's nginx configuration, rendered by this image (docker-compose.cluster.yml).
COPY ops/nginx/ ops/nginx/
RUN npm run db:generate && npm run build

ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    RTC_LISTEN_IP=0.0.0.0 \
    RTC_PORT=40000
VOLUME ["/data"]
# Media: one UDP and one TCP port per mediasoup worker, RTC_PORT + i (4 workers shown).
EXPOSE 3000/tcp 40000-40003/udp 40000-40003/tcp

# Apply pending database migrations (DATA_DIR/cloud-mediation.db, or the PostgreSQL
# database of a postgresql:// DATABASE_URL), then start.
CMD ["sh", "-c", "npx prisma migrate deploy && exec npm start"]
