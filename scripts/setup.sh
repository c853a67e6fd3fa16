#!/usr/bin/env bash
# Installs momentsearch and everything it needs on a fresh Debian machine with Python >= 3.10.
# Usage: scripts/setup.sh            (then: momentsearch demo)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v espeak-ng >/dev/null 2>&1; then
  # espeak-ng speaks the generated test lectures; indexing itself does not need it
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq espeak-ng >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  # Debian's chromium runs the browser test of the web page (Playwright drives it; no browser download)
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
PIP="python3 -m pip"
# torch first, pinned, so no other package pulls a different build
$PIP install -q torch==2.14.1 torchvision==0.29.1
$PIP install -q -e ".[server,test,distributed]"
echo "momentsearch installed: $(command -v momentsearch)"
