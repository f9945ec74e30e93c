#include "bfloat16_kernels.h"
#include "bfloat16_internal.h"

#include <cpuid.h>
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#define FS_BF16_TARGET __attribute__((target("avx512f,avx512bf16")))

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

FS_BF16_TARGET
static inline __m512i round_lanes(__m512i u);

FS_BF16_TARGET
static void f32_to_bf16_fast(const float *source, uint16_t *destination, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512i r = round_lanes(_mm512_loadu_si512((const void *)(source + i)));
        _mm256_storeu_si256((__m256i *)(destination + i), _mm512_cvtepi32_epi16(r));
    }
    for (; i < count; i++) {
        uint32_t u;
        memcpy(&u, source + i, 4);
        destination[i] = round_bits(u);
    }
}

static int vector_rounding = -1;   // -1 until the CPU is asked (every thread finds the same answer)

void fs_f32_to_bf16(const float *source, uint16_t *destination, size_t count) {
    // With AVX-512 (any CPU with AVX512_BF16), 16 at a time: the same bits as the loop below.
    int vector = __atomic_load_n(&vector_rounding, __ATOMIC_RELAXED);
    if (vector < 0) {
        vector = fs_bf16_hardware();
        __atomic_store_n(&vector_rounding, vector, __ATOMIC_RELAXED);
    }
    if (vector) { f32_to_bf16_fast(source, destination, count); return; }
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

// The last ≤ 16 columns: one panel, half the work of a 32-column block (the same sums).
#define FS_BF16_BLOCK16(ROWS)                                                                             \
FS_BF16_TARGET                                                                                            \
static void block_##ROWS##x16(size_t rows, size_t k, const uint16_t *a, size_t lda, const uint16_t *b0,   \
                              float *c, size_t ldc, size_t columns, int accumulate) {                     \
    size_t whole = k / 2;                                                                                 \
    __m512 acc[ROWS];                                                                                     \
    __mmask16 mask = columns >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << columns) - 1);               \
    for (size_t r = 0; r < ROWS; r++)                                                                     \
        acc[r] = (accumulate && r < rows) ? _mm512_maskz_loadu_ps(mask, c + r * ldc) : _mm512_setzero_ps(); \
    const uint16_t *arow[ROWS];                                                                           \
    for (size_t r = 0; r < ROWS; r++) arow[r] = a + (r < rows ? r : 0) * lda;                             \
    for (size_t p = 0; p < whole; p++) {                                                                  \
        __m512bh v0 = (__m512bh)_mm512_loadu_si512((const void *)(b0 + p * 32));                          \
        for (size_t r = 0; r < ROWS; r++) {                                                               \
            int32_t pair;                                                                                 \
            memcpy(&pair, arow[r] + 2 * p, 4);                                                            \
            acc[r] = _mm512_dpbf16_ps(acc[r], (__m512bh)_mm512_set1_epi32(pair), v0);                     \
        }                                                                                                 \
    }                                                                                                     \
    if (k & 1) {                                                                                          \
        __m512bh v0 = (__m512bh)_mm512_loadu_si512((const void *)(b0 + whole * 32));                      \
        for (size_t r = 0; r < ROWS; r++)                                                                 \
            acc[r] = _mm512_dpbf16_ps(acc[r], (__m512bh)_mm512_set1_epi32((int32_t)arow[r][k - 1]), v0);  \
    }                                                                                                     \
    for (size_t r = 0; r < rows; r++) _mm512_mask_storeu_ps(c + r * ldc, mask, acc[r]);                   \
}

FS_BF16_BLOCK16(8)
FS_BF16_BLOCK16(1)

