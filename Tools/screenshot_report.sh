#!/usr/bin/env bash
# Screenshots a report page in headless Chromium at 1280 px wide (the README's picture).
#   Tools/screenshot_report.sh [REPORT.html] [OUT.png] [HEIGHT]
# defaults: demo-output/report.html → Docs/report.png, 2400 px tall (the top of the page).
# Needs Chromium: apt-get install -y chromium
set -euo pipefail
cd "$(dirname "$0")/.."
page=$(realpath "${1:-demo-output/report.html}"); out=${2:-Docs/report.png}; height=${3:-2400}
command -v chromium >/dev/null || { echo "chromium not found: apt-get install -y chromium"; exit 1; }
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,"$height" \
  --screenshot="$(realpath -m "$out")" "file://$page" 2>/dev/null
echo "wrote $out"
