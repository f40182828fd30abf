#!/usr/bin/env python3
"""Generates Specs/vectors/blind.json: known answers for blind verification (SAMPLING.md §Blind verification).

Each vector is one compute receipt with its output commitment, id, signature and `receipt` payload,
one verifier's seal over it with its `OutcomeSeal` digest, signature and `outcomeSeal` payload, and
the one-item `receiptReveal` and `outcomeReveal` payloads that open them (LEDGER.md §Payloads,
§Signed types). Written from Specs/ alone: every hash and signature comes from eth-account and
eth-hash (versions pinned in Tools/requirements.txt), never from GATA's own code, and the payload
bytes are assembled here from the encoding rules of LEDGER.md §Encoding. The random choices are
seeded, so every run writes the same file.

Usage: python Tools/vectors/blind.py [--out Specs/vectors]
"""
import argparse
import json
import os
import random

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SEED = 0xB11D
COUNT = 24
DOMAIN_TYPE = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
               {"name": "chainId", "type": "uint256"}]
COMPUTE_RECEIPT = [{"name": "node", "type": "address"}, {"name": "jobId", "type": "bytes32"},
                   {"name": "jobSpecHash", "type": "bytes32"}, {"name": "outputCommitment", "type": "bytes32"},
                   {"name": "epoch", "type": "uint64"}]
OUTCOME_SEAL = [{"name": "receiptId", "type": "bytes32"}, {"name": "attempt", "type": "uint32"},
                {"name": "seal", "type": "bytes32"}]


def hexs(data: bytes) -> str:
    return "0x" + data.hex()


def u32(value): return value.to_bytes(4, "big")
def u64(value): return value.to_bytes(8, "big")
def addr(checksummed): return bytes.fromhex(checksummed[2:])


def sign_typed(chain_id, primary, fields, message, key, signer):
    """EIP-712 digest of `message` in the GATA domain, and key's 65-byte r ‖ s ‖ v over it."""
    full = {"types": {"EIP712Domain": DOMAIN_TYPE, primary: fields}, "primaryType": primary,
            "domain": {"name": "GATA Ledger", "version": "1", "chainId": chain_id}, "message": message}
    signable = encode_typed_data(full_message=full)
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    signature = bytes(Account.sign_message(signable, key).signature)
    assert signature == bytes(Account.unsafe_sign_hash(digest, key).signature)
    assert Account._recover_hash(digest, signature=signature) == signer
    assert signature[64] in (27, 28) and int.from_bytes(signature[32:64], "big") <= SECP256K1_N // 2
    return digest, signature


def vector(rng, index):
    b32 = lambda: bytes(rng.getrandbits(8) for _ in range(32))
    key = lambda: rng.randrange(1, SECP256K1_N).to_bytes(32, "big")
    chain_id = 7331 if index == 0 else rng.randrange(1, 1 << 63)
    epoch = [0, (1 << 64) - 1][index - 1] if index in (1, 2) else \
        rng.choice([rng.randrange(0, 100), rng.randrange(0, 1 << 64)])
    attempt = [0, (1 << 32) - 1][index - 1] if index in (1, 2) else \
        rng.choice([0, rng.randrange(1, 4), rng.randrange(0, 1 << 32)])
    node_key, verifier_key = key(), key()
    node, verifier = Account.from_key(node_key).address, Account.from_key(verifier_key).address
    job_id, job_spec_hash, output_hash, salt = b32(), b32(), b32(), b32()
    computed = output_hash if rng.random() < 0.5 else b32()  # honest or disagreeing verifier
    verifier_salt = b32()

    commitment = keccak(output_hash + salt)  # 64 bytes hashed
    receipt_id, receipt_sig = sign_typed(chain_id, "ComputeReceipt", COMPUTE_RECEIPT, {
        "node": node, "jobId": job_id, "jobSpecHash": job_spec_hash, "outputCommitment": commitment,
        "epoch": epoch}, node_key, node)
    seal_input = receipt_id + addr(verifier) + u32(attempt) + computed + verifier_salt
    assert len(seal_input) == 120
    seal = keccak(seal_input)
    seal_digest, seal_sig = sign_typed(chain_id, "OutcomeSeal", OUTCOME_SEAL,
                                       {"receiptId": receipt_id, "attempt": attempt, "seal": seal},
                                       verifier_key, verifier)

    # Payloads of kinds 3, 12, 15, 16 (LEDGER.md §Payloads), without the entry's u32 length prefix.
    receipt_payload = u64(chain_id) + addr(node) + u64(epoch) + job_id + job_spec_hash + commitment + receipt_sig
    seal_payload = u64(chain_id) + receipt_id + u32(attempt) + seal + seal_sig
    receipt_reveal = u32(1) + job_id + output_hash + salt
    outcome_reveal = u32(1) + receipt_id + addr(verifier) + u32(attempt) + computed + verifier_salt
    assert (len(receipt_payload), len(seal_payload), len(receipt_reveal), len(outcome_reveal)) == (197, 141, 100, 124)
    return {
        "chainId": chain_id, "epoch": epoch, "nodeKey": hexs(node_key), "node": node,
        "jobId": hexs(job_id), "jobSpecHash": hexs(job_spec_hash), "outputHash": hexs(output_hash),
        "salt": hexs(salt), "outputCommitment": hexs(commitment),
        "receiptId": hexs(receipt_id), "receiptSignature": hexs(receipt_sig),
        "verifierKey": hexs(verifier_key), "verifier": verifier, "attempt": attempt,
        "computedOutputHash": hexs(computed), "verifierSalt": hexs(verifier_salt), "seal": hexs(seal),
        "outcomeSealDigest": hexs(seal_digest), "outcomeSealSignature": hexs(seal_sig),
        "receiptPayload": hexs(receipt_payload), "outcomeSealPayload": hexs(seal_payload),
        "receiptRevealPayload": hexs(receipt_reveal), "outcomeRevealPayload": hexs(outcome_reveal),
    }


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
    write(args.out, "blind.json", {"generator": "Tools/vectors/blind.py with Tools/requirements.txt",
                                   "vectors": [vector(rng, i) for i in range(COUNT)]})


if __name__ == "__main__":
    main()
