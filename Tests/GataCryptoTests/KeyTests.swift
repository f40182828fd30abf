import GataCrypto
import Testing

@Suite struct KeyTests {
    struct Vector: Decodable {
        let privateKey: String
        let publicKey: String
        let address: String
        let checksummed: String
    }

    @Test func everyKeyHasItsPublicKeyAddressAndChecksum() throws {
        let vectors = try VectorFile.load("keys.json", as: VectorList<Vector>.self).vectors
        #expect(vectors.count >= 100)
        for (index, vector) in vectors.enumerated() {
            let key = try PrivateKey(rawBytes: try #require(Hex.decode(vector.privateKey)))
            #expect(Hex.encodePrefixed(key.publicKey.coordinates) == vector.publicKey, "key \(index)")
            #expect(key.address.lowercaseHex == vector.address, "key \(index)")
            #expect(key.address.checksummed == vector.checksummed, "key \(index)")
            #expect(try Address(parsing: vector.checksummed) == key.address)
            #expect(try Address(parsing: vector.address) == key.address, "all-lowercase is accepted")
        }
        VectorFile.report(vectors.count, "keys, addresses and EIP-55 forms")
    }

    @Test func aWrongChecksumIsRejected() throws {
        let vectors = try VectorFile.load("keys.json", as: VectorList<Vector>.self).vectors
        var rejected = 0
        for vector in vectors {
            // Flip the case of the first letter: a one-character change the checksum must catch.
            var characters = Array(vector.checksummed)
            guard let position = characters.indices.dropFirst(2).first(where: { characters[$0].isLetter }) else { continue }
            let flipped = characters[position].isUppercase
                ? characters[position].lowercased() : characters[position].uppercased()
            characters[position] = Character(flipped)
            let tampered = String(characters)
            guard tampered.dropFirst(2).contains(where: \.isUppercase), tampered.dropFirst(2).contains(where: \.isLowercase) else { continue }
            #expect(throws: Address.ParseError.self) { try Address(parsing: tampered) }
            rejected += 1
        }
        #expect(rejected > 90)
    }

    @Test func malformedAddressesAreRejectedWithTheirReason() {
        #expect(throws: Address.ParseError.notHex("1234")) { try Address(parsing: "1234") }
        #expect(throws: Address.ParseError.notHex("0xzz")) { try Address(parsing: "0xzz") }
        #expect(throws: Address.ParseError.wrongLength(2)) { try Address(parsing: "0xabcd") }
    }

    @Test func invalidPrivateKeysAreRejected() {
        #expect(throws: PrivateKey.Invalid.wrongLength(31)) { try PrivateKey(rawBytes: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: PrivateKey.Invalid.outOfRange) { try PrivateKey(rawBytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: PrivateKey.Invalid.outOfRange) { try PrivateKey(rawBytes: [UInt8](repeating: 0xff, count: 32)) }
    }
}
