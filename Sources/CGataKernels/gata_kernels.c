/* The fp32 ordered GEMM of Specs/JOBS.md, with a variant for CPUs that have FMA and AVX2 chosen
 * at run time, and a portable one using fmaf. Both compute exactly the same bits: fmaf is a
 * single-rounding fused multiply-add either way. The target is built with -ffp-contract=off, so
 * the compiler fuses nothing but these explicit fmaf calls. */
#include "gata_kernels.h"

#include <math.h>

#define GATA_ROWS_BODY                                                      \
    for (size_t r = row_begin; r < row_end; r++) {                          \
        float *out = c + r * n;                                             \
        for (size_t col = 0; col < n; col++) out[col] = 0.0f;               \
        for (size_t t = 0; t < k; t++) {                                    \
            const float scalar = a[r * k + t];                              \
            const float *row = b + t * n;                                   \
            for (size_t col = 0; col < n; col++) out[col] = fmaf(scalar, row[col], out[col]); \
        }                                                                   \
    }

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void rows_fma(const float *a, const float *b, float *c, size_t row_begin, size_t row_end, size_t n, size_t k) {
    GATA_ROWS_BODY
}
#endif

static void rows_portable(const float *a, const float *b, float *c, size_t row_begin, size_t row_end, size_t n, size_t k) {
    GATA_ROWS_BODY
}

int gata_kernels_hardware_fma(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

void gata_gemm_f32_ordered_rows(const float *a, const float *b, float *c,
                                size_t row_begin, size_t row_end, size_t n, size_t k) {
    static int hardware = -1;
    if (hardware < 0) hardware = gata_kernels_hardware_fma();
    gata_gemm_f32_ordered_rows_variant(a, b, c, row_begin, row_end, n, k, hardware);
}

void gata_gemm_f32_ordered_rows_variant(const float *a, const float *b, float *c,
                                        size_t row_begin, size_t row_end, size_t n, size_t k, int hardware) {
#if defined(__x86_64__)
    if (hardware && gata_kernels_hardware_fma()) {
        rows_fma(a, b, c, row_begin, row_end, n, k);
        return;
    }
#endif
    rows_portable(a, b, c, row_begin, row_end, n, k);
}
