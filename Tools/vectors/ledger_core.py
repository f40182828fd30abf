"""An independent model of the GATA ledger, written from Specs/LEDGER.md, Specs/SAMPLING.md and
Specs/SETTLEMENT.md alone: canonical encodings, EIP-712 digests, Merkle trees, the state records
and their digest, and a state machine that applies entries and returns the result codes.

It exists to make the known-answer vectors of ledger.py; nothing here is shared with the Swift
implementation. Hashes come from eth-hash (keccak256), EIP-712 struct hashes and signatures from
eth-account; every byte layout is assembled here from the encoding rules.
"""

from __future__ import annotations

from decimal import Decimal

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak

U64_MAX = 2**64 - 1
U128_MAX = 2**128 - 1
BASE = 10**18
ZERO32 = b"\x00" * 32
ZERO20 = b"\x00" * 20

# Entry kinds (LEDGER.md §Entries).
KINDS = {
    1: "genesis", 2: "assignmentBatch", 3: "receipt", 4: "receiptBatch", 5: "transfer", 6: "bond",
    7: "unbond", 8: "checkpoint", 10: "epochOpen", 11: "epochClose", 12: "outcomeSeal",
    13: "settlementComputed", 14: "settlementApplied", 15: "receiptReveal", 16: "outcomeReveal",
}
KIND = {v: k for k, v in KINDS.items()}

# Receipt status values (LEDGER.md §State records).
RECORDED, UNSAMPLED, SAMPLED, VERIFIED, FRAUD, UNREVEALED, UNCHECKED = range(7)
STATUS_NAMES = ["recorded", "unsampled", "sampled", "verified", "fraud", "unrevealed", "unchecked"]

# Result codes (LEDGER.md §Result codes).
CODES = {
    0: "applied", 1: "already_recorded", 100: "height_mismatch", 101: "previous_hash_mismatch",
    102: "timestamp_regressed", 103: "genesis_misplaced", 104: "checkpoint_mismatch",
    105: "checkpoint_misplaced", 200: "wrong_chain_id", 201: "invalid_signature",
    202: "signer_mismatch", 203: "unauthorized_role", 300: "nonce_replayed", 301: "nonce_gap",
    302: "insufficient_funds", 303: "insufficient_bond", 304: "zero_amount", 305: "self_transfer",
    306: "amount_overflow", 307: "bond_locked", 308: "zero_address", 400: "batch_empty",
    401: "batch_too_large", 402: "duplicate_in_batch", 403: "invalid_job_spec",
    404: "job_already_assigned", 405: "job_not_assigned", 406: "job_assigned_to_other_node",
    407: "job_spec_mismatch", 408: "epoch_mismatch", 409: "conflicting_receipt",
    410: "node_bond_too_low", 420: "epoch_not_open", 421: "epoch_out_of_order",
    422: "epoch_still_open", 423: "secret_mismatch", 424: "receipts_root_mismatch",
    430: "receipt_not_found", 431: "receipt_not_sampled", 432: "receipt_already_resolved",
    433: "duplicate_outcome", 434: "outcome_limit_reached", 435: "seal_window_closed",
    436: "reveal_too_early", 437: "reveal_window_closed", 438: "reveal_mismatch",
    439: "seal_not_found", 440: "epoch_not_closed", 441: "settlement_out_of_order",
    442: "settlement_mismatch", 443: "settlement_not_computed", 444: "settlement_already_applied",
}

SEAL_EPOCHS = 1
REVEAL_EPOCHS = 1
MAX_OUTCOMES = 4
SNAPSHOTS_KEPT = 64


# ---------------------------------------------------------------------------------------------
# Primitive encodings (LEDGER.md §Encoding)

def u8(v: int) -> bytes:
    return v.to_bytes(1, "big")


def u16(v: int) -> bytes:
    return v.to_bytes(2, "big")


def u32(v: int) -> bytes:
    return v.to_bytes(4, "big")


def u64(v: int) -> bytes:
    return v.to_bytes(8, "big")


