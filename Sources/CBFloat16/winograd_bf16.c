// Winograd F(2×2, 3×3) in bf16, one cache-sized block of tiles at a time: the input transform,
// the 16 component products and the output transform of a few tile rows of one image, with
// every intermediate (the transformed tiles, their packed bf16 copy, the products) in a
// per-thread scratch that stays in L2 — where the layer-wide driver streams each stage's
// whole group through memory. The arithmetic is the Swift driver's (WinogradKernels.swift,
// WinogradTileDriver.swift) operation for operation, so the results are the same bits.
#include "bfloat16_kernels.h"
#include "bfloat16_internal.h"

#include <stdlib.h>
#include <string.h>

// No fused multiply-adds: the Swift transforms round every product and sum on its own.
#pragma STDC FP_CONTRACT OFF

#define FS_BF16_TARGET __attribute__((target("avx512f,avx512bf16")))
#define FS_INLINE static inline __attribute__((always_inline))

// V = Bᵀ d B for tile rows [ty0, ty1) of one image (c × h × w) into v ([16][c][P], P the block's
// tiles, row by row): Bᵀ over the four padded input rows of a tile row, then · B per tile — the
// components of Bᵀ's rows [first_row, end_row) only (4·row … 4·row + 3; the others untouched).
// `rows` holds 8 padded rows (2·tw + 2 values each).
FS_INLINE void input_transform(const float *x, size_t c, size_t h, size_t w, size_t ty0, size_t ty1, size_t tw,
                               size_t first_row, size_t end_row, float *v, float *rows) {
    size_t p = (ty1 - ty0) * tw, cp = c * p, pw = 2 * tw + 2;
    float *r0 = rows, *r1 = rows + pw, *r2 = rows + 2 * pw, *r3 = rows + 3 * pw;
    float *e = rows + 4 * pw;
    for (size_t ch = 0; ch < c; ch++) {
        const float *plane = x + ch * h * w;
        for (size_t ty = ty0; ty < ty1; ty++) {
            for (size_t r = 0; r < 4; r++) {
                float *row = rows + r * pw;
                long iy = 2 * (long)ty - 1 + (long)r;
                if (iy >= 0 && iy < (long)h) {
                    row[0] = 0;
                    memcpy(row + 1, plane + (size_t)iy * w, w * sizeof(float));
                    for (size_t j = w + 1; j < pw; j++) row[j] = 0;
                } else {
                    memset(row, 0, pw * sizeof(float));
                }
            }
            float *e0 = e, *e1 = e + pw, *e2 = e + 2 * pw, *e3 = e + 3 * pw;
            for (size_t j = 0; j < pw; j++) {
                e0[j] = r0[j] - r2[j]; e1[j] = r1[j] + r2[j]; e2[j] = r2[j] - r1[j]; e3[j] = r1[j] - r3[j];
            }
            size_t col = ch * p + (ty - ty0) * tw;
            for (size_t r = first_row; r < end_row; r++) {
                const float *er = e + r * pw;
                float *o0 = v + (r * 4 + 0) * cp + col, *o1 = v + (r * 4 + 1) * cp + col;
                float *o2 = v + (r * 4 + 2) * cp + col, *o3 = v + (r * 4 + 3) * cp + col;
                for (size_t tx = 0; tx < tw; tx++) {
                    float a0 = er[2 * tx], a1 = er[2 * tx + 1], a2 = er[2 * tx + 2], a3 = er[2 * tx + 3];
                    o0[tx] = a0 - a2; o1[tx] = a1 + a2; o2[tx] = a2 - a1; o3[tx] = a1 - a3;
                }
            }
        }
    }
}

// The epilogue of OutputEpilogue.finish: relu?(v + residual).
FS_INLINE float finish(float v, const float *residual, size_t offset, int relu) {
    if (residual) v += residual[offset];
    return relu && 0 >= v ? 0.0f : v;
}

