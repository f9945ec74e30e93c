#include "tile_gather.h"

#include <cpuid.h>
#include <immintrin.h>

#define FS_AVX2 __attribute__((target("avx2")))

int fs_tile_gather_avx2(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & (1u << 27)) || !(ecx & (1u << 28))) return 0;   // OSXSAVE, AVX
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0x6) != 0x6) return 0;                               // XMM and YMM state enabled
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx & (1u << 5)) ? 1 : 0;                              // AVX2
}

void fs_gather_tiles8_scalar(const float *base, const intptr_t *offsets, int n, intptr_t stride, int rows, int cols, float *out) {
    for (int l = 0; l < 8; l++) {
        const float *tile = base + offsets[l < n ? l : n - 1];
        for (int r = 0; r < rows; r++)
            for (int s = 0; s < cols; s++) out[(r * cols + s) * 8 + l] = tile[r * stride + s];
    }
}

void fs_scatter_tiles8_scalar(const float *in, float *base, const intptr_t *offsets, int n, intptr_t stride, int rows, int cols) {
    for (int l = 0; l < n; l++) {
        float *tile = base + offsets[l];
        for (int r = 0; r < rows; r++)
            for (int s = 0; s < cols; s++) tile[r * stride + s] = in[(r * cols + s) * 8 + l];
    }
}

/// Lanes l and l + 4 of a transpose: four floats of tile l in the low half, of tile l + 4 in the high.
FS_AVX2 static inline __m256 pair4(const float *low, const float *high) {
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(low)), _mm_loadu_ps(high), 1);
}

/// The same for two floats (the columns 4 and 5 of a six-wide window); the upper two are zero.
FS_AVX2 static inline __m256 pair2(const float *low, const float *high) {
    __m128 a = _mm_castpd_ps(_mm_load_sd((const double *)low)), b = _mm_castpd_ps(_mm_load_sd((const double *)high));
    return _mm256_insertf128_ps(_mm256_castps128_ps256(a), b, 1);
}

FS_AVX2 static void gather_avx2(const float *base, const intptr_t *offsets, int n, intptr_t stride, int rows, int cols, float *out) {
    const float *p[8];
    for (int l = 0; l < 8; l++) p[l] = base + offsets[l < n ? l : n - 1];
    for (int r = 0; r < rows; r++) {
        intptr_t at = r * stride;
        float *row = out + r * cols * 8;
        // Columns 0–3: a_l holds tile l's four floats and tile l + 4's; two unpacks and a shuffle
        // give each column across the eight tiles.
        __m256 a0 = pair4(p[0] + at, p[4] + at), a1 = pair4(p[1] + at, p[5] + at);
        __m256 a2 = pair4(p[2] + at, p[6] + at), a3 = pair4(p[3] + at, p[7] + at);
        __m256 t0 = _mm256_unpacklo_ps(a0, a1), t1 = _mm256_unpackhi_ps(a0, a1);
        __m256 t2 = _mm256_unpacklo_ps(a2, a3), t3 = _mm256_unpackhi_ps(a2, a3);
        _mm256_storeu_ps(row, _mm256_shuffle_ps(t0, t2, 0x44));
        _mm256_storeu_ps(row + 8, _mm256_shuffle_ps(t0, t2, 0xEE));
        _mm256_storeu_ps(row + 16, _mm256_shuffle_ps(t1, t3, 0x44));
        _mm256_storeu_ps(row + 24, _mm256_shuffle_ps(t1, t3, 0xEE));
        if (cols == 6) {
            __m256 b0 = pair2(p[0] + at + 4, p[4] + at + 4), b1 = pair2(p[1] + at + 4, p[5] + at + 4);
            __m256 b2 = pair2(p[2] + at + 4, p[6] + at + 4), b3 = pair2(p[3] + at + 4, p[7] + at + 4);
            __m256 u0 = _mm256_unpacklo_ps(b0, b1), u2 = _mm256_unpacklo_ps(b2, b3);
            _mm256_storeu_ps(row + 32, _mm256_shuffle_ps(u0, u2, 0x44));
            _mm256_storeu_ps(row + 40, _mm256_shuffle_ps(u0, u2, 0xEE));
        }
    }
}

FS_AVX2 static void scatter_avx2(const float *in, float *base, const intptr_t *offsets, int n, intptr_t stride, int rows) {
    for (int r = 0; r < rows; r++) {
        const float *row = in + r * 32;
        __m256 v0 = _mm256_loadu_ps(row), v1 = _mm256_loadu_ps(row + 8), v2 = _mm256_loadu_ps(row + 16), v3 = _mm256_loadu_ps(row + 24);
        __m256 t0 = _mm256_unpacklo_ps(v0, v1), t1 = _mm256_unpackhi_ps(v0, v1);
        __m256 t2 = _mm256_unpacklo_ps(v2, v3), t3 = _mm256_unpackhi_ps(v2, v3);
        // w_l: tile l's four floats in the low half, tile l + 4's in the high.
        __m256 w[4] = {_mm256_shuffle_ps(t0, t2, 0x44), _mm256_shuffle_ps(t0, t2, 0xEE),
                       _mm256_shuffle_ps(t1, t3, 0x44), _mm256_shuffle_ps(t1, t3, 0xEE)};
        intptr_t at = r * stride;
        for (int l = 0; l < 4 && l < n; l++) _mm_storeu_ps(base + offsets[l] + at, _mm256_castps256_ps128(w[l]));
        for (int l = 4; l < n; l++) _mm_storeu_ps(base + offsets[l] + at, _mm256_extractf128_ps(w[l - 4], 1));
    }
}

static int avx2_state = -1;   // -1 until the CPU is asked (every thread finds the same answer)

static int use_avx2(void) {
    int state = __atomic_load_n(&avx2_state, __ATOMIC_RELAXED);
    if (state < 0) {
        state = fs_tile_gather_avx2();
        __atomic_store_n(&avx2_state, state, __ATOMIC_RELAXED);
    }
    return state;
}

void fs_gather_tiles8(const float *base, const intptr_t *offsets, int n, intptr_t stride, int rows, int cols, float *out) {
    if ((cols == 4 || cols == 6) && use_avx2()) gather_avx2(base, offsets, n, stride, rows, cols, out);
    else fs_gather_tiles8_scalar(base, offsets, n, stride, rows, cols, out);
}

void fs_scatter_tiles8(const float *in, float *base, const intptr_t *offsets, int n, intptr_t stride, int rows, int cols) {
    if (cols == 4 && use_avx2()) scatter_avx2(in, base, offsets, n, stride, rows);
    else fs_scatter_tiles8_scalar(in, base, offsets, n, stride, rows, cols);
}
