#!/usr/bin/env bash
# Open MPI underneath `fashion` (issue 32): the communicator's collective calls between real
# processes started by mpirun on this machine — over shared memory and over TCP loopback —
# with every element of a gradient-sized sum checked; flags that differ between ranks stop
# every rank with one error; `features` sharded over ranks writes one process's bytes; without
# mpirun the same command is one process.
#
#   Tools/mpi_test.sh [path/to/fashion]       (default: .build/release/fashion)
#
# Needs openmpi-bin (installed by `make deps`). About a minute.
set -uo pipefail
cd "$(dirname "$0")/.."
F=$(realpath "${1:-.build/release/fashion}")
W=$(mktemp -d /tmp/fashion-mpi.XXXXXX)
trap 'rm -rf "$W"' EXIT
export SWIFT_BACKTRACE=enable=no OMPI_MCA_rmaps_base_oversubscribe=1
mpirun=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$F" bench allreduce --floats 1000 --repetitions 1 > "$W/one" 2>&1 || fail "one process: $(tail -1 "$W/one")"
grep -q "over 1 rank:" "$W/one" || fail "one process: $(cat "$W/one")"

for transport in "vader" "tcp"; do
  timeout 120 "${mpirun[@]}" -np 2 --mca btl "self,$transport" "$F" bench allreduce --floats 11689512 --repetitions 3 > "$W/$transport" 2>&1 \
    || fail "2 ranks over $transport: $(tail -2 "$W/$transport" | tr '\n' ' ')"
  grep -q "over 2 ranks:.*every element checked" "$W/$transport" || fail "2 ranks over $transport: $(tail -2 "$W/$transport")"
  echo "$transport: $(grep -o 'median.*' "$W/$transport")"
done
timeout 120 "${mpirun[@]}" -np 3 "$F" bench allreduce --floats 100000 --repetitions 1 > "$W/three" 2>&1 \
  && grep -q "over 3 ranks" "$W/three" || fail "3 ranks: $(tail -2 "$W/three" | tr '\n' ' ')"
# The sum in rank order training uses: checked bit for bit against one rank after another.
for n in 2 3; do
  timeout 120 "${mpirun[@]}" -np $n "$F" bench allreduce --ordered --floats 1000003 --repetitions 1 > "$W/ordered-$n" 2>&1 \
    && grep -q "ordered sum of 1000003 floats.*over $n ranks.*every element checked" "$W/ordered-$n" \
    || fail "ordered sum over $n ranks: $(tail -2 "$W/ordered-$n" | tr '\n' ' ')"
done

# Flags that differ between ranks: every rank stops with the same one-line error, no hang.
status=0
timeout 60 "${mpirun[@]}" -np 1 "$F" bench allreduce --floats 1000 : -np 1 "$F" bench allreduce --floats 2000 > "$W/differ" 2>&1 || status=$?
[ "$status" != 0 ] && [ "$status" != 124 ] || fail "differing flags: exit $status"
grep -q "ranks disagree on the command line: rank 0 has bench allreduce --floats 1000, rank 1 has bench allreduce --floats 2000" "$W/differ" \
  || fail "differing flags: $(tail -3 "$W/differ" | tr '\n' ' ')"

# Work that splits without gradients: `features` over 2 and 3 ranks writes the one process's
# files byte for byte, at the same threads per process (one here: OpenBLAS and the convolution
# planner split work by thread count, which moves features in the fifth digit).
"$F" synth --out "$W/tree" --scale 0.02 --width 60 --respondents 20 --orphan-labels 0 >/dev/null 2>&1
"$F" prepare --data "$W/tree" --size 32 --out "$W/prepared" >/dev/null 2>&1
"$F" train --data "$W/tree" --prepared "$W/prepared" --preset baseline --image-size 32 --batch-size 16 --epochs 1 --out "$W/run" >/dev/null 2>&1
features=(features --data "$W/tree" --checkpoint "$W/run/best.safetensors" --prepared "$W/prepared" --batch-size 8 --out)
FASHION_THREADS=1 "$F" "${features[@]}" "$W/single/features" >/dev/null 2>&1 || fail "features, one process"
for n in 2 3; do
  timeout 120 "${mpirun[@]}" -np $n -x FASHION_THREADS=1 "$F" "${features[@]}" "$W/ranks-$n/features" > "$W/features-$n" 2>&1 \
    || fail "features over $n ranks: $(tail -2 "$W/features-$n" | tr '\n' ' ')"
  for f in features.csv features.safetensors features.skipped.csv; do
    cmp -s "$W/single/$f" "$W/ranks-$n/$f" || fail "features over $n ranks: $f differs from one process's"
  done
done

