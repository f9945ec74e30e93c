#!/usr/bin/env bash
# `fashion prepare` against Tools/prepare_pillow.py (Pillow draft + NumPy + SciPy, 2 processes) on the same photos.
# Usage: Tools/compare_prepare_speed.sh DATA_ROOT [RUNS] [PYTHON]
# Make 3000×4000 photos first: fashion synth --out /tmp/kfbig --width 3000 --scale 0.01 --respondents 10 --orphan-labels 0
set -euo pipefail
root=${1:?data root}; runs=${2:-3}; python=${3:-python3}
here=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --package-path "$here" >/dev/null
fashion="$here/.build/release/fashion"
photos=$(( $(ls "$root/training_image" | wc -l) + $(ls "$root/validation_image" | wc -l) ))
for i in $(seq "$runs"); do
  out=$(mktemp -d)
  s=$(date +%s.%N); "$fashion" prepare --data "$root" --out "$out" --size 224 >/dev/null 2>&1; e=$(date +%s.%N)
  ours+=("$(echo "scale=2; $photos / ($e - $s)" | bc)")
  rm -rf "$out"; out=$(mktemp -d)
  s=$(date +%s.%N); "$python" "$here/Tools/prepare_pillow.py" "$root" "$out" 224 2 >/dev/null; e=$(date +%s.%N)
  theirs+=("$(echo "scale=2; $photos / ($e - $s)" | bc)")
  rm -rf "$out"
done
best() { printf '%s\n' "$@" | sort -n | tail -1; }
echo "photos: $photos ($(head -c 2 /dev/null)$(file -b "$root/training_image/$(ls "$root/training_image" | head -1)" | grep -o '[0-9]*x[0-9]*' | tail -1))"
echo "fashion prepare (photos/s, whole process): ${ours[*]}  best $(best "${ours[@]}")"
echo "Pillow + NumPy + SciPy, 2 processes (photos/s, whole process): ${theirs[*]}  best $(best "${theirs[@]}")"
echo "ratio (best/best): $(echo "scale=2; $(best "${ours[@]}") / $(best "${theirs[@]}")" | bc)"
