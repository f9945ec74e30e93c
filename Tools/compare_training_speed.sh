#!/usr/bin/env bash
# Alternates `fashion bench kernels --json` and Tools/bench_pytorch_train.py N times on
# this machine, so both see the same conditions; prints one JSON line per run.
# Usage: Tools/compare_training_speed.sh [N] [python-with-torch]
set -euo pipefail
n=${1:-3}
py=${2:-python3}
cd "$(dirname "$0")/.."
swift build -c release --product fashion >/dev/null
for i in $(seq "$n"); do
  echo "{\"run\": $i, \"swift\": $(.build/release/fashion bench kernels --json 2>/dev/null)}"
  echo "{\"run\": $i, \"pytorch\": $("$py" Tools/bench_pytorch_train.py)}"
done