def u128(v: int) -> bytes:
    return v.to_bytes(16, "big")


amount = u128


def boolean(v: bool) -> bytes:
    return b"\x01" if v else b"\x00"


def var_bytes(b: bytes) -> bytes:
    return u32(len(b)) + b


def string(s: str) -> bytes:
    return var_bytes(s.encode("utf-8"))


def enc_list(items: list[bytes]) -> bytes:
    return u32(len(items)) + b"".join(items)


def hx(b: bytes) -> str:
    return "0x" + b.hex()


def unhex(s: str) -> bytes:
    assert s.startswith("0x")
    return bytes.fromhex(s[2:])


def checksum(addr: bytes) -> str:
    """EIP-55 (CRYPTO.md §Keys and addresses)."""
    low = addr.hex()
    h = keccak(low.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(h[i], 16) >= 8 else c for i, c in enumerate(low))


def address_of(key: bytes) -> bytes:
    return unhex(Account.from_key(key).address)


def derive(label: str) -> bytes:
    """A fixed 32-byte value for a label: the generator's only source of 'randomness'."""
    return keccak(b"gata-ledger-vectors/" + label.encode("utf-8"))


def key_for(label: str) -> bytes:
    return derive("key/" + label)


def gata(text: str) -> int:
    """A GATA amount string with up to 18 decimals (LEDGER.md §Genesis) in base units."""
    d = Decimal(text)
    v = d * BASE
    assert v == int(v) and v >= 0, text
    return int(v)


# ---------------------------------------------------------------------------------------------
# Merkle trees (LEDGER.md §Merkle trees)

def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b) + max(a, b))


def merkle_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return ZERO32
    level = list(leaves)
    while len(level) > 1:
        nxt = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2 == 1:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def merkle_proof(leaves: list[bytes], index: int) -> list[bytes]:
    proof = []
    level = list(leaves)
    i = index
    while len(level) > 1:
        sib = i ^ 1
        if sib < len(level):
            proof.append(level[sib])
        nxt = [hash_pair(level[j], level[j + 1]) for j in range(0, len(level) - 1, 2)]
        if len(level) % 2 == 1:
            nxt.append(level[-1])
        level = nxt
        i //= 2
    return proof


def merkle_verify(leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    acc = leaf
    for p in proof:
        acc = hash_pair(acc, p)
    return acc == root


def payout_leaf(addr: bytes, value: int) -> bytes:
    """OpenZeppelin StandardMerkleTree leaf of abi.encode(address, uint256) (SETTLEMENT.md)."""
    return keccak(keccak(b"\x00" * 12 + addr + value.to_bytes(32, "big")))


# ---------------------------------------------------------------------------------------------
# EIP-712 (LEDGER.md §Signed types)

DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
]


def _fields(spec: str) -> list[dict]:
    out = []
    for part in spec.split(","):
        t, n = part.split(" ")
        out.append({"name": n, "type": t})
    return out


TYPES = {
    "JobSpec": _fields("uint16 kernel,uint16 version,uint32 m,uint32 n,uint32 k,uint32 layers,bytes32 seed"),
    "Assignment": _fields("bytes32 jobId,address node,bytes32 jobSpecHash"),
    "AssignmentBatch": _fields("uint64 epoch,bytes32 assignmentsRoot,uint32 count"),
    "ComputeReceipt": _fields("address node,bytes32 jobId,bytes32 jobSpecHash,bytes32 outputCommitment,uint64 epoch"),
    "ReceiptBatch": _fields("address node,uint64 epoch,bytes32 receiptsRoot,uint32 count"),
    "Transfer": _fields("address from,address to,uint256 amount,uint64 nonce"),
    "Bond": _fields("address account,uint256 amount,uint64 nonce"),
    "Unbond": _fields("address account,uint256 amount,uint64 nonce"),
    "EpochOpen": _fields("uint64 epoch,bytes32 secretCommitment"),
    "EpochClose": _fields("uint64 epoch,bytes32 secret,bytes32 receiptsRoot"),
    "OutcomeSeal": _fields("bytes32 receiptId,uint32 attempt,bytes32 seal"),
    # Signed requests that are not ledger entries (RPC.md §Roles).
    "EpochControl": _fields("string action,uint64 epoch"),
    "LeaseRequest": _fields("address verifier,uint32 max,uint64 issuedAtMillis"),
    # The operator's signed head (RPC.md §Signed heads).
    "LedgerHead": _fields("uint64 height,bytes32 entryHash,bytes32 stateDigest"),
}


