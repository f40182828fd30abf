import Foundation
import GataCrypto
import Testing

@Suite struct KeystoreTests {
    struct DecryptVector: Decodable {
        let keystore: KeystoreFile
        let password: String
        let privateKey: String
        let address: String
    }

    struct EncryptVector: Decodable {
        let privateKey: String
        let password: String
        let salt: String
        let iv: String
        let kdf: String
        let n: UInt64?
        let c: UInt64?
        let ciphertext: String
        let mac: String
        let keystore: KeystoreFile
    }

    struct Vectors: Decodable {
        let decrypt: [DecryptVector]
        let encrypt: [EncryptVector]
    }

    @Test func keystoresMadeByEthAccountDecrypt() throws {
        let vectors = try VectorFile.load("keystores.json", as: Vectors.self).decrypt
        #expect(vectors.contains { $0.keystore.crypto.kdfparams.n == 1 << 18 }, "eth-account's default scrypt is covered")
        #expect(vectors.contains { $0.keystore.crypto.kdf == "pbkdf2" })
        for (index, vector) in vectors.enumerated() {
            let key = try Keystore.decrypt(vector.keystore, password: vector.password)
            #expect(Hex.encodePrefixed(key.rawBytes) == vector.privateKey, "keystore \(index)")
            #expect(key.address.checksummed == vector.address, "keystore \(index)")
        }
        VectorFile.report(vectors.count, "keystores decrypted (made by eth-account)")
    }

    @Test func encryptionMatchesIndependentComputation() throws {
        let vectors = try VectorFile.load("keystores.json", as: Vectors.self).encrypt
        for (index, vector) in vectors.enumerated() {
            let key = try PrivateKey(rawBytes: try #require(Hex.decode(vector.privateKey)))
            let kdf: Keystore.KDF = vector.kdf == "scrypt"
                ? .scrypt(n: try #require(vector.n), r: 8, p: 1) : .pbkdf2(iterations: try #require(vector.c))
            let salt: [UInt8] = try #require(Hex.decode(vector.salt))
            let iv: [UInt8] = try #require(Hex.decode(vector.iv))
            let file = try Keystore.encrypt(
                key, password: vector.password, kdf: kdf, salt: salt, iv: iv, id: vector.keystore.id)
            #expect("0x" + file.crypto.ciphertext == vector.ciphertext, "keystore \(index)")
            #expect("0x" + file.crypto.mac == vector.mac, "keystore \(index)")
            #expect(file == vector.keystore, "keystore \(index): the whole file is identical")
            #expect(try Keystore.decrypt(file, password: vector.password) == key)
        }
        VectorFile.report(vectors.count, "keystores encrypted (checked against hashlib and pycryptodome)")
    }

    static func smallKeystore(_ password: String = "pw") throws -> (PrivateKey, KeystoreFile) {
        let key = try PrivateKey(rawBytes: [UInt8](repeating: 7, count: 32))
        return (key, try Keystore.encrypt(key, password: password, kdf: .scrypt(n: 1024, r: 8, p: 1)))
    }

    @Test func aWrongPasswordHasItsOwnError() throws {
        let (_, file) = try Self.smallKeystore()
        #expect(throws: KeystoreError.wrongPassword) { try Keystore.decrypt(file, password: "not it") }
    }

    @Test func hostileParametersAreRefusedBeforeAnyWork() throws {
        var (_, file) = try Self.smallKeystore()
        file.crypto.kdfparams.n = 1 << 30
        #expect(throws: KeystoreError.self) { try Keystore.decrypt(file, password: "pw") }
        file.crypto.kdfparams.n = 1000
        #expect(throws: KeystoreError.self) { try Keystore.decrypt(file, password: "pw") }
        file.crypto.kdfparams.n = 1024
        file.crypto.cipher = "aes-256-cbc"
        #expect(throws: KeystoreError.unsupportedCipher("aes-256-cbc")) { try Keystore.decrypt(file, password: "pw") }
        file.crypto.cipher = "aes-128-ctr"
        file.crypto.kdf = "argon2"
        #expect(throws: KeystoreError.unsupportedKDF("argon2")) { try Keystore.decrypt(file, password: "pw") }
    }

    @Test func aFileNamingAnotherAddressIsRefused() throws {
        var (_, file) = try Self.smallKeystore()
        file.address = String(repeating: "ab", count: 20)
        #expect(throws: KeystoreError.self) { try Keystore.decrypt(file, password: "pw") }
    }

    @Test func malformedJSONNamesTheField() throws {
        #expect(throws: KeystoreError.malformed(field: "version", reason: "not valid keystore JSON")) {
            try Keystore.parse(Data(#"{"crypto": {}}"#.utf8))
        }
        #expect(throws: KeystoreError.self) { try Keystore.parse(Data(repeating: 0x20, count: 100_000)) }
    }

    @Test func filesAreWrittenWithMode0600AndListed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gata-keystore-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (key, file) = try Self.smallKeystore()
        let directory = KeystoreDirectory(path: folder)
        let path = try directory.write(file, date: Date(timeIntervalSince1970: 0))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(path.hasSuffix("UTC--1970-01-01T00-00-00.000000000Z--" + Hex.encode(key.address.bytes)))
        #expect(try directory.list() == [KeystoreDirectory.Entry(path: path, address: key.address)])
        let reread = try Keystore.parse(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(try Keystore.decrypt(reread, password: "pw") == key)
    }
}
