#!/usr/bin/env bash
# Makes sure a Chromium is on PATH for the browser tests: Debian's package, never a download of
# Playwright's own browser build (`playwright install` is not used).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "installing Chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "Chromium did not install" >&2; exit 1; }
