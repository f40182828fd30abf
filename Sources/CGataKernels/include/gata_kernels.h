#ifndef GATA_KERNELS_H
#define GATA_KERNELS_H

#include <stddef.h>

/* Rows [row_begin, row_end) of C = A·B for gemm-f32-ordered (Specs/JOBS.md): every C[r][c]
 * accumulates over t = 0 … k−1 in ascending order with one fused multiply-add per step, from +0.
 * A is m×k, B is k×n, C is m×n, all row-major. C's rows in the range are overwritten. */
void gata_gemm_f32_ordered_rows(const float *a, const float *b, float *c,
                                size_t row_begin, size_t row_end, size_t n, size_t k);

/* The same with the variant chosen by the caller: hardware FMA (1, ignored where the CPU lacks
 * it) or the portable fmaf (0). For tests that compare the two. */
void gata_gemm_f32_ordered_rows_variant(const float *a, const float *b, float *c,
                                        size_t row_begin, size_t row_end, size_t n, size_t k, int hardware);

/* 1 when the fused-multiply-add instructions are used, 0 when the portable fmaf is. */
int gata_kernels_hardware_fma(void);

#endif
