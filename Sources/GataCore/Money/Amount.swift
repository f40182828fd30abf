/// An amount of GATA in base units: 10^18 base units make one GATA.
///
/// All arithmetic is checked: operations that could overflow or go below zero return `nil`,
/// and the caller must decide what that means. There is no unchecked `+` or `-`.
public struct Amount: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number of base units.
    public let baseUnits: UInt128

    /// Decimal places of one GATA.
    public static let decimals = 18
    /// Base units in one GATA.
    public static let baseUnitsPerToken: UInt128 = 1_000_000_000_000_000_000
    public static let zero = Amount(baseUnits: 0)

    public init(baseUnits: UInt128) {
        self.baseUnits = baseUnits
    }

    /// `self + other`, or nil on overflow.
    public func adding(_ other: Amount) -> Amount? {
        let (sum, overflow) = baseUnits.addingReportingOverflow(other.baseUnits)
        return overflow ? nil : Amount(baseUnits: sum)
    }

    /// `self - other`, or nil if `other` is larger.
    public func subtracting(_ other: Amount) -> Amount? {
        other.baseUnits <= baseUnits ? Amount(baseUnits: baseUnits - other.baseUnits) : nil
    }

    /// ⌊self · numerator / denominator⌋ computed without intermediate overflow, or nil if the
    /// result does not fit or the denominator is zero.
    public func multipliedFloor(by numerator: UInt128, dividedBy denominator: UInt128) -> Amount? {
        guard denominator != 0 else { return nil }
        let product = baseUnits.multipliedFullWidth(by: numerator)
        guard product.high < denominator else { return nil }
        return Amount(baseUnits: denominator.dividingFullWidth(product).quotient)
    }

    public static func < (lhs: Amount, rhs: Amount) -> Bool { lhs.baseUnits < rhs.baseUnits }

    /// The amount in GATA with up to 18 decimals and no trailing zeros, e.g. `1.5`.
    public var description: String {
        let whole = baseUnits / Self.baseUnitsPerToken
        let fraction = baseUnits % Self.baseUnitsPerToken
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: Self.decimals - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    /// Why text is not an amount.
    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        case notANumber(String)
        case tooManyDecimals(String)
        case tooLarge(String)
        public var description: String {
            switch self {
            case .notANumber(let text): "\"\(text)\" is not an amount: write digits with an optional decimal point, like 1.5"
            case .tooManyDecimals(let text): "\"\(text)\" has more than 18 decimal places"
            case .tooLarge(let text): "\"\(text)\" is too large for an amount"
            }
        }
    }

    /// Parses GATA written in decimal, such as `1.5` or `1000`, exactly: `1.5` is
    /// 1 500 000 000 000 000 000 base units. No sign, exponent or separators are accepted.
    public init(parsingTokens text: String) throws(ParseError) {
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count <= 2, let wholeText = parts.first, !wholeText.isEmpty,
              wholeText.allSatisfy(\.isASCIIDigit)
        else { throw .notANumber(text) }
        var fractionText = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fractionText.isEmpty, fractionText.allSatisfy(\.isASCIIDigit) else {
            throw .notANumber(text)
        }
        guard fractionText.count <= Self.decimals else { throw .tooManyDecimals(text) }
        fractionText += String(repeating: "0", count: Self.decimals - fractionText.count)
        guard let whole = UInt128(wholeText), let fraction = UInt128(fractionText) else { throw .tooLarge(text) }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: Self.baseUnitsPerToken)
        guard !overflow, let total = Amount(baseUnits: scaled).adding(Amount(baseUnits: fraction)) else {
            throw .tooLarge(text)
        }
        self = total
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
