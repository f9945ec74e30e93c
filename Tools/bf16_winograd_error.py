#!/usr/bin/env python3
"""Issue 35: how much error bf16 operands add to a 3×3 convolution, computed directly and by
Winograd F(2×2, 3×3) and F(4×4, 3×3) — so the planner uses Winograd in bf16 only where its
error stays within a stated bound of the direct convolution's.

Every variant rounds what it multiplies to bfloat16 (round to nearest even) and sums in
float64 (the FP32 accumulation adds ~2^-24 relative, negligible beside bf16's 2^-9):
- direct: the input and the weights rounded;
- Winograd: the input tiles' and the weights' transforms computed in float32 from float32
  data (as our FP32 kernels do), rounded to bf16, multiplied and summed over channels, the
  output transform in float32.
Errors are against the float64 direct convolution of the unrounded float32 data:
relative L2 error ‖y − y_ref‖/‖y_ref‖ and the largest |y − y_ref| over the RMS of y_ref.

Data like a ResNet's: inputs post-ReLU (|N(0,1)|·(N > 0)), weights Kaiming-normal.
Usage: python3 Tools/bf16_winograd_error.py   (NumPy only; ~1 minute)
"""
import numpy as np


def bf16(x):
    """Round float32 values to bfloat16 (nearest even), returned as float32."""
    u = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.astype(np.uint32).view(np.float32)


# Lavin & Gray's matrices (F(2,3)) and the points 0, ±1, ±2, ∞ for F(4,3), as cuDNN/NNPACK use.
F2 = dict(BT=np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=np.float32),
          G=np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=np.float32),
          AT=np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=np.float32), m=2)
F4 = dict(BT=np.array([[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
                       [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]], dtype=np.float32),
          G=np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6],
                      [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]], dtype=np.float32),
          AT=np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]], dtype=np.float32),
          m=4)


def direct(x, w):
    """x: C×H×W (padded by 1), w: K×C×3×3 → K×H×W, float64."""
    c, h, wd = x.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (1, 1)))
    out = np.zeros((w.shape[0], h, wd))
    for dy in range(3):
        for dx in range(3):
            out += np.einsum("kc,chw->khw", w[:, :, dy, dx].astype(np.float64), xp[:, dy:dy + h, dx:dx + wd])
    return out


def winograd(x, w, t):
    m, BT, G, AT = t["m"], t["BT"], t["G"], t["AT"]
    a = m + 2
    c, h, wd = x.shape
    tiles_y, tiles_x = -(-h // m), -(-wd // m)
    xp = np.zeros((c, tiles_y * m + 2, tiles_x * m + 2), dtype=np.float32)
    xp[:, 1:h + 1, 1:wd + 1] = x
    U = bf16(np.einsum("ij,kcjl,ml->kcim", G, w, G).astype(np.float32))            # K×C×a×a
    out = np.zeros((w.shape[0], tiles_y * m, tiles_x * m))
    for ty in range(tiles_y):
        for tx in range(tiles_x):
            d = xp[:, ty * m:ty * m + a, tx * m:tx * m + a]
            V = bf16(np.einsum("ij,cjl,ml->cim", BT, d, BT).astype(np.float32))      # C×a×a
            M = np.einsum("kcij,cij->kij", U.astype(np.float64), V.astype(np.float64)).astype(np.float32)
            out[:, ty * m:ty * m + m, tx * m:tx * m + m] = np.einsum("ij,kjl,ml->kim", AT, M, AT)
    return out[:, :h, :wd]


def errors(y, ref):
    rms = np.sqrt(np.mean(ref ** 2))
    return np.linalg.norm(y - ref) / np.linalg.norm(ref), np.max(np.abs(y - ref)) / rms


def main():
    rng = np.random.default_rng(35)
    print("| layer (C→K at H×W) | bf16 direct: rel. L2 / max÷RMS | bf16 Winograd F(2×2): rel. L2 / max÷RMS | bf16 Winograd F(4×4): rel. L2 / max÷RMS | FP32 Winograd F(4×4) rel. L2 |")
    print("|---|---|---|---|---|")
    for c, k, hw in [(64, 64, 56), (128, 128, 28), (256, 256, 14), (512, 512, 7)]:
        x = np.maximum(rng.normal(size=(c, hw, hw)), 0).astype(np.float32)
        w = (rng.normal(size=(k, c, 3, 3)) * np.sqrt(2 / (9 * c))).astype(np.float32)
        if hw == 56:                      # keep the run short: a 28×28 corner of the 56×56 map
            x = x[:, :28, :28]
        ref = direct(x, w)
        d = errors(direct(bf16(x), bf16(w)), ref)
        f2 = errors(winograd(x, w, F2), ref)
        f4 = errors(winograd(x, w, F4), ref)
        f4_32 = np.linalg.norm(winograd_fp32(x, w, F4) - ref) / np.linalg.norm(ref)
        print(f"| {c}→{k} at {hw}×{hw} | {d[0]:.2e} / {d[1]:.2e} | {f2[0]:.2e} / {f2[1]:.2e} | {f4[0]:.2e} / {f4[1]:.2e} | {f4_32:.1e} |")


def winograd_fp32(x, w, t):
    global bf16
    keep = bf16
    bf16 = lambda v: np.asarray(v, dtype=np.float32)   # noqa: E731 (no rounding: the FP32 kernels' error)
    try:
        return winograd(x, w, t)
    finally:
        bf16 = keep


if __name__ == "__main__":
    main()
