#!/usr/bin/env bash
# Screenshots a report page in headless Chromium at 1280 px wide (the README's picture).
#   Tools/screenshot_report.sh [REPORT.html] [OUT.png] [HEIGHT] [SECTION_ID…]
# defaults: demo-output/report.html → Docs/report.png, 1500 px tall, the whole page from the
# top; with section ids (e.g. training-2 fewshot) only the header and those sections are shown.
# Needs Chromium: apt-get install -y chromium
set -euo pipefail
cd "$(dirname "$0")/.."
page=$(realpath "${1:-demo-output/report.html}"); out=$(realpath -m "${2:-Docs/report.png}"); height=${3:-1500}
shift $(( $# < 3 ? $# : 3 ))
command -v chromium >/dev/null || { echo "chromium not found: apt-get install -y chromium"; exit 1; }
if [ $# -gt 0 ]; then
  keep=$(printf ':not(#%s)' "$@")
  tmp=$(mktemp --suffix=.html)
  trap 'rm -f "$tmp"' EXIT
  sed "s|</style>|section${keep}{display:none}</style>|" "$page" > "$tmp"
  page=$tmp
fi
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,"$height" \
  --screenshot="$out" "file://$page" 2>/dev/null
echo "wrote $out"