// Y = Aᵀ M A (+ bias, then the epilogue) for the block's tiles into y (o × h × w); m is [16][o][P].
// Each output starts at the bias and takes M's four columns s = 0…3 in order (column s feeds
// output column 0 with weight (1, 1, 1, 0)[s] and column 1 with (0, 1, −1, −1)[s]).
FS_INLINE void output_transform(const float *m, size_t o, size_t h, size_t w, size_t ty0, size_t ty1, size_t tw,
                                const float *bias, const float *residual, int relu, float *y) {
    size_t p = (ty1 - ty0) * tw, op = o * p;
    static const float c0s[4] = { 1, 1, 1, 0 }, c1s[4] = { 0, 1, -1, -1 };
    for (size_t ch = 0; ch < o; ch++) {
        float b = bias ? bias[ch] : 0.0f;
        size_t plane = ch * h * w;
        for (size_t ty = ty0; ty < ty1; ty++) {
            size_t base = ch * p + (ty - ty0) * tw, oy = 2 * ty;
            for (size_t tx = 0; tx < tw; tx++) {
                float e0 = b, d0 = b, e1 = b, d1 = b;
                for (size_t s = 0; s < 4; s++) {
                    float m0 = m[(0 + s) * op + base + tx], m1 = m[(4 + s) * op + base + tx];
                    float m2 = m[(8 + s) * op + base + tx], m3 = m[(12 + s) * op + base + tx];
                    float c0 = c0s[s], c1 = c1s[s];
                    float top = m0 + m1 + m2, bottom = m1 - m2 - m3;
                    e0 += c0 * top; d0 += c1 * top;
                    e1 += c0 * bottom; d1 += c1 * bottom;
                }
                size_t ox = 2 * tx, at = plane + oy * w + ox;
                y[at] = finish(e0, residual, at, relu);
                if (ox + 1 < w) y[at + 1] = finish(d0, residual, at + 1, relu);
                if (oy + 1 < h) {
                    y[at + w] = finish(e1, residual, at + w, relu);
                    if (ox + 1 < w) y[at + w + 1] = finish(d1, residual, at + w + 1, relu);
                }
            }
        }
    }
}

// MARK: The same transforms in AVX-512, 16 tiles in lanes (every lane the scalar code's operations)

#include <immintrin.h>

// Lanes below `count` (≤ 16) of a 16-lane mask.
FS_INLINE __mmask16 lanes(size_t count) { return count >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << count) - 1); }

// The even and odd floats of the 32 at `at` (a0 and a1 of 16 tiles' rows), `left` of them
// readable (the rest read as zeros).
FS_BF16_TARGET FS_INLINE void halves(const float *at, size_t left, __m512 *even_floats, __m512 *odd_floats) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    __m512 lo = _mm512_maskz_loadu_ps(lanes(left), at), hi = _mm512_maskz_loadu_ps(lanes(left > 16 ? left - 16 : 0), at + 16);
    *even_floats = _mm512_permutex2var_ps(lo, even, hi);
    *odd_floats = _mm512_permutex2var_ps(lo, odd, hi);
}

