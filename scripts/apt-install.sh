#!/usr/bin/env bash
# Installs Debian packages by name, waiting (with a message) while another apt or dpkg holds the
# package-manager locks, as unattended-upgrades does for minutes on a freshly booted cloud VM.
#   usage: scripts/apt-install.sh PACKAGE…      (APT_LOCK_TIMEOUT seconds, default 900)
# apt-get install waits by itself with DPkg::Lock::Timeout; apt-get update (Debian 12's apt 2.6)
# does not wait for /var/lib/apt/lists/lock, so it is retried while the lock is the reason it failed.
set -euo pipefail
(($#)) || exit 0
timeout=${APT_LOCK_TIMEOUT:-900}
log() { printf '\033[36m[apt]\033[0m %s\n' "$*" >&2; }
export DEBIAN_FRONTEND=noninteractive

deadline=$((SECONDS + timeout))
while :; do
  if err=$(apt-get update -qq 2>&1 >/dev/null); then break; fi
  if ! grep -q 'Could not get lock' <<<"$err" || ((SECONDS >= deadline)); then
    printf '%s\n' "$err" >&2
    exit 1
  fi
  log "waiting for the apt lists lock ($(grep -o 'held by process.*' <<<"$err" | head -n 1 || echo 'held by another process'))"
  sleep 5
done

log "installing $*"
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout="$timeout" "$@" >/dev/null
