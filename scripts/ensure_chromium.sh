#!/usr/bin/env bash
# Make sure headless Chromium and its WebDriver are present for the dashboard browser test.
# Installs Debian's chromium and chromium-driver when /usr/bin/chromium is missing.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
echo "chromium not found: installing chromium and chromium-driver" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
/usr/bin/chromium --version
