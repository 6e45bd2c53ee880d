#!/usr/bin/env bash
# Build mediasoup's C++ worker (mediasoup-worker) from source against Debian's
# system libraries, without GitHub/wrapdb/PyPI access. See README.md.
#
# Usage: scripts/mediasoup-worker/build.sh
#   The last (and only) line on stdout is the absolute path of the built,
#   stripped worker binary; all logging goes to stderr.
#
# Environment:
#   CLOUD_MEDIATION_CACHE  cache root (default: $HOME/.cache/cloud-mediation)
#   MEDIASOUP_SOURCE_DIR   mediasoup package root to build from (or a dir whose
#                          node_modules/mediasoup is one); default: the repo's
#                          node_modules/mediasoup, else `npm pack mediasoup`.
#   CM_KEEP_BUILD_DIR=1    keep the temporary build dir on failure (debugging)
set -euo pipefail

MEDIASOUP_VERSION=3.19.3
MESON_VERSION=1.12.1
APT_PACKAGES=(
	libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev
	libflatbuffers-dev flatbuffers-compiler liburing-dev pkg-config
	ninja-build python3-venv g++ patch
	openssl # CLI, for the DTLS handshake in smoke-test.mjs
)

# Everything but the final path goes to stderr: keep the real stdout as fd 3.
exec 3>&1 1>&2

log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd "${SCRIPT_DIR}/../.." && pwd -P)

# --- cache key & fast path ---------------------------------------------------

# sha256 of the concatenated contents of every file in this directory (sorted
# by path), so any change to a patch, shim or this script rebuilds.
CACHE_KEY=$(
	cd "${SCRIPT_DIR}" &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 cat | sha256sum | cut -c1-16
)
CACHE_ROOT="${CLOUD_MEDIATION_CACHE:-${HOME:?HOME is not set}/.cache/cloud-mediation}/mediasoup-worker"
OUT_DIR="${CACHE_ROOT}/${MEDIASOUP_VERSION}-${CACHE_KEY}"
OUT_BIN="${OUT_DIR}/mediasoup-worker"

if [[ -f "${OUT_BIN}" && -x "${OUT_BIN}" ]]; then
	echo "${OUT_BIN}" >&3
	exit 0
fi

mkdir -p "${CACHE_ROOT}"
CACHE_ROOT=$(cd "${CACHE_ROOT}" && pwd -P)
OUT_DIR="${CACHE_ROOT}/${MEDIASOUP_VERSION}-${CACHE_KEY}"
OUT_BIN="${OUT_DIR}/mediasoup-worker"

# Serialize concurrent builds; re-check the cache once we hold the lock.
if command -v flock >/dev/null 2>&1; then
	exec 9>"${CACHE_ROOT}/.lock"
	if ! flock -n 9; then
		log "another build is running; waiting for ${CACHE_ROOT}/.lock"
		flock 9
	fi
	if [[ -f "${OUT_BIN}" && -x "${OUT_BIN}" ]]; then
		echo "${OUT_BIN}" >&3
		exit 0
	fi
	# We hold the lock, so leftovers of killed builds are safe to remove.
	rm -rf "${CACHE_ROOT}"/.build.* "${OUT_DIR}"/.mediasoup-worker.tmp.* 2>/dev/null || true
fi

START_TS=$(date +%s)
log "building mediasoup-worker ${MEDIASOUP_VERSION} (cache key ${CACHE_KEY})"

# --- system packages -----------------------------------------------------------

