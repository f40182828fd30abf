#!/usr/bin/env python3
"""Talks to a GATA node with unchanged web3.py and eth-account, for the test suite.

  web3_interop.py URL PRIVATE_KEY TO AMOUNT

Reads eth_chainId and balances through web3.py, signs a Transfer with eth-account's
sign_typed_data using the types in Specs/signed-types.json, sends it with gata_sendTransfer, and
prints a JSON report. Exits 0 only if the balances moved by exactly AMOUNT base units.
"""
import json
import os
import sys

from eth_account import Account
from web3 import Web3

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    url, key, to, amount = argv[1], argv[2], Web3.to_checksum_address(argv[3]), int(argv[4])
    with open(os.path.join(HERE, "..", "..", "Specs", "signed-types.json"), encoding="utf-8") as handle:
        spec = json.load(handle)
    w3 = Web3(Web3.HTTPProvider(url))
    chain_id = w3.eth.chain_id
    sender = Account.from_key(key).address
    before = (w3.eth.get_balance(sender), w3.eth.get_balance(to))
    nonce = int(w3.provider.make_request("gata_getNonce", [sender])["result"], 16)
    domain = {"name": spec["domain"]["name"], "version": spec["domain"]["version"], "chainId": chain_id}
    message = {"from": sender, "to": to, "amount": amount, "nonce": nonce}
    signed = Account.sign_typed_data(key, domain, {"Transfer": spec["types"]["Transfer"]}, message)
    answer = w3.provider.make_request("gata_sendTransfer", [{
        "chainId": chain_id, "from": sender, "to": to, "amount": str(amount), "nonce": nonce,
        "signature": "0x" + bytes(signed.signature).hex(),
    }])
    after = (w3.eth.get_balance(sender), w3.eth.get_balance(to))
    # Balances as decimal strings: JSON readers differ on integers above 2^53.
    report = {"chainId": chain_id, "blockNumber": w3.eth.block_number, "sender": sender,
              "before": [str(value) for value in before], "after": [str(value) for value in after], "answer": answer}
    print(json.dumps(report))
    moved = after[0] == before[0] - amount and after[1] == before[1] + amount
    sys.exit(0 if moved and "result" in answer else 1)


if __name__ == "__main__":
    main(sys.argv)