FS_BF16_TARGET
void fs_bf16_gemm_hardware(size_t m, size_t n, size_t k, const uint16_t *a, size_t lda,
                           const uint16_t *packed_b, float *c, size_t ldc, int accumulate) {
    size_t pairs = (k + 1) / 2;
    for (size_t j = 0; j < n; j += 32) {
        const uint16_t *b0 = packed_b + (j / 16) * pairs * 32;
        // Past n the second panel repeats the first: its sums are computed and never stored (a last
        // block of at most 16 columns takes the one-panel kernels).
        const uint16_t *b1 = j + 16 < n ? packed_b + (j / 16 + 1) * pairs * 32 : b0;
        size_t columns = n - j < 32 ? n - j : 32;
        size_t i = 0;
        if (columns <= 16) {
            for (; i + 8 <= m; i += 8) block_8x16(8, k, a + i * lda, lda, b0, c + i * ldc + j, ldc, columns, accumulate);
            for (; i < m; i++) block_1x16(1, k, a + i * lda, lda, b0, c + i * ldc + j, ldc, columns, accumulate);
            continue;
        }
        for (; i + 8 <= m; i += 8) block_8x32(8, k, a + i * lda, lda, b0, b1, c + i * ldc + j, ldc, columns, accumulate);
        for (; i + 4 <= m; i += 4) block_4x32(4, k, a + i * lda, lda, b0, b1, c + i * ldc + j, ldc, columns, accumulate);
        for (; i < m; i++) block_1x32(1, k, a + i * lda, lda, b0, b1, c + i * ldc + j, ldc, columns, accumulate);
    }
}

// MARK: Vectorised packing (AVX-512F; the same bits as the scalar packers)

// Each 32-bit lane rounded to bf16 (round to nearest even; a NaN kept quiet), in the lane's low half.
FS_BF16_TARGET
static inline __m512i round_lanes(__m512i u) {
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff))), 16);
    __m512i quiet = _mm512_or_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(0x40));
    __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff)), _mm512_set1_epi32(0x7f800000));
    return _mm512_mask_mov_epi32(rounded, nan, quiet);
}

