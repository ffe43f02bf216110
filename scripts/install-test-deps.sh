#!/usr/bin/env bash
# Install everything the test suite needs. Idempotent; meant for a fresh Debian
# machine, run as root (falls back to sudo for apt when not root).
#
# The browser used by the real-browser tests is the Debian `chromium` package
# at /usr/bin/chromium. This script never downloads a Playwright-managed browser.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

if [ ! -x /usr/bin/chromium ]; then
    echo "[install-test-deps] /usr/bin/chromium missing: installing chromium via apt-get" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        else
            echo "[install-test-deps] need root (or sudo) to install chromium" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        chromium fonts-dejavu-core
else
    echo "[install-test-deps] chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)" >&2
fi

# nginx: tests/test_deploy_nginx.py starts deploy/start.sh's nginx on loopback ports (only
# the binary is used; no service is enabled or configured).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "[install-test-deps] nginx missing: installing nginx-light via apt-get" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        else
            echo "[install-test-deps] need root (or sudo) to install nginx" >&2
            exit 1
        fi
    fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light \
        || $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx
    # Debian may start a global nginx on port 80 after installing it; the tests never use it.
else
    echo "[install-test-deps] nginx present: $( (nginx -v || /usr/sbin/nginx -v) 2>&1)" >&2
fi

bash scripts/install-app-deps.sh requirements-dev.txt
echo "[install-test-deps] done" >&2
