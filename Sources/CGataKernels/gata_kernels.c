/* The CPU kernels of Specs/JOBS.md: gemm-i8 (also the matrix product inside mlp-i8) and the
 * ordered fp32 GEMM. Each has a blocked AVX2 variant, chosen at run time where the CPU has AVX2
 * (and FMA, for fp32), and a portable one. Every variant computes exactly the same bits:
 *
 * - int8: every product and every sum is exact in int32 (k ≤ 4096), so any order gives the same
 *   result. The AVX2 variant widens both operands to int16 and uses vpmaddwd, which multiplies
 *   pairs of int16 into exact int32 sums of two; vpmaddubsw is not used, since its unsigned×signed
 *   products saturate int16 for full-range inputs.
 * - fp32: each output element accumulates over t = 0 … k−1 in ascending order with one
 *   single-rounding fused multiply-add per step, from +0. The AVX2 variant keeps a block of
 *   outputs in registers (each lane is one element with its own chain, in the same order) and
 *   stores and reloads them between blocks of t, which is exact.
 *
 * The target is built with -ffp-contract=off, so the compiler fuses nothing but the explicit
 * fmaf calls and FMA intrinsics. */
#include "gata_kernels.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Blocking: 16 output columns per panel of B (two 8-lane registers); rows per register tile;
 * steps of t per block, sized so that one panel's block of B stays in the L1 cache. */
#define GATA_PANEL 16
#define GATA_I8_ROWS 6
#define GATA_I8_PAIRS_PER_BLOCK 128
#define GATA_F32_ROWS 6
#define GATA_F32_STEPS_PER_BLOCK 128

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }
static size_t panels_of(size_t n) { return (n + GATA_PANEL - 1) / GATA_PANEL; }

/* What the CPU offers, looked up once: 1 FMA and AVX2, 2 AVX2 alone, 0 neither. */
static int cpu_features(void) {
    static int cached = -1;
    int features = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (features >= 0) return features;
#if defined(__x86_64__)
    __builtin_cpu_init();
    const int avx2 = __builtin_cpu_supports("avx2") != 0, fma = __builtin_cpu_supports("fma") != 0;
    features = avx2 ? (fma ? 1 : 2) : 0;
#else
    features = 0;
#endif
    __atomic_store_n(&cached, features, __ATOMIC_RELAXED);
    return features;
}

int gata_kernels_hardware_fma(void) { return cpu_features() == 1; }

int gata_kernels_hardware_avx2(void) { return cpu_features() != 0; }

/* ---------------------------------------------------------------- fp32, ordered */

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

static void f32_rows_portable(const float *a, const float *b, float *c, size_t row_begin, size_t row_end, size_t n, size_t k) {
    GATA_ROWS_BODY
}

size_t gata_gemm_f32_packed_b_count(size_t n, size_t k) { return panels_of(n) * k * GATA_PANEL; }

void gata_gemm_f32_pack_b(const float *b, float *packed, size_t n, size_t k) {
    for (size_t p = 0; p < panels_of(n); p++) {
        size_t first = p * GATA_PANEL, width = min_size(GATA_PANEL, n - first);
        for (size_t t = 0; t < k; t++) {
            float *to = packed + (p * k + t) * GATA_PANEL;
            memcpy(to, b + t * n + first, width * sizeof(float));
            for (size_t col = width; col < GATA_PANEL; col++) to[col] = 0.0f;
        }
    }
}

#if defined(__x86_64__)
/* One tile: GATA_F32_ROWS rows × 16 columns of C at `out` (rows `stride` apart), over steps
 * [t0, t1). `a` is the tile's rows packed t-major (GATA_F32_ROWS floats per step, missing rows
 * zero). The accumulators start from +0 at t0 = 0 and from what `out` holds otherwise. */
