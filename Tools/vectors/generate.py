#!/usr/bin/env python3
"""Generates the known-answer vectors in Specs/vectors/ with independent, well-known libraries.

Every value here comes from eth-account, eth-keys, eth-hash, eth-keyfile, hashlib or
pycryptodome (versions pinned in Tools/requirements.txt), never from GATA's own code. The random
choices are seeded, so the inputs are the same on every run; keystores made by eth-account use
its own random salt and IV, so those bytes differ between runs while staying valid.

Usage: python Tools/vectors/generate.py [--out Specs/vectors]
"""
import argparse
import hashlib
import json
import os
import random

from Crypto.Cipher import AES
from Crypto.Util import Counter
from eth_account import Account
from eth_account._utils.encode_typed_data.encoding_and_hashing import encode_type
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak
from eth_keyfile import decode_keyfile_json
from eth_keys import keys
from eth_utils import to_checksum_address

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SEED = 0x6A7A


def hexs(data: bytes) -> str:
    return "0x" + data.hex()


def keccak_vectors(rng):
    lengths = [0, 1, 2, 3, 31, 32, 33, 55, 56, 64, 100, 134, 135, 136, 137, 200, 271, 272, 273, 408, 1000, 4096]
    vectors = []
    for length in lengths:
        vectors.append(bytes(rng.getrandbits(8) for _ in range(length)))
    vectors.append(b"abc")
    vectors.append(b"The quick brown fox jumps over the lazy dog")
    vectors.append(b"\x00" * 136)
    vectors.append(b"\xff" * 272)
    while len(vectors) < 120:
        length = rng.choice([rng.randrange(0, 140), rng.randrange(130, 600)])
        vectors.append(bytes(rng.getrandbits(8) for _ in range(length)))
    return [{"input": hexs(v), "keccak256": hexs(keccak(v)), "sha256": hexs(hashlib.sha256(v).digest())} for v in vectors]


def key_vectors(rng):
    secrets = [1, 2, SECP256K1_N - 1, SECP256K1_N // 2]
    while len(secrets) < 110:
        secrets.append(rng.randrange(1, SECP256K1_N))
    out = []
    for secret in secrets:
        private = keys.PrivateKey(secret.to_bytes(32, "big"))
        address = private.public_key.to_canonical_address()
        out.append({
            "privateKey": hexs(private.to_bytes()),
            "publicKey": hexs(private.public_key.to_bytes()),
            "address": hexs(address),
            "checksummed": to_checksum_address(address),
        })
    return out


ATOMIC = ["address", "bool", "string", "bytes"] + [f"bytes{n}" for n in range(1, 33)] + \
    [f"uint{n}" for n in range(8, 257, 8)] + [f"int{n}" for n in range(8, 257, 8)]


def random_value(rng, type_name, types):
    if type_name.endswith("]"):
        open_at = type_name.rindex("[")
        inner, size = type_name[:open_at], type_name[open_at + 1:-1]
        count = int(size) if size else rng.randrange(0, 4)
        return [random_value(rng, inner, types) for _ in range(count)]
    if type_name in types:
        return {f["name"]: random_value(rng, f["type"], types) for f in types[type_name]}
    if type_name == "address":
        raw = bytes(rng.getrandbits(8) for _ in range(20))
        return to_checksum_address(raw) if rng.random() < 0.5 else hexs(raw)
    if type_name == "bool":
        return rng.random() < 0.5
    if type_name == "string":
        alphabet = "abc XYZ 0123 ñ € 漢字 🚀 \"quote\" \\ \n"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
    if type_name == "bytes":
        return hexs(bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 70))))
    if type_name.startswith("bytes"):
        return hexs(bytes(rng.getrandbits(8) for _ in range(int(type_name[5:]))))
    signed = type_name.startswith("int")
    bits = int(type_name[3:] if signed else type_name[4:])
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    value = rng.choice([low, high, 0, rng.randint(low, high), rng.randint(low, high)])
    # Small values as JSON numbers, large ones as decimal strings: both forms must work.
    return value if abs(value) < (1 << 53) and rng.random() < 0.5 else str(value)


def random_types(rng, index):
    """A primary struct and up to three helper structs; struct i references only structs after i."""
    names = ["Mail", "Person", "Asset", "Leaf"][: 1 + rng.randrange(0, 4)]
    types = {}
    for position, name in enumerate(names):
        later = names[position + 1:]
        fields = []
        for field_index in range(rng.randrange(1, 7)):
            base = rng.choice(later) if later and rng.random() < 0.35 else rng.choice(ATOMIC)
            roll = rng.random()
            if roll < 0.2:
                base += "[]"
            elif roll < 0.3:
                base += f"[{rng.randrange(1, 4)}]"
            elif roll < 0.36:
                base += f"[{rng.randrange(1, 3)}][]"
            fields.append({"name": f"f{field_index}", "type": base})
        types[name] = fields
    # eth-account infers the primary type as the one struct nobody references, so every helper
    # struct must be reachable from an earlier one.
    for position, name in enumerate(names[1:], start=1):
        if not any(f["type"].split("[")[0] == name for earlier in names[:position] for f in types[earlier]):
            owner = types[rng.choice(names[:position])]
            owner.append({"name": f"f{len(owner)}", "type": name + rng.choice(["", "[]", "[2]"])})
    return names[0], types


