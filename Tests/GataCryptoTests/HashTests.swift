import GataCrypto
import Testing

@Suite struct HashTests {
    struct Vector: Decodable {
        let input: String
        let keccak256: String
        let sha256: String
    }

    @Test func keccakAndSHA256MatchEveryVector() throws {
        let vectors = try VectorFile.load("hashes.json", as: VectorList<Vector>.self).vectors
        #expect(vectors.count >= 100)
        #expect(vectors.contains { $0.input == "0x" }, "the empty input is covered")
        #expect(vectors.contains { ($0.input.count - 2) / 2 > 136 }, "inputs longer than one block are covered")
        for (index, vector) in vectors.enumerated() {
            let input = try #require(Hex.decode(vector.input))
            #expect(Keccak256.hash(input).description == vector.keccak256, "keccak vector \(index)")
            #expect(try SHA256.hash(input).description == vector.sha256, "sha256 vector \(index)")
        }
        VectorFile.report(vectors.count, "keccak256 and sha256")
    }

    @Test func incrementalKeccakEqualsOneShot() throws {
        let vectors = try VectorFile.load("hashes.json", as: VectorList<Vector>.self).vectors
        for vector in vectors {
            let input = try #require(Hex.decode(vector.input))
            for chunk in [1, 7, 135, 136, 137] {
                var hasher = Keccak256()
                var rest = input[...]
                while !rest.isEmpty {
                    hasher.update(rest.prefix(chunk))
                    rest = rest.dropFirst(chunk)
                }
                #expect(hasher.finalize().description == vector.keccak256)
            }
        }
    }

    @Test func keccakIsNotSHA3() throws {
        // SHA3-256("") differs from Keccak-256(""): the padding byte is 0x06, not 0x01.
        #expect(Keccak256.hash([]).description == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(Keccak256.hash([]).description != "0xa7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }

    /// Hex text of a hash: 64 digits in either case, with or without 0x; anything else is nil.
    @Test func hashesParseFromExactlySixtyFourHexDigits() {
        var state: UInt64 = 33
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }
        for _ in 0..<200 {
            let hash = Hash32(w0: next(), w1: next(), w2: next(), w3: next())
            let digits = String(hash.description.dropFirst(2))
            #expect(Hash32(hex: "0x" + digits) == hash && Hash32(hex: digits) == hash && Hash32(hex: "0X" + digits.uppercased()) == hash)
            #expect(Hash32(hex: Substring("0x" + digits)) == hash)
        }
        let digits = String(repeating: "ab", count: 32)
        let short = String(digits.dropLast())
        var bad: [String] = ["", "0x", "0x" + short, "0x" + digits + "0", "0x" + short + "g", "0x" + short + " "]
        bad += ["x0" + digits, "0x0x" + String(digits.dropFirst(2)), "+" + String(digits.dropFirst())]
        for bad in bad {
            #expect(Hash32(hex: bad) == nil, "\(bad)")
        }
    }
}
