#include "bfloat16_kernels.h"

#include <cpuid.h>
#include <immintrin.h>
#include <string.h>

int fs_bf16_hardware(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & (1u << 27))) return 0;                          // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xe6) != 0xe6) return 0;                          // XMM, YMM, opmask, ZMM state enabled
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    if (!(ebx & (1u << 16))) return 0;                          // AVX512F
    __cpuid_count(7, 1, eax, ebx, ecx, edx);
    return (eax & (1u << 5)) ? 1 : 0;                           // AVX512_BF16
}

static inline uint16_t round_bits(uint32_t u) {
    uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16, quiet = (u >> 16) | 0x40u;
    return (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? quiet : rounded);
}

static inline float widen(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

void fs_f32_to_bf16(const float *source, uint16_t *destination, size_t count) {
    // Round to nearest even by adding 0x7fff plus the kept part's lowest bit; a NaN keeps its
    // top bits and is made quiet. Written without branches, so the compiler vectorises the loop.
    for (size_t i = 0; i < count; i++) {
        uint32_t u;
        memcpy(&u, source + i, 4);
        destination[i] = round_bits(u);
    }
}

void fs_bf16_to_f32(const uint16_t *source, float *destination, size_t count) {
    for (size_t i = 0; i < count; i++) destination[i] = widen(source[i]);
}

size_t fs_bf16_packed_size(size_t k, size_t n) {
    return ((k + 1) / 2) * ((n + 15) / 16 * 16) * 2;
}

void fs_bf16_pack_b(const uint16_t *b, size_t ldb, size_t k, size_t n, uint16_t *packed) {
    size_t pairs = (k + 1) / 2, width = (n + 15) / 16 * 16;
    // Layout: [column block of 16][pair p][column j in block][2 values: k = 2p, 2p + 1].
    for (size_t block = 0; block < width / 16; block++) {
        for (size_t p = 0; p < pairs; p++) {
            uint16_t *out = packed + (block * pairs + p) * 32;
            for (size_t j = 0; j < 16; j++) {
                size_t col = block * 16 + j;
                for (size_t t = 0; t < 2; t++) {
                    size_t row = 2 * p + t;
                    out[2 * j + t] = (col < n && row < k) ? b[row * ldb + col] : 0;
                }
            }
        }
    }
}

void fs_bf16_pack_b_f32(const float *b, size_t ldb, size_t k, size_t n, uint16_t *packed) {
    size_t pairs = (k + 1) / 2, width = (n + 15) / 16 * 16;
    for (size_t block = 0; block < width / 16; block++) {
        size_t col0 = block * 16;
        int whole = col0 + 16 <= n;
        for (size_t p = 0; p < pairs; p++) {
            uint16_t *out = packed + (block * pairs + p) * 32;
            const float *r0 = b + (2 * p) * ldb + col0, *r1 = b + (2 * p + 1) * ldb + col0;
            if (whole && 2 * p + 1 < k) {
                // A full panel of two rows: no bounds to check, so the loop vectorises.
                for (size_t j = 0; j < 16; j++) {
                    uint32_t u0, u1;
                    memcpy(&u0, r0 + j, 4);
                    memcpy(&u1, r1 + j, 4);
                    out[2 * j] = round_bits(u0);
                    out[2 * j + 1] = round_bits(u1);
                }
            } else {
                for (size_t j = 0; j < 16; j++) {
                    for (size_t t = 0; t < 2; t++) {
                        uint32_t u = 0;
                        if (col0 + j < n && 2 * p + t < k) memcpy(&u, (t ? r1 : r0) + j, 4);
                        out[2 * j + t] = round_bits(u);
                    }
                }
            }
        }
    }
}

static inline uint32_t a_pair(const uint16_t *row, size_t p, size_t k) {
    uint16_t lo = row[2 * p], hi = (2 * p + 1 < k) ? row[2 * p + 1] : 0;
    return (uint32_t)lo | ((uint32_t)hi << 16);
}

void fs_bf16_gemm_emulated(size_t m, size_t n, size_t k, const uint16_t *a, size_t lda,
                           const uint16_t *packed_b, float *c, size_t ldc, int accumulate) {
    size_t pairs = (k + 1) / 2;
    for (size_t i = 0; i < m; i++) {
        const uint16_t *row = a + i * lda;
        for (size_t j = 0; j < n; j++) {
            const uint16_t *column = packed_b + (j / 16) * pairs * 32 + (j % 16) * 2;
            float sum = accumulate ? c[i * ldc + j] : 0.0f;
            for (size_t p = 0; p < pairs; p++) {
                uint32_t ap = a_pair(row, p, k);
                // Both products are exact in float (8-bit significands). VDPBF16PS adds the odd
                // element's product first, then the even one's, each rounded to nearest even
                // (Intel SDM's pseudo-code; denormals are flushed there, not here).
                float x0 = widen((uint16_t)ap), x1 = widen((uint16_t)(ap >> 16));
                float y0 = widen(column[p * 32]), y1 = widen(column[p * 32 + 1]);
                sum = (sum + x1 * y1) + x0 * y0;
            }
            c[i * ldc + j] = sum;
        }
    }
}

#define FS_BF16_TARGET __attribute__((target("avx512f,avx512bf16")))

// ROWS rows × 32 columns (two ZMM accumulators a row), B's two 16-column panels read once per
// pair for all rows, A's pairs broadcast straight from memory (one VPBROADCASTD each). `rows`
// ≤ ROWS are computed; the odd last k of an odd `k` is paired with a zero.
#define FS_BF16_BLOCK(ROWS)                                                                               \
FS_BF16_TARGET                                                                                            \
static void block_##ROWS##x32(size_t rows, size_t k, const uint16_t *a, size_t lda, const uint16_t *b0,   \
                              const uint16_t *b1, float *c, size_t ldc, size_t columns, int accumulate) { \
    size_t whole = k / 2;                                                                                 \
    __m512 acc0[ROWS], acc1[ROWS];                                                                        \
    __mmask16 mask0 = columns >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << columns) - 1);              \
    __mmask16 mask1 = columns >= 32 ? (__mmask16)0xffff                                                   \
                    : columns > 16 ? (__mmask16)((1u << (columns - 16)) - 1) : 0;                         \
    for (size_t r = 0; r < ROWS; r++) {                                                                   \
        int live = r < rows;                                                                              \
        acc0[r] = (accumulate && live) ? _mm512_maskz_loadu_ps(mask0, c + r * ldc) : _mm512_setzero_ps(); \
        acc1[r] = (accumulate && live && mask1) ? _mm512_maskz_loadu_ps(mask1, c + r * ldc + 16)          \
                                                : _mm512_setzero_ps();                                    \
    }                                                                                                     \
    const uint16_t *arow[ROWS];                                                                           \
    for (size_t r = 0; r < ROWS; r++) arow[r] = a + (r < rows ? r : 0) * lda;                             \
    for (size_t p = 0; p < whole; p++) {                                                                  \
        __m512bh v0 = (__m512bh)_mm512_loadu_si512((const void *)(b0 + p * 32));                          \
        __m512bh v1 = (__m512bh)_mm512_loadu_si512((const void *)(b1 + p * 32));                          \
        for (size_t r = 0; r < ROWS; r++) {                                                               \
            int32_t pair;                                                                                 \
            memcpy(&pair, arow[r] + 2 * p, 4);                                                            \
            __m512bh x = (__m512bh)_mm512_set1_epi32(pair);                                               \
            acc0[r] = _mm512_dpbf16_ps(acc0[r], x, v0);                                                   \
            acc1[r] = _mm512_dpbf16_ps(acc1[r], x, v1);                                                   \
        }                                                                                                 \
    }                                                                                                     \
    if (k & 1) {                                                                                          \
        __m512bh v0 = (__m512bh)_mm512_loadu_si512((const void *)(b0 + whole * 32));                      \
        __m512bh v1 = (__m512bh)_mm512_loadu_si512((const void *)(b1 + whole * 32));                      \
        for (size_t r = 0; r < ROWS; r++) {                                                               \
            __m512bh x = (__m512bh)_mm512_set1_epi32((int32_t)arow[r][k - 1]);                            \
            acc0[r] = _mm512_dpbf16_ps(acc0[r], x, v0);                                                   \
            acc1[r] = _mm512_dpbf16_ps(acc1[r], x, v1);                                                   \
        }                                                                                                 \
    }                                                                                                     \
    for (size_t r = 0; r < rows; r++) {                                                                   \
        _mm512_mask_storeu_ps(c + r * ldc, mask0, acc0[r]);                                               \
        if (mask1) _mm512_mask_storeu_ps(c + r * ldc + 16, mask1, acc1[r]);                               \
    }                                                                                                     \
}