__attribute__((target("avx2,fma")))
static void f32_tile(const float *a, const float *panel, float *out, size_t stride, size_t t0, size_t t1) {
    __m256 acc[GATA_F32_ROWS][2];
    for (int j = 0; j < GATA_F32_ROWS; j++) {
        acc[j][0] = t0 == 0 ? _mm256_setzero_ps() : _mm256_loadu_ps(out + j * stride);
        acc[j][1] = t0 == 0 ? _mm256_setzero_ps() : _mm256_loadu_ps(out + j * stride + 8);
    }
    for (size_t t = t0; t < t1; t++) {
        const __m256 b0 = _mm256_loadu_ps(panel + t * GATA_PANEL);
        const __m256 b1 = _mm256_loadu_ps(panel + t * GATA_PANEL + 8);
        const float *column = a + t * GATA_F32_ROWS;
        for (int j = 0; j < GATA_F32_ROWS; j++) {
            const __m256 scalar = _mm256_broadcast_ss(column + j);
            acc[j][0] = _mm256_fmadd_ps(scalar, b0, acc[j][0]);
            acc[j][1] = _mm256_fmadd_ps(scalar, b1, acc[j][1]);
        }
    }
    for (int j = 0; j < GATA_F32_ROWS; j++) {
        _mm256_storeu_ps(out + j * stride, acc[j][0]);
        _mm256_storeu_ps(out + j * stride + 8, acc[j][1]);
    }
}

__attribute__((target("avx2,fma")))
static int f32_rows_avx2(const float *a, const float *packed_b, float *c, size_t row_begin, size_t row_end, size_t n, size_t k) {
    const size_t rows = row_end - row_begin, tiles = (rows + GATA_F32_ROWS - 1) / GATA_F32_ROWS;
    /* The band's rows of A, tile by tile, t-major within a tile. */
    float *a_packed = calloc(tiles * k * GATA_F32_ROWS, sizeof(float));
    if (a_packed == NULL) return 0;
    for (size_t r = 0; r < rows; r++) {
        float *to = a_packed + (r / GATA_F32_ROWS) * k * GATA_F32_ROWS + r % GATA_F32_ROWS;
        const float *from = a + (row_begin + r) * k;
        for (size_t t = 0; t < k; t++) to[t * GATA_F32_ROWS] = from[t];
    }
    /* An edge tile (fewer rows or columns) works in `tile` and copies its part of C in and out. */
    float tile[GATA_F32_ROWS * GATA_PANEL];
    for (size_t t0 = 0; t0 < k; t0 += GATA_F32_STEPS_PER_BLOCK) {
        const size_t t1 = min_size(k, t0 + GATA_F32_STEPS_PER_BLOCK);
        for (size_t p = 0; p < panels_of(n); p++) {
            const size_t first = p * GATA_PANEL, width = min_size(GATA_PANEL, n - first);
            const float *panel = packed_b + p * k * GATA_PANEL;
            for (size_t i = 0; i < tiles; i++) {
                const size_t height = min_size(GATA_F32_ROWS, rows - i * GATA_F32_ROWS);
                float *out = c + (row_begin + i * GATA_F32_ROWS) * n + first;
                const float *a_tile = a_packed + i * k * GATA_F32_ROWS;
                if (height == GATA_F32_ROWS && width == GATA_PANEL) {
                    f32_tile(a_tile, panel, out, n, t0, t1);
                    continue;
                }
                memset(tile, 0, sizeof(tile));
                if (t0 > 0) for (size_t j = 0; j < height; j++) memcpy(tile + j * GATA_PANEL, out + j * n, width * sizeof(float));
                f32_tile(a_tile, panel, tile, GATA_PANEL, t0, t1);
                for (size_t j = 0; j < height; j++) memcpy(out + j * n, tile + j * GATA_PANEL, width * sizeof(float));
            }
        }
    }
    free(a_packed);
    return 1;
}
#endif

void gata_gemm_f32_ordered_rows_packed(const float *a, const float *b, const float *packed_b, float *c,
                                       size_t row_begin, size_t row_end, size_t n, size_t k) {
#if defined(__x86_64__)
    if (packed_b != NULL && row_begin < row_end && k > 0 && gata_kernels_hardware_fma()
        && f32_rows_avx2(a, packed_b, c, row_begin, row_end, n, k)) return;
#endif
    f32_rows_portable(a, b, c, row_begin, row_end, n, k);
}

