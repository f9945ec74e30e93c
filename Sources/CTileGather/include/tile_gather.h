// Gathers and scatters of eight Winograd tiles at a time, for maps too narrow for one tile row
// to fill eight SIMD lanes (F(4×4) at 28, 14, 7 px; F(2×2) below 16 px). They only move floats —
// the transforms' arithmetic stays in Swift — so every path gives the same bits. The AVX2 path
// (8 × 4 transposes by unpack and shuffle) is compiled with a target attribute and taken only
// when the CPU and the operating system have AVX2; the scalar loops run anywhere.
#ifndef FASHION_TILE_GATHER_H
#define FASHION_TILE_GATHER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the CPU has AVX2 and the operating system saves YMM state (XCR0 bits 1 and 2), else 0.
int fs_tile_gather_avx2(void);

/// out[(r·cols + s)·8 + l] = base[offsets[min(l, n−1)] + r·stride + s] for r < rows, s < cols,
/// l < 8: eight tiles' rows × cols windows, lane by lane (lanes past n repeat the last tile).
/// cols is 4 or 6, 1 ≤ n ≤ 8; only the window's own floats are read.
void fs_gather_tiles8(const float *base, const intptr_t *offsets, int n, intptr_t stride, int rows, int cols, float *out);

/// The inverse for the first n lanes: base[offsets[l] + r·stride + s] = in[(r·cols + s)·8 + l] for
/// r < rows, s < cols (4), l < n. The n windows must not overlap.
void fs_scatter_tiles8(const float *in, float *base, const intptr_t *offsets, int n, intptr_t stride, int rows, int cols);

/// The same two in plain loops, whatever the CPU (for tests: both paths must agree).
void fs_gather_tiles8_scalar(const float *base, const intptr_t *offsets, int n, intptr_t stride, int rows, int cols, float *out);
void fs_scatter_tiles8_scalar(const float *in, float *base, const intptr_t *offsets, int n, intptr_t stride, int rows, int cols);

#ifdef __cplusplus
}
#endif

#endif