if command -v dpkg >/dev/null 2>&1; then
	missing=()
	for pkg in "${APT_PACKAGES[@]}"; do
		if ! dpkg -s "${pkg}" 2>/dev/null | grep -q '^Status: install ok installed'; then
			missing+=("${pkg}")
		fi
	done
	if ((${#missing[@]})); then
		log "installing missing apt packages: ${missing[*]}"
		[[ ${EUID} -eq 0 ]] || die "not root; run: apt-get install -y --no-install-recommends ${missing[*]}"
		bash "${REPO_ROOT}/scripts/apt-install.sh" "${missing[@]}"
	fi
else
	log "WARNING: dpkg not found; assuming build dependencies are installed"
fi
for tool in python3 pkg-config ninja flatc patch strip c++ cc; do
	command -v "${tool}" >/dev/null 2>&1 || die "required tool not found: ${tool}"
done

# --- meson (venv in the cache, reused) ---------------------------------------

VENV="${CACHE_ROOT}/meson-venv"
MESON="${VENV}/bin/meson"
if [[ ! -f "${VENV}/.cm-ok" ]] || ! "${MESON}" --version >/dev/null 2>&1; then
	log "installing meson into ${VENV}"
	rm -rf "${VENV}"
	python3 -m venv "${VENV}"
	if ! "${VENV}/bin/pip" install --no-input "meson==${MESON_VERSION}"; then
		log "meson==${MESON_VERSION} not available; falling back to meson>=1.1"
		"${VENV}/bin/pip" install --no-input 'meson>=1.1'
	fi
	"${MESON}" --version >/dev/null
	touch "${VENV}/.cm-ok"
fi
log "meson $("${MESON}" --version), ninja $(ninja --version), flatc: $(flatc --version)"

# --- temp dir ------------------------------------------------------------------

WORK=$(mktemp -d "${CACHE_ROOT}/.build.XXXXXX")
cleanup() {
	local rc=$?
	if [[ ${rc} -ne 0 && "${CM_KEEP_BUILD_DIR:-0}" == 1 ]]; then
		log "build failed (rc=${rc}); kept ${WORK}"
	else
		rm -rf "${WORK}"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- mediasoup sources -----------------------------------------------------------

# Prints "name version" of a package.json.
pkg_id() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("name",""), d.get("version",""))' "$1"
}

PKG_ROOT=""
if [[ -n "${MEDIASOUP_SOURCE_DIR:-}" ]]; then
	for cand in "${MEDIASOUP_SOURCE_DIR}" "${MEDIASOUP_SOURCE_DIR}/node_modules/mediasoup" "${MEDIASOUP_SOURCE_DIR}/mediasoup"; do
		if [[ -f "${cand}/package.json" && "$(pkg_id "${cand}/package.json")" == mediasoup\ * ]]; then
			PKG_ROOT=$(cd "${cand}" && pwd -P)
			break
		fi
	done
	[[ -n "${PKG_ROOT}" ]] || die "MEDIASOUP_SOURCE_DIR=${MEDIASOUP_SOURCE_DIR} contains no mediasoup package"
elif [[ -f "${REPO_ROOT}/node_modules/mediasoup/package.json" ]]; then
	if [[ "$(pkg_id "${REPO_ROOT}/node_modules/mediasoup/package.json")" == "mediasoup ${MEDIASOUP_VERSION}" ]]; then
		PKG_ROOT="${REPO_ROOT}/node_modules/mediasoup"
	else
		log "node_modules/mediasoup is not ${MEDIASOUP_VERSION}; fetching the npm tarball instead"
	fi
fi
if [[ -z "${PKG_ROOT}" ]]; then
	command -v npm >/dev/null 2>&1 || die "npm is needed to fetch mediasoup@${MEDIASOUP_VERSION}"
	log "fetching mediasoup@${MEDIASOUP_VERSION} with npm pack"
	mkdir -p "${WORK}/npm"
	tarball=$(cd "${WORK}/npm" && npm pack "mediasoup@${MEDIASOUP_VERSION}" --silent | tail -n1)
	[[ -f "${WORK}/npm/${tarball}" ]] || die "npm pack did not produce a tarball"
	tar -xzf "${WORK}/npm/${tarball}" -C "${WORK}/npm"
	PKG_ROOT="${WORK}/npm/package"
fi
found_id=$(pkg_id "${PKG_ROOT}/package.json")
[[ "${found_id}" == "mediasoup ${MEDIASOUP_VERSION}" ]] ||
	die "${PKG_ROOT} is '${found_id}', expected 'mediasoup ${MEDIASOUP_VERSION}'"
[[ -f "${PKG_ROOT}/worker/meson.build" ]] || die "${PKG_ROOT}/worker/meson.build not found"
log "mediasoup sources: ${PKG_ROOT}"

# Copy the worker, minus any previous build output and the .wrap subprojects,
# which are replaced by our local system-library subprojects.
SRC="${WORK}/worker"
mkdir -p "${SRC}"
tar -C "${PKG_ROOT}/worker" --exclude=./out --exclude=./subprojects --exclude=./pip_invoke -cf - . |
	tar -C "${SRC}" -xf -
cp -a "${SCRIPT_DIR}/subprojects" "${SRC}/subprojects"

shopt -s nullglob
for p in "${SCRIPT_DIR}"/patches/*.patch; do
	log "applying $(basename "${p}")"
	if ! (cd "${SRC}" && patch -p1 --forward --batch --dry-run <"${p}" >/dev/null); then
		(cd "${SRC}" && patch -p1 --forward --batch --dry-run <"${p}") || true
		die "patch $(basename "${p}") does not apply to mediasoup ${MEDIASOUP_VERSION}"
	fi
	(cd "${SRC}" && patch -p1 --forward --batch --no-backup-if-mismatch <"${p}")
done
shopt -u nullglob
grep -q 'operationType & BIO_CB_RETURN' "${SRC}/src/RTC/DtlsTransport.cpp" ||
	die "DTLS BIO_CB_RETURN fix is not in place"

# --- configure & build -------------------------------------------------------

# Mirrors mediasoup's worker/tasks.py Release setup (--buildtype release
# -Db_ndebug=true) with the worker's meson options at their npm defaults.
BUILD="${WORK}/build"
"${MESON}" setup "${BUILD}" "${SRC}" \
	--buildtype release \
	-Db_ndebug=true \
	--wrap-mode=nodownload \
	-Dms_log_trace=false \
	-Dms_log_file_line=false \
	-Dms_rtc_logger_rtp=false \
	-Dms_sctp_stack=false \
	-Dms_disable_liburing=false

JOBS=$(nproc 2>/dev/null || echo 2)
# The flatbuffers-generator custom target (ninja name fbs/FBS) must be built
# first, or libwebrtc compiles before the generated FBS/*.h exist.
ninja -C "${BUILD}" -j"${JOBS}" fbs/FBS
[[ -f "${BUILD}/fbs/FBS/message.h" ]] || die "flatc did not generate fbs/FBS/message.h"
ninja -C "${BUILD}" -j"${JOBS}" mediasoup-worker

STAGED="${WORK}/mediasoup-worker"
strip -o "${STAGED}" "${BUILD}/mediasoup-worker"
chmod 755 "${STAGED}"

# --- smoke tests -------------------------------------------------------------

# Run without MEDIASOUP_VERSION in the env, mediasoup-worker exits with 41
# (the same check mediasoup's npm-scripts.mjs does on prebuilt binaries).
set +e
env -i "${STAGED}" </dev/null >/dev/null 2>&1
rc=$?
set -e
[[ ${rc} -eq 41 ]] || die "raw run of the worker exited ${rc}, expected 41"
log "raw run check OK (exit 41)"

# Full check through mediasoup's Node API when the package's JS dependencies
# are resolvable (i.e. it is an npm-installed package, not a bare tarball).
if command -v node >/dev/null 2>&1 &&
	(cd "${PKG_ROOT}" && node -e 'require(process.argv[1])' "${PKG_ROOT}" >/dev/null 2>&1); then
	log "running Node smoke test"
	MEDIASOUP_WORKER_BIN="${STAGED}" timeout 60 node "${SCRIPT_DIR}/smoke-test.mjs" "${PKG_ROOT}" >&2 ||
		die "Node smoke test failed"
else
	log "mediasoup JS package not loadable here; skipped the Node smoke test"
fi

# --- install into the cache atomically ------------------------------------------

mkdir -p "${OUT_DIR}"
{
	echo "mediasoup ${MEDIASOUP_VERSION}, cache key ${CACHE_KEY}, built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm)"
	echo "sources: ${PKG_ROOT}"
	for pkg in libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev libflatbuffers-dev liburing-dev; do
		echo "${pkg} $(dpkg-query -W -f='${Version}' "${pkg}" 2>/dev/null || echo '?')"
	done
} >"${OUT_DIR}/build-info.txt"
TMP_BIN="${OUT_DIR}/.mediasoup-worker.tmp.$$"
cp "${STAGED}" "${TMP_BIN}"
chmod 755 "${TMP_BIN}"
mv -f "${TMP_BIN}" "${OUT_BIN}"

log "built ${OUT_BIN} ($(stat -c %s "${OUT_BIN}") bytes) in $(($(date +%s) - START_TS))s"
echo "${OUT_BIN}" >&3