void gata_gemm_f32_ordered_rows_variant(const float *a, const float *b, float *c,
                                        size_t row_begin, size_t row_end, size_t n, size_t k, int hardware) {
    float *packed = NULL;
    if (hardware && gata_kernels_hardware_fma()) {
        packed = malloc(gata_gemm_f32_packed_b_count(n, k) * sizeof(float) + 1);
        if (packed != NULL) gata_gemm_f32_pack_b(b, packed, n, k);
    }
    gata_gemm_f32_ordered_rows_packed(a, b, packed, c, row_begin, row_end, n, k);
    free(packed);
}

/* ---------------------------------------------------------------- int8 */

static void i8_rows_portable(const int8_t *a, const int8_t *b, const int32_t *bias, int32_t *c,
                             size_t row_begin, size_t row_end, size_t n, size_t k) {
    for (size_t r = row_begin; r < row_end; r++) {
        int32_t *out = c + r * n;
        for (size_t col = 0; col < n; col++) out[col] = bias != NULL ? bias[col] : 0;
        for (size_t t = 0; t < k; t++) {
            const int32_t scalar = a[r * k + t];
            const int8_t *row = b + t * n;
            for (size_t col = 0; col < n; col++) out[col] += scalar * (int32_t)row[col];
        }
    }
}

/* Packed B: per panel of 16 columns, per pair of rows (2q, 2q+1) of B, 16 int32 words, each the
 * two values of one column as int16, the even row in the low half; a missing row or column is 0. */
size_t gata_gemm_i8_packed_b_count(size_t n, size_t k) { return panels_of(n) * ((k + 1) / 2) * GATA_PANEL * 2; }

void gata_gemm_i8_pack_b(const int8_t *b, int16_t *packed, size_t n, size_t k) {
    const size_t pairs = (k + 1) / 2;
    for (size_t p = 0; p < panels_of(n); p++) {
        for (size_t q = 0; q < pairs; q++) {
            int16_t *to = packed + (p * pairs + q) * GATA_PANEL * 2;
            for (size_t col = 0; col < GATA_PANEL; col++) {
                const size_t column = p * GATA_PANEL + col;
                const int in = column < n;
                to[2 * col] = in ? b[2 * q * n + column] : 0;
                to[2 * col + 1] = in && 2 * q + 1 < k ? b[(2 * q + 1) * n + column] : 0;
            }
        }
    }
}

#if defined(__x86_64__)
/* One tile: GATA_I8_ROWS rows × 16 columns of C at `out` (rows `stride` apart) over pairs
 * [q0, q1). `a` is the tile's rows packed pair-major (one int32 word of two int16 per row and
 * pair). The accumulators start from `start` (16 values: the bias or zeros) at q0 = 0 and from
 * what `out` holds otherwise. */
__attribute__((target("avx2")))
static void i8_tile(const int32_t *a, const int16_t *panel, const int32_t *start, int32_t *out, size_t stride, size_t q0, size_t q1) {
    __m256i acc[GATA_I8_ROWS][2];
    for (int j = 0; j < GATA_I8_ROWS; j++) {
        const int32_t *from = q0 == 0 ? start : out + j * stride;
        acc[j][0] = _mm256_loadu_si256((const __m256i *)from);
        acc[j][1] = _mm256_loadu_si256((const __m256i *)(from + 8));
    }
    for (size_t q = q0; q < q1; q++) {
        const __m256i b0 = _mm256_loadu_si256((const __m256i *)(panel + q * GATA_PANEL * 2));
        const __m256i b1 = _mm256_loadu_si256((const __m256i *)(panel + q * GATA_PANEL * 2 + 16));
        const int32_t *pair = a + q * GATA_I8_ROWS;
        for (int j = 0; j < GATA_I8_ROWS; j++) {
            const __m256i scalar = _mm256_set1_epi32(pair[j]);
            acc[j][0] = _mm256_add_epi32(acc[j][0], _mm256_madd_epi16(scalar, b0));
            acc[j][1] = _mm256_add_epi32(acc[j][1], _mm256_madd_epi16(scalar, b1));
        }
    }
    for (int j = 0; j < GATA_I8_ROWS; j++) {
        _mm256_storeu_si256((__m256i *)(out + j * stride), acc[j][0]);
        _mm256_storeu_si256((__m256i *)(out + j * stride + 8), acc[j][1]);
    }
}