# Data-parallel training: N ranks × batch b/N give the one process's weights, optimiser state,
# log and predictions with --bn-group-size b/N, bit for bit (one thread a process, Haswell
# kernels: the same arithmetic in both runs).
export FASHION_THREADS=1 OPENBLAS_CORETYPE=Haswell
mnist=(train-mnist --limit 640 --test-limit 300 --samples 0 --epochs 3)
same_run() {   # $1 $2: run folders; $3: what
  for f in last.safetensors last.optimizer.safetensors best.safetensors predictions.csv; do
    cmp -s "$1/$f" "$2/$f" || fail "$3: $f differs"
  done
  python3 - "$1/log.jsonl" "$2/log.jsonl" <<'PY' || fail "$3: log.jsonl differs beyond timings"
import json, sys
def load(p):
    rows = [json.loads(l) for l in open(p)]
    for r in rows: r.pop("seconds"); r.pop("images_per_second")
    return rows
sys.exit(0 if load(sys.argv[1]) == load(sys.argv[2]) else 1)
PY
}
"$F" "${mnist[@]}" --batch-size 64 --bn-group-size 32 --out "$W/ghost" >/dev/null 2>&1 || fail "one process, --bn-group-size 32"
timeout 300 "${mpirun[@]}" -np 2 -x FASHION_THREADS -x OPENBLAS_CORETYPE "$F" "${mnist[@]}" --batch-size 64 --out "$W/dp2" > "$W/dp2.out" 2>&1 \
  || fail "train-mnist over 2 ranks: $(tail -2 "$W/dp2.out" | tr '\n' ' ')"
same_run "$W/ghost" "$W/dp2" "2 ranks × 32 against one process × 64 in groups of 32"
grep -q "^epoch 3: " "$W/dp2.out" && [ "$(grep -c '^epoch [0-9]*: ' "$W/dp2.out")" = 3 ] || fail "2 ranks: rank 0 alone prints one line an epoch"
# 3 ranks × 32: the last batch (64 of 96) leaves rank 2 without images.
"$F" "${mnist[@]}" --epochs 1 --batch-size 96 --bn-group-size 32 --out "$W/ghost96" >/dev/null 2>&1 || fail "one process, batch 96"
timeout 300 "${mpirun[@]}" -np 3 -x FASHION_THREADS -x OPENBLAS_CORETYPE "$F" "${mnist[@]}" --epochs 1 --batch-size 96 --out "$W/dp3" > "$W/dp3.out" 2>&1 \
  || fail "train-mnist over 3 ranks: $(tail -2 "$W/dp3.out" | tr '\n' ' ')"
same_run "$W/ghost96" "$W/dp3" "3 ranks × 32 against one process × 96 in groups of 32"

# A rank killed mid-run ends the job (no hang); the same command resumes from the last
# committed epoch and ends equal to the uninterrupted run.
timeout 300 "${mpirun[@]}" -np 2 -x FASHION_THREADS -x OPENBLAS_CORETYPE "$F" "${mnist[@]}" --batch-size 64 --out "$W/killed" > "$W/killed.out" 2>&1 &
job=$!
for _ in $(seq 600); do [ -s "$W/killed/log.jsonl" ] && break; sleep 0.1; done
victim=$(grep -l "OMPI_COMM_WORLD_RANK=1" /proc/[0-9]*/environ 2>/dev/null | grep -o '[0-9]*' | while read -r p; do
  [ "$(readlink "/proc/$p/exe")" = "$F" ] && echo "$p"; done | head -1)
[ -n "$victim" ] && kill -9 "$victim" || fail "kill: rank 1 not found"
status=0; wait $job || status=$?
[ "$status" != 0 ] && [ "$status" != 124 ] || fail "a killed rank: mpirun exit $status (124: it hung)"
timeout 300 "${mpirun[@]}" -np 2 -x FASHION_THREADS -x OPENBLAS_CORETYPE "$F" "${mnist[@]}" --batch-size 64 --out "$W/killed" > "$W/resumed.out" 2>&1 \
  || fail "rerun after the kill: $(tail -2 "$W/resumed.out" | tr '\n' ' ')"
grep -q "resum" "$W/resumed.out" || fail "rerun after the kill did not resume: $(head -3 "$W/resumed.out" | tr '\n' ' ')"
same_run "$W/dp2" "$W/killed" "killed and resumed against uninterrupted"

# A run records its batch-norm group: one started on 2 ranks goes on in one process only with
# --bn-group-size 32, and ends as the 2-rank run did.
timeout 300 "${mpirun[@]}" -np 2 -x FASHION_THREADS -x OPENBLAS_CORETYPE "$F" "${mnist[@]}" --batch-size 64 --epochs-this-run 2 --out "$W/moved" >/dev/null 2>&1 \
  || fail "2 ranks, 2 epochs of 3"
