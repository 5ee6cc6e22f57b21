#!/usr/bin/env bash
# Make sure a headless-capable Chromium is installed, for the TUI's browser test
# (tests/tui/test_browser.py drives `pmsim serve` through it). Debian/Ubuntu; run as root or
# with sudo. Does nothing when a Chromium or Chrome is already on PATH.
set -euo pipefail
for c in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$c" >/dev/null 2>&1; then
        echo "ensure_chromium: found $(command -v "$c")"
        exit 0
    fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium
command -v chromium