FS_BF16_TARGET FS_INLINE void input_transform_avx512(const float *x, size_t c, size_t h, size_t w, size_t ty0, size_t ty1,
                                                     size_t tw, size_t first_row, size_t end_row, float *v, float *rows) {
    size_t p = (ty1 - ty0) * tw, cp = c * p, pw = 2 * tw + 2;
    float *e = rows + 4 * pw;
    for (size_t ch = 0; ch < c; ch++) {
        const float *plane = x + ch * h * w;
        for (size_t ty = ty0; ty < ty1; ty++) {
            // The four padded input rows read in place: padded column j is input column j − 1 (zero
            // at j = 0, past w, and for rows outside the map; masked lanes are never read).
            const float *src[4];
            for (size_t r = 0; r < 4; r++) {
                long iy = 2 * (long)ty - 1 + (long)r;
                src[r] = iy >= 0 && iy < (long)h ? plane + (size_t)iy * w : NULL;
            }
            float *e0 = e, *e1 = e + pw, *e2 = e + 2 * pw, *e3 = e + 3 * pw;
            for (size_t j = 0; j < pw; j += 16) {
                __mmask16 k = lanes(pw - j), in = lanes(w + 1 > j ? w + 1 - j : 0);
                __m512 row[4];
                for (size_t r = 0; r < 4; r++) {
                    if (!src[r]) row[r] = _mm512_setzero_ps();
                    // Lane 0 of the first 16 is the left padding: the row's first values go to lanes 1….
                    else if (j == 0) row[r] = _mm512_maskz_expandloadu_ps(in & (__mmask16)0xfffe, src[r]);
                    else row[r] = _mm512_maskz_loadu_ps(in, src[r] + j - 1);
                }
                __m512 a = row[0], b = row[1], cc = row[2], d = row[3];
                _mm512_mask_storeu_ps(e0 + j, k, _mm512_sub_ps(a, cc));
                _mm512_mask_storeu_ps(e1 + j, k, _mm512_add_ps(b, cc));
                _mm512_mask_storeu_ps(e2 + j, k, _mm512_sub_ps(cc, b));
                _mm512_mask_storeu_ps(e3 + j, k, _mm512_sub_ps(b, d));
            }
            size_t col = ch * p + (ty - ty0) * tw;
            for (size_t r = first_row; r < end_row; r++) {
                const float *er = e + r * pw;
                float *o0 = v + (r * 4 + 0) * cp + col, *o1 = v + (r * 4 + 1) * cp + col;
                float *o2 = v + (r * 4 + 2) * cp + col, *o3 = v + (r * 4 + 3) * cp + col;
                for (size_t tx = 0; tx < tw; tx += 16) {
                    // Tiles tx … tx + 15 read er[2tx … 2tx + 33]; past the row's pw floats, zeros.
                    size_t at = 2 * tx, left = pw - at;
                    __m512 a0, a1, a2, a3;
                    halves(er + at, left, &a0, &a1);
                    halves(er + at + 2, left - 2, &a2, &a3);
                    __mmask16 k = lanes(tw - tx);
                    _mm512_mask_storeu_ps(o0 + tx, k, _mm512_sub_ps(a0, a2));
                    _mm512_mask_storeu_ps(o1 + tx, k, _mm512_add_ps(a1, a2));
                    _mm512_mask_storeu_ps(o2 + tx, k, _mm512_sub_ps(a2, a1));
                    _mm512_mask_storeu_ps(o3 + tx, k, _mm512_sub_ps(a1, a3));
                }
            }
        }
    }
}

// relu?(v + residual) on 16 lanes, `k` the lanes to read.
FS_BF16_TARGET FS_INLINE __m512 finish16(__m512 v, const float *residual, size_t offset, __mmask16 k, int relu) {
    if (residual) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(k, residual + offset));
    if (relu) v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LE_OQ), _mm512_setzero_ps());
    return v;
}

