"""Known-answer vectors for the Merkle trees (LEDGER.md §Merkle trees) and the trees built on them:
receipt batches, assignment batches, an epoch's receipts root (SAMPLING.md §Commit, then reveal),
and the rewards and balances trees with their OpenZeppelin leaves (SETTLEMENT.md §Payouts and roots).
"""

from __future__ import annotations

from ledger_core import (
    address_of, checksum, derive, hash_pair, hx, key_for, merkle_proof, merkle_root, merkle_verify, payout_leaf,
)

RULE = "LEDGER.md §Merkle trees"


def leaves_for(label: str, n: int) -> list[bytes]:
    return [derive(f"tree/{label}/{i}") for i in range(n)]


def proofs(leaves: list[bytes], root: bytes) -> list[dict]:
    out = []
    for i, leaf in enumerate(leaves):
        p = merkle_proof(leaves, i)
        assert merkle_verify(leaf, p, root)
        out.append({"index": i, "leaf": hx(leaf), "proof": [hx(x) for x in p]})
    return out


def tree_cases() -> list[dict]:
    out = []
    for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 33):
        leaves = leaves_for(f"n{n}", n)
        root = merkle_root(leaves)
        c = {"name": f"hashed leaves: {n}", "rule": RULE, "leaves": [hx(x) for x in leaves], "root": hx(root)}
        if n <= 9 or n == 17:
            c["proofs"] = proofs(leaves, root)
        out.append(c)
    # Equal leaves, and leaves whose order in a pair is reversed (hashPair sorts each pair).
    a, b = derive("tree/pair/a"), derive("tree/pair/b")
    lo, hi = min(a, b), max(a, b)
    out.append({"name": "pair given high first: sorted before hashing", "rule": RULE + " (hashPair)",
                "leaves": [hx(hi), hx(lo)], "root": hx(hash_pair(hi, lo)), "rootOfSortedOrder": hx(hash_pair(lo, hi)),
                "proofs": proofs([hi, lo], hash_pair(hi, lo))})
    out.append({"name": "two equal leaves", "rule": RULE, "leaves": [hx(a), hx(a)], "root": hx(hash_pair(a, a)),
                "proofs": proofs([a, a], hash_pair(a, a))})
    z = b"\x00" * 32
    out.append({"name": "zero leaves (32 zero bytes each), three of them", "rule": RULE,
                "leaves": [hx(z)] * 3, "root": hx(merkle_root([z, z, z])), "proofs": proofs([z, z, z], merkle_root([z, z, z]))})
    return out


def payout_tree_cases() -> list[dict]:
    """The rewards and balances trees: (address, amount) pairs ascending by address."""
    out = []
    amounts = [1, 10**18, 2**128 - 1, 0x1234, 799999999999999999999, 5, 7]
    for n in (1, 2, 3, 5, 7):
        pairs = sorted((address_of(key_for(f"payout/{n}/{i}")), amounts[i]) for i in range(n))
        leaves = [payout_leaf(a, v) for a, v in pairs]
        root = merkle_root(leaves)
        out.append({
            "name": f"payout tree: {n} payout(s)",
            "rule": "SETTLEMENT.md §Payouts and roots (rewardsRoot, balancesRoot); AUDIT.md §Export (claims.json)",
            "payouts": [{"address": checksum(a), "amount": str(v), "abiEncoded": hx(b"\x00" * 12 + a + v.to_bytes(32, "big")),
                         "leaf": hx(payout_leaf(a, v))} for a, v in pairs],
            "root": hx(root),
            "proofs": [{"index": i, "address": checksum(a), "amount": str(v), "proof": [hx(x) for x in merkle_proof(leaves, i)]}
                       for i, (a, v) in enumerate(pairs)],
        })
        for i, (a, v) in enumerate(pairs):
            assert merkle_verify(payout_leaf(a, v), merkle_proof(leaves, i), root)
    out.append({"name": "payout tree: empty", "rule": "LEDGER.md §Merkle trees (no leaves)", "payouts": [],
                "root": hx(merkle_root([]))})
    return out
