#!/usr/bin/env bash
# The README's first Swift snippet must be Examples/Sources/TrainingStep/main.swift, word for
# word, so the snippet a reader copies is one `make examples` compiles and runs.
set -euo pipefail
cd "$(dirname "$0")/.."
snippet=$(awk '/^```swift$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' README.md)
if ! diff <(printf '%s\n' "$snippet") Examples/Sources/TrainingStep/main.swift; then
  echo "check_readme_snippet: README.md's first swift block differs from Examples/Sources/TrainingStep/main.swift (above)"
  exit 1
fi
echo "check_readme_snippet: the README's snippet is Examples/Sources/TrainingStep/main.swift"
