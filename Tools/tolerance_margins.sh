#!/usr/bin/env bash
# How much of each numerical bound the Tensor suite uses, under several OpenBLAS kernel sets.
#   Tools/tolerance_margins.sh [LIMIT]        (default LIMIT 0.8)
# Runs the TensorTests (release, built with -enable-testing) once per OPENBLAS_CORETYPE with
# FASHION_TEST_MARGINS=1, which makes every expectClose/checkGradients print its worst
# deviation as a fraction of its bound (atol + rtol·|reference|). Prints the largest fractions
# and fails when one exceeds LIMIT: a test that passes with little room on one CPU's kernels
# is a test that passes by luck on another. Kernel sets whose instructions this CPU lacks are
# skipped, and said so: OpenBLAS 0.3.21 does not check a forced core type, and SkylakeX's or
# Cooperlake's kernels stop on an illegal instruction on a CPU without AVX-512 (a Zen 3).
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-0.8}
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
# The CPU flags (/proc/cpuinfo) each kernel set's instructions need.
declare -A needs=(
  [Sandybridge]="avx"
  [Haswell]="avx2 fma"
  [Zen]="avx2 fma"
  [SkylakeX]="avx512f avx512bw avx512dq avx512vl"
  [Cooperlake]="avx512f avx512bw avx512dq avx512vl avx512_bf16"
)
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
ran=()
for core in Haswell Zen SkylakeX Cooperlake Sandybridge; do
  missing=""
  for f in ${needs[$core]}; do [[ "$flags" == *" $f "* ]] || missing="$missing $f"; done
  if [ -n "$missing" ]; then echo "tolerance margins: skipped OPENBLAS_CORETYPE=$core: this CPU lacks$missing"; continue; fi
  ran+=("$core")
  if ! OPENBLAS_CORETYPE=$core FASHION_TEST_MARGINS=1 swift test -c release -Xswiftc -enable-testing --skip-build \
       --filter TensorTests >"$out/$core.txt" 2>&1; then
    grep -E '✘|Program crashed' "$out/$core.txt" | head -20 || true
    echo "tolerance margins: TensorTests failed under OPENBLAS_CORETYPE=$core"; exit 1
  fi
done
grep -h '^margin' "$out"/*.txt | awk -F'\t' '{k=$3"\t"$4; if(!(k in m)||$2>m[k])m[k]=$2} END{for(k in m)print m[k]"\t"k}' \
  | sort -rn > "$out/worst.txt"
echo "largest share of a bound used (over ${ran[*]} kernels):"
head -8 "$out/worst.txt" | sed 's/^/  /'
echo "  ($(wc -l <"$out/worst.txt") comparisons)"
worst=$(head -1 "$out/worst.txt" | cut -f1)
awk -v w="$worst" -v l="$limit" 'BEGIN{exit !(w <= l)}' || { echo "tolerance margins: $worst of a bound used, above $limit"; exit 1; }
echo "tolerance margins: ok (worst $worst ≤ $limit)"