// Every block, the last partial one too (masked loads: the columns past n read as zeros, which
// round to the scalar packer's zero padding).
FS_BF16_TARGET
static void pack_b_f32_fast(const float *b, size_t ldb, size_t k, size_t n, uint16_t *packed) {
    size_t pairs = (k + 1) / 2, whole_pairs = k / 2, blocks = (n + 15) / 16;
    for (size_t block = 0; block < blocks; block++) {
        const float *column = b + block * 16;
        uint16_t *out = packed + block * pairs * 32;
        size_t left = n - block * 16;
        __mmask16 live = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
        for (size_t p = 0; p < whole_pairs; p++) {
            __m512i lo = round_lanes(_mm512_maskz_loadu_epi32(live, (const void *)(column + 2 * p * ldb)));
            __m512i hi = round_lanes(_mm512_maskz_loadu_epi32(live, (const void *)(column + (2 * p + 1) * ldb)));
            _mm512_storeu_si512((void *)(out + p * 32), _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
        }
        if (k & 1) {
            __m512i lo = round_lanes(_mm512_maskz_loadu_epi32(live, (const void *)(column + (k - 1) * ldb)));
            _mm512_storeu_si512((void *)(out + whole_pairs * 32), lo);
        }
    }
}

FS_BF16_TARGET
static void pack_bt_f32_fast(const float *b, size_t ldb, size_t k, size_t n, uint16_t *packed) {
    // 16 columns (rows of b) by 16 k at a time: each row's 16 floats rounded and narrowed to
    // 8 pairs (one YMM); rows j and j + 8 share a ZMM, and the 16 × 8 table of pairs is
    // transposed in registers (32- and 64-bit unpacks within 128-bit lanes, then one
    // two-source permute per output) into each pair's 16 columns.
    size_t pairs = (k + 1) / 2, blocks = n / 16, chunks = k / 16;
    // Output pair q (and q + 4) from s_q (rows 0–3 | pairs 4… of rows 0–3 | rows 8–11 …) and s_{q+4} (rows 4–7 …).
    const __m512i low_pairs = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
    const __m512i high_pairs = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    for (size_t block = 0; block < blocks; block++) {
        uint16_t *out = packed + block * pairs * 32;
        const float *rows = b + block * 16 * ldb;
        for (size_t chunk = 0; chunk < chunks; chunk++) {
            __m512i r[8];
            for (size_t j = 0; j < 8; j++) {
                __m256i top = _mm512_cvtepi32_epi16(round_lanes(_mm512_loadu_si512((const void *)(rows + j * ldb + chunk * 16))));
                __m256i bottom = _mm512_cvtepi32_epi16(round_lanes(_mm512_loadu_si512((const void *)(rows + (j + 8) * ldb + chunk * 16))));
                r[j] = _mm512_inserti64x4(_mm512_castsi256_si512(top), bottom, 1);
            }
            // Within each 128-bit lane (4 pairs of one row): after the two unpacks, s[q] holds pair
            // q of rows 0–3 (lane 0), pair q + 4 of rows 0–3 (lane 1), and the same of rows 8–11
            // (lanes 2, 3); s[q + 4] the same of rows 4–7 and 12–15.
            __m512i t[8], s[8];
            for (size_t i = 0; i < 4; i++) {
                t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
                t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
            }
            for (size_t half = 0; half < 2; half++) {
                __m512i a0 = t[4 * half], a1 = t[4 * half + 1], a2 = t[4 * half + 2], a3 = t[4 * half + 3];
                s[4 * half + 0] = _mm512_unpacklo_epi64(a0, a2);
                s[4 * half + 1] = _mm512_unpackhi_epi64(a0, a2);
                s[4 * half + 2] = _mm512_unpacklo_epi64(a1, a3);
                s[4 * half + 3] = _mm512_unpackhi_epi64(a1, a3);
            }
            for (size_t q = 0; q < 4; q++) {
                _mm512_storeu_si512((void *)(out + (chunk * 8 + q) * 32), _mm512_permutex2var_epi64(s[q], low_pairs, s[q + 4]));
                _mm512_storeu_si512((void *)(out + (chunk * 8 + q + 4) * 32), _mm512_permutex2var_epi64(s[q], high_pairs, s[q + 4]));
            }
        }
        // The last k % 16 rows, one pair at a time.
        for (size_t p = chunks * 8; p < pairs; p++) {
            for (size_t j = 0; j < 16; j++) {
                const float *source = b + (block * 16 + j) * ldb;
                uint32_t u0, u1 = 0;
                memcpy(&u0, source + 2 * p, 4);
                if (2 * p + 1 < k) memcpy(&u1, source + 2 * p + 1, 4);
                out[p * 32 + 2 * j] = round_bits(u0);
                out[p * 32 + 2 * j + 1] = 2 * p + 1 < k ? round_bits(u1) : 0;
            }
        }
    }
}

// The packers done by the vector code when the CPU has AVX-512 (any CPU with AVX512_BF16 has):
// every block of B, or B transposed's whole 16-column blocks and its last partial one by the
// scalar code.
void fs_bf16_pack_b_any(const float *b, size_t ldb, int transposed, size_t k, size_t n, uint16_t *packed, int vector) {
    size_t whole = vector ? (transposed ? n / 16 * 16 : n) : 0, pairs = (k + 1) / 2;
    if (whole) {
        if (transposed) pack_bt_f32_fast(b, ldb, k, whole, packed);
        else pack_b_f32_fast(b, ldb, k, whole, packed);
    }
    if (whole < n) {
        const float *rest = transposed ? b + whole * ldb : b + whole;
        uint16_t *out = packed + (whole / 16) * pairs * 32;
        if (transposed) fs_bf16_pack_bt_f32(rest, ldb, k, n - whole, out);
        else fs_bf16_pack_b_f32(rest, ldb, k, n - whole, out);
    }
}

// MARK: An FP32-interface product (operands rounded on the way in)

// Whole 16 × 16 tiles of a transposed A (stored k × m) rounded by AVX-512: 16 stored rows rounded
// into a table, then each destination row gathered from it — the same bits as the scalar loop.
FS_BF16_TARGET
static void round_transposed_fast(const float *a, size_t lda, size_t m, size_t k, uint16_t *destination) {
    uint32_t table[16 * 16] __attribute__((aligned(64)));
    const __m512i index = _mm512_setr_epi32(0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240);
    for (size_t i0 = 0; i0 + 16 <= m; i0 += 16) {
        for (size_t p0 = 0; p0 + 16 <= k; p0 += 16) {
            for (size_t p = 0; p < 16; p++)
                _mm512_store_si512((void *)(table + p * 16), round_lanes(_mm512_loadu_si512((const void *)(a + (p0 + p) * lda + i0))));
            for (size_t i = 0; i < 16; i++) {
                __m512i column = _mm512_i32gather_epi32(_mm512_add_epi32(index, _mm512_set1_epi32((int)i)), (const void *)table, 4);
                _mm256_storeu_si256((__m256i *)(destination + (i0 + i) * k + p0), _mm512_cvtepi32_epi16(column));
            }
        }
    }
}

void fs_bf16_round_matrix(const float *a, size_t lda, int transposed, size_t m, size_t k, uint16_t *destination) {
    if (!transposed) {
        for (size_t i = 0; i < m; i++) fs_f32_to_bf16(a + i * lda, destination + i * k, k);
        return;
    }
    // Stored k × m: tiles of 16 × 16, so both the reads and the writes stay within a few lines.
    // With AVX-512 the whole tiles go to the vector code and the loop below takes the rest.
    int vector = __atomic_load_n(&vector_rounding, __ATOMIC_RELAXED);
    if (vector < 0) {
        vector = fs_bf16_hardware();
        __atomic_store_n(&vector_rounding, vector, __ATOMIC_RELAXED);
    }
    size_t mw = vector ? m / 16 * 16 : 0, kw = vector ? k / 16 * 16 : 0;
    if (mw && kw) round_transposed_fast(a, lda, m, k, destination);
    for (size_t i0 = 0; i0 < m; i0 += 16) {
        size_t i1 = i0 + 16 < m ? i0 + 16 : m;
        for (size_t p0 = i0 < mw ? kw : 0; p0 < k; p0 += 16) {
            size_t p1 = p0 + 16 < k ? p0 + 16 : k;
            for (size_t p = p0; p < p1; p++) {
                for (size_t i = i0; i < i1; i++) {
                    uint32_t u;
                    memcpy(&u, a + p * lda + i, 4);
                    destination[i * k + p] = round_bits(u);
                }
            }
        }
    }
}

void fs_bf16_pack_bt_f32(const float *b, size_t ldb, size_t k, size_t n, uint16_t *packed) {
    size_t pairs = (k + 1) / 2, width = (n + 15) / 16 * 16;
    // B[row][col] is b[col * ldb + row]: a pair (rows 2p, 2p + 1) of one column is two
    // consecutive floats of that column's row in memory.
    for (size_t block = 0; block < width / 16; block++) {
        size_t col0 = block * 16;
        for (size_t j = 0; j < 16; j++) {
            size_t col = col0 + j;
            const float *source = b + col * ldb;
            uint16_t *out = packed + block * pairs * 32 + 2 * j;
            if (col >= n) {
                for (size_t p = 0; p < pairs; p++) { out[p * 32] = 0; out[p * 32 + 1] = 0; }
                continue;
            }
            size_t whole = k / 2;
            for (size_t p = 0; p < whole; p++) {
                uint32_t u0, u1;
                memcpy(&u0, source + 2 * p, 4);
                memcpy(&u1, source + 2 * p + 1, 4);
                out[p * 32] = round_bits(u0);
                out[p * 32 + 1] = round_bits(u1);
            }
            if (k & 1) {
                uint32_t u0;
                memcpy(&u0, source + k - 1, 4);
                out[whole * 32] = round_bits(u0);
                out[whole * 32 + 1] = 0;
            }
        }
    }
}

// Per-thread scratch, grown as needed and kept: one for the packed panels of B, one for a
// rounded A (products in a kernel loop, e.g. a weight gradient's slabs, allocate nothing).
typedef struct { uint16_t *values; size_t capacity; } scratch_t;
static __thread scratch_t panel_scratch = { NULL, 0 }, rounded_a_scratch = { NULL, 0 };

static uint16_t *scratch(scratch_t *s, size_t count) {
    if (count > s->capacity) {
        free(s->values);
        s->values = (uint16_t *)aligned_alloc(64, (count * 2 + 63) / 64 * 64);
        s->capacity = s->values ? count : 0;
    }
    return s->values;
}

int fs_bf16_sgemm_rounded_a(int hardware, int transpose_b, size_t m, size_t n, size_t k, const uint16_t *a, size_t lda,
                            const float *b, size_t ldb, int accumulate, float *c, size_t ldc) {
    if (m == 0 || n == 0) return 0;
    // Panels of B: KC rows (even, so the pairs are those of the whole product) by up to NC
    // columns, packed once each and kept in L2 while every row of A passes.
    enum { KC = 256, NC = 512 };
    size_t kc = k < KC ? k : KC, nc = n < NC ? n : NC;
    uint16_t *pb = scratch(&panel_scratch, fs_bf16_packed_size(kc, nc));
    if (!pb) return -1;
    for (size_t j0 = 0; j0 < n; j0 += nc) {
        size_t cols = n - j0 < nc ? n - j0 : nc;
        if (k == 0) {
            if (!accumulate) for (size_t i = 0; i < m; i++) memset(c + i * ldc + j0, 0, cols * 4);
            continue;
        }
        for (size_t k0 = 0; k0 < k; k0 += kc) {
            size_t rows = k - k0 < kc ? k - k0 : kc;
            fs_bf16_pack_b_any(transpose_b ? b + j0 * ldb + k0 : b + k0 * ldb + j0, ldb, transpose_b, rows, cols, pb, hardware);
            int add = accumulate || k0 > 0;
            if (hardware) fs_bf16_gemm_hardware(m, cols, rows, a + k0, lda, pb, c + j0, ldc, add);
            else fs_bf16_gemm_emulated(m, cols, rows, a + k0, lda, pb, c + j0, ldc, add);
        }
    }
    return 0;
}

int fs_bf16_sgemm(int hardware, int transpose_a, int transpose_b, size_t m, size_t n, size_t k,
                  const float *a, size_t lda, const float *b, size_t ldb, int accumulate, float *c, size_t ldc) {
    if (m == 0 || n == 0) return 0;
    uint16_t *ra = scratch(&rounded_a_scratch, m * k + 1);
    if (!ra) return -1;
    fs_bf16_round_matrix(a, lda, transpose_a, m, k, ra);
    return fs_bf16_sgemm_rounded_a(hardware, transpose_b, m, n, k, ra, k, b, ldb, accumulate, c, ldc);
}

// MARK: The dense matrix of a convolution on a tiny map

// Entries of row `row` of the dense matrix: in D (not transposed), row (c, q) holds at (o, p)
// w[(o·C + c)·KK + taps[q·P + p]]; in Dᵀ, row (o, p) holds it at (c, q). Lane-wise: 16 / P
// channels of the other side at a time, gathered and rounded as round_lanes does.
FS_BF16_TARGET
static void dense_row_fast(const float *w, size_t o, size_t c, size_t kk, size_t pp, const int32_t *taps, int transposed,
                           size_t row, uint16_t *d) {
    size_t per = 16 / pp, own = row / pp, pixel = row % pp, across = transposed ? c : o;
    // Lane l: channel +l/P of the other side, pixel l%P; its offset from the block's first kernel.
    int32_t offsets[16];
    for (size_t l = 0; l < 16; l++) {
        size_t other = l / pp, at = l % pp;
        int32_t tap = transposed ? taps[at * pp + pixel] : taps[pixel * pp + at];
        offsets[l] = (int32_t)(other * (transposed ? kk : c * kk)) + tap;
    }
    __m512i index = _mm512_loadu_si512((const void *)offsets);
    uint16_t *out = d + row * across * pp;
    for (size_t first = 0; first < across; first += per) {
        size_t left = (across - first) * pp;
        __mmask16 k = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
        const float *base = transposed ? w + (own * c + first) * kk : w + (first * c + own) * kk;
        __m512i v = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), k, index, (const void *)base, 4);
        _mm512_mask_cvtepi32_storeu_epi16(out + first * pp, k, round_lanes(v));
    }
}

void fs_bf16_dense_taps(int vector, const float *w, size_t o, size_t c, size_t kk, size_t pp, const int32_t *taps,
                        int transposed, size_t first_row, size_t end_row, uint16_t *d) {
    size_t across = transposed ? c : o;
    for (size_t row = first_row; row < end_row; row++) {
        if (vector && pp <= 16 && 16 % pp == 0) {
            dense_row_fast(w, o, c, kk, pp, taps, transposed, row, d);
            continue;
        }
        size_t own = row / pp, pixel = row % pp;
        uint16_t *out = d + row * across * pp;
        for (size_t other = 0; other < across; other++) {
            for (size_t at = 0; at < pp; at++) {
                size_t oc = transposed ? own : other, ic = transposed ? other : own;
                int32_t tap = transposed ? taps[at * pp + pixel] : taps[pixel * pp + at];
                uint32_t u;
                memcpy(&u, w + (oc * c + ic) * kk + tap, 4);
                out[other * pp + at] = round_bits(u);
            }
        }
    }
}