FS_BF16_BLOCK(8)
FS_BF16_BLOCK(4)
FS_BF16_BLOCK(1)

FS_BF16_TARGET
void fs_bf16_gemm_hardware(size_t m, size_t n, size_t k, const uint16_t *a, size_t lda,
                           const uint16_t *packed_b, float *c, size_t ldc, int accumulate) {
    size_t pairs = (k + 1) / 2;
    for (size_t j = 0; j < n; j += 32) {
        const uint16_t *b0 = packed_b + (j / 16) * pairs * 32;
        // Past n the second panel repeats the first: its sums are computed and never stored.
        const uint16_t *b1 = j + 16 < n ? packed_b + (j / 16 + 1) * pairs * 32 : b0;
        size_t columns = n - j < 32 ? n - j : 32;
        size_t i = 0;
        for (; i + 8 <= m; i += 8) block_8x32(8, k, a + i * lda, lda, b0, b1, c + i * ldc + j, ldc, columns, accumulate);
        for (; i + 4 <= m; i += 4) block_4x32(4, k, a + i * lda, lda, b0, b1, c + i * ldc + j, ldc, columns, accumulate);
        for (; i < m; i++) block_1x32(1, k, a + i * lda, lda, b0, b1, c + i * ldc + j, ldc, columns, accumulate);
    }
}
