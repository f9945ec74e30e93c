#!/usr/bin/env bash
# The Fashion-MNIST recipe's ablation (Docs/RESULTS.md): `train-mnist --recipe hour`, then the
# recipe with each of its parts removed in turn (or one added), every run judged on the same
# 5,000 held-out training images (the recipe's --validation 5000) after the same number of
# epochs; the test set is never looked at.
#
# The parts that change only the evaluation — a weight average (--ema) and flips at test time
# (--tta) — are ablated from one run: the recipe with both switched on trains exactly as the
# recipe does (the average only reads the weights), and its validation_variants.json holds the
# last epoch with each of the two on and off. Its "trained weights, no flips" row is the recipe
# itself.
#
# Each run is resumable: rerunning the script goes on where it stopped (a finished run is read
# from its folder). Prints a Markdown table: variant, validation accuracy, training seconds (the
# sum of the epochs' seconds in log.jsonl, so a resumed run counts only its epochs).
# Usage: Tools/fmnist_ablation.sh [EPOCHS] [OUT] [ONLY...]  (defaults: the recipe's 12, runs/ablation;
#        ONLY names the variants to run — evaluation crop groups smoothing smoothing2 erasing — default all)
set -euo pipefail
epochs=${1:-12}
out=${2:-runs/ablation}
shift $(( $# < 2 ? $# : 2 ))
only=("$@")
cd "$(dirname "$0")/.."
swift build -c release --product fashion >/dev/null
fashion=.build/release/fashion
# The flags of each variant on top of `--recipe hour`.
declare -A change=(
  [evaluation]="--ema 0.998 --tta"
  [crop]="--crop-padding 0"
  [groups]="--norm-bias-weight-decay 5e-4"
  [smoothing]="--label-smoothing 0"
  [smoothing2]="--label-smoothing 0.2"
  [erasing]="--random-erasing 0.25"
)
order=(evaluation crop groups smoothing smoothing2 erasing)
[ ${#only[@]} -gt 0 ] && order=("${only[@]}")
mkdir -p "$out"
echo "| variant | validation accuracy after $epochs epochs | training s |"
echo "|---|---:|---:|"
for v in "${order[@]}"; do
  [ -n "${change[$v]+x}" ] || { echo "fmnist_ablation: no variant '$v' (evaluation crop groups smoothing smoothing2 erasing)" >&2; exit 2; }
  folder="$out/$v"
  # shellcheck disable=SC2086
  "$fashion" train-mnist --recipe hour --out "$folder" --epochs "$epochs" --samples 0 ${change[$v]} >"$folder.log" 2>&1 \
    || { echo "fmnist_ablation: the '$v' run failed; see $folder.log" >&2; exit 1; }
  python3 - "$v" "$folder" <<'PY'
import json, sys
variant, folder = sys.argv[1], sys.argv[2]
records = [json.loads(line) for line in open(folder + "/log.jsonl")]
seconds = round(sum(r["seconds"] for r in records))
names = {
    "crop": "no crops (--crop-padding 0: flips only)",
    "groups": "weight decay on biases and batch norm too (--norm-bias-weight-decay 5e-4)",
    "smoothing": "no label smoothing (--label-smoothing 0)",
    "smoothing2": "twice the label smoothing (--label-smoothing 0.2, airbench's)",
    "erasing": "with random erasing (--random-erasing 0.25)",
}
if variant == "evaluation":
    rows = {(v["weights"], v["flip"]): v["accuracy"] for v in json.load(open(folder + "/validation_variants.json"))}
    assert abs(rows[("average", True)] - records[-1]["validation_accuracy"]) < 1e-12, "the run's own figure is the average with flips"
    print("| **the recipe** (`--recipe hour`: the trained weights, no flips) | **%.2f %%** | %d |" % (100 * rows[("trained", False)], seconds))
    print("| with a weight average (--ema 0.998; the same run) | %.2f %% | – |" % (100 * rows[("average", False)]))
    print("| with flips at test time (--tta; the same run) | %.2f %% | – |" % (100 * rows[("trained", True)]))
    print("| with both | %.2f %% | – |" % (100 * rows[("average", True)]))
else:
    print("| %s | %.2f %% | %d |" % (names[variant], 100 * records[-1]["validation_accuracy"], seconds))
PY
done
