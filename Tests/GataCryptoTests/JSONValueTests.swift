import Foundation
import GataCrypto
import Testing

/// The strict JSON reader and the exact writer.
@Suite struct JSONValueTests {
    /// Numbers keep their token; text written back is the text read (compact, sorted members).
    @Test(arguments: [
        "1180591620717411303424", "-0", "1.5", "1e3", "1000.0", "-12.5E-7", "0",
        #"{"a":[1,2.0,"x"],"b":null,"c":true}"#, #""a\"b\\c\nd\u0001""#, #"[]"#, #"{}"#, #""é∑😀""#,
    ])
    func textRoundTripsExactly(text: String) throws {
        let value = try JSONValue.parse(Data(text.utf8))
        #expect(String(decoding: value.exactBytes, as: UTF8.self) == text)
    }

    @Test func numbersAreHeldAsWritten() throws {
        #expect(try JSONValue.parse(Data("[1000.0, 1000, 1e3]".utf8)) == .array([.number("1000.0"), .number("1000"), .number("1e3")]))
        #expect(try JSONValue.parse(Data(#"" \/ \ud83d\ude00 ""#.utf8)) == .string(" / 😀 "))
    }

    @Test(arguments: [
        "", "01", "1.", ".5", "+1", "1e", "-", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{\"a\":1,\"a\":2}", "tru", "nul",
        "\"abc", "\"a\u{01}b\"", #""\x""#, #""\ud800""#, #""\udc00""#, #""\u12""#, "[1] x", "NaN", "Infinity", "'a'",
        String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
    ])
    func malformedTextIsRefused(text: String) {
        #expect(throws: (any Error).self, "\(text.prefix(20))") { try JSONValue.parse(Data(text.utf8)) }
    }

    @Test func bytesThatAreNotUTF8AreRefused() {
        #expect(throws: (any Error).self) { try JSONValue.parse(bytes: [0x22, 0xFF, 0x22]) }
    }
}
