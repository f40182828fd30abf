#ifndef GATA_KERNELS_H
#define GATA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* All matrices are row-major: A is m×k, B is k×n, C is m×n. Each function writes rows
 * [row_begin, row_end) of C and nothing else, so bands of rows can run on several threads.
 * B is packed once (a layout of these functions' own) and shared by every band; a NULL packed B,
 * or a CPU without the instructions, takes the portable loop, which gives the same bits. */

/* 1 when the fp32 kernel uses FMA/AVX2 instructions, 0 when it uses the portable fmaf. */
int gata_kernels_hardware_fma(void);

/* 1 when the int8 kernel uses AVX2, 0 when it uses the portable loop. */
int gata_kernels_hardware_avx2(void);

/* gemm-f32-ordered (Specs/JOBS.md): every C[r][c] accumulates over t = 0 … k−1 in ascending
 * order with one fused multiply-add per step, from +0. */
size_t gata_gemm_f32_packed_b_count(size_t n, size_t k);
void gata_gemm_f32_pack_b(const float *b, float *packed, size_t n, size_t k);
void gata_gemm_f32_ordered_rows_packed(const float *a, const float *b, const float *packed_b, float *c,
                                       size_t row_begin, size_t row_end, size_t n, size_t k);

/* The same with the variant chosen by the caller: hardware (1, ignored where the CPU lacks it)
 * or portable (0), packing B itself. For tests that compare the two. */
void gata_gemm_f32_ordered_rows_variant(const float *a, const float *b, float *c,
                                        size_t row_begin, size_t row_end, size_t n, size_t k, int hardware);

/* C = bias + A·B in int32, exact (k ≤ 4096); bias has n values, or is NULL for none. */
size_t gata_gemm_i8_packed_b_count(size_t n, size_t k);
void gata_gemm_i8_pack_b(const int8_t *b, int16_t *packed, size_t n, size_t k);
void gata_gemm_i8_rows_packed(const int8_t *a, const int8_t *b, const int16_t *packed_b, const int32_t *bias, int32_t *c,
                              size_t row_begin, size_t row_end, size_t n, size_t k);

/* The same with the variant chosen by the caller, as for fp32. */
void gata_gemm_i8_rows_variant(const int8_t *a, const int8_t *b, const int32_t *bias, int32_t *c,
                               size_t row_begin, size_t row_end, size_t n, size_t k, int hardware);

/* The instructions' own peak, for benchmarks: `iterations` rounds of 8 independent
 * vpmaddwd + vpaddd (256 integer operations a round: 128 multiplies and 128 additions), or of 12
 * independent 8-lane FMAs (192 floating-point operations a round), in registers. The result is
 * only there so that nothing is optimised away; 0 where the instructions are missing. */
double gata_kernels_i8_peak_loop(size_t iterations);
double gata_kernels_f32_peak_loop(size_t iterations);

#endif
