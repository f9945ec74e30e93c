#!/usr/bin/env bash
# Every numeric option of every subcommand at 0, -1, 1e9 and nan: reports a run that crashes
# (a signal, a Swift runtime failure) and lists the ones that exit 0, to read for nonsense accepted.
# Needs a `make demo` output (its data, prepared photos and checkpoints).
# Usage: Tools/cli_number_sweep.sh [demo-output folder] [fashion binary]
F=$(realpath "${2:-.build/release/fashion}")
D=$(realpath "${1:-demo-output}")
TESTS=$(realpath "$(dirname "$0")/../Tests")
K=$D/kfashion; P=$D/prepared; C=$D/runs/kfashion/best.safetensors; M=$D/runs/fashion-mnist/best.safetensors
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
cd "$W"   # a path option given a number (fewshot --backbones 0) writes here, not into the caller's folder
crashes=0
declare -A base
base[synth]="--out $W/s"
base[stats]="--data $K --output $W/st"
base[labels]="--data $K --output $W/lb"
base[preferences]="--data $K --output $W/pr"
base[prepare]="--data $K --out $W/pp"
base[train]="--data $K --prepared $P --out $W/tr --epochs 1 --preset reduced"
base[evaluate]="--checkpoint $C --data $K --prepared $P --out $W/ev"
base[train-mnist]="--out $W/tm --epochs 1 --limit 64"
base[predict]="--checkpoint $M $TESTS"
base[features]="--checkpoint $C --data $K --prepared $P --out $W/fe"
base[recommend]="--data $K --features $D/runs/recommend/features.safetensors --out $W/re"
base[fewshot]="--out $W/fs --quick --draws 1 --nf 10 --backbone-epochs 1 --majority-per-class 20 --test-limit 50 --vae-epochs 1"
base[bench kernels]="--only layer4.0.down --skip-training"
base[bench step]="--size 32 --steps 1 --batch 2"
base[bench features]="--size 32 --batches 1 --batch 2"
base[bench recommend]="--answers 1000"
for cmd in "${!base[@]}"; do
  opts=$($F $cmd --help 2>/dev/null | grep -oE -- '--[a-z0-9-]+ <[a-z0-9-]+>' | awk '{print $1}' | sort -u)
  for o in $opts; do
    case $o in --data|--out|--output|--checkpoint|--prepared|--features|--format|--method|--background|--stem|--preset|--optimizer|--schedule|--conv-algorithm|--dataset|--preparation|--html|--only|--backbones) continue;; esac
    for v in 0 -1 1e9 nan; do
      rm -rf "${W:?}"/*
      out=$(timeout 20 $F $cmd ${base[$cmd]} $o $v 2>&1); rc=$?
      if [ $rc -ge 128 ] && [ $rc -ne 124 ] || echo "$out" | grep -q "Swift runtime failure\|Fatal error"; then
        crashes=$((crashes + 1))
        echo "CRASH rc=$rc: $cmd $o $v :: $(echo "$out" | grep -m1 -o 'Swift runtime failure.*\|Fatal error.*')"
        echo "$out" | grep -m3 " in fashion at " | sed 's/^/    /'
      elif [ $rc -eq 0 ]; then echo "ok0: $cmd $o $v :: $(echo "$out" | tail -1 | cut -c1-100)"
      fi
    done
  done
done
echo "cli_number_sweep: $crashes crash(es)"
[ "$crashes" -eq 0 ]
