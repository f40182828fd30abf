#!/usr/bin/env python3
"""Verifies (address, amount) Merkle claims independently of GATA's code.

  merkle_verify.py CLAIMS.json

CLAIMS.json is either a list of {"root", "address", "amount" (decimal base units), "proof": [hex, ...]},
or a merkle-distributor claims file as `gata export` writes it: {"merkleRoot", "tokenTotal",
"claims": {address: {"index", "amount" (hex base units), "proof"}}}; for the latter the amounts
must also sum to tokenTotal and the indexes must be 0..n-1.
Each leaf is OpenZeppelin's StandardMerkleTree leaf, keccak256(keccak256(abi.encode(address,
uint256))), and each step hashes the sorted pair, as OpenZeppelin's MerkleProof.verify does.
Prints how many claims verify; exits 0 only if all do.
"""
import json
import sys

from eth_abi import encode
from eth_hash.auto import keccak


def leaf(address, amount):
    return keccak(keccak(encode(["address", "uint256"], [address, amount])))


def verify(claim):
    node = leaf(claim["address"], int(claim["amount"]))
    for sibling in claim["proof"]:
        sibling = bytes.fromhex(sibling[2:])
        node = keccak(min(node, sibling) + max(node, sibling))
    return "0x" + node.hex() == claim["root"]


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as handle:
        claims = json.load(handle)
    consistent = True
    if isinstance(claims, dict):
        document = claims
        claims = [
            {"root": document["merkleRoot"], "address": address, "amount": int(claim["amount"], 16), "proof": claim["proof"]}
            for address, claim in document["claims"].items()
        ]
        total = sum(claim["amount"] for claim in claims)
        indexes = sorted(claim["index"] for claim in document["claims"].values())
        if total != int(document["tokenTotal"], 16):
            print(f"the amounts sum to {total}, not tokenTotal {int(document['tokenTotal'], 16)}")
            consistent = False
        if indexes != list(range(len(indexes))):
            print("the indexes are not 0..n-1")
            consistent = False
    good = sum(1 for claim in claims if verify(claim))
    print(f"{good} of {len(claims)} claims verify")
    sys.exit(0 if good == len(claims) and claims and consistent else 1)


if __name__ == "__main__":
    main(sys.argv)
