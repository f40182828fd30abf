/// An integer of up to 256 bits with a sign, parsed from text and written as a 32-byte
/// two's-complement word. Used for the EIP-712 `uintN` and `intN` types.
public struct Word256: Hashable, Sendable {
    /// Little-endian 64-bit limbs of the magnitude.
    var limbs: [UInt64]
    /// Whether the value is below zero. Zero is never negative.
    public private(set) var isNegative: Bool

    /// Why text is not an integer of 256 bits.
    public enum ParseError: Error, Hashable, Sendable {
        case notAnInteger(String)
        case tooLarge(String)
    }

    /// A non-negative value.
    public init<T: UnsignedInteger & FixedWidthInteger>(_ value: T) {
        precondition(T.bitWidth <= 256)
        var limbs: [UInt64] = [0, 0, 0, 0]
        var rest = value
        for index in 0..<4 where rest != 0 {
            limbs[index] = UInt64(truncatingIfNeeded: rest)
            rest = T.bitWidth > 64 ? rest >> 64 : 0
        }
        self.limbs = limbs
        self.isNegative = false
    }

    /// Parses decimal text, or hex text after `0x`, either with an optional leading `-`.
    ///
    /// - Throws: ``ParseError`` when the text is not an integer or its magnitude needs more than 256 bits.
    public init(parsing text: String) throws(ParseError) {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        var radix: UInt64 = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            radix = 16
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty else { throw .notAnInteger(text) }
        var limbs: [UInt64] = [0, 0, 0, 0]
        for character in digits.utf8 {
            guard let digit = Hex.nibbleValue(character), UInt64(digit) < radix else {
                throw .notAnInteger(text)
            }
            var carry = UInt64(digit)
            for index in 0..<4 {
                let product = limbs[index].multipliedFullWidth(by: radix)
                let (low, overflow) = product.low.addingReportingOverflow(carry)
                limbs[index] = low
                carry = product.high + (overflow ? 1 : 0)
            }
            guard carry == 0 else { throw .tooLarge(text) }
        }
        self.limbs = limbs
        self.isNegative = negative && limbs.contains { $0 != 0 }
    }

    /// The number of bits needed for the magnitude.
    var magnitudeBitLength: Int {
        for index in stride(from: 3, through: 0, by: -1) where limbs[index] != 0 {
            return index * 64 + (64 - limbs[index].leadingZeroBitCount)
        }
        return 0
    }

    /// Whether the value fits `uint<bits>` (when `signed` is false) or `int<bits>`.
    public func fits(bits: Int, signed: Bool) -> Bool {
        if !signed { return !isNegative && magnitudeBitLength <= bits }
        if !isNegative { return magnitudeBitLength <= bits - 1 }
        // A negative value fits when its magnitude is at most 2^(bits-1): (magnitude - 1) < 2^(bits-1).
        var lowered = self
        lowered.isNegative = false
        var borrow = true
        for index in 0..<4 where borrow {
            (lowered.limbs[index], borrow) = lowered.limbs[index].subtractingReportingOverflow(1)
        }
        return lowered.magnitudeBitLength <= bits - 1
    }

    /// The 32-byte big-endian two's-complement encoding.
    public var word: [UInt8] {
        var encoded = limbs
        if isNegative {
            var carry = true
            for index in 0..<4 {
                encoded[index] = ~encoded[index]
                if carry { (encoded[index], carry) = encoded[index].addingReportingOverflow(1) }
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for limb in encoded.reversed() {
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: limb >> UInt64(shift)))
            }
        }
        return out
    }
}