__attribute__((target("avx2")))
static int i8_rows_avx2(const int8_t *a, const int16_t *packed_b, const int32_t *bias, int32_t *c,
                        size_t row_begin, size_t row_end, size_t n, size_t k) {
    const size_t rows = row_end - row_begin, tiles = (rows + GATA_I8_ROWS - 1) / GATA_I8_ROWS, pairs = (k + 1) / 2;
    int32_t *a_packed = calloc(tiles * pairs * GATA_I8_ROWS, sizeof(int32_t));
    if (a_packed == NULL) return 0;
    for (size_t r = 0; r < rows; r++) {
        int32_t *to = a_packed + (r / GATA_I8_ROWS) * pairs * GATA_I8_ROWS + r % GATA_I8_ROWS;
        const int8_t *from = a + (row_begin + r) * k;
        for (size_t q = 0; q < pairs; q++) {
            const uint16_t low = (uint16_t)(int16_t)from[2 * q];
            const uint16_t high = 2 * q + 1 < k ? (uint16_t)(int16_t)from[2 * q + 1] : 0;
            to[q * GATA_I8_ROWS] = (int32_t)((uint32_t)low | (uint32_t)high << 16);
        }
    }
    /* An edge tile (fewer rows or columns) works in `tile` and copies its part of C in and out. */
    int32_t tile[GATA_I8_ROWS * GATA_PANEL], start[GATA_PANEL];
    for (size_t q0 = 0; q0 < pairs; q0 += GATA_I8_PAIRS_PER_BLOCK) {
        const size_t q1 = min_size(pairs, q0 + GATA_I8_PAIRS_PER_BLOCK);
        for (size_t p = 0; p < panels_of(n); p++) {
            const size_t first = p * GATA_PANEL, width = min_size(GATA_PANEL, n - first);
            const int16_t *panel = packed_b + p * pairs * GATA_PANEL * 2;
            for (size_t col = 0; col < GATA_PANEL; col++) start[col] = bias != NULL && col < width ? bias[first + col] : 0;
            for (size_t i = 0; i < tiles; i++) {
                const size_t height = min_size(GATA_I8_ROWS, rows - i * GATA_I8_ROWS);
                int32_t *out = c + (row_begin + i * GATA_I8_ROWS) * n + first;
                const int32_t *a_tile = a_packed + i * pairs * GATA_I8_ROWS;
                if (height == GATA_I8_ROWS && width == GATA_PANEL) {
                    i8_tile(a_tile, panel, start, out, n, q0, q1);
                    continue;
                }
                memset(tile, 0, sizeof(tile));
                if (q0 > 0) for (size_t j = 0; j < height; j++) memcpy(tile + j * GATA_PANEL, out + j * n, width * sizeof(int32_t));
                i8_tile(a_tile, panel, start, tile, GATA_PANEL, q0, q1);
                for (size_t j = 0; j < height; j++) memcpy(out + j * n, tile + j * GATA_PANEL, width * sizeof(int32_t));
            }
        }
    }
    free(a_packed);
    return 1;
}
#endif

void gata_gemm_i8_rows_packed(const int8_t *a, const int8_t *b, const int16_t *packed_b, const int32_t *bias, int32_t *c,
                              size_t row_begin, size_t row_end, size_t n, size_t k) {
#if defined(__x86_64__)
    if (packed_b != NULL && row_begin < row_end && k > 0 && gata_kernels_hardware_avx2()
        && i8_rows_avx2(a, packed_b, bias, c, row_begin, row_end, n, k)) return;
#endif
    i8_rows_portable(a, b, bias, c, row_begin, row_end, n, k);
}

