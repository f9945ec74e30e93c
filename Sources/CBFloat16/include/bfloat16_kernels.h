// bfloat16 kernels for CPUs with AVX512_BF16 (VDPBF16PS), with a scalar emulation of the same
// arithmetic for every other CPU. Only the functions marked "hardware" need the instruction
// set; call them only when fs_bf16_hardware() says so. Nothing here is compiled for AVX-512
// globally: the hardware functions carry a target attribute, so the library runs on any x86-64.
#ifndef FASHION_BFLOAT16_KERNELS_H
#define FASHION_BFLOAT16_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the CPU and the operating system support AVX512F and AVX512_BF16 (CPUID leaf 7
/// sub-leaf 1 EAX bit 5; XCR0 enables the opmask and ZMM state), else 0.
int fs_bf16_hardware(void);

/// Rounds `count` floats to bfloat16, round to nearest even (PyTorch's conversion); a NaN
/// stays a (quiet) NaN, infinities stay infinities.
void fs_f32_to_bf16(const float *source, uint16_t *destination, size_t count);

/// Widens `count` bfloat16 values to float (exact).
void fs_bf16_to_f32(const uint16_t *source, float *destination, size_t count);

/// Packs a row-major k × n matrix B (bf16, row stride ldb) into the layout the kernels read:
/// pairs of consecutive k, 16 columns at a time — ceil(k/2) × round_up(n, 16) × 2 values,
/// zero-padded. `packed` must hold fs_bf16_packed_size(k, n) values.
size_t fs_bf16_packed_size(size_t k, size_t n);
void fs_bf16_pack_b(const uint16_t *b, size_t ldb, size_t k, size_t n, uint16_t *packed);

/// The same packing from a float matrix, each value rounded to bf16 on the way (one pass;
/// the same bits as fs_f32_to_bf16 then fs_bf16_pack_b).
void fs_bf16_pack_b_f32(const float *b, size_t ldb, size_t k, size_t n, uint16_t *packed);

/// C[m×n] (+)= A[m×k] · B[k×n]: A bf16 row-major (row stride lda), B packed by
/// fs_bf16_pack_b, C float row-major (row stride ldc), accumulate 0 overwrites C, 1 adds to it.
/// Each pair of products is added as VDPBF16PS does (both products exact in float, each added
/// to the accumulator in turn). Hardware version (needs fs_bf16_hardware()).
void fs_bf16_gemm_hardware(size_t m, size_t n, size_t k, const uint16_t *a, size_t lda,
                           const uint16_t *packed_b, float *c, size_t ldc, int accumulate);

/// The same product in scalar code, pair by pair in the hardware kernel's order (per output,
/// k ascending in pairs; in a pair the odd k's product added first, as VDPBF16PS does), each
/// addition rounded in float. Runs anywhere; equal to the hardware for inputs without denormals.
void fs_bf16_gemm_emulated(size_t m, size_t n, size_t k, const uint16_t *a, size_t lda,
                           const uint16_t *packed_b, float *c, size_t ldc, int accumulate);

/// Rounds an m × k float matrix (row stride lda; with `transposed`, A is stored k × m and is
/// read transposed) to bf16, into `destination` as m × k row-major (row stride k).
void fs_bf16_round_matrix(const float *a, size_t lda, int transposed, size_t m, size_t k, uint16_t *destination);

/// fs_bf16_pack_b_f32 of a k × n matrix B stored transposed: B[r][c] is b[c * ldb + r].
void fs_bf16_pack_bt_f32(const float *b, size_t ldb, size_t k, size_t n, uint16_t *packed);

/// C[m×n] (+)= op(A)·op(B) with float operands rounded to bf16 on the way in (PyTorch's
/// autocast): op(A) m × k, op(B) k × n, row-major with row strides lda, ldb (as stored);
/// transposes as in cblas_sgemm. A is rounded into a per-thread scratch; B is packed in panels
/// of 256 rows by 512 columns into another; the sums are those of fs_bf16_gemm_* over the whole k (same pairs, same
/// order), so the blocking does not change a bit. `hardware` selects fs_bf16_gemm_hardware
/// (needs fs_bf16_hardware()) or the emulation. Serial. Returns 0, or -1 when the scratch
/// could not be allocated (C is then untouched).
int fs_bf16_sgemm(int hardware, int transpose_a, int transpose_b, size_t m, size_t n, size_t k,
                  const float *a, size_t lda, const float *b, size_t ldb, int accumulate, float *c, size_t ldc);