FS_BF16_TARGET FS_INLINE void output_transform_avx512(const float *m, size_t o, size_t h, size_t w, size_t ty0, size_t ty1,
                                                      size_t tw, const float *bias, const float *residual, int relu, float *y) {
    size_t p = (ty1 - ty0) * tw, op = o * p;
    static const float c0s[4] = { 1, 1, 1, 0 }, c1s[4] = { 0, 1, -1, -1 };
    // Interleaving 16 tiles' two output columns: (e0 d0 e1 d1 …) for tiles 0–7, then 8–15.
    const __m512i first = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i second = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    for (size_t ch = 0; ch < o; ch++) {
        __m512 b = _mm512_set1_ps(bias ? bias[ch] : 0.0f);
        size_t plane = ch * h * w;
        for (size_t ty = ty0; ty < ty1; ty++) {
            size_t base = ch * p + (ty - ty0) * tw, oy = 2 * ty;
            for (size_t tx = 0; tx < tw; tx += 16) {
                __mmask16 k = lanes(tw - tx);
                __m512 e0 = b, d0 = b, e1 = b, d1 = b;
                for (size_t s = 0; s < 4; s++) {
                    const float *at = m + base + tx;
                    __m512 m0 = _mm512_maskz_loadu_ps(k, at + (0 + s) * op), m1 = _mm512_maskz_loadu_ps(k, at + (4 + s) * op);
                    __m512 m2 = _mm512_maskz_loadu_ps(k, at + (8 + s) * op), m3 = _mm512_maskz_loadu_ps(k, at + (12 + s) * op);
                    __m512 c0 = _mm512_set1_ps(c0s[s]), c1 = _mm512_set1_ps(c1s[s]);
                    __m512 top = _mm512_add_ps(_mm512_add_ps(m0, m1), m2), bottom = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
                    e0 = _mm512_add_ps(e0, _mm512_mul_ps(c0, top)); d0 = _mm512_add_ps(d0, _mm512_mul_ps(c1, top));
                    e1 = _mm512_add_ps(e1, _mm512_mul_ps(c0, bottom)); d1 = _mm512_add_ps(d1, _mm512_mul_ps(c1, bottom));
                }
                // Output columns 2tx … 2tx + 31 of rows oy and oy + 1, up to w.
                size_t ox = 2 * tx, left = w - ox;
                __mmask16 k0 = lanes(left), k1 = lanes(left > 16 ? left - 16 : 0);
                size_t at0 = plane + oy * w + ox;
                _mm512_mask_storeu_ps(y + at0, k0, finish16(_mm512_permutex2var_ps(e0, first, d0), residual, at0, k0, relu));
                if (k1) _mm512_mask_storeu_ps(y + at0 + 16, k1, finish16(_mm512_permutex2var_ps(e0, second, d0), residual, at0 + 16, k1, relu));
                if (oy + 1 < h) {
                    size_t at1 = at0 + w;
                    _mm512_mask_storeu_ps(y + at1, k0, finish16(_mm512_permutex2var_ps(e1, first, d1), residual, at1, k0, relu));
                    if (k1) _mm512_mask_storeu_ps(y + at1 + 16, k1, finish16(_mm512_permutex2var_ps(e1, second, d1), residual, at1 + 16, k1, relu));
                }
            }
        }
    }
}

typedef struct { void *values; size_t bytes; } block_scratch_t;
static __thread block_scratch_t block_scratch = { NULL, 0 };

static void *block_buffer(size_t bytes) {
    if (bytes > block_scratch.bytes) {
        free(block_scratch.values);
        block_scratch.values = aligned_alloc(64, (bytes + 63) / 64 * 64);
        block_scratch.bytes = block_scratch.values ? bytes : 0;
    }
    return block_scratch.values;
}

static size_t round64(size_t bytes) { return (bytes + 63) / 64 * 64; }

// One block: transform, pack, multiply, transform back — in AVX-512 with the AVX512_BF16 kernel,
// or in portable C with the emulation. Both give the same bits.
#define FS_FORWARD_BLOCK(NAME, TARGET, INPUT, OUTPUT, HARDWARE, GEMM)                                        \
TARGET static void NAME(const float *x, size_t c, size_t h, size_t w, size_t ty0, size_t ty1, size_t tw,       \
                        const uint16_t *u, size_t o, const float *bias, const float *residual, int relu,       \
                        float *y, float *v, uint16_t *packed, size_t packed_count, float *m, float *rows) {    \
    size_t p = (ty1 - ty0) * tw;                                                                             \
    INPUT(x, c, h, w, ty0, ty1, tw, 0, 4, v, rows);                                                          \
    for (size_t xi = 0; xi < 16; xi++) {                                                                     \
        fs_bf16_pack_b_any(v + xi * c * p, p, 0, c, p, packed + xi * packed_count, HARDWARE);                \
        GEMM(o, p, c, u + xi * o * c, c, packed + xi * packed_count, m + xi * o * p, p, 0);                  \
    }                                                                                                        \
    OUTPUT(m, o, h, w, ty0, ty1, tw, bias, residual, relu, y);                                               \
}

