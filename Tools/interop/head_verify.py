#!/usr/bin/env python3
"""Checks an operator-signed ledger head independently of GATA's code.

  head_verify.py HEAD.json OPERATOR_ADDRESS

HEAD.json is a signed head as gata_getHead answers it and `gata audit --save-head` writes it:
{"chainId", "height" (hex quantity or integer), "entryHash", "stateDigest", "signature"}. The
EIP-712 message LedgerHead(uint64 height,bytes32 entryHash,bytes32 stateDigest) is built from the
types in Specs/signed-types.json and the domain {name, version, chainId}, hashed by eth-account's
encode_typed_data, and the signer is recovered by eth-account. The head's own "signer" field is
not read. Prints the recovered address; exits 0 only if it is OPERATOR_ADDRESS.
"""
import json
import os
import sys

from eth_account import Account
from eth_account.messages import encode_typed_data

HERE = os.path.dirname(os.path.abspath(__file__))


def integer(value):
    return int(value, 16) if isinstance(value, str) and value.startswith("0x") else int(value)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as handle:
        head = json.load(handle)
    with open(os.path.join(HERE, "..", "..", "Specs", "signed-types.json"), encoding="utf-8") as handle:
        spec = json.load(handle)
    typed = {
        "types": {"EIP712Domain": spec["types"]["EIP712Domain"], "LedgerHead": spec["types"]["LedgerHead"]},
        "primaryType": "LedgerHead",
        "domain": {"name": spec["domain"]["name"], "version": spec["domain"]["version"], "chainId": integer(head["chainId"])},
        "message": {"height": integer(head["height"]), "entryHash": head["entryHash"], "stateDigest": head["stateDigest"]},
    }
    signer = Account.recover_message(encode_typed_data(full_message=typed), signature=head["signature"])
    print(signer)
    sys.exit(0 if signer.lower() == argv[2].lower() else 1)


if __name__ == "__main__":
    main(sys.argv)
