#!/usr/bin/env python3
"""Projected data-parallel scaling of ResNet-18 training over N nodes (issue 32).

Each node computes its share of b images in the measured step time T (one node's step at
batch b, no communication); then the gradients, batch-norm statistics and losses
(S bytes) go through the rank-ordered sum: a scatter of every node's chunks (MPI_Alltoallv)
and a gather of the sums (MPI_Allgatherv), which move what a ring all-reduce moves:
2 (N - 1) / N * S bytes out of every node, plus a latency term of 2 (N - 1) messages.
Nothing overlaps the backward pass, so the step takes T + C:

    C = 2 (N - 1) / N * S / bandwidth + 2 (N - 1) * latency
    images/s = N * b / (T + C),  efficiency = T / (T + C)

Usage: Tools/scaling_projection.py STEP_SECONDS BATCH_PER_NODE [LATENCY_US]
prints a Markdown table for 2..64 nodes at 10 and 25 Gb/s.
"""
import sys

PARAMETERS = 11_689_512          # ResNet-18 (1000 classes); 31 classes: 11,192,415
STATISTICS = 2 * 4_800           # running mean and variance of the 20 batch norms
S = 4 * (PARAMETERS + STATISTICS)

def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    step, batch = float(sys.argv[1]), int(sys.argv[2])
    latency = float(sys.argv[3]) * 1e-6 if len(sys.argv) > 3 else 50e-6
    print(f"| nodes | 10 Gb/s: sum ms | images/s | efficiency | 25 Gb/s: sum ms | images/s | efficiency |")
    print("|---|---|---|---|---|---|---|")
    for n in [1, 2, 4, 8, 16, 32, 64]:
        cells = [str(n)]
        for gbits in (10, 25):
            c = 0.0 if n == 1 else 2 * (n - 1) / n * S / (gbits * 1e9 / 8) + 2 * (n - 1) * latency
            cells += [f"{1000 * c:.0f}", f"{n * batch / (step + c):.0f}", f"{100 * step / (step + c):.1f} %"]
        print("| " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main()