def _typed(primary: str, message: dict, chain_id: int) -> dict:
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, primary: TYPES[primary]},
        "primaryType": primary,
        "domain": {"name": "GATA Ledger", "version": "1", "chainId": chain_id},
        "message": message,
    }


def _js(v):
    if isinstance(v, bytes):
        return hx(v) if len(v) != 20 else checksum(v)
    return v


def hash_struct(primary: str, message: dict, chain_id: int = 1) -> bytes:
    m = encode_typed_data(full_message=_typed(primary, {k: _js(v) for k, v in message.items()}, chain_id))
    return bytes(m.body)


def digest(primary: str, message: dict, chain_id: int) -> bytes:
    m = encode_typed_data(full_message=_typed(primary, {k: _js(v) for k, v in message.items()}, chain_id))
    return keccak(b"\x19" + bytes(m.version) + bytes(m.header) + bytes(m.body))


def sign(d: bytes, key: bytes) -> bytes:
    s = Account.unsafe_sign_hash(d, key)
    sig = s.r.to_bytes(32, "big") + s.s.to_bytes(32, "big") + bytes([s.v])
    assert s.v in (27, 28) and s.s * 2 < SECP_N
    return sig


def recover(d: bytes, sig: bytes) -> bytes | None:
    """Signature checks of CRYPTO.md §Signatures; None when invalid."""
    if len(sig) != 65:
        return None
    r = int.from_bytes(sig[:32], "big")
    s = int.from_bytes(sig[32:64], "big")
    v = sig[64]
    if v in (0, 1):
        v += 27
    if v not in (27, 28) or not (0 < r < SECP_N) or not (0 < s < SECP_N) or s > SECP_N // 2:
        return None
    try:
        return unhex(Account._recover_hash(d, vrs=(v, r, s)))
    except Exception:
        return None


SECP_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


# ---------------------------------------------------------------------------------------------
# Jobs and the cost model (LEDGER.md §Cost model)

def job_spec_bytes(spec: dict) -> bytes:
    return (u16(spec["kernel"]) + u16(spec["version"]) + u32(spec["m"]) + u32(spec["n"]) + u32(spec["k"])
            + u32(spec["layers"]) + spec["seed"])


def job_spec_hash(spec: dict) -> bytes:
    return hash_struct("JobSpec", spec)


def spec_valid(spec: dict) -> bool:
    if spec["version"] != 1:
        return False
    if not all(1 <= spec[x] <= 4096 for x in ("m", "n", "k")):
        return False
    if spec["kernel"] in (1, 3):
        return spec["layers"] == 1
    if spec["kernel"] == 2:
        return 1 <= spec["layers"] <= 16 and spec["n"] == spec["k"]
    return False


