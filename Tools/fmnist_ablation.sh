#!/usr/bin/env bash
# The Fashion-MNIST recipe's ablation (Docs/RESULTS.md): the recipe, then the recipe with each
# part removed in turn, every run judged on the same 5,000 held-out training images
# (--validation 5000) after the same number of epochs; the test set is not looked at. The
# parts that change only the evaluation (the weight average, the flips) are removed by
# re-evaluating the recipe's run (its validation_variants.json), not by training again.
# Each run is resumable: rerunning the script goes on where it stopped (a finished run is
# read from its folder). Prints a Markdown table: variant, validation accuracy, wall seconds.
# Usage: Tools/fmnist_ablation.sh [EPOCHS] [OUT]      (defaults 11 and runs/ablation)
set -euo pipefail
epochs=${1:-11}
out=${2:-runs/ablation}
cd "$(dirname "$0")/.."
swift build -c release --product fashion >/dev/null
fashion=.build/release/fashion
# recipe CHANGE: the recipe's flags, leaving out the part named (crop, groups, smoothing) or
# adding one (erasing).
recipe() {
  local change=$1
  echo --optimizer sgd --lr 0.1 --schedule onecycle --warmup 0.25 --validation 5000 --samples 0
  [ "$change" = smoothing ] && echo --label-smoothing 0 || echo --label-smoothing 0.1
  [ "$change" = crop ] && echo --crop-padding 0 || echo --crop-padding 2
  echo --ema 0.998 --tta
  [ "$change" = groups ] || echo --norm-bias-weight-decay 0
  [ "$change" = erasing ] && echo --random-erasing 0.25
  return 0
}
variants=(
  "recipe|none"
  "no crops (--crop-padding 0)|crop"
  "weight decay on biases and batch norm too|groups"
  "no label smoothing|smoothing"
  "with random erasing 0.25|erasing"
)
mkdir -p "$out"
echo "| variant | validation accuracy after $epochs epochs | wall s |"
echo "|---|---:|---:|"
for v in "${variants[@]}"; do
  name=${v%%|*}; change=${v#*|}
  folder="$out/$change"
  read -r -a args <<<"$(recipe "$change" | tr '\n' ' ')"
  start=$(date +%s)
  "$fashion" train-mnist --out "$folder" --epochs "$epochs" "${args[@]}" >"$folder.log" 2>&1
  seconds=$(( $(date +%s) - start ))
  accuracy=$(tail -n 1 "$folder/log.jsonl" | python3 -c 'import json,sys; print("%.2f %%" % (100 * json.load(sys.stdin)["validation_accuracy"]))')
  echo "| $name | $accuracy | $seconds |"
  if [ "$change" = none ]; then
    python3 - "$folder/validation_variants.json" <<'PY'
import json, sys
rows = {(v["weights"], v["flip"]): v["accuracy"] for v in json.load(open(sys.argv[1]))}
print("| no weight average (--ema; the same run's trained weights) | %.2f %% | – |" % (100 * rows[("trained", True)]))
print("| no flip test-time augmentation (--tta; the same run) | %.2f %% | – |" % (100 * rows[("average", False)]))
print("| neither | %.2f %% | – |" % (100 * rows[("trained", False)]))
PY
  fi
done
