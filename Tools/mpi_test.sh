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

# Flags that differ between ranks: every rank stops with the same one-line error, no hang.
status=0
timeout 60 "${mpirun[@]}" -np 1 "$F" bench allreduce --floats 1000 : -np 1 "$F" bench allreduce --floats 2000 > "$W/differ" 2>&1 || status=$?
[ "$status" != 0 ] && [ "$status" != 124 ] || fail "differing flags: exit $status"
grep -q "ranks disagree on the flags --floats and --repetitions: rank 0 has 1000 5, rank 1 has 2000 5" "$W/differ" \
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

if [ "$failures" -gt 0 ]; then echo "mpi test: $failures failures"; exit 1; fi
echo "mpi test: the sums over 2 and 3 ranks are exact over shared memory and TCP; differing flags stop every rank; features over 2 and 3 ranks equal one process's"