COVERAGE = [
    ("AllUnsigned", [f"uint{n}" for n in range(8, 257, 8)]),
    ("AllSigned", [f"int{n}" for n in range(8, 257, 8)]),
    ("AllFixedBytes", [f"bytes{n}" for n in range(1, 33)]),
    ("Dynamic", ["address", "bool", "string", "bytes", "string[]", "bytes[2]", "address[][]", "bool[3]"]),
]

DOMAIN_FIELDS = [("name", "string"), ("version", "string"), ("chainId", "uint256"),
                 ("verifyingContract", "address"), ("salt", "bytes32")]


def eip712_vectors(rng, signer_keys):
    out = []
    for index in range(120):
        if index < len(COVERAGE):
            primary, field_types = COVERAGE[index]
            types = {primary: [{"name": f"v{i}", "type": t} for i, t in enumerate(field_types)]}
        else:
            primary, types = random_types(rng, index)
        chosen = [f for f in DOMAIN_FIELDS if rng.random() < 0.7] or [DOMAIN_FIELDS[2]]
        types["EIP712Domain"] = [{"name": n, "type": t} for n, t in chosen]
        domain = {n: random_value(rng, t, types) for n, t in chosen}
        message = random_value(rng, primary, types)
        full = {"types": types, "primaryType": primary, "domain": domain, "message": message}
        signable = encode_typed_data(full_message=full)
        digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
        key = signer_keys[index % len(signer_keys)]
        signed = Account.sign_message(signable, key)
        assert Account._recover_hash(digest, signature=signed.signature) == Account.from_key(key).address
        out.append({
            "typedData": full,
            "encodeType": encode_type(primary, types),
            "domainSeparator": hexs(signable.header),
            "messageHash": hexs(signable.body),
            "digest": hexs(digest),
            "privateKey": key,
            "signer": Account.from_key(key).address,
            "signature": hexs(bytes(signed.signature)),
        })
    return out


def keystore_vectors(rng, signer_keys):
    passwords = ["correct horse battery staple", "", "pässwörd €", "0123456789" * 10]
    decrypt = []
    for index in range(12):
        key = signer_keys[index]
        password = passwords[index % len(passwords)]
        if index < 2:
            keystore = Account.encrypt(key, password)  # eth-account's default: scrypt, n = 2^18
        elif index < 7:
            keystore = Account.encrypt(key, password, kdf="scrypt", iterations=1 << rng.choice([10, 12, 14]))
        else:
            keystore = Account.encrypt(key, password, kdf="pbkdf2", iterations=rng.choice([1, 1000, 4096]))
        decrypt.append({"keystore": keystore, "password": password, "privateKey": key,
                        "address": Account.from_key(key).address})

    # Encryption with fixed salt and IV, computed with hashlib, pycryptodome and eth-hash.
    encrypt = []
    for index in range(12):
        key = bytes.fromhex(signer_keys[index + 12][2:])
        password = passwords[index % len(passwords)]
        salt = bytes(rng.getrandbits(8) for _ in range(32))
        iv = bytes(rng.getrandbits(8) for _ in range(16))
        if index % 2 == 0:
            n = 1 << rng.choice([10, 12])
            derived = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1, dklen=32, maxmem=1 << 28)
            kdf = {"kdf": "scrypt", "n": n, "r": 8, "p": 1}
        else:
            c = rng.choice([1, 2, 1000])
            derived = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, c, 32)
            kdf = {"kdf": "pbkdf2", "c": c}
        cipher = AES.new(derived[:16], AES.MODE_CTR, counter=Counter.new(128, initial_value=int.from_bytes(iv, "big")))
        ciphertext = cipher.encrypt(key)
        mac = keccak(derived[16:32] + ciphertext)
        params = {"dklen": 32, "salt": salt.hex()}
        if kdf["kdf"] == "scrypt":
            params.update(n=kdf["n"], r=8, p=1)
        else:
            params.update(c=kdf["c"], prf="hmac-sha256")
        keystore = {"address": Account.from_key(key).address[2:].lower(), "version": 3,
                    "id": f"00000000-0000-4000-8000-{index:012d}",
                    "crypto": {"cipher": "aes-128-ctr", "cipherparams": {"iv": iv.hex()},
                               "ciphertext": ciphertext.hex(), "kdf": kdf["kdf"], "kdfparams": params,
                               "mac": mac.hex()}}
        assert decode_keyfile_json(keystore, password.encode()) == key  # eth-keyfile agrees
        encrypt.append({"privateKey": hexs(key), "password": password, "salt": hexs(salt), "iv": hexs(iv),
                        **kdf, "ciphertext": hexs(ciphertext), "mac": hexs(mac), "keystore": keystore})
    return {"decrypt": decrypt, "encrypt": encrypt}


def write(out_dir, name, payload):
    path = os.path.join(out_dir, name)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=1, ensure_ascii=False, sort_keys=True)
        handle.write("\n")
    print(f"wrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "..", "Specs", "vectors"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(SEED)
    signer_keys = [hexs(rng.randrange(1, SECP256K1_N).to_bytes(32, "big")) for _ in range(32)]
    generator = "Tools/vectors/generate.py with Tools/requirements.txt"
    write(args.out, "hashes.json", {"generator": generator, "vectors": keccak_vectors(rng)})
    write(args.out, "keys.json", {"generator": generator, "vectors": key_vectors(rng)})
    write(args.out, "eip712.json", {"generator": generator, "vectors": eip712_vectors(rng, signer_keys)})
    write(args.out, "keystores.json", {"generator": generator, **keystore_vectors(rng, signer_keys)})


if __name__ == "__main__":
    main()
