"""Known-answer vectors for the ledger's rules taken one at a time, outside a ledger: the cost model,
emission, the largest-remainder split, the sample draw, the windows, the resolution of a sampled
receipt, settlements computed from a described set of receipts, and the state digest.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from ledger_chain import js, pairs_js
from ledger_core import (
    FRAUD, SAMPLED, STATUS_NAMES, U128_MAX, UNCHECKED, UNREVEALED, UNSAMPLED, VERIFIED, ZERO32, address_of,
    checksum, derive, draw, hx, key_for, largest_remainder, merkle_proof, merkle_root, payout_leaf,
    scheduled_emission, spec_valid, summary_bytes, threshold, units,
)
from ledger_state import State, settlement_record


def cost_model() -> list[dict]:
    rule = "LEDGER.md §Cost model"
    cases = [
        (1, 1, 1, 1, 1, 1), (1, 1, 1, 1, 1, 1), (1, 1024, 1024, 1, 1, 1), (1, 1024, 1024, 1, 1, 1),
        (1, 1, 1024, 1024, 1, 1), (1, 1, 1024, 1025, 1, 1), (1, 4096, 4096, 4096, 1, 1), (2, 4096, 4096, 4096, 16, 1),
        (2, 64, 128, 128, 3, 1), (3, 1, 1, 1, 1, 1), (3, 512, 512, 1, 1, 1), (3, 512, 512, 2, 1, 1),
        (3, 4096, 4096, 4096, 1, 1), (1, 0, 1, 1, 1, 1), (1, 4097, 1, 1, 1, 1), (1, 1, 1, 1, 2, 1),
        (2, 1, 2, 3, 1, 1), (2, 1, 2, 2, 17, 1), (2, 1, 2, 2, 0, 1), (3, 1, 1, 1, 0, 1), (4, 1, 1, 1, 1, 1),
        (0, 1, 1, 1, 1, 1), (1, 1, 1, 1, 1, 2), (1, 1, 1, 1, 1, 0),
    ]
    out = []
    seen = set()
    for kernel, m, n, k, layers, version in cases:
        if (kernel, m, n, k, layers, version) in seen:
            continue
        seen.add((kernel, m, n, k, layers, version))
        s = {"kernel": kernel, "version": version, "m": m, "n": n, "k": k, "layers": layers, "seed": ZERO32}
        valid = spec_valid(s)
        c = {"name": f"kernel {kernel} v{version} {m}x{n}x{k} layers {layers}", "rule": rule, "kernel": kernel,
             "version": version, "m": m, "n": n, "k": k, "layers": layers, "valid": valid}
        if valid:
            c["units"] = units(s)
        out.append(c)
    return out


def emission_cases() -> list[dict]:
    rule = "SETTLEMENT.md §Emission"
    G = 10**18
    rows = [
        ("first epoch", 1000 * G, 1000, 0, 10**26, 10**25, 0),
        ("last epoch before the first halving", 1000 * G, 1000, 999, 10**26, 10**25, 0),
        ("first halving", 1000 * G, 1000, 1000, 10**26, 10**25, 0),
        ("odd amount halved (floor)", 1001, 1, 1, U128_MAX, 0, 0),
        ("127 halvings of 2^128-1", U128_MAX, 1, 127, U128_MAX, 0, 0),
        ("128 halvings: zero", U128_MAX, 1, 128, U128_MAX, 0, 0),
        ("far past 128 halvings", U128_MAX, 1, 2**64 - 1, U128_MAX, 0, 0),
        ("interval 2^64-1, epoch 2^64-2", 7, 2**64 - 1, 2**64 - 2, U128_MAX, 0, 0),
        ("the cap leaves less room than scheduled", 1000 * G, 1000, 0, 10**25 + 300 * G, 10**25, 0),
        ("the cap is reached", 1000 * G, 1000, 5, 10**25, 10**25, 0),
        ("genesis supply and minted together reach the cap", 1000 * G, 1000, 5, 10**25 + 1500 * G, 10**25, 1500 * G),
        ("room of one base unit", 1000 * G, 1000, 5, 10**25 + 1, 10**25, 0),
    ]
    out = []
    for name, initial, interval, epoch, cap, supply, minted in rows:
        sched = scheduled_emission(initial, epoch, interval)
        room = max(0, cap - (supply + minted))
        out.append({"name": name, "rule": rule, "initialPerEpoch": str(initial), "halvingIntervalEpochs": interval,
                    "epoch": epoch, "supplyCap": str(cap), "genesisSupply": str(supply), "minted": str(minted),
                    "scheduled": str(sched), "room": str(room), "emission": str(min(sched, room))})
    return out


def lr_cases() -> list[dict]:
    rule = "SETTLEMENT.md §Integer math"
    addrs = sorted(address_of(key_for(f"lr/{i}")) for i in range(6))
    rows = [
        ("three equal weights, two units left: to the two lowest addresses", 8, [1, 1, 1]),
        ("equal remainders among unequal weights", 10, [1, 1, 2]),
        ("pool smaller than the number of weights", 2, [5, 5, 5, 5, 5]),
        ("pool of one, equal weights: lowest address", 1, [3, 3, 3, 3]),
        ("largest remainder wins over lower address", 10, [3, 3, 1]),
        ("exact division", 600, [1, 2, 3]),
        ("zero pool", 0, [1, 2, 3]),
        ("one weight", 12345, [7]),
        ("pool times weight needs 256 bits", U128_MAX, [2**64 - 1, 2**64 - 3, 5, 1]),
        ("weights in units of the largest jobs", 800 * 10**18, [1048576, 1, 1048575, 3, 65536, 2]),
    ]
    out = []
    for name, pool, weights in rows:
        w = {addrs[i]: x for i, x in enumerate(weights)}
        shares = largest_remainder(pool, w)
        total = sum(weights)
        out.append({"name": name, "rule": rule, "pool": str(pool),
                    "weights": [{"address": checksum(a), "weight": x, "floorShare": str(pool * x // total),
                                 "remainder": str(pool * x % total), "share": str(shares[a])} for a, x in w.items()]})
    # Weights listed in a different order from addresses: the result depends on addresses only.
    return out


def sampling_cases() -> list[dict]:
    rule = "SAMPLING.md §The sample"
    out = []
    thr = [{"sampleRatePpm": r, "threshold": str(threshold(r))} for r in (0, 1, 2, 50000, 500000, 999999, 1000000)]
    out.append({"name": "thresholds", "rule": rule + " (threshold, computed in 128 bits)", "thresholds": thr})
    for n, rate in ((1, 1000000), (8, 50000), (16, 500000), (5, 1), (3, 0), (12, 999999)):
        secret = derive(f"sample/secret/{n}/{rate}")
        ids = sorted(derive(f"sample/rid/{n}/{rate}/{i}") for i in range(n))
        root = merkle_root(ids)
        t = threshold(rate)
        items = []
        for rid in ids:
            d = draw(secret, root, rid)
            items.append({"receiptId": hx(rid), "hashed": hx(secret + root + rid), "draw": str(d), "sampled": d < t})
        out.append({"name": f"{n} receipts at {rate} ppm", "rule": rule, "secret": hx(secret),
                    "secretCommitment": hx(keccak(secret)), "receiptsRoot": hx(root), "sampleRatePpm": rate,
                    "threshold": str(t), "receipts": items})
    # Boundaries: for each draw, the largest rate that leaves it unsampled and the smallest that samples it.
    secret = derive("sample/boundary/secret")
    ids = sorted(derive(f"sample/boundary/{i}") for i in range(4))
    root = merkle_root(ids)
    for rid in ids:
        d = draw(secret, root, rid)
        r_in = d * 10**6 // 2**64 + 1
        while threshold(r_in - 1) > d:
            r_in -= 1
        assert threshold(r_in) > d >= threshold(r_in - 1)
        for rate in (r_in - 1, r_in):
            out.append({"name": f"boundary: draw {d} at {rate} ppm", "rule": rule, "secret": hx(secret),
                        "receiptsRoot": hx(root), "sampleRatePpm": rate, "threshold": str(threshold(rate)),
                        "receipts": [{"receiptId": hx(rid), "draw": str(d), "sampled": d < threshold(rate)}]})
    return out


def window_cases() -> list[dict]:
    rule = "SAMPLING.md §Windows (sealEpochs = revealEpochs = 1)"
    out = []
    for e in (0, 5):
        for closed in range(e, e + 5):
            c = closed
            if c <= e:
                phase = "open"
            elif c <= e + 1:
                phase = "sealing"
            elif c <= e + 2:
                phase = "revealing"
            else:
                phase = "resolved"
            accepts = {"open": ["receipts of E"], "sealing": ["outcomeSeal"],
                       "revealing": ["receiptReveal", "outcomeReveal"], "resolved": []}[phase]
            refusal = {"open": {"outcomeSeal": 431, "receiptReveal": 436, "outcomeReveal": 436},
                       "sealing": {"receiptReveal": 436, "outcomeReveal": 436},
                       "revealing": {"outcomeSeal": 435},
                       "resolved": {"outcomeSeal": 432, "receiptReveal": 437, "outcomeReveal": 437}}[phase]
            out.append({"name": f"receipt epoch {e}, {c} closed epochs", "rule": rule, "receiptEpoch": e,
                        "closedEpochs": c, "phase": phase, "accepted": accepts,
                        "refusedWith (for a receipt sampled at E's close)": refusal})
    return out


def _outcome(v: bytes, attempt: int, computed: bytes | None) -> dict:
    return {"verifier": v, "attempt": attempt, "seal": derive(f"seal/{v.hex()}/{attempt}"),
            "revealed": computed is not None, "computed": computed if computed is not None else ZERO32}


def resolution_cases() -> list[dict]:
    rule = "SAMPLING.md §Resolution; SETTLEMENT.md §Independent executions"
    O, X, Y = derive("res/output"), derive("res/x"), derive("res/y")
    V = [address_of(key_for(f"res/v{i}")) for i in range(4)]
    rows = [
        ("node never revealed, outcomes agree with each other", 2, None, [(0, 0, X), (1, 0, X)]),
        ("node never revealed, no outcome", 2, None, []),
        ("one outcome equals the output", 2, O, [(0, 0, O)]),
        ("one matching outcome beats two agreeing others", 3, O, [(0, 0, X), (1, 0, X), (2, 0, O)]),
        ("two verifiers agree on another hash: fraud", 2, O, [(0, 0, X), (1, 0, X)]),
        ("two verifiers disagree: unchecked", 2, O, [(0, 0, X), (1, 0, Y)]),
        ("one mismatch never slashes", 2, O, [(0, 0, X)]),
        ("the agreeing second outcome never revealed", 2, O, [(0, 0, X), (1, 0, None)]),
        ("no outcome at all", 2, O, []),
        ("sole verifier, two attempts agree on another hash: fraud", 1, O, [(0, 0, X), (0, 1, X)]),
        ("sole verifier, two different wrong answers: unchecked", 1, O, [(0, 0, X), (0, 1, Y)]),
        ("sole verifier, one attempt matches", 1, O, [(0, 0, X), (0, 1, O)]),
        ("sole verifier, four attempts: X, Y, Z, Y: fraud, confirmed hash Y", 1, O,
         [(0, 0, X), (0, 1, Y), (0, 2, derive("res/z")), (0, 3, Y)]),
        ("sole verifier, two attempts with the same number cannot both exist; attempts 7 and 2^32-1 agree", 1, O,
         [(0, 7, X), (0, 2**32 - 1, X)]),
        ("four verifiers: h1, h2, h2, h1 (confirmed hash: h1, first in seal order)", 4, O,
         [(0, 0, X), (1, 0, Y), (2, 0, Y), (3, 0, X)]),
        ("four verifiers: h2, h1, h2, h1 (confirmed hash: h2 under either reading)", 4, O,
         [(0, 0, Y), (1, 0, X), (2, 0, Y), (3, 0, X)]),
    ]
    out = []
    for name, nver, output, outs in rows:
        st = State()
        st.g = {"verifiers": V[:nver]}
        r = {"revealed": output is not None, "outputHash": output if output is not None else ZERO32,
             "outcomes": [_outcome(V[v], a, h) for v, a, h in outs], "status": SAMPLED}
        st.resolve(r)
        checks = {}
        agree = r["outputHash"] if r["status"] == VERIFIED else r.get("confirmed") if r["status"] == FRAUD else None
        for o in r["outcomes"]:
            if agree is not None and o["revealed"] and o["computed"] == agree:
                checks[o["verifier"]] = checks.get(o["verifier"], 0) + 1
        out.append({
            "name": name, "rule": rule, "registeredVerifiers": [checksum(v) for v in V[:nver]],
            "nodeRevealed": output is not None, "outputHash": hx(output) if output else None,
            "outcomes": [{"verifier": checksum(o["verifier"]), "attempt": o["attempt"], "revealed": o["revealed"],
                          "computedOutputHash": hx(o["computed"]) if o["revealed"] else None} for o in r["outcomes"]],
            "status": STATUS_NAMES[r["status"]], "confirmedHash": hx(r["confirmed"]) if "confirmed" in r else None,
            "checks": [{"verifier": checksum(a), "count": n} for a, n in sorted(checks.items())],
        })
    return out


def _settlement_state(params: dict, bonds: dict, receipts: list[dict], genesis_supply: int, minted: int) -> State:
    st = State()
    st.g = params
    st.genesis_supply = genesis_supply
    st.minted = minted
    for a, b in bonds.items():
        st.accounts[a] = [0, b, 0]
    for i, r in enumerate(receipts):
        job = derive(f"settle/job/{i}")
        st.receipts[job] = dict(r, jobId=job, settled=r.get("settled", False))
    return st


def settlement_cases() -> list[dict]:
    rule = "SETTLEMENT.md §Settlement of epoch E"
    G = 10**18
    N = sorted(address_of(key_for(f"settle/node/{i}")) for i in range(4))
    V = sorted(address_of(key_for(f"settle/ver/{i}")) for i in range(2))
    T = address_of(key_for("settle/treasury"))
    O, X = derive("settle/out"), derive("settle/x")

    def params(**kw):
        p = {"initialPerEpoch": 1000 * G, "halvingIntervalEpochs": 1000, "supplyCap": 10**26, "nodesBps": 8000,
             "verifiersBps": 1000, "treasuryBps": 1000, "slashFractionBps": 5000, "slashDestination": "burn",
             "treasury": T, "verifiers": V}
        p.update(kw)
        return p

    def rc(node, epoch, u, status, outs=(), output=O, confirmed=None, settled=False):
        r = {"node": node, "epoch": epoch, "units": u, "status": status, "revealed": output is not None,
             "outputHash": output or ZERO32, "outcomes": [_outcome(v, a, h) for v, a, h in outs],
             "settled": settled}
        if confirmed is not None:
            r["confirmed"] = confirmed
        return r

    ver = [(V[0], 0, O), (V[1], 0, O)]
    frd = [(V[0], 0, X), (V[1], 0, X)]
    rows = [
        ("zero-work epoch: everything to the treasury", params(), 0, {}, []),
        ("unsampled receipts of two nodes", params(), 0, {N[0]: 100 * G, N[1]: 100 * G},
         [rc(N[0], 0, 3, UNSAMPLED), rc(N[1], 0, 5, UNSAMPLED), rc(N[1], 0, 2, UNSAMPLED)]),
        ("a still-sampled receipt defers its whole group; the nodes pool goes to the paid group", params(), 0,
         {N[0]: 100 * G, N[1]: 100 * G},
         [rc(N[0], 0, 3, UNSAMPLED), rc(N[0], 0, 4, SAMPLED, output=None), rc(N[1], 0, 2, UNSAMPLED)]),
        ("everything deferred: the nodes and verifiers pools go to the treasury", params(), 0, {N[0]: 100 * G},
         [rc(N[0], 0, 3, SAMPLED, output=None), rc(N[0], 0, 4, UNSAMPLED)]),
        ("receipts of a later epoch are not considered", params(), 1, {N[0]: 100 * G},
         [rc(N[0], 1, 3, UNSAMPLED), rc(N[0], 2, 9, UNSAMPLED), rc(N[1], 0, 1, UNSAMPLED, settled=True)]),
        ("verified and unchecked are paid; verified credits checks", params(), 0, {N[0]: 100 * G, N[1]: 100 * G},
         [rc(N[0], 0, 10, VERIFIED, ver), rc(N[1], 0, 10, UNCHECKED, [(V[0], 0, X), (V[1], 0, derive("y"))])]),
        ("fraud: forfeited, slashed, burned; confirming verifiers credited", params(), 0,
         {N[0]: 1000 * G, N[1]: 100 * G},
         [rc(N[0], 0, 10, FRAUD, frd, confirmed=X), rc(N[0], 0, 5, UNSAMPLED), rc(N[1], 0, 7, UNSAMPLED)]),
        ("unrevealed: forfeited and slashed, credits no check", params(), 0, {N[0]: 1000 * G, N[1]: 100 * G},
         [rc(N[0], 0, 10, UNREVEALED, frd, output=None), rc(N[1], 0, 7, UNSAMPLED)]),
        ("three forfeited groups of one node: chained slashes from an odd bond", params(), 2, {N[0]: 1001},
         [rc(N[0], 0, 1, FRAUD, frd, confirmed=X), rc(N[0], 1, 1, UNREVEALED, output=None),
          rc(N[0], 2, 1, FRAUD, frd, confirmed=X)]),
        ("two nodes slashed to the treasury, one of them twice", params(slashDestination="treasury"), 1,
         {N[0]: 3 * G, N[1]: 1000 * G},
         [rc(N[1], 1, 2, FRAUD, frd, confirmed=X), rc(N[0], 0, 1, FRAUD, frd, confirmed=X),
          rc(N[0], 1, 1, UNREVEALED, output=None), rc(N[2], 1, 4, UNSAMPLED)]),
        ("slash of 100%", params(slashFractionBps=10000), 0, {N[0]: 777},
         [rc(N[0], 0, 1, FRAUD, frd, confirmed=X), rc(N[0], 0, 1, FRAUD, frd, confirmed=X)]),
        ("zero bond: forfeited, and a slash of 0 is not listed", params(), 0, {}, [rc(N[0], 0, 1, UNREVEALED, output=None)]),
        ("treasury is also a node and a verifier: payouts merged", params(treasury=N[0], verifiers=[N[0], V[1]]), 0,
         {N[0]: 100 * G},
         [rc(N[0], 0, 5, UNSAMPLED), rc(N[1], 0, 5, VERIFIED, [(N[0], 0, O), (V[1], 0, O)])]),
        ("ties: three equal nodes share 8 base units", params(initialPerEpoch=10), 0, {},
         [rc(N[0], 0, 4, UNSAMPLED), rc(N[1], 0, 4, UNSAMPLED), rc(N[2], 0, 4, UNSAMPLED)]),
        ("emission 0 (cap reached): no payouts, zero root", params(supplyCap=10**25), 0, {}, [rc(N[0], 0, 1, UNSAMPLED)]),
        ("the cap leaves 7 base units", params(supplyCap=10**25 + 7), 3, {}, [rc(N[0], 3, 1, UNSAMPLED)]),
        ("halved emission, nodes 100%", params(nodesBps=10000, verifiersBps=0, treasuryBps=0), 2500, {},
         [rc(N[0], 2500, 1, UNSAMPLED), rc(N[1], 2500, 2, UNSAMPLED)]),
        ("emission 2^128-1 split 1/1/9998 bps", params(initialPerEpoch=U128_MAX, supplyCap=U128_MAX, nodesBps=1,
                                                        verifiersBps=1, treasuryBps=9998), 0, {},
         [rc(N[0], 0, 3, VERIFIED, [(V[0], 0, O)]), rc(N[1], 0, 1, UNSAMPLED), rc(N[2], 0, 1, UNSAMPLED)]),
    ]
    out = []
    for name, p, epoch, bonds, receipts in rows:
        supply = 10**25 if p["supplyCap"] != U128_MAX else 0
        st = _settlement_state(p, bonds, receipts, supply, 0)
        s = st.compute_settlement(epoch)
        plist = s["payouts"]
        leaves = [payout_leaf(a, v) for a, v in plist]
        d = s["detail"]
        out.append({
            "name": name, "rule": rule, "epoch": epoch,
            "params": js({k: v for k, v in p.items()}),
            "genesisSupply": str(supply), "minted": "0",
            "bonds": pairs_js(sorted(bonds.items()), "bonded"),
            "receipts": [{"jobId": hx(r["jobId"]), "node": checksum(r["node"]), "epoch": r["epoch"], "units": r["units"],
                          "status": STATUS_NAMES[r["status"]], "settled": r["settled"], "revealed": r["revealed"],
                          "outputHash": hx(r["outputHash"]) if r["revealed"] else None,
                          "confirmedHash": hx(r["confirmed"]) if "confirmed" in r else None,
                          "outcomes": [{"verifier": checksum(o["verifier"]), "attempt": o["attempt"],
                                        "revealed": o["revealed"],
                                        "computedOutputHash": hx(o["computed"]) if o["revealed"] else None}
                                       for o in r["outcomes"]]}
                         for r in sorted(st.receipts.values(), key=lambda r: r["jobId"])],
            "expected": {
                "summary": js(s["summary"]),
                "scheduled": str(d["scheduled"]), "room": str(d["room"]), "nodesPool": str(d["nodesPool"]),
                "verifiersPool": str(d["verifiersPool"]),
                "nodeUnits": [{"address": checksum(a), "units": u} for a, u in sorted(d["nodeUnits"].items())],
                "verifierChecks": [{"address": checksum(a), "checks": n} for a, n in sorted(d["verifierChecks"].items())],
                "payouts": pairs_js(plist), "slashes": pairs_js(s["slashes"]),
                "settledJobs": [hx(j) for j in s["settledJobs"]],
                "rewardLeaves": [hx(x) for x in leaves],
                "rewardProofs": [[hx(x) for x in merkle_proof(leaves, i)] for i in range(len(leaves))],
                "summaryPayload": hx(summary_bytes(s["summary"])),
                "settlementRecord": hx(settlement_record(s)),
            },
        })
        assert sum(v for _, v in plist) == s["summary"]["emission"]
    return out


def digest_cases() -> list[dict]:
    rule = "LEDGER.md §State digest"
    out = []
    for n in (0, 1, 2, 5):
        recs = [(b"\x01" + derive(f"dg/{n}/{i}")[:20], derive(f"dg/v/{n}/{i}")[:16] * 2 + b"\x00" * 8) for i in range(n)]
        terms = [int.from_bytes(keccak(k + v), "big") for k, v in recs]
        out.append({"name": f"{n} records", "rule": rule,
                    "records": [{"key": hx(k), "value": hx(v), "term": hx(keccak(k + v))} for k, v in recs],
                    "sum": hex(sum(terms)), "stateDigest": hx((sum(terms) % 2**256).to_bytes(32, "big"))})
    return out


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit."""
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def storage_cases() -> list[dict]:
    rule = "LEDGER.md §Storage"
    assert crc32c(b"123456789") == 0xE3069283
    from ledger_core import amount, entry_bytes, u32, u64
    head = u64(42) + derive("st/last") + u64(1764028800123) + derive("st/digest")
    rows = [
        ("CRC-32C check value", "none", b"", b"123456789"),
        ("empty key and value", "none", b"", b""),
        ("state: totals record", "state", b"\x00", amount(10**25) + amount(3 * 10**21) + amount(5) + amount(10**25 - 10**21)
         + amount(4 * 10**21 - 5)),
        ("state: account record", "state", b"\x01" + address_of(key_for("st/acct")), amount(10**18) + amount(0) + u64(7)),
        ("log: entry at height 1", "log", u64(1), entry_bytes(1, derive("st/prev"), 1764028800000, 8, derive("st/cp"))),
        ("meta: head", "meta", b"head", head),
        ("meta: format 6", "meta", b"format", u32(6)),
        ("meta: an epoch secret", "meta", b"secret" + u64(3), derive("st/secret")),
        ("meta: the marker of a close's deferred rewrite", "meta", b"deferred" + u64(120), b"\x01" + u64(3)),
        ("meta: the marker of a settlement's deferred rewrite, its receipts ascending", "meta", b"deferred" + u64(121),
         b"\x02" + u64(3) + u32(2) + min(derive("st/job"), derive("st/job2")) + max(derive("st/job"), derive("st/job2"))),
        ("indexes: a job's spec", "indexes", b"\x03" + derive("st/job"),
         bytes.fromhex("0002000100000040000001000000010000000004") + derive("st/seed")),
        ("indexes: a receipt's job, by receipt id", "indexes", b"\x04" + derive("st/receipt"), derive("st/job")),
        ("indexes: a closed epoch's receipt count", "indexes", b"\x05" + u64(3), u64(1000)),
        ("indexes: a receipt not yet settled, with its node and units", "indexes", b"\x06" + u64(3) + derive("st/job"),
         address_of(key_for("st/acct")) + u64(64)),
        ("indexes: a sampled receipt awaiting resolution", "indexes", b"\x07" + u64(3) + derive("st/job"), b""),
        ("history: the balances of epoch 70's settlement, ascending by address", "history", u64(70),
         u32(2) + b"".join(address_of(key_for(n)) + amount(a) for n, a in
                           sorted((("st/acct", 10**18), ("st/acct2", 3)), key=lambda p: address_of(key_for(p[0]))))),
    ]
    out = []
    for name, family, k, v in rows:
        c = crc32c(k + v)
        out.append({"name": name, "rule": rule + " (u32 crc32c(key ‖ value), big-endian, after every stored value)",
                    "family": family, "key": hx(k), "value": hx(v), "crc32c": f"0x{c:08x}",
                    "stored": hx(v + c.to_bytes(4, "big"))})
    out[0]["rule"] = "LEDGER.md §Storage (CRC-32C, Castagnoli)"
    out[5]["head"] = {"nextHeight": 42, "lastHash": hx(derive("st/last")), "lastTimestampMillis": 1764028800123,
                       "stateDigest": hx(derive("st/digest"))}
    return out