FS_FORWARD_BLOCK(block_avx512, FS_BF16_TARGET, input_transform_avx512, output_transform_avx512, 1, fs_bf16_gemm_hardware)
FS_FORWARD_BLOCK(block_baseline, , input_transform, output_transform, 0, fs_bf16_gemm_emulated)

size_t fs_bf16_winograd2_block_bytes(size_t c, size_t o, size_t w, size_t tiles) {
    size_t tw = (w + 1) / 2;
    return round64(16 * c * tiles * sizeof(float)) + round64(16 * fs_bf16_packed_size(c, tiles) * sizeof(uint16_t))
         + round64(16 * o * tiles * sizeof(float)) + round64(8 * (2 * tw + 2) * sizeof(float));
}

int fs_bf16_winograd2_block(int hardware, const float *x, size_t c, size_t h, size_t w, size_t ty0, size_t ty1,
                            const uint16_t *u, size_t o, const float *bias, const float *residual, int relu, float *y) {
    size_t tw = (w + 1) / 2, th = (h + 1) / 2;
    if (ty1 > th) ty1 = th;
    if (ty0 >= ty1 || w == 0 || o == 0) return 0;
    size_t p = (ty1 - ty0) * tw, packed_count = fs_bf16_packed_size(c, p);
    char *base = (char *)block_buffer(fs_bf16_winograd2_block_bytes(c, o, w, p));
    if (!base) return -1;
    float *v = (float *)base;
    uint16_t *packed = (uint16_t *)(base + round64(16 * c * p * sizeof(float)));
    float *m = (float *)((char *)packed + round64(16 * packed_count * sizeof(uint16_t)));
    float *rows = (float *)((char *)m + round64(16 * o * p * sizeof(float)));
    if (hardware) block_avx512(x, c, h, w, ty0, ty1, tw, u, o, bias, residual, relu, y, v, packed, packed_count, m, rows);
    else block_baseline(x, c, h, w, ty0, ty1, tw, u, o, bias, residual, relu, y, v, packed, packed_count, m, rows);
    return 0;
}

// MARK: The weight gradient

// dM = A dY Aᵀ (the adjoint of the output transform) for tile rows [ty0, ty1) of one image's
// gradient dy (o × h × w) into dm ([16][o][P]), components of A's rows [first_row, end_row) only:
// A over the two gradient rows of a tile row (rows d0, d0 + d1, d0 − d1, −d1; zeros past the
// map), then · Aᵀ per tile. `rows` holds 6 rows of 2·tw values.
FS_INLINE void output_gradient_transform(const float *dy, size_t o, size_t h, size_t w, size_t ty0, size_t ty1, size_t tw,
                                         size_t first_row, size_t end_row, float *dm, float *rows) {
    size_t p = (ty1 - ty0) * tw, op = o * p, pw = 2 * tw;
    float *d0 = rows, *d1 = rows + pw, *e = rows + 2 * pw;
    for (size_t ch = 0; ch < o; ch++) {
        const float *g = dy + ch * h * w;
        for (size_t ty = ty0; ty < ty1; ty++) {
            size_t y0 = 2 * ty;
            memset(d0, 0, 2 * pw * sizeof(float));
            memcpy(d0, g + y0 * w, w * sizeof(float));
            if (y0 + 1 < h) memcpy(d1, g + (y0 + 1) * w, w * sizeof(float));
            float *e0 = e, *e1 = e + pw, *e2 = e + 2 * pw, *e3 = e + 3 * pw;
            for (size_t j = 0; j < pw; j++) { e0[j] = d0[j]; e1[j] = d0[j] + d1[j]; e2[j] = d0[j] - d1[j]; e3[j] = -d1[j]; }
            size_t col = ch * p + (ty - ty0) * tw;
            for (size_t r = first_row; r < end_row; r++) {
                const float *er = e + r * pw;
                float *o0 = dm + (r * 4 + 0) * op + col, *o1 = dm + (r * 4 + 1) * op + col;
                float *o2 = dm + (r * 4 + 2) * op + col, *o3 = dm + (r * 4 + 3) * op + col;
                for (size_t tx = 0; tx < tw; tx++) {
                    float a0 = er[2 * tx], a1 = er[2 * tx + 1];
                    o0[tx] = a0; o1[tx] = a0 + a1; o2[tx] = a0 - a1; o3[tx] = -a1;
                }
            }
        }
    }
}