def units(spec: dict) -> int:
    macs = spec["m"] * spec["n"] * spec["k"] * spec["layers"]
    weight = 4 if spec["kernel"] == 3 else 1
    return max(1, -(-(macs * weight) // 2**20))


# ---------------------------------------------------------------------------------------------
# Payloads (LEDGER.md §Payloads)

def genesis_payload(g: dict) -> bytes:
    return (u64(g["chainId"]) + string(g["name"]) + string(g["symbol"]) + u8(g["decimals"])
            + u64(g["genesisTimeMillis"]) + u64(g["epochLengthSeconds"]) + amount(g["initialPerEpoch"])
            + u64(g["halvingIntervalEpochs"]) + amount(g["supplyCap"]) + u16(g["nodesBps"])
            + u16(g["verifiersBps"]) + u16(g["treasuryBps"]) + u32(g["sampleRatePpm"])
            + u16(g["slashFractionBps"]) + u8(0 if g["slashDestination"] == "burn" else 1)
            + amount(g["minimumBond"]) + amount(g["costPerUnit"]) + g["operator"] + g["scheduler"]
            + enc_list(list(g["verifiers"])) + g["treasury"] + u64(g["checkpointInterval"])
            + enc_list([a["address"] + amount(a["balance"]) + amount(a["bonded"]) for a in g["allocations"]]))


def receipt_body(r: dict) -> bytes:
    return r["jobId"] + r["jobSpecHash"] + r["outputCommitment"]


def receipt_id(chain_id: int, node: bytes, epoch: int, body: dict) -> bytes:
    return digest("ComputeReceipt", {"node": node, "jobId": body["jobId"], "jobSpecHash": body["jobSpecHash"],
                                     "outputCommitment": body["outputCommitment"], "epoch": epoch}, chain_id)


def output_commitment(output_hash: bytes, salt: bytes) -> bytes:
    return keccak(output_hash + salt)


def seal_of(receipt_id_: bytes, verifier: bytes, attempt: int, computed: bytes, salt: bytes) -> bytes:
    return keccak(receipt_id_ + verifier + u32(attempt) + computed + salt)


def payload_bytes(kind: str, f: dict) -> bytes:
    if kind == "genesis":
        return genesis_payload(f)
    if kind == "assignmentBatch":
        return (u64(f["chainId"]) + u64(f["epoch"])
                + enc_list([a["jobId"] + a["node"] + job_spec_bytes(a["spec"]) for a in f["assignments"]])
                + f["signature"])
    if kind == "receipt":
        return u64(f["chainId"]) + f["node"] + u64(f["epoch"]) + receipt_body(f) + f["signature"]
    if kind == "receiptBatch":
        return (u64(f["chainId"]) + f["node"] + u64(f["epoch"]) + enc_list([receipt_body(r) for r in f["receipts"]])
                + f["signature"])
    if kind == "transfer":
        return u64(f["chainId"]) + f["from"] + f["to"] + amount(f["amount"]) + u64(f["nonce"]) + f["signature"]
    if kind in ("bond", "unbond"):
        return u64(f["chainId"]) + f["account"] + amount(f["amount"]) + u64(f["nonce"]) + f["signature"]
    if kind == "checkpoint":
        return f["stateDigest"]
    if kind == "epochOpen":
        return u64(f["chainId"]) + u64(f["epoch"]) + f["secretCommitment"] + f["signature"]
    if kind == "epochClose":
        return (u64(f["chainId"]) + u64(f["epoch"]) + f["secret"] + f["receiptsRoot"] + f["stateDigest"]
                + f["signature"])
    if kind == "outcomeSeal":
        return u64(f["chainId"]) + f["receiptId"] + u32(f["attempt"]) + f["seal"] + f["signature"]
    if kind == "receiptReveal":
        return enc_list([r["jobId"] + r["outputHash"] + r["salt"] for r in f["reveals"]])
    if kind == "outcomeReveal":
        return enc_list([r["receiptId"] + r["verifier"] + u32(r["attempt"]) + r["computedOutputHash"] + r["salt"]
                         for r in f["reveals"]])
    if kind == "settlementComputed":
        return summary_bytes(f)
    if kind == "settlementApplied":
        return u64(f["epoch"])
    raise ValueError(kind)


def summary_bytes(s: dict) -> bytes:
    return (u64(s["epoch"]) + amount(s["emission"]) + amount(s["nodesPaid"]) + amount(s["verifiersPaid"])
            + amount(s["treasuryPaid"]) + amount(s["slashed"]) + u32(s["paidReceipts"])
            + u32(s["deferredReceipts"]) + u32(s["fraudNodes"]) + s["rewardsRoot"])


def entry_bytes(height: int, prev: bytes, ts: int, kind: int, payload: bytes) -> bytes:
    return u8(1) + u64(height) + prev + u64(ts) + u16(kind) + var_bytes(payload)


# Signed messages for each signed kind: (EIP-712 primary type, message) from the payload fields.

def assignments_root(chain_id: int, assignments: list[dict]) -> bytes:
    leaves = [hash_struct("Assignment", {"jobId": a["jobId"], "node": a["node"],
                                         "jobSpecHash": job_spec_hash(a["spec"])}, chain_id) for a in assignments]
    return merkle_root(leaves)


def signed_message(kind: str, f: dict) -> tuple[str, dict]:
    if kind == "assignmentBatch":
        return "AssignmentBatch", {"epoch": f["epoch"], "assignmentsRoot": assignments_root(f["chainId"], f["assignments"]),
                                   "count": len(f["assignments"])}
    if kind == "receipt":
        return "ComputeReceipt", {"node": f["node"], "jobId": f["jobId"], "jobSpecHash": f["jobSpecHash"],
                                  "outputCommitment": f["outputCommitment"], "epoch": f["epoch"]}
    if kind == "receiptBatch":
        ids = [receipt_id(f["chainId"], f["node"], f["epoch"], r) for r in f["receipts"]]
        return "ReceiptBatch", {"node": f["node"], "epoch": f["epoch"], "receiptsRoot": merkle_root(ids),
                                "count": len(f["receipts"])}
    if kind == "transfer":
        return "Transfer", {"from": f["from"], "to": f["to"], "amount": f["amount"], "nonce": f["nonce"]}
    if kind == "bond":
        return "Bond", {"account": f["account"], "amount": f["amount"], "nonce": f["nonce"]}
    if kind == "unbond":
        return "Unbond", {"account": f["account"], "amount": f["amount"], "nonce": f["nonce"]}
    if kind == "epochOpen":
        return "EpochOpen", {"epoch": f["epoch"], "secretCommitment": f["secretCommitment"]}
    if kind == "epochClose":
        return "EpochClose", {"epoch": f["epoch"], "secret": f["secret"], "receiptsRoot": f["receiptsRoot"]}
    if kind == "outcomeSeal":
        return "OutcomeSeal", {"receiptId": f["receiptId"], "attempt": f["attempt"], "seal": f["seal"]}
    raise ValueError(kind)


def signing_digest(kind: str, f: dict) -> bytes:
    primary, msg = signed_message(kind, f)
    return digest(primary, msg, f["chainId"])


# ---------------------------------------------------------------------------------------------
# Sampling (SAMPLING.md §The sample)

def threshold(rate_ppm: int) -> int:
    return rate_ppm * 2**64 // 10**6


def draw(secret: bytes, root: bytes, rid: bytes) -> int:
    return int.from_bytes(keccak(secret + root + rid)[:8], "big")


# ---------------------------------------------------------------------------------------------
# Settlement arithmetic (SETTLEMENT.md)

def scheduled_emission(initial: int, epoch: int, interval: int) -> int:
    halvings = epoch // interval
    return 0 if halvings >= 128 else initial >> halvings


def largest_remainder(pool: int, weights: dict[bytes, int]) -> dict[bytes, int]:
    """SETTLEMENT.md §Integer math; weights must have a positive sum."""
    total = sum(weights.values())
    assert total > 0
    shares = {a: pool * w // total for a, w in weights.items()}
    left = pool - sum(shares.values())
    order = sorted(weights, key=lambda a: (-((pool * weights[a]) % total), a))
    for a in order[:left]:
        shares[a] += 1
    assert sum(shares.values()) == pool
    return shares


class Refused(Exception):
    def __init__(self, code: int, detail: str = ""):
        super().__init__(f"{code} {CODES[code]} {detail}")
        self.code = code


def check(cond: bool, code: int, detail: str = ""):
    if not cond:
        raise Refused(code, detail)
