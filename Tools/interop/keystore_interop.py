#!/usr/bin/env python3
"""Keystore interoperability with eth-account, for the test suite.

  keystore_interop.py decrypt FILE PASSWORD_FILE   prints the address eth-account decrypts FILE to
  keystore_interop.py encrypt OUT PASSWORD_FILE    writes a new key encrypted by eth-account to OUT
                                                   and prints its address
"""
import json
import os
import sys

from eth_account import Account


def read_password(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read().split("\n", 1)[0]


def main(argv):
    if len(argv) != 4 or argv[1] not in ("decrypt", "encrypt"):
        sys.exit(__doc__)
    command, path, password = argv[1], argv[2], read_password(argv[3])
    if command == "decrypt":
        with open(path, encoding="utf-8") as handle:
            key = Account.decrypt(json.load(handle), password)
        print(Account.from_key(key).address)
    else:
        account = Account.create()
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(Account.encrypt(account.key, password), handle)
        os.chmod(path, 0o600)
        print(account.address)


if __name__ == "__main__":
    main(sys.argv)
