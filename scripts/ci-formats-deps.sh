#!/usr/bin/env bash
# Installs the checkers the export tests run on every EPUB Fanshelf writes (tests/test_export_epubcheck.py):
#   - epubcheck (Debian's package; the W3C/DAISY EPUB validator, run with Java),
#   - ebook-meta (Calibre's metadata reader): Debian's calibre-bin holds only Calibre's compiled parts, the
#     ebook-meta command is in the `calibre` package (which depends on calibre-bin), so both are installed,
#     without recommends (no GUI extras are needed; ebook-meta runs headless). When apt cannot install them
#     the tests that need ebook-meta skip loudly, and fail under CI=true.
# Idempotent: a tool already on PATH is not installed again. Run as root (CI is) or with sudo.
#   bash scripts/ci-formats-deps.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT=(env DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600)
updated=0
apt_update() {
    if [ "$updated" -eq 0 ]; then
        "${APT[@]}" update -qq
        updated=1
    fi
}

if ! command -v epubcheck >/dev/null 2>&1; then
    echo "ci-formats-deps: apt-get install epubcheck"
    apt_update
    "${APT[@]}" install -y -qq --no-install-recommends epubcheck >/dev/null
fi

if ! command -v ebook-meta >/dev/null 2>&1; then
    echo "ci-formats-deps: apt-get install calibre calibre-bin (for ebook-meta)"
    apt_update
    if ! "${APT[@]}" install -y -qq --no-install-recommends calibre-bin calibre >/dev/null; then
        echo "ci-formats-deps: WARNING: calibre could not be installed; the ebook-meta tests will fail under CI=true" >&2
    fi
fi

echo "ci-formats-deps: epubcheck $(command -v epubcheck || echo MISSING), ebook-meta $(command -v ebook-meta || echo MISSING)"
