#!/usr/bin/env bash
# Install nnviz's Python dependencies into this machine's python3 (as root on a fresh
# Debian machine, or inside a virtual environment).  Usage:
#   bash scripts/install-app-deps.sh [requirements file, default requirements.txt]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
req="${1:-requirements.txt}"

if ! python3 -m pip --version >/dev/null 2>&1; then
    echo "[install-app-deps] pip missing: installing python3-pip via apt-get" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-pip
fi

# Debian's own python3 marks itself "externally managed" (PEP 668) and pip then refuses to
# install; on a machine (or container) dedicated to nnviz that is what we want to do.
export PIP_BREAK_SYSTEM_PACKAGES=1
# Never let anything fetch a Playwright browser (the tests use Debian's chromium).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
python3 -m pip install --disable-pip-version-check --root-user-action=ignore -r "$req"
