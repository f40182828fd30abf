"""Known-answer vectors for the encoding of every entry kind (LEDGER.md §Entries, §Payloads,
§Genesis payload, §Signed types): structured fields in, payload, entry encoding and entry hash out.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from ledger_chain import js
from ledger_core import (
    KIND, U64_MAX, U128_MAX, ZERO20, ZERO32, address_of, assignments_root, checksum, derive, entry_bytes, hash_struct,
    hx, job_spec_hash, key_for, merkle_root, output_commitment, payload_bytes, receipt_id, seal_of, sign,
    signed_message, signing_digest, summary_bytes,
)
from ledger_genesis import from_file, to_file

SIGNED = {"assignmentBatch", "receipt", "receiptBatch", "transfer", "bond", "unbond", "epochOpen", "epochClose",
          "outcomeSeal"}

RULE = {
    "genesis": "LEDGER.md §Genesis (Genesis payload), §Entries",
    "assignmentBatch": "LEDGER.md §Payloads (assignmentBatch, jobSpec), §Signed types (Assignment batch)",
    "receipt": "LEDGER.md §Payloads (receipt, receiptBody), §Signed types (Receipt id)",
    "receiptBatch": "LEDGER.md §Payloads (receiptBatch), §Signed types (Receipt batch)",
    "transfer": "LEDGER.md §Payloads (transfer), §Signed types (Transfer)",
    "bond": "LEDGER.md §Payloads (bond), §Signed types (Bond)",
    "unbond": "LEDGER.md §Payloads (unbond), §Signed types (Unbond)",
    "checkpoint": "LEDGER.md §Payloads (checkpoint)",
    "epochOpen": "LEDGER.md §Payloads (epochOpen), §Signed types (EpochOpen); SAMPLING.md §Commit, then reveal",
    "epochClose": "LEDGER.md §Payloads (epochClose), §Signed types (EpochClose)",
    "outcomeSeal": "LEDGER.md §Payloads (outcomeSeal, seal), §Signed types (OutcomeSeal)",
    "settlementComputed": "LEDGER.md §Payloads (settlementComputed)",
    "settlementApplied": "LEDGER.md §Payloads (settlementApplied)",
    "receiptReveal": "LEDGER.md §Payloads (receiptReveal, outputCommitment)",
    "outcomeReveal": "LEDGER.md §Payloads (outcomeReveal, seal)",
}


def h(label: str) -> bytes:
    return derive("enc/" + label)


def addr(label: str) -> bytes:
    return address_of(key_for(label))


def spec(kernel=1, m=64, n=64, k=64, layers=1, seed=None, version=1):
    return {"kernel": kernel, "version": version, "m": m, "n": n, "k": k, "layers": layers,
            "seed": seed if seed is not None else h(f"seed/{kernel}/{m}/{n}/{k}/{layers}")}


def case(name: str, kind_name: str, fields: dict, *, key: bytes | None = None, height=1, prev=None, ts=1764028800000,
         extra: dict | None = None, compact: bool = False, note: str = "") -> dict:
    fields = dict(fields)
    out: dict = {"name": name, "rule": RULE[kind_name], "kind": KIND[kind_name], "kindName": kind_name}
    if note:
        out["note"] = note
    if kind_name in SIGNED:
        d = signing_digest(kind_name, fields)
        fields["signature"] = sign(d, key)
        primary, msg = signed_message(kind_name, fields)
        out["signer"] = {"privateKey": hx(key), "address": checksum(address_of(key))}
        out["signedType"] = primary
        out["signedMessage"] = js(msg)
        out["signingDigest"] = hx(d)
    prev = ZERO32 if prev is None else prev
    payload = payload_bytes(kind_name, fields)
    enc = entry_bytes(height, prev, ts, KIND[kind_name], payload)
    if not compact:
        out["fields"] = js(fields)
    out["entry"] = {"formatVersion": 1, "height": height, "previousHash": hx(prev), "timestampMillis": ts}
    if compact:
        out["payloadLength"] = len(payload)
        out["payloadKeccak256"] = hx(keccak(payload))
        out["encodedLength"] = len(enc)
        out["signature"] = hx(fields["signature"]) if "signature" in fields else None
    else:
        out["payload"] = hx(payload)
        out["encoded"] = hx(enc)
    out["hash"] = hx(keccak(enc))
    if extra:
        out.update(extra)
    return out


def genesis_cases(devnet_doc: dict) -> list[dict]:
    out = []
    g = from_file(devnet_doc)
    out.append(case("genesis: Genesis/devnet.json", "genesis", g, height=0, ts=g["genesisTimeMillis"],
                    extra={"genesisFile": devnet_doc, "chainHash": None}))
    out[-1]["chainHash"] = out[-1]["hash"]
    # Edge values: largest chain id, multi-byte UTF-8 names at their byte limits, amounts at 2^128-1,
    # an allocation with only a bond, one with neither (0 and 0), no verifiers beyond one.
    v = [addr(f"gen/verifier/{i}") for i in range(256)]
    edge = {
        "chainId": 2**63 - 1, "name": "é" * 32, "symbol": "GATA€€€€", "decimals": 18, "genesisTimeMillis": 0,
        "epochLengthSeconds": 31536000, "initialPerEpoch": 0, "halvingIntervalEpochs": U64_MAX,
        "supplyCap": U128_MAX, "nodesBps": 0, "verifiersBps": 0, "treasuryBps": 10000, "sampleRatePpm": 1000000,
        "slashFractionBps": 10000, "slashDestination": "treasury", "minimumBond": U128_MAX, "costPerUnit": 0,
        "operator": addr("gen/op"), "scheduler": addr("gen/sched"), "verifiers": v, "treasury": addr("gen/treasury"),
        "checkpointInterval": 10**6,
        "allocations": [{"address": addr("gen/a0"), "balance": U128_MAX - 1, "bonded": 0},
                        {"address": addr("gen/a1"), "balance": 0, "bonded": 1},
                        {"address": ZERO20, "balance": 0, "bonded": 0}],
    }
    assert len(edge["name"].encode()) == 64 and len(edge["symbol"].encode()) == 16
    out.append(case("genesis: edge values (max chain id, 64-byte name, 16-byte symbol, 256 verifiers, u128 max amounts, "
                    "treasury slashing, 10^6 checkpoint interval, supply = cap = 2^128-1)", "genesis", edge, height=0, ts=0,
                    extra={"genesisFile": to_file(edge), "genesisFileRefusedAt": "emission.halvingIntervalEpochs"}))
    # The same at the largest values a genesis file may hold (LEDGER.md §Genesis): the payload's u64
    # fields are wider than the file's ranges, so the two cases above and below are refused as files.
    limits = dict(edge, genesisTimeMillis=2**63 - 1, halvingIntervalEpochs=2**32 - 1)
    out.append(case("genesis: the file's limits (timestamp 2^63-1, halving interval 2^32-1)", "genesis", limits, height=0,
                    ts=2**63 - 1, extra={"genesisFile": to_file(limits)}))
    small = dict(edge, chainId=1, name="G", symbol="G", verifiers=[addr("gen/v")], allocations=[],
                 slashDestination="burn", sampleRatePpm=1, slashFractionBps=1, checkpointInterval=1,
                 epochLengthSeconds=1, halvingIntervalEpochs=1, supplyCap=0, minimumBond=1, genesisTimeMillis=U64_MAX,
                 nodesBps=3333, verifiersBps=3333, treasuryBps=3334, initialPerEpoch=1)
    out.append(case("genesis: minimum values (chain id 1, no allocations, one verifier, rate 1 ppm, timestamp 2^64-1)",
                    "genesis", small, height=0, ts=U64_MAX,
                    extra={"genesisFile": to_file(small), "genesisFileRefusedAt": "genesisTimeMillis"}))
    return out


def all_cases(devnet_doc: dict) -> list[dict]:
    out = genesis_cases(devnet_doc)
    chain = 7331
    sched = key_for("enc/scheduler")
    op = key_for("enc/operator")
    ver = key_for("enc/verifier")
    node_k = key_for("enc/node")
    node = address_of(node_k)
    user_k = key_for("enc/user")
    user = address_of(user_k)
    prev = h("prev")

    # assignmentBatch
    specs = [spec(1, 1, 1, 1), spec(2, 4096, 4096, 4096, 16), spec(3, 4096, 1, 4096, 1),
             spec(1, 7, 3, 5, 1, seed=ZERO32), spec(2, 2, 9, 9, 3, seed=b"\xff" * 32)]
    for n_jobs in (1, 2, 3, 5):
        asg = [{"jobId": h(f"asg/{n_jobs}/{i}"), "node": addr(f"asg/node/{i % 2}"), "spec": specs[i]}
               for i in range(n_jobs)]
        leaves = [hash_struct("Assignment", {"jobId": a["jobId"], "node": a["node"],
                                             "jobSpecHash": job_spec_hash(a["spec"])}, chain) for a in asg]
        out.append(case(f"assignmentBatch: {n_jobs} assignment(s)", "assignmentBatch",
                        {"chainId": chain, "epoch": n_jobs - 1, "assignments": asg}, key=sched, height=n_jobs, prev=prev,
                        extra={"jobSpecHashes": [hx(job_spec_hash(a["spec"])) for a in asg],
                               "assignmentLeaves": [hx(x) for x in leaves],
                               "assignmentsRoot": hx(assignments_root(chain, asg))}))
    out.append(case("assignmentBatch: empty list (decodes; applying it is refused with 400)", "assignmentBatch",
                    {"chainId": chain, "epoch": U64_MAX, "assignments": []}, key=sched, height=U64_MAX, prev=prev,
                    ts=U64_MAX, extra={"assignmentsRoot": hx(ZERO32)}))
    # 4096 assignments, the limit: generated by a rule, compared by hash.
    big = [{"jobId": keccak(b"asg4096/job" + i.to_bytes(4, "big")), "node": addr(f"asg/node/{i % 3}"),
            "spec": {"kernel": 1 + i % 3, "version": 1, "m": 1 + i, "n": 4096 - i, "k": 4096 - i,
                     "layers": 1, "seed": keccak(b"asg4096/seed" + i.to_bytes(4, "big"))}} for i in range(4096)]
    out.append(case("assignmentBatch: 4096 assignments (the limit), generated", "assignmentBatch",
                    {"chainId": chain, "epoch": 77, "assignments": big}, key=sched, height=4096, prev=prev, compact=True,
                    extra={"generated": {
                        "count": 4096, "chainId": chain, "epoch": 77,
                        "jobId[i]": 'keccak256("asg4096/job" ‖ u32 i)',
                        "node[i]": [checksum(addr(f"asg/node/{j}")) for j in range(3)],
                        "node[i] is": "node[i mod 3] of that list",
                        "spec[i]": "kernel 1 + i mod 3, version 1, m = 1 + i, n = k = 4096 - i, layers 1, "
                                   'seed keccak256("asg4096/seed" ‖ u32 i)'},
                        "assignmentsRoot": hx(assignments_root(chain, big))}))
    # receipt
    for i, (ep, cid) in enumerate([(0, chain), (U64_MAX, chain), (12345, 1), (7, 2**63 - 1)]):
        out_hash, salt = h(f"rcpt/out/{i}"), h(f"rcpt/salt/{i}")
        f = {"chainId": cid, "node": node, "epoch": ep, "jobId": h(f"rcpt/job/{i}"),
             "jobSpecHash": job_spec_hash(specs[i]), "outputCommitment": output_commitment(out_hash, salt)}
        out.append(case(f"receipt: epoch {ep}, chain id {cid}", "receipt", f, key=node_k, height=10 + i, prev=prev,
                        extra={"outputHash": hx(out_hash), "salt": hx(salt),
                               "receiptId": hx(receipt_id(cid, node, ep, f))}))
    # receiptBatch
    for n in (1, 2, 3, 4, 7):
        bodies = []
        for i in range(n):
            o, s = h(f"rb/{n}/out/{i}"), h(f"rb/{n}/salt/{i}")
            bodies.append({"jobId": h(f"rb/{n}/job/{i}"), "jobSpecHash": job_spec_hash(specs[i % len(specs)]),
                           "outputCommitment": output_commitment(o, s)})
        ids = [receipt_id(chain, node, 3, b) for b in bodies]
        out.append(case(f"receiptBatch: {n} receipt(s)", "receiptBatch",
                        {"chainId": chain, "node": node, "epoch": 3, "receipts": bodies}, key=node_k, height=20 + n,
                        prev=prev, extra={"receiptIds": [hx(x) for x in ids], "receiptsRoot": hx(merkle_root(ids))}))
    out.append(case("receiptBatch: empty list (decodes; applying it is refused with 400)", "receiptBatch",
                    {"chainId": chain, "node": node, "epoch": 0, "receipts": []}, key=node_k, height=30, prev=prev,
                    extra={"receiptsRoot": hx(ZERO32)}))
    # 1024 receipts, the limit: generated by a rule, compared by hash.
    bodies = [{"jobId": keccak(b"rb1024/job" + i.to_bytes(4, "big")),
               "jobSpecHash": keccak(b"rb1024/spec" + i.to_bytes(4, "big")),
               "outputCommitment": keccak(b"rb1024/commit" + i.to_bytes(4, "big"))} for i in range(1024)]
    ids = [receipt_id(chain, node, 9, b) for b in bodies]
    out.append(case("receiptBatch: 1024 receipts (the limit), generated", "receiptBatch",
                    {"chainId": chain, "node": node, "epoch": 9, "receipts": bodies}, key=node_k, height=31, prev=prev,
                    compact=True, extra={
                        "generated": {"count": 1024, "chainId": chain, "node": checksum(node), "epoch": 9,
                                      "jobId[i]": 'keccak256("rb1024/job" ‖ u32 i)',
                                      "jobSpecHash[i]": 'keccak256("rb1024/spec" ‖ u32 i)',
                                      "outputCommitment[i]": 'keccak256("rb1024/commit" ‖ u32 i)'},
                        "receiptIdsFirst": [hx(x) for x in ids[:3]], "receiptIdLast": hx(ids[-1]),
                        "receiptsRoot": hx(merkle_root(ids))}))
    # transfer, bond, unbond
    amounts = [(1, 0), (U128_MAX, U64_MAX), (10**18, 1), (123456789012345678901234567890, 42)]
    for i, (amt, nonce) in enumerate(amounts):
        out.append(case(f"transfer: amount {amt}, nonce {nonce}", "transfer",
                        {"chainId": chain, "from": user, "to": addr(f"to/{i}"), "amount": amt, "nonce": nonce},
                        key=user_k, height=40 + i, prev=prev))
    out.append(case("transfer: zero amount to the zero address (decodes; refused with 304 when applied)", "transfer",
                    {"chainId": chain, "from": user, "to": ZERO20, "amount": 0, "nonce": 0}, key=user_k, height=45,
                    prev=prev))
    for kname in ("bond", "unbond"):
        for i, (amt, nonce) in enumerate(amounts + [(0, 0)]):
            out.append(case(f"{kname}: amount {amt}, nonce {nonce}", kname,
                            {"chainId": chain, "account": node, "amount": amt, "nonce": nonce}, key=node_k,
                            height=50 + i, prev=prev))
    # checkpoint
    for i, d in enumerate([ZERO32, b"\xff" * 32, h("digest")]):
        out.append(case(f"checkpoint: digest {i}", "checkpoint", {"stateDigest": d}, height=1000 * (i + 1), prev=prev))
    # epochOpen / epochClose
    for i, ep in enumerate([0, 1, U64_MAX]):
        secret = h(f"secret/{i}")
        out.append(case(f"epochOpen: epoch {ep}", "epochOpen",
                        {"chainId": chain, "epoch": ep, "secretCommitment": keccak(secret)}, key=op, height=60 + i,
                        prev=prev, extra={"secret": hx(secret)}))
        out.append(case(f"epochClose: epoch {ep}", "epochClose",
                        {"chainId": chain, "epoch": ep, "secret": secret,
                         "receiptsRoot": ZERO32 if i == 0 else h(f"root/{i}"), "stateDigest": h(f"sd/{i}")},
                        key=op, height=70 + i, prev=prev))
    # outcomeSeal
    v_addr = address_of(ver)
    for i, att in enumerate([0, 1, 2**32 - 1]):
        rid, comp, salt = h(f"seal/rid/{i}"), h(f"seal/comp/{i}"), h(f"seal/salt/{i}")
        s = seal_of(rid, v_addr, att, comp, salt)
        out.append(case(f"outcomeSeal: attempt {att}", "outcomeSeal",
                        {"chainId": chain, "receiptId": rid, "attempt": att, "seal": s}, key=ver, height=80 + i,
                        prev=prev, extra={"verifier": checksum(v_addr), "computedOutputHash": hx(comp), "salt": hx(salt),
                                          "sealPreimage": hx(rid + v_addr + att.to_bytes(4, "big") + comp + salt)}))
    # receiptReveal / outcomeReveal
    for n in (1, 2, 3):
        items = [{"jobId": h(f"rr/{n}/{i}"), "outputHash": h(f"rr/{n}/o/{i}"), "salt": h(f"rr/{n}/s/{i}")}
                 for i in range(n)]
        out.append(case(f"receiptReveal: {n} item(s)", "receiptReveal", {"reveals": items}, height=90 + n, prev=prev,
                        extra={"outputCommitments": [hx(output_commitment(x["outputHash"], x["salt"])) for x in items]}))
        oitems = [{"receiptId": h(f"or/{n}/{i}"), "verifier": addr(f"or/v/{i}"), "attempt": [0, 7, 2**32 - 1][i],
                   "computedOutputHash": h(f"or/{n}/c/{i}"), "salt": h(f"or/{n}/s/{i}")} for i in range(n)]
        out.append(case(f"outcomeReveal: {n} item(s)", "outcomeReveal", {"reveals": oitems}, height=95 + n, prev=prev,
                        extra={"seals": [hx(seal_of(x["receiptId"], x["verifier"], x["attempt"],
                                                    x["computedOutputHash"], x["salt"])) for x in oitems]}))
    out.append(case("receiptReveal: empty list (decodes; applying it is refused with 400)", "receiptReveal",
                    {"reveals": []}, height=99, prev=prev))
    out.append(case("outcomeReveal: empty list (decodes; applying it is refused with 400)", "outcomeReveal",
                    {"reveals": []}, height=99, prev=prev))
    big = [{"jobId": keccak(b"rr1024/job" + i.to_bytes(4, "big")), "outputHash": keccak(b"rr1024/out" + i.to_bytes(4, "big")),
            "salt": keccak(b"rr1024/salt" + i.to_bytes(4, "big"))} for i in range(1024)]
    out.append(case("receiptReveal: 1024 items (the limit), generated", "receiptReveal", {"reveals": big}, height=100,
                    prev=prev, compact=True, extra={"generated": {
                        "count": 1024, "jobId[i]": 'keccak256("rr1024/job" ‖ u32 i)',
                        "outputHash[i]": 'keccak256("rr1024/out" ‖ u32 i)', "salt[i]": 'keccak256("rr1024/salt" ‖ u32 i)'}}))
    # settlementComputed / settlementApplied
    sums = [
        {"epoch": 0, "emission": 0, "nodesPaid": 0, "verifiersPaid": 0, "treasuryPaid": 0, "slashed": 0,
         "paidReceipts": 0, "deferredReceipts": 0, "fraudNodes": 0, "rewardsRoot": ZERO32},
        {"epoch": 5, "emission": 1000 * 10**18, "nodesPaid": 800 * 10**18, "verifiersPaid": 100 * 10**18,
         "treasuryPaid": 100 * 10**18, "slashed": 500 * 10**18, "paidReceipts": 17, "deferredReceipts": 3,
         "fraudNodes": 1, "rewardsRoot": h("rewards")},
        {"epoch": U64_MAX, "emission": U128_MAX, "nodesPaid": U128_MAX, "verifiersPaid": U128_MAX,
         "treasuryPaid": U128_MAX, "slashed": U128_MAX, "paidReceipts": 2**32 - 1, "deferredReceipts": 2**32 - 1,
         "fraudNodes": 2**32 - 1, "rewardsRoot": b"\xff" * 32},
    ]
    for i, s in enumerate(sums):
        assert payload_bytes("settlementComputed", s) == summary_bytes(s)
        out.append(case(f"settlementComputed: summary {i}", "settlementComputed", s, height=110 + i, prev=prev))
    for ep in (0, 1, U64_MAX):
        out.append(case(f"settlementApplied: epoch {ep}", "settlementApplied", {"epoch": ep}, height=120, prev=prev))
    # Entry header edges on one payload.
    for hgt, ts, pv in ((0, 0, ZERO32), (U64_MAX, U64_MAX, b"\xff" * 32), (1, 1764028800001, prev)):
        out.append(case(f"entry header: height {hgt}, timestamp {ts}", "checkpoint", {"stateDigest": h("hdr")},
                        height=hgt, ts=ts, prev=pv))
    return out
