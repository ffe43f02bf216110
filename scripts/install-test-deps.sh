#!/usr/bin/env bash
# Install everything the test suite needs. Idempotent; meant for a fresh Debian
# machine, run as root (falls back to sudo for apt when not root).
#
# The browser used by the real-browser tests is the Debian `chromium` package
# at /usr/bin/chromium. This script never downloads a Playwright-managed browser.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# apt_install WHAT PACKAGE... : install Debian packages as root (or through sudo).
apt_install() {
    local what="$1"; shift
    echo "[install-test-deps] $what missing: installing $* via apt-get" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "[install-test-deps] need root (or sudo) to install $what" >&2; exit 1; }
        sudo="sudo"
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium chromium fonts-dejavu-core
else
    echo "[install-test-deps] chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)" >&2
fi

# nginx: tests/test_deploy_nginx.py starts deploy/start.sh's nginx on loopback ports (only
# the binary is used; no service is enabled or configured).  Debian may start a global nginx
# on port 80 after installing it; the tests never use it.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    apt_install nginx nginx-light || apt_install nginx nginx  # nginx-light is gone after Debian 12
else
    echo "[install-test-deps] nginx present: $( (nginx -v || /usr/sbin/nginx -v) 2>&1)" >&2
fi

bash scripts/install-app-deps.sh requirements-dev.txt
echo "[install-test-deps] done" >&2