void gata_gemm_i8_rows_variant(const int8_t *a, const int8_t *b, const int32_t *bias, int32_t *c,
                               size_t row_begin, size_t row_end, size_t n, size_t k, int hardware) {
    int16_t *packed = NULL;
    if (hardware && gata_kernels_hardware_avx2()) {
        packed = malloc(gata_gemm_i8_packed_b_count(n, k) * sizeof(int16_t) + 1);
        if (packed != NULL) gata_gemm_i8_pack_b(b, packed, n, k);
    }
    gata_gemm_i8_rows_packed(a, b, packed, bias, c, row_begin, row_end, n, k);
    free(packed);
}

/* ---------------------------------------------------------------- peaks */

#if defined(__x86_64__)
__attribute__((target("avx2")))
static int32_t i8_peak_avx2(size_t iterations) {
    __m256i acc[8];
    __m256i x0 = _mm256_set1_epi32(0x00030002), x1 = _mm256_set1_epi32(0x00070006), x2 = _mm256_set1_epi32(0x000B000A),
            x3 = _mm256_set1_epi32(0x000F000E), y0 = _mm256_set1_epi32(0x00050004), y1 = _mm256_set1_epi32(0x00090008);
    for (int j = 0; j < 8; j++) acc[j] = _mm256_set1_epi32(j);
    for (size_t i = 0; i < iterations; i++) {
        /* Eight different products, which the compiler may neither merge nor hoist. */
        __asm__ volatile("" : "+x"(x0), "+x"(x1), "+x"(x2), "+x"(x3));
        acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(x0, y0));
        acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(x1, y0));
        acc[2] = _mm256_add_epi32(acc[2], _mm256_madd_epi16(x2, y0));
        acc[3] = _mm256_add_epi32(acc[3], _mm256_madd_epi16(x3, y0));
        acc[4] = _mm256_add_epi32(acc[4], _mm256_madd_epi16(x0, y1));
        acc[5] = _mm256_add_epi32(acc[5], _mm256_madd_epi16(x1, y1));
        acc[6] = _mm256_add_epi32(acc[6], _mm256_madd_epi16(x2, y1));
        acc[7] = _mm256_add_epi32(acc[7], _mm256_madd_epi16(x3, y1));
    }
    __m256i sum = acc[0];
    for (int j = 1; j < 8; j++) sum = _mm256_add_epi32(sum, acc[j]);
    return _mm256_extract_epi32(sum, 0);
}

__attribute__((target("avx2,fma")))
static float f32_peak_fma(size_t iterations) {
    __m256 acc[12], x = _mm256_set1_ps(1.0f), y = _mm256_set1_ps(0x1p-30f);
    for (int j = 0; j < 12; j++) acc[j] = _mm256_set1_ps((float)j);
    for (size_t i = 0; i < iterations; i++) {
        __asm__ volatile("" : "+x"(x), "+x"(y));  /* the operands are not constants to fold */
        for (int j = 0; j < 12; j++) acc[j] = _mm256_fmadd_ps(x, y, acc[j]);
    }
    __m256 sum = acc[0];
    for (int j = 1; j < 12; j++) sum = _mm256_add_ps(sum, acc[j]);
    return _mm256_cvtss_f32(sum);
}
#endif

double gata_kernels_i8_peak_loop(size_t iterations) {
#if defined(__x86_64__)
    if (gata_kernels_hardware_avx2()) return (double)i8_peak_avx2(iterations);
#endif
    return 0;
}

double gata_kernels_f32_peak_loop(size_t iterations) {
#if defined(__x86_64__)
    if (gata_kernels_hardware_fma()) return (double)f32_peak_fma(iterations);
#endif
    return 0;
}
