#!/usr/bin/env bash
# Installs what the web app's end-to-end tests and bench/web.py need, beyond `pip install -e .[dev]`:
#   - Debian's chromium (Playwright drives it through executable_path; Playwright's own browsers are
#     never downloaded), wrk (bench/web.py's load generator);
#   - axe-core from the npm registry into .cache/axe/ (outside git), injected by tests/e2e into pages.
# Idempotent: each step is skipped when its result is already there. Run as root (CI is) or with sudo.
#   bash scripts/ci-web-deps.sh
set -euo pipefail
cd "$(dirname "$0")/.."

AXE_VERSION="${AXE_VERSION:-4.14.1}"
AXE_DIR=".cache/axe"

need_apt=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
# fonts so screenshots show real glyphs (chromium pulls some; these are small and common)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need_apt+=(fonts-dejavu-core)
dpkg -s fonts-liberation >/dev/null 2>&1 || need_apt+=(fonts-liberation)
if [ "${#need_apt[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "ci-web-deps: apt-get install ${need_apt[*]}"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "ci-web-deps: npm missing; installing Debian's npm"
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends npm >/dev/null
    fi
    echo "ci-web-deps: npm install axe-core@$AXE_VERSION into $AXE_DIR"
    mkdir -p "$AXE_DIR"
    npm install --prefix "$AXE_DIR" --no-save --no-audit --no-fund --silent "axe-core@$AXE_VERSION"
fi

# Python side (playwright, schemathesis) comes from the dev extra; make sure it is there when a venv exists.
PY="${PYTHON:-.venv/bin/python}"
if [ -x "$PY" ] && ! "$PY" -c "import playwright, schemathesis" 2>/dev/null; then
    echo "ci-web-deps: pip install -e .[dev] (playwright/schemathesis missing)"
    "$PY" -m pip install -q -e ".[dev]"
fi

echo "ci-web-deps: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), wrk $(command -v wrk), axe-core $(node -p "require('./$AXE_DIR/node_modules/axe-core/package.json').version" 2>/dev/null || echo '?')"
