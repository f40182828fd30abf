/* An independent implementation of gemm-f32-ordered (Specs/JOBS.md) with C's fmaf.
 *
 *   fmaf_reference M N K SEED_HEX [descending]
 *
 * Writes C = A·B as little-endian fp32 bytes to standard output. Every C[r][c] accumulates over
 * t = 0 … K−1 in that order with fmaf, from +0 (or t = K−1 … 0 with "descending", a deliberately
 * reordered sum). Build with -ffp-contract=off so the compiler adds no fusions of its own. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t word(uint64_t key, uint64_t stream, uint64_t index) {
    uint64_t z = key + 0x9E3779B97F4A7C15ULL * ((stream << 40) + index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static float input(uint64_t key, uint64_t stream, uint64_t index) {
    return (float)(word(key, stream, index) >> 40) * 0x1p-23f - 1.0f;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: fmaf_reference M N K SEED_HEX [descending]\n"); return 2; }
    long m = atol(argv[1]), n = atol(argv[2]), k = atol(argv[3]);
    const char *hex = argv[4];
    if (strncmp(hex, "0x", 2) == 0) hex += 2;
    if (strlen(hex) != 64) { fprintf(stderr, "the seed is 64 hex digits\n"); return 2; }
    uint64_t key = 0;
    for (int w = 0; w < 4; w++) {
        char part[17];
        memcpy(part, hex + 16 * w, 16);
        part[16] = 0;
        key ^= strtoull(part, NULL, 16);
    }
    int descending = argc > 5 && strcmp(argv[5], "descending") == 0;
    for (long r = 0; r < m; r++) {
        for (long c = 0; c < n; c++) {
            float acc = 0.0f;
            for (long i = 0; i < k; i++) {
                long t = descending ? k - 1 - i : i;
                acc = fmaf(input(key, 1, (uint64_t)(r * k + t)), input(key, 2, (uint64_t)(t * n + c)), acc);
            }
            uint32_t bits;
            memcpy(&bits, &acc, 4);
            unsigned char out[4] = {bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, bits >> 24};
            fwrite(out, 1, 4, stdout);
        }
    }
    return 0;
}
