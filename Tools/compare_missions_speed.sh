#!/usr/bin/env bash
# Missions 2-1 + 2-2: `fashion preferences` against the pandas + json.load script, same tree, one run.
# Usage: Tools/compare_missions_speed.sh DATA_ROOT [RUNS] [PYTHON]
# Make a ~250,000-label tree first: fashion synth --out /tmp/kf250 --orphan-labels 238000
# Each tool runs RUNS times, alternating (warm page cache after the first); best and all times printed.
set -euo pipefail
root=${1:?data root}; runs=${2:-3}; python=${3:-python3}
here=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --package-path "$here" >/dev/null
fashion="$here/.build/release/fashion"
out=$(mktemp -d)
for i in $(seq "$runs"); do
  s=$(date +%s.%N); "$fashion" preferences --data "$root" --format csv --output "$out/top100.csv" --html "$out/top100.html" 2>/dev/null; e=$(date +%s.%N)
  ours+=("$(echo "$e - $s" | bc)")
  s=$(date +%s.%N); "$python" "$here/Tools/missions_pandas.py" "$root" "$out" >/dev/null; e=$(date +%s.%N)
  theirs+=("$(echo "$e - $s" | bc)")
done
labels=$(( $(ls "$root/training_label" | wc -l) + $(ls "$root/validation_label" | wc -l) ))
best() { printf '%s\n' "$@" | sort -n | head -1; }
echo "label files: $labels"
echo "fashion preferences (s): ${ours[*]}  best $(best "${ours[@]}")"
echo "pandas + json.load (s, whole process): ${theirs[*]}  best $(best "${theirs[@]}")"
echo "speed-up (best/best): $(echo "scale=1; $(best "${theirs[@]}") / $(best "${ours[@]}")" | bc)"
rm -rf "$out"
