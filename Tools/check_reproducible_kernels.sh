#!/usr/bin/env bash
# A documented short Fashion-MNIST run (Docs/RESULTS.md, "Figures on another CPU") gives the
# same bytes whichever kernels OpenBLAS would pick, because `fashion` runs its Haswell kernels
# unless FASHION_BLAS_CORE=native. Three runs of the same command:
#   A  OPENBLAS_CORETYPE=Sandybridge (another CPU's pick; overridden by the reproducible default)
#   B  OPENBLAS_CORETYPE unset (this CPU's own pick: Zen on Zen 1–3, Cooperlake on Zen 4)
#   C  FASHION_BLAS_CORE=native OPENBLAS_CORETYPE=Sandybridge (the override switched off)
# A and B must be byte-identical (weights, optimiser state, evaluation, predictions) and give
# the documented training loss; C must differ from A, or the check proves nothing.
# Usage: Tools/check_reproducible_kernels.sh [fashion binary]      (~1.5 minutes on 2 cores)
set -uo pipefail
F=$(realpath "${1:-.build/release/fashion}")
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
ARGS="--epochs 1 --limit 1600 --test-limit 2000 --batch-size 32 --optimizer sgd --lr 0.05 --schedule onecycle --crop-padding 0 --samples 0 --restart"
DOCUMENTED_LOSS=1.605288152694702   # Docs/RESULTS.md: the run's train_loss in log.jsonl
fail=0
run() { local name=$1; shift; env "$@" "$F" train-mnist --out "$W/$name" $ARGS > "$W/$name.out" 2>&1 || { echo "run $name failed:"; cat "$W/$name.out"; exit 1; }; }
if ! grep -q "^flags.* avx2 .*" /proc/cpuinfo || ! grep -q "^flags.* fma " /proc/cpuinfo; then
  echo "check_reproducible_kernels: this CPU lacks AVX2/FMA; the reproducible kernels do not run here (skipped)"; exit 0
fi
run A OPENBLAS_CORETYPE=Sandybridge
run B -u OPENBLAS_CORETYPE
run C FASHION_BLAS_CORE=native OPENBLAS_CORETYPE=Sandybridge
for f in last.safetensors last.optimizer.safetensors evaluation.json predictions.csv; do
  cmp -s "$W/A/$f" "$W/B/$f" || { echo "FAIL: $f differs between OpenBLAS's Sandybridge pick and this CPU's own, under the reproducible default"; fail=1; }
done
strip_time() { sed -E 's/"(images_per_second|seconds)":[0-9.e+-]+,?//g' "$1"; }
[ "$(strip_time "$W/A/log.jsonl")" = "$(strip_time "$W/B/log.jsonl")" ] || { echo "FAIL: log.jsonl differs beyond timings"; fail=1; }
grep -q "\"train_loss\":$DOCUMENTED_LOSS," "$W/A/log.jsonl" || { echo "FAIL: train_loss is not the documented $DOCUMENTED_LOSS: $(cat "$W/A/log.jsonl")"; fail=1; }
grep -q "replaced by Haswell" "$W/A.out" || { echo "FAIL: run A did not say that OPENBLAS_CORETYPE was replaced"; fail=1; }
cmp -s "$W/A/last.safetensors" "$W/C/last.safetensors" && { echo "FAIL: FASHION_BLAS_CORE=native with Sandybridge's kernels gave the same weights: the check cannot tell kernels apart"; fail=1; }
[ $fail = 0 ] && echo "check_reproducible_kernels: the same bytes under Sandybridge's and this CPU's OpenBLAS pick; native differs, as it should"
exit $fail