// −v as C's unary minus (the sign bit flipped: −(+0) is −0, not 0 − (+0)).
FS_BF16_TARGET FS_INLINE __m512 negate(__m512 v) {
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), _mm512_set1_epi32((int)0x80000000u)));
}

FS_BF16_TARGET FS_INLINE void output_gradient_transform_avx512(const float *dy, size_t o, size_t h, size_t w, size_t ty0,
                                                               size_t ty1, size_t tw, size_t first_row, size_t end_row,
                                                               float *dm, float *rows) {
    size_t p = (ty1 - ty0) * tw, op = o * p, pw = 2 * tw;
    float *e = rows;
    const __m512 zero = _mm512_setzero_ps();
    for (size_t ch = 0; ch < o; ch++) {
        const float *g = dy + ch * h * w;
        for (size_t ty = ty0; ty < ty1; ty++) {
            size_t y0 = 2 * ty;
            int second = y0 + 1 < h;
            float *e0 = e, *e1 = e + pw, *e2 = e + 2 * pw, *e3 = e + 3 * pw;
            for (size_t j = 0; j < pw; j += 16) {
                __mmask16 k = lanes(pw - j), in = lanes(j < w ? w - j : 0);
                __m512 a = _mm512_maskz_loadu_ps(in, g + y0 * w + j);
                __m512 b = second ? _mm512_maskz_loadu_ps(in, g + (y0 + 1) * w + j) : zero;
                _mm512_mask_storeu_ps(e0 + j, k, a);
                _mm512_mask_storeu_ps(e1 + j, k, _mm512_add_ps(a, b));
                _mm512_mask_storeu_ps(e2 + j, k, _mm512_sub_ps(a, b));
                _mm512_mask_storeu_ps(e3 + j, k, negate(b));
            }
            size_t col = ch * p + (ty - ty0) * tw;
            for (size_t r = first_row; r < end_row; r++) {
                const float *er = e + r * pw;
                float *o0 = dm + (r * 4 + 0) * op + col, *o1 = dm + (r * 4 + 1) * op + col;
                float *o2 = dm + (r * 4 + 2) * op + col, *o3 = dm + (r * 4 + 3) * op + col;
                for (size_t tx = 0; tx < tw; tx += 16) {
                    __m512 a0, a1;
                    halves(er + 2 * tx, pw - 2 * tx, &a0, &a1);
                    __mmask16 k = lanes(tw - tx);
                    _mm512_mask_storeu_ps(o0 + tx, k, a0);
                    _mm512_mask_storeu_ps(o1 + tx, k, _mm512_add_ps(a0, a1));
                    _mm512_mask_storeu_ps(o2 + tx, k, _mm512_sub_ps(a0, a1));
                    _mm512_mask_storeu_ps(o3 + tx, k, negate(a1));
                }
            }
        }
    }
}

size_t fs_bf16_winograd2_weight_block_bytes(size_t c, size_t o, size_t w, size_t tiles) {
    size_t tw = (w + 1) / 2;
    return round64(16 * c * tiles * sizeof(float)) + round64(16 * o * tiles * sizeof(float))
         + round64(o * tiles * sizeof(uint16_t)) + round64(fs_bf16_packed_size(tiles, c) * sizeof(uint16_t))
         + round64(8 * (2 * tw + 2) * sizeof(float));
}