status=0; "$F" "${mnist[@]}" --batch-size 64 --out "$W/moved" > "$W/moved.out" 2>&1 || status=$?
[ "$status" = 1 ] && grep -q "bn_group_size 32 → (not given)" "$W/moved.out" || fail "resume without the group: exit $status, $(tail -1 "$W/moved.out")"
"$F" "${mnist[@]}" --batch-size 64 --bn-group-size 32 --out "$W/moved" >/dev/null 2>&1 || fail "resume in one process in groups of 32"
cmp -s "$W/moved/last.safetensors" "$W/dp2/last.safetensors" || fail "2 ranks then one process: last.safetensors differs from 2 ranks throughout"

# Mission 1-2's trainer over 2 ranks: rank 0 owns the folder, the result is one process's.
kf=(train --data "$W/tree" --prepared "$W/prepared" --preset baseline --image-size 32 --batch-size 16 --epochs 1 --samples 0)
"$F" "${kf[@]}" --bn-group-size 8 --out "$W/kf-ghost" >/dev/null 2>&1 || fail "train, one process, groups of 8"
timeout 300 "${mpirun[@]}" -np 2 -x FASHION_THREADS -x OPENBLAS_CORETYPE "$F" "${kf[@]}" --out "$W/kf-dp2" > "$W/kf.out" 2>&1 \
  || fail "train over 2 ranks: $(tail -2 "$W/kf.out" | tr '\n' ' ')"
for f in best.safetensors last.safetensors predictions.csv evaluation.json; do
  cmp -s "$W/kf-ghost/$f" "$W/kf-dp2/$f" || fail "train over 2 ranks: $f differs from one process's in groups of 8"
done

# `fashion evaluate` over 2 ranks writes the one process's files.
ev=(evaluate --data "$W/tree" --prepared "$W/prepared" --checkpoint "$W/kf-ghost/best.safetensors" --samples 0)
"$F" "${ev[@]}" --out "$W/ev-one" >/dev/null 2>&1 || fail "evaluate, one process"
timeout 120 "${mpirun[@]}" -np 2 -x FASHION_THREADS -x OPENBLAS_CORETYPE "$F" "${ev[@]}" --out "$W/ev-two" > "$W/ev.out" 2>&1 \
  || fail "evaluate over 2 ranks: $(tail -2 "$W/ev.out" | tr '\n' ' ')"
for f in evaluation.json evaluation.md predictions.csv per_class.csv; do
  cmp -s "$W/ev-one/$f" "$W/ev-two/$f" || fail "evaluate over 2 ranks: $f differs from one process's"
done

# The few-shot protocol's cells dealt over 2 ranks: the one process's table, digit for digit;
# a rerun reuses every cell.
fs=(fewshot --majority-per-class 30 --test-limit 200 --backbone-epochs 1 --vae-epochs 3 --draws 2 --nf 5,10 --batch-size 32 --monitor-limit 0)
"$F" "${fs[@]}" --out "$W/fs-one" >/dev/null 2>&1 || fail "fewshot, one process"
timeout 300 "${mpirun[@]}" -np 2 -x FASHION_THREADS -x OPENBLAS_CORETYPE "$F" "${fs[@]}" --out "$W/fs-two" > "$W/fs.out" 2>&1 \
  || fail "fewshot over 2 ranks: $(tail -2 "$W/fs.out" | tr '\n' ' ')"
for f in table.md table.json; do cmp -s "$W/fs-one/$f" "$W/fs-two/$f" || fail "fewshot over 2 ranks: $f differs from one process's"; done
timeout 120 "${mpirun[@]}" -np 2 "$F" "${fs[@]}" --out "$W/fs-two" >/dev/null 2>&1 || fail "fewshot rerun over 2 ranks"
[ "$(grep -c 'done before, reusing' "$W/fs-two/log.txt")" = 4 ] || fail "fewshot rerun over 2 ranks did not reuse the 4 cells"

# A batch that does not split into equal shares: one error, every rank ends.
status=0
timeout 60 "${mpirun[@]}" -np 3 "$F" "${mnist[@]}" --batch-size 64 --out "$W/uneven" > "$W/uneven.out" 2>&1 || status=$?
[ "$status" = 1 ] || fail "uneven batch: exit $status"
[ "$(grep -c 'does not split into 3 equal shares' "$W/uneven.out")" = 1 ] || fail "uneven batch: $(cat "$W/uneven.out" | tr '\n' ' ')"

if [ "$failures" -gt 0 ]; then echo "mpi test: $failures failures"; exit 1; fi
echo "mpi test: the sums over 2 and 3 ranks are exact over shared memory and TCP, the ordered sum bit for bit; differing flags stop every rank; features over 2 and 3 ranks equal one process's; training over 2 and 3 ranks equals one process in batch-norm groups, bit for bit, and resumes after a killed rank to the same end; few-shot cells and evaluate over 2 ranks give the one process's table and files"
