#include <rocksdb/c.h>
#include <stddef.h>
#include <stdint.h>

/* CRC-32C (Castagnoli) with the SSE 4.2 instruction, eight bytes a step: the checksum every
   stored value carries (Specs/LEDGER.md §Storage). `crc` is the running register, already
   inverted; the caller inverts before and after. Only where the CPU has the instruction
   (gata_crc32c_hardware); elsewhere the table in Swift computes the same. */
#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static inline uint32_t gata_crc32c_update(uint32_t crc, const uint8_t *bytes, size_t count) {
    uint64_t wide = crc;
    while (count >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, bytes, 8);
        wide = __builtin_ia32_crc32di(wide, word);
        bytes += 8;
        count -= 8;
    }
    uint32_t narrow = (uint32_t)wide;
    while (count > 0) {
        narrow = __builtin_ia32_crc32qi(narrow, *bytes);
        bytes += 1;
        count -= 1;
    }
    return narrow;
}

static inline int gata_crc32c_hardware(void) { return __builtin_cpu_supports("sse4.2"); }
#else
static inline uint32_t gata_crc32c_update(uint32_t crc, const uint8_t *bytes, size_t count) { (void)bytes; (void)count; return crc; }
static inline int gata_crc32c_hardware(void) { return 0; }
#endif