// One block's contribution to du's components of rows [first_row, end_row): for each component,
// dU += round(dM) · round(V)ᵀ, k the block's tiles in order.
#define FS_WEIGHT_BLOCK(NAME, TARGET, INPUT, GRADIENT, HARDWARE, GEMM)                                      \
TARGET static void NAME(const float *x, const float *dy, size_t c, size_t o, size_t h, size_t w, size_t ty0,   \
                        size_t ty1, size_t tw, size_t first_row, size_t end_row, float *du, int accumulate,    \
                        float *v, float *dm, uint16_t *a16, uint16_t *packed, float *rows) {                   \
    size_t p = (ty1 - ty0) * tw;                                                                             \
    INPUT(x, c, h, w, ty0, ty1, tw, first_row, end_row, v, rows);                                            \
    GRADIENT(dy, o, h, w, ty0, ty1, tw, first_row, end_row, dm, rows);                                       \
    for (size_t xi = 4 * first_row; xi < 4 * end_row; xi++) {                                                \
        fs_f32_to_bf16(dm + xi * o * p, a16, o * p);                                                         \
        fs_bf16_pack_b_any(v + xi * c * p, p, 1, p, c, packed, HARDWARE);                                    \
        GEMM(o, c, p, a16, p, packed, du + xi * o * c, c, accumulate);                                       \
    }                                                                                                        \
}

FS_WEIGHT_BLOCK(weight_block_avx512, FS_BF16_TARGET, input_transform_avx512, output_gradient_transform_avx512, 1,
                fs_bf16_gemm_hardware)
FS_WEIGHT_BLOCK(weight_block_baseline, , input_transform, output_gradient_transform, 0, fs_bf16_gemm_emulated)

int fs_bf16_winograd2_weight_gradient(int hardware, const float *x, const float *dy, size_t n, size_t c, size_t o,
                                      size_t h, size_t w, size_t rows_per_block, size_t first_row, size_t end_row, float *du) {
    size_t tw = (w + 1) / 2, th = (h + 1) / 2;
    if (rows_per_block == 0) rows_per_block = 1;
    if (end_row > 4) end_row = 4;
    if (first_row >= end_row || o == 0 || c == 0) return 0;
    if (n == 0 || th == 0 || tw == 0) {   // an empty sum
        for (size_t xi = 4 * first_row; xi < 4 * end_row; xi++) memset(du + xi * o * c, 0, o * c * sizeof(float));
        return 0;
    }
    size_t most = (rows_per_block < th ? rows_per_block : th) * tw;
    char *base = (char *)block_buffer(fs_bf16_winograd2_weight_block_bytes(c, o, w, most));
    if (!base) return -1;
    float *v = (float *)base;
    float *dm = (float *)(base + round64(16 * c * most * sizeof(float)));
    uint16_t *a16 = (uint16_t *)((char *)dm + round64(16 * o * most * sizeof(float)));
    uint16_t *packed = (uint16_t *)((char *)a16 + round64(o * most * sizeof(uint16_t)));
    float *rows = (float *)((char *)packed + round64(fs_bf16_packed_size(most, c) * sizeof(uint16_t)));
    int accumulate = 0;
    for (size_t image = 0; image < n; image++) {
        const float *xi = x + image * c * h * w, *dyi = dy + image * o * h * w;
        for (size_t ty0 = 0; ty0 < th; ty0 += rows_per_block) {
            size_t ty1 = ty0 + rows_per_block < th ? ty0 + rows_per_block : th;
            if (hardware) weight_block_avx512(xi, dyi, c, o, h, w, ty0, ty1, tw, first_row, end_row, du, accumulate, v, dm, a16, packed, rows);
            else weight_block_baseline(xi, dyi, c, o, h, w, ty0, ty1, tw, first_row, end_row, du, accumulate, v, dm, a16, packed, rows);
            accumulate = 1;
        }
    }
    return 0;
}
