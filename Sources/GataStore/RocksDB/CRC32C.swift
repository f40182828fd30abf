import CRocksDB

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum every stored value carries.
/// With the CPU's CRC32 instruction where it has one (x86-64 with SSE 4.2), else by table.
enum CRC32C {
    static let hardware = gata_crc32c_hardware() != 0

    /// The checksum of `key ‖ value`.
    static func checksum(_ key: [UInt8], _ value: [UInt8]) -> UInt32 {
        guard hardware else { return checksum(key, value, byTable: ()) }
        var crc: UInt32 = 0xFFFF_FFFF
        key.withUnsafeBufferPointer { crc = gata_crc32c_update(crc, $0.baseAddress, $0.count) }
        value.withUnsafeBufferPointer { crc = gata_crc32c_update(crc, $0.baseAddress, $0.count) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The checksum of `key ‖ value` by table, whatever the CPU: what the instruction must agree with.
    static func checksum(_ key: [UInt8], _ value: [UInt8], byTable: Void) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in key { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        for byte in value { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }
}

/// Stored values are `value ‖ u32 crc32c(key ‖ value)`, so a damaged value, or a value under the
/// wrong key, is caught when read (Specs/LEDGER.md §Storage).
enum CheckedValue {
    static func seal(key: [UInt8], value: [UInt8]) -> [UInt8] {
        value + checksumBytes(CRC32C.checksum(key, value))
    }

    /// The four bytes stored after a value: its checksum, big-endian.
    static func checksumBytes(_ crc: UInt32) -> [UInt8] {
        [UInt8(crc >> 24), UInt8(truncatingIfNeeded: crc >> 16), UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc)]
    }

    /// The value without its checksum, or nil if the checksum does not match.
    static func open(key: [UInt8], stored: [UInt8]) -> [UInt8]? {
        guard stored.count >= 4 else { return nil }
        let value = Array(stored.dropLast(4))
        let tail = stored.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return CRC32C.checksum(key, value) == tail ? value : nil
    }
}
