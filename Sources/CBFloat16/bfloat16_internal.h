// What the C files of this target share and do not export.
#ifndef FASHION_BFLOAT16_INTERNAL_H
#define FASHION_BFLOAT16_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/// fs_bf16_pack_b_f32 (or, with `transposed`, fs_bf16_pack_bt_f32), whole 16-column blocks by
/// AVX-512 code when `vector` is set (the CPU has AVX512_BF16): the same bits either way.
void fs_bf16_pack_b_any(const float *b, size_t ldb, int transposed, size_t k, size_t n, uint16_t *packed, int vector);

#endif