def role_messages() -> list[dict]:
    """RPC.md §Roles and §Signed heads: the three signed messages that are not ledger entries."""
    from ledger_core import digest, hash_struct, sign
    from ledger_genesis import devnet_key
    op, ver = devnet_key(0), devnet_key(2)
    out = []
    rows = [("EpochControl", {"action": a, "epoch": e}, op, f"EpochControl {a} epoch {e}: {why}")
            for a, e, why in (("open", 0, "open names the next epoch, while none is open"),
                              ("close", 0, "close names the open epoch"),
                              ("advance", 7, "advance names the open epoch"),
                              ("settle", 3, "settle names the next epoch to settle, which must be closed"),
                              ("close", 2**64 - 1, "largest epoch"))]
    rows += [("LeaseRequest", {"verifier": address_of(ver), "max": m, "issuedAtMillis": t}, ver,
              f"LeaseRequest max {m} at {t}") for m, t in ((1, 1764028800000), (256, 1764028860000), (2**32 - 1, 0))]
    rows += [("LedgerHead", {"height": h, "entryHash": derive(f"head/{h}/hash"), "stateDigest": derive(f"head/{h}/digest")}, op,
              f"LedgerHead at height {h}") for h in (0, 1234, 2**64 - 1)]
    for primary, msg, key, name in rows:
        d = digest(primary, msg, 7331)
        out.append({"name": name, "rule": "RPC.md §Roles, §Signed heads; LEDGER.md §Signed types (domain)", "primaryType": primary,
                    "chainId": 7331, "message": js(msg), "structHash": hx(hash_struct(primary, msg)), "digest": hx(d),
                    "privateKey": hx(key), "signer": checksum(address_of(key)), "signature": hx(sign(d, key))})
    return out


def rule_sections() -> dict:
    return {
        "costModel": cost_model(),
        "emission": emission_cases(),
        "largestRemainder": lr_cases(),
        "sampling": sampling_cases(),
        "windows": window_cases(),
        "resolution": resolution_cases(),
        "settlements": settlement_cases(),
        "stateDigest": digest_cases(),
        "storage": storage_cases(),
        "roleMessages": role_messages(),
    }

