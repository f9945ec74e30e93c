#!/usr/bin/env bash
# Two hosts on one machine (issue 32): network namespaces fs-hA and fs-hB (10.77.0.1 and
# 10.77.0.2, veth pairs on a bridge with 10.77.0.254 for mpirun), each a "host" that mpirun
# reaches through an rsh agent running `ip netns exec HOST sh -c CMD`, every byte between the
# ranks over the veth link (TCP only, shared memory off). Checks the sum of ResNet-18's
# gradients across the hosts and a Fashion-MNIST training across them against one process in
# batch-norm groups, bit for bit; prints the allreduce times. (Two daemons of one machine
# sharing hwloc's topology segment crash now and then in Open MPI 4.1.4: rtc_hwloc_vmhole none.)
#
#   Tools/two_host_test.sh [path/to/fashion]      (root; iproute2, openmpi-bin; ~1 minute)
set -uo pipefail
cd "$(dirname "$0")/.."
F=$(realpath "${1:-.build/release/fashion}")
W=$(mktemp -d /tmp/fashion-hosts.XXXXXX)
keep=${KEEP:-}
hosts=(fs-hA fs-hB)
teardown() {
  for h in "${hosts[@]}"; do ip netns del "$h" 2>/dev/null; done
  ip link del fs-br0 2>/dev/null
  [ -n "$keep" ] || rm -rf "$W"
}
trap teardown EXIT
teardown; mkdir -p "$W"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Without the right to make network devices (not root, or a container without CAP_NET_ADMIN)
# there are no hosts to make: said plainly, and not counted as a pass of the comparison.
if ! ip link add fs-br0 type bridge 2>"$W/why"; then
  echo "two-host test: SKIPPED — cannot make network devices here ($(head -1 "$W/why")); needs root with CAP_NET_ADMIN"
  exit 0
fi
ip addr add 10.77.0.254/24 dev fs-br0 && ip link set fs-br0 up || { echo "two-host test: cannot set up the bridge"; exit 1; }
for k in 1 2; do
  h=${hosts[$((k - 1))]}
  ip netns add "$h"
  ip link add "fs-v$k" type veth peer name eth0 netns "$h"
  ip link set "fs-v$k" master fs-br0 up
  ip netns exec "$h" ip addr add "10.77.0.$k/24" dev eth0
  ip netns exec "$h" ip link set eth0 up
  ip netns exec "$h" ip link set lo up
done
# The rsh agent: mpirun calls it as `agent [options] HOST COMMAND…`; the host's address names its namespace.
cat > "$W/agent" <<'AGENT'
#!/bin/sh
while [ "${1#-}" != "$1" ]; do shift; done
case "$1" in 10.77.0.1) ns=fs-hA ;; 10.77.0.2) ns=fs-hB ;; *) echo "agent: unknown host $1" >&2; exit 1 ;; esac
shift
exec ip netns exec "$ns" sh -c "$*"
AGENT
chmod +x "$W/agent"

mpirun=(mpirun --allow-run-as-root --oversubscribe --bind-to none -H 10.77.0.1,10.77.0.2 -np 2
        --mca plm_rsh_agent "$W/agent" --mca btl self,tcp
        --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24
        --mca rtc_hwloc_vmhole none
        -x FASHION_THREADS=1 -x OPENBLAS_CORETYPE=Haswell -x SWIFT_BACKTRACE=enable=no)
timeout 120 "${mpirun[@]}" "$F" bench allreduce --repetitions 5 > "$W/sum" 2>&1 \
  && grep -q "over 2 ranks:.*every element checked" "$W/sum" || fail "allreduce across the hosts: $(tail -3 "$W/sum" | tr '\n' ' ')"
timeout 120 "${mpirun[@]}" "$F" bench allreduce --ordered --repetitions 5 > "$W/ordered" 2>&1 \
  && grep -q "ordered sum.*over 2 ranks:.*every element checked" "$W/ordered" || fail "ordered sum across the hosts: $(tail -3 "$W/ordered" | tr '\n' ' ')"
echo "across the veth link: $(grep -o 'allreduce.*' "$W/sum")"
echo "across the veth link: $(grep -o 'ordered sum.*' "$W/ordered")"
# Which host each rank ran on: its namespace's address.
timeout 60 "${mpirun[@]}" sh -c 'echo "rank $OMPI_COMM_WORLD_RANK: $(ip -4 -o addr show eth0 | grep -o "10.77.0.[0-9]*")"' > "$W/where" 2>&1
grep -q "rank 0: 10.77.0.1" "$W/where" && grep -q "rank 1: 10.77.0.2" "$W/where" || fail "ranks not one a host: $(cat "$W/where" | tr '\n' ' ')"

mnist=(train-mnist --limit 640 --test-limit 300 --samples 0 --epochs 2 --batch-size 64)
FASHION_THREADS=1 OPENBLAS_CORETYPE=Haswell "$F" "${mnist[@]}" --bn-group-size 32 --out "$W/ghost" >/dev/null 2>&1 || fail "one process, groups of 32"
timeout 300 "${mpirun[@]}" "$F" "${mnist[@]}" --out "$W/hosts" > "$W/hosts.out" 2>&1 || fail "training across the hosts: $(tail -3 "$W/hosts.out" | tr '\n' ' ')"
for f in last.safetensors last.optimizer.safetensors best.safetensors predictions.csv; do
  cmp -s "$W/ghost/$f" "$W/hosts/$f" || fail "training across the hosts: $f differs from one process's in groups of 32"
done

if [ "$failures" -gt 0 ]; then echo "two-host test: $failures failures"; exit 1; fi
echo "two-host test: sums and a Fashion-MNIST training across two network-namespace hosts over TCP equal one process's, bit for bit"