/// fs_bf16_sgemm with A already rounded (bf16, m × k row-major, row stride lda), for a
/// left-hand side many products share (a convolution's weights across its images).
int fs_bf16_sgemm_rounded_a(int hardware, int transpose_b, size_t m, size_t n, size_t k, const uint16_t *a, size_t lda,
                            const float *b, size_t ldb, int accumulate, float *c, size_t ldc);

/// Winograd F(2×2, 3×3) (3×3, stride 1, padding 1) in bf16 for tile rows [ty0, ty1) of one
/// image x (c × h × w, NCHW): the input transform in float, rounded to bf16 and packed; for each
/// of the 16 components the product with u (16 × o × c bf16, the components' transformed
/// weights, each o × c row-major) summed in float; the output transform, + bias (or nothing),
/// + residual (y's layout, or NULL), then ReLU when `relu` — into output rows 2·ty0 … 2·ty1 − 1 of
/// y (o × h × w). The same operations as the Swift driver (the same bits). Everything between
/// lives in a per-thread scratch of fs_bf16_winograd2_block_bytes(c, o, w, tiles) bytes, tiles =
/// (ty1 − ty0)·⌈w/2⌉. `hardware` as in fs_bf16_sgemm. Returns 0, or −1 when the scratch could
/// not be allocated (y is then untouched).
size_t fs_bf16_winograd2_block_bytes(size_t c, size_t o, size_t w, size_t tiles);
int fs_bf16_winograd2_block(int hardware, const float *x, size_t c, size_t h, size_t w, size_t ty0, size_t ty1,
                            const uint16_t *u, size_t o, const float *bias, const float *residual, int relu, float *y);

/// The weight gradient of the same convolution in bf16: for the components of Bᵀ's rows
/// [first_row, end_row) (components 4·first_row … 4·end_row − 1), du[ξ] (o × c) = Σ over every
/// tile of the n images of round(dM[ξ])·round(V[ξ])ᵀ — dM = A dY Aᵀ of dy (n × o × h × w), V = Bᵀ d B
/// of x (n × c × h × w) — summed in float, blocks of `rows_per_block` tile rows in order (images
/// in order, tile rows down each), a block's tiles in pairs as VDPBF16PS adds them. So the
/// bits depend on rows_per_block, not on how the component rows are split (callers run
/// disjoint row ranges on different threads). The other components are untouched. Scratch per
/// thread: fs_bf16_winograd2_weight_block_bytes(c, o, w, tiles of one block). Returns 0, or −1
/// when the scratch could not be allocated.
size_t fs_bf16_winograd2_weight_block_bytes(size_t c, size_t o, size_t w, size_t tiles);
int fs_bf16_winograd2_weight_gradient(int hardware, const float *x, const float *dy, size_t n, size_t c, size_t o,
                                      size_t h, size_t w, size_t rows_per_block, size_t first_row, size_t end_row, float *du);

/// The dense matrix of a stride-1 convolution on a map whose every output pixel sees every
/// input pixel (w: o × c × kk, the map's pp pixels; taps[q·pp + p] the kernel offset joining
/// input pixel q to output pixel p), rows [first_row, end_row), rounded to bf16: without
/// `transposed` D, (c·pp) × (o·pp), row (c, q) holding w[o, c, taps[q·pp + p]] at (o, p); with
/// it Dᵀ, (o·pp) × (c·pp). `vector` (AVX-512F) gathers 16 entries at a time: the same bits.
void fs_bf16_dense_taps(int vector, const float *w, size_t o, size_t c, size_t kk, size_t pp, const int32_t *taps,
                        int transposed, size_t first_row, size_t end_row, uint16_t *d);

#ifdef __cplusplus
}
#endif

#endif
