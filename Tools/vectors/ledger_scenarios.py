"""End-to-end ledgers: a genesis and an ordered list of entries, each with every input and every
expected output (entry hash, result code, state digest; at each settlement the record, payouts,
slashes, roots and balances; at the end every state record and the head). Refused entries are
listed where they are tried, marked `rejected`, with the result code; they change nothing and
take no height.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from ledger_chain import Chain
from ledger_core import SAMPLED, ZERO20, address_of, derive, key_for
from ledger_genesis import devnet_key, from_file, make_genesis, to_file


def spec(kernel, m, n, k, layers, label):
    return {"kernel": kernel, "version": 1, "m": m, "n": n, "k": k, "layers": layers, "seed": derive("spec/" + label)}


def job(label: str) -> bytes:
    return derive("job/" + label)


def sampled_jobs(c: Chain, epoch: int) -> list[bytes]:
    return sorted(j for j, r in c.state.receipts.items() if r["epoch"] == epoch and r["status"] == SAMPLED)


# ---------------------------------------------------------------------------------------------

def devnet_basics(devnet_doc: dict) -> dict:
    """Genesis/devnet.json with its development keys: transfers, bonds, refusals, two epochs of
    receipts at the devnet's 5% sample rate, settled with lag 0 and then with lag 2."""
    labels = ["operator", "scheduler", "verifier0", "verifier1", "treasury", "node5", "node6", "node7", "node8", "user"]
    keys = {label: devnet_key(i) for i, label in enumerate(labels)}
    g = from_file(devnet_doc)
    c = Chain("devnet-basics", g, keys)
    A = {label: address_of(k) for label, k in keys.items()}
    fresh_k = key_for("devnet/fresh")
    c.keys["fresh"] = fresh_k
    c.by_addr[address_of(fresh_k)] = fresh_k
    fresh = address_of(fresh_k)
    G = 10**18
    c.transfer(A["user"], fresh, 250 * G)
    c.transfer(A["user"], A["node5"], 1, note="one base unit")
    c.transfer(A["user"], fresh, 1, nonce=0, expect=300, note="nonce replayed")
    c.transfer(A["user"], fresh, 1, nonce=5, expect=301, note="nonce gap")
    c.transfer(A["user"], A["user"], 1, expect=305, note="self transfer")
    c.transfer(A["user"], fresh, 0, expect=304, note="zero amount")
    c.transfer(A["user"], ZERO20, 1, expect=308, note="zero address")
    c.transfer(fresh, A["user"], 251 * G, expect=302, note="more than the balance")
    c.transfer(fresh, A["user"], 50 * G)
    c.bond(fresh, 150 * G)
    c.bond(fresh, 60 * G, unbond=True)
    c.bond(fresh, 110 * G + 1, expect=302, note="bond more than the balance")
    c.bond(fresh, 91 * G, unbond=True, expect=303, note="unbond more than the bond")
    c.open_epoch()
    c.open_epoch(expect=422, note="an epoch is still open")
    jobs = [(job(f"devnet/e0/{i}"), A[f"node{5 + i % 4}"],
             [spec(1, 64, 64, 64, 1, "a"), spec(2, 128, 256, 256, 4, "b"), spec(3, 1024, 1024, 1024, 1, "c"),
              spec(1, 4096, 4096, 4096, 1, "d")][i % 4]) for i in range(12)]
    c.assign(jobs[:8])
    c.assign([(job("devnet/bad"), A["node5"], spec(2, 4, 5, 6, 1, "bad"))], expect=403, note="mlp-i8 with n != k")
    c.assign([jobs[0]], expect=404, note="job already assigned")
    c.assign(jobs[8:12])
    for j, n, _ in jobs[:4]:
        c.receipt(n, j)
    c.receipt(A["node5"], jobs[0][0], note="the same receipt again: already recorded, nothing written", expect=1)
    c.receipt(A["node5"], jobs[5][0], expect=406, note="job assigned to another node")
    c.receipt(A["node5"], jobs[1][0], expect=409, note="the job has another receipt (of node6)")
    c.receipt(A["node6"], job("devnet/none"), expect=405, spec_hash=keccak(b"x"), note="job not assigned")
    c.specs[job("devnet/none")] = spec(1, 1, 1, 1, 1, "none")
    c.receipt_batch(A["node5"], [jobs[4][0], jobs[8][0]])
    c.receipt_batch(A["node6"], [jobs[5][0], jobs[9][0]])
    c.receipt_batch(A["node7"], [jobs[6][0], jobs[10][0], jobs[2][0]], note="one already recorded: skipped")
    c.receipt(A["node8"], jobs[7][0])
    c.bond(A["node8"], 1, unbond=True, expect=307, note="unsettled receipts lock the bond")
    c.close_epoch(secret=derive("wrong secret"), expect=423, note="not the committed secret")
    c.close_epoch(root=derive("wrong root"), expect=424, note="not the receipts root")
    c.close_epoch()
    # Lag 0: settle epoch 0 at once. Sampled groups are deferred.
    c.settle(0)
    c.open_epoch()
    c.receipt(A["node8"], jobs[11][0], epoch=0, expect=420, note="epoch 0 is closed")
    c.receipt(A["node8"], jobs[11][0], expect=408, note="assigned in epoch 0, receipt for epoch 1")
    jobs1 = [(job(f"devnet/e1/{i}"), A[f"node{5 + i % 4}"], spec(1, 512, 512, 512, 1, f"e1/{i}")) for i in range(4)]
    c.assign(jobs1)
    for j, n, _ in jobs1:
        c.receipt(n, j)
    # Seals on epoch 0's sampled receipts, by both verifiers, with the honest output.
    for j in sampled_jobs(c, 0):
        for v in ("verifier0", "verifier1"):
            c.seal(A[v], j, c.output_for(j)[0])
    c.close_epoch()
    c.open_epoch()
    allj = [j for j, _, _ in jobs if j in c.state.receipts]
    c.reveal_receipts(sorted(allj))
    for j in sampled_jobs(c, 0):
        c.reveal_outcomes([(j, A["verifier0"], 0), (j, A["verifier1"], 0)])
    c.close_epoch()
    # Lag 2 from here: settle 1 after 2 closed, which pays epoch 0's resolved groups too.
    c.settle(1)
    return c.to_json("devnet basics", "LEDGER.md §Applying entries, §Result codes; SAMPLING.md; SETTLEMENT.md",
                     devnet_basics.__doc__, genesis_file=devnet_doc)


def scenario_keys(prefix: str, labels: list[str]) -> dict[str, bytes]:
    return {label: key_for(f"{prefix}/{label}") for label in labels}


def blind_two_verifiers() -> dict:
    """All receipts sampled, two verifiers, settled with lag 2: verified, fraud (two verifiers
    confirm another hash), unrevealed (slashed), unchecked (outcomes disagree, or a verifier never
    reveals), a verified receipt beside a fraud in one group (forfeited), and the window refusals."""
    labels = ["operator", "scheduler", "treasury", "v1", "v2", "outsider", "honest", "cheat", "silent", "split",
              "mixed", "lazyv"]
    keys = scenario_keys("blind2", labels)
    nodes = ["honest", "cheat", "silent", "split", "mixed", "lazyv"]
    g = make_genesis("Blind", keys, verifiers=["v1", "v2"], nodes=nodes, sample_ppm=1_000_000)
    c = Chain("blind-two-verifiers", g, keys)
    A = {label: address_of(k) for label, k in keys.items()}
    c.open_epoch()
    js_ = {n: job(f"blind2/{n}") for n in nodes}
    js_["mixed2"] = job("blind2/mixed2")
    sp = spec(2, 256, 512, 512, 3, "blind2")
    c.assign([(js_[n], A[n], sp) for n in nodes] + [(js_["mixed2"], A["mixed"], sp)])
    for n in nodes:
        c.receipt(A[n], js_[n], honest=(n not in ("cheat",)))
    c.receipt(A["mixed"], js_["mixed2"], honest=False)
    c.seal(A["v1"], js_["honest"], derive("x"), expect=431, note="epoch 0 still open: receipt only recorded")
    c.reveal_receipts([js_["honest"]], expect=436, note="reveal before the window")
    c.close_epoch()
    c.open_epoch()
    truth = {j: c.output_for(j, True)[0] for j in js_.values()}
    c.seal(A["outsider"], js_["honest"], truth[js_["honest"]], expect=203, note="not a registered verifier")
    for n in ("honest", "cheat", "silent", "mixed", "lazyv"):
        for v in ("v1", "v2"):
            c.seal(A[v], js_[n], truth[js_[n]])
    c.seal(A["v1"], js_["mixed2"], truth[js_["mixed2"]])
    c.seal(A["v2"], js_["mixed2"], truth[js_["mixed2"]])
    c.seal(A["v1"], js_["split"], derive("split/wrong1"))
    c.seal(A["v2"], js_["split"], derive("split/wrong2"))
    c.seal(A["v1"], js_["honest"], truth[js_["honest"]], attempt=1, expect=433, note="v1 sealed this receipt already")
    c.reveal_outcomes([(js_["honest"], A["v1"], 0)], expect=436, note="outcome reveal during the seal window")
    c.bond(A["honest"], 1, unbond=True, expect=307, note="unsettled receipts lock the bond")
    c._append("settlementComputed", dict(c.state.compute_settlement(0)["summary"], emission=1), expect=442,
              note="a summary that is not the computed one")
    c.close_epoch()
    c.seal(A["v1"], js_["honest"], truth[js_["honest"]], attempt=5, expect=435, note="seal window closed")
    c.open_epoch()
    c.reveal_receipts([js_[n] for n in ("honest", "cheat", "split", "mixed", "lazyv")] + [js_["mixed2"]])
    c.reveal_receipts([js_["honest"]], expect=1, note="already revealed: nothing written")
    bad = dict(c.outputs)
    c.outputs[js_["silent"]] = (derive("silent/other"), c.outputs[js_["silent"]][1])
    c.reveal_receipts([js_["silent"]], expect=438, note="does not open the commitment")
    c.outputs = bad
    c.reveal_outcomes([(js_["honest"], A["v1"], 0), (js_["honest"], A["v2"], 0)])
    c.reveal_outcomes([(js_["cheat"], A["v1"], 0), (js_["cheat"], A["v2"], 0), (js_["silent"], A["v1"], 0),
                       (js_["silent"], A["v2"], 0), (js_["split"], A["v1"], 0), (js_["split"], A["v2"], 0),
                       (js_["mixed"], A["v1"], 0), (js_["mixed"], A["v2"], 0), (js_["mixed2"], A["v1"], 0),
                       (js_["mixed2"], A["v2"], 0), (js_["lazyv"], A["v1"], 0)])
    c.seals[(c.rid(js_["lazyv"]), A["v2"], 9)] = (truth[js_["lazyv"]], derive("nothing"))
    c.reveal_outcomes([(js_["lazyv"], A["v2"], 9)], expect=439, note="v2 has no seal with attempt 9")
    # lazyv: v2 never reveals; v1's reveal agrees -> verified anyway.
    c._append("settlementComputed", dict(c.state.compute_settlement(1)["summary"]), expect=441,
              note="epoch 1 before epoch 0")
    c._append("settlementApplied", {"epoch": 0}, expect=443, note="nothing computed")
    c.close_epoch()
    c.settle(0)
    c._append("settlementApplied", {"epoch": 0}, expect=444, note="already applied")
    c.settle(1)
    c.settle(2)
    c.open_epoch()
    c._append("settlementComputed", dict(c.state.compute_settlement(3)["summary"]), expect=440,
              note="epoch 3 is still open")
    c.bond(A["honest"], 500 * 10**18, unbond=True, note="settled: the bond is free")
    return c.to_json("blind verification, two verifiers, lag 2",
                     "SAMPLING.md §Blind verification, §Windows, §Entry rules, §Resolution; SETTLEMENT.md §Groups, §Shares",
                     blind_two_verifiers.__doc__, genesis_file=to_file(g))


def sole_verifier() -> dict:
    """One registered verifier, whose seals are independent by their attempt numbers; slashes go to
    the treasury. Two agreeing attempts confirm fraud; one mismatch, or two different wrong answers,
    leave the receipt unchecked; the fifth seal on a receipt is refused (434), a repeated attempt
    number too (433)."""
    labels = ["operator", "scheduler", "treasury", "v", "cheat", "once", "twice", "good", "busy"]
    keys = scenario_keys("sole", labels)
    nodes = ["cheat", "once", "twice", "good", "busy"]
    g = make_genesis("Sole", keys, verifiers=["v"], nodes=nodes, destination="treasury", slash_bps=2500,
                     minimum_bond="200", split=(7000, 2000, 1000), initial="333.333333333333333333")
    c = Chain("sole-verifier", g, keys, ts_step=0)
    A = {label: address_of(k) for label, k in keys.items()}
    c.open_epoch(ts=g["genesisTimeMillis"] + 10000)
    J = {n: job(f"sole/{n}") for n in nodes}
    c.assign([(J[n], A[n], spec(3, 100 + i, 200, 300, 1, f"sole/{n}")) for i, n in enumerate(nodes)])
    c.receipt_batch(A["cheat"], [J["cheat"]], honest=False)
    for n in nodes[1:]:
        c.receipt(A[n], J[n])
    c.close_epoch(ts=c.ts + 10000)
    c.open_epoch()
    T = {n: c.output_for(J[n])[0] for n in nodes}
    c.seal(A["v"], J["cheat"], T["cheat"], attempt=0)
    c.seal(A["v"], J["cheat"], T["cheat"], attempt=0, expect=433, note="attempt 0 sealed already")
    c.seal(A["v"], J["cheat"], T["cheat"], attempt=1)
    c.seal(A["v"], J["once"], derive("sole/wrong"), attempt=0)
    c.seal(A["v"], J["twice"], derive("sole/x"), attempt=0)
    c.seal(A["v"], J["twice"], derive("sole/y"), attempt=1)
    c.seal(A["v"], J["good"], T["good"], attempt=0)
    for a in range(4):
        c.seal(A["v"], J["busy"], T["busy"] if a == 3 else derive(f"sole/busy/{a}"), attempt=a)
    c.seal(A["v"], J["busy"], T["busy"], attempt=4, expect=434, note="four outcomes already")
    c.close_epoch(ts=c.ts + 10000)
    c.open_epoch()
    c.reveal_receipts([J[n] for n in nodes])
    c.reveal_outcomes([(J["cheat"], A["v"], 0), (J["cheat"], A["v"], 1), (J["once"], A["v"], 0),
                       (J["twice"], A["v"], 0), (J["twice"], A["v"], 1), (J["good"], A["v"], 0)]
                      + [(J["busy"], A["v"], a) for a in range(4)])
    c.close_epoch(ts=c.ts + 10000)
    c.settle(0)
    c.settle(1)
    c.settle(2)
    return c.to_json("sole verifier: attempts, slashing to the treasury",
                     "SETTLEMENT.md §Independent executions; SAMPLING.md §Entry rules, §Resolution",
                     sole_verifier.__doc__, genesis_file=to_file(g))


def chained_slashes() -> dict:
    """A node cheats in epochs 0 and 1. Epoch 0 is settled at once (lag 0): every group is still
    sampled and deferred, so the nodes and verifiers pools go to the treasury. Epoch 1 is settled
    after epoch 3 closes: both forfeited groups of the cheat are slashed in (node, epoch) order,
    each from the bond the previous left (50%, then 25% of the original bond), and the honest
    node is paid for both epochs from epoch 1's pool. Between the two phases the cheat bonds more;
    phase two takes the amounts phase one fixed."""
    labels = ["operator", "scheduler", "treasury", "v1", "v2", "cheat", "honest"]
    keys = scenario_keys("chain", labels)
    g = make_genesis("Chained", keys, verifiers=["v1", "v2"], nodes=["cheat", "honest"], node_bond="1000.000000000000000001")
    c = Chain("chained-slashes", g, keys)
    A = {label: address_of(k) for label, k in keys.items()}

    def work(e):
        jc, jh = job(f"chain/{e}/cheat"), job(f"chain/{e}/honest")
        c.assign([(jc, A["cheat"], spec(1, 2048, 2048, 1024, 1, f"c{e}")),
                  (jh, A["honest"], spec(1, 1024, 1024, 1024, 1, f"h{e}"))])
        c.receipt(A["cheat"], jc, honest=False)
        c.receipt(A["honest"], jh)
        return jc, jh

    def seal_all(jobs):
        for j in jobs:
            for v in ("v1", "v2"):
                c.seal(A[v], j, c.output_for(j)[0])

    def reveal_all(jobs):
        c.reveal_receipts(jobs)
        c.reveal_outcomes([(j, A[v], 0) for j in jobs for v in ("v1", "v2")])

    c.open_epoch()
    e0 = work(0)
    c.close_epoch()
    c.settle(0)
    c.open_epoch()
    e1 = work(1)
    seal_all(e0)
    c.close_epoch()
    c.open_epoch()
    reveal_all(list(e0))
    seal_all(e1)
    c.close_epoch()
    c.open_epoch()
    reveal_all(list(e1))
    c.bond(A["cheat"], 1, unbond=True, expect=307, note="the cheat's receipts are unsettled")
    c.close_epoch()
    c.settle(1, between=lambda: c.bond(A["cheat"], 5000 * 10**18, note="bond grows between the phases"))
    c.bond(A["cheat"], 10**18, unbond=True, note="settled: the bond is free")
    c.settle(2)
    c.settle(3)
    return c.to_json("chained slashes, deferral, a bond that grows between the phases",
                     "SETTLEMENT.md §Groups, deferral and fraud, §The two phases; SAMPLING.md §Windows",
                     chained_slashes.__doc__, genesis_file=to_file(g))


def tiny_emission() -> dict:
    """Emission of 10 base units halving every epoch under a cap 16 units above the genesis supply,
    with three nodes of equal units: the largest-remainder ties go to the lower addresses; the cap
    cuts epoch 2's emission to 1 and leaves 0 from epoch 3 (no payouts, zero rewards root).
    Checkpoints every 7 entries, with their refusals (104, 105), equal timestamps, and the entry-level
    refusals: height (100), previous hash (101), timestamp (102), genesis (103), chain id (200), a
    high-S signature (201) and a signature by another key (202)."""
    labels = ["operator", "scheduler", "treasury", "v", "n1", "n2", "n3", "user"]
    keys = scenario_keys("tiny", labels)
    g = make_genesis("Tiny", keys, verifiers=["v"], nodes=["n1", "n2", "n3"], sample_ppm=1, cost="0",
                     initial="0.00000000000000001", halving=1, checkpoint_interval=7, cap="1")
    supply = sum(a["balance"] + a["bonded"] for a in g["allocations"])
    g["supplyCap"] = supply + 16
    c = Chain("tiny-emission", g, keys, ts_step=0)
    A = {label: address_of(k) for label, k in keys.items()}
    from ledger_core import SECP_N
    c.transfer(A["user"], A["n1"], 5, tamper={"height": 5}, expect=100, note="wrong height")
    c.transfer(A["user"], A["n1"], 5, tamper={"previousHash": derive("x")}, expect=101, note="wrong previous hash")
    c.transfer(A["user"], A["n1"], 5, tamper={"timestampMillis": g["genesisTimeMillis"] - 1}, expect=102,
               note="timestamp before the last")
    c._append("genesis", dict(g), expect=103, note="a second genesis")
    c.signed("transfer", {"chainId": 1, "from": A["user"], "to": A["n1"], "amount": 5, "nonce": 0},
             keys["user"], expect=200, note="another chain id")

    def high_s(sig):
        r, s_, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
        return r + (SECP_N - s_).to_bytes(32, "big") + bytes([v ^ 1])

    c.signed("transfer", {"from": A["user"], "to": A["n1"], "amount": 5, "nonce": 0}, keys["user"], sig_edit=high_s,
             expect=201, note="the high-S twin of a valid signature")
    c.signed("transfer", {"from": A["user"], "to": A["n1"], "amount": 5, "nonce": 0}, keys["n2"], expect=202,
             note="signed by another account")
    c.transfer(A["user"], A["n1"], 5, note="the same timestamp as genesis")
    for e in range(5):
        c.open_epoch()
        jobs = [(job(f"tiny/{e}/{i}"), A[f"n{i}"], spec(2, 32, 64, 64, 2, f"tiny/{e}")) for i in (1, 2, 3)]
        c.assign(jobs)
        for j, n, _ in jobs:
            c.receipt(n, j)
        if c.state.next_height % 7 == 0:
            c.checkpoint(digest=derive("not the digest"), expect=104, note="checkpoint with another digest")
            c.transfer(A["user"], A["n2"], 1, auto_checkpoint=False, expect=105,
                       note="a transfer where a checkpoint is due")
        c.close_epoch()
        if c.state.next_height % 7 != 0:
            c.checkpoint(expect=105, note="a checkpoint where none is due")
        c.settle(e)
    return c.to_json("tiny emission: halving, cap, ties, checkpoints, entry refusals",
                     "SETTLEMENT.md §Emission, §Integer math; LEDGER.md §Checkpoints, §Applying entries (1)",
                     tiny_emission.__doc__, genesis_file=to_file(g))


def four_verifiers() -> dict:
    """Four verifiers seal h1, h2, h2, h1 on a cheat's receipt (neither the output): fraud, and the
    confirmed hash is h1, the first hash in seal order that an independent outcome agrees with;
    only the two verifiers that sealed h1 complete a check. A second receipt's verifiers all agree
    with the node."""
    labels = ["operator", "scheduler", "treasury", "v1", "v2", "v3", "v4", "cheat", "honest"]
    keys = scenario_keys("four", labels)
    g = make_genesis("Four", keys, verifiers=["v1", "v2", "v3", "v4"], nodes=["cheat", "honest"])
    c = Chain("four-verifiers", g, keys)
    A = {label: address_of(k) for label, k in keys.items()}
    c.open_epoch()
    jc, jh = job("four/cheat"), job("four/honest")
    c.assign([(jc, A["cheat"], spec(1, 8, 8, 8, 1, "four")), (jh, A["honest"], spec(1, 8, 8, 8, 1, "four"))])
    c.receipt(A["cheat"], jc, honest=False)
    c.receipt(A["honest"], jh)
    c.close_epoch()
    c.open_epoch()
    h1, h2 = derive("four/h1"), derive("four/h2")
    for v, hh in (("v1", h1), ("v2", h2), ("v3", h2), ("v4", h1)):
        c.seal(A[v], jc, hh)
    for v in ("v1", "v2", "v3", "v4"):
        c.seal(A[v], jh, c.output_for(jh)[0])
    c.close_epoch()
    c.open_epoch()
    c.reveal_receipts([jc, jh])
    c.reveal_outcomes([(j, A[v], 0) for j in (jc, jh) for v in ("v1", "v2", "v3", "v4")])
    c.close_epoch()
    c.settle(0)
    return c.to_json("four verifiers, two confirmed hashes", "SAMPLING.md §Resolution (rule 3); SETTLEMENT.md §Shares",
                     four_verifiers.__doc__, genesis_file=to_file(g))


def snapshots() -> dict:
    """Sixty-six zero-work epochs, each opened, closed and settled at once, with emission halving
    every 8 epochs: applying the settlement of epoch E deletes the balance snapshot of E - 64, so
    at the end the snapshots of epochs 2 to 65 remain. A transfer in some epochs changes the
    balances roots. To keep the file small, entries omit `encoded` (it is the header fields and the
    payload, LEDGER.md §Entries) and settlements list their records and roots only."""
    labels = ["operator", "scheduler", "treasury", "v", "node", "user"]
    keys = scenario_keys("snap", labels)
    g = make_genesis("Snapshots", keys, verifiers=["v"], nodes=["node"], halving=8, initial="1")
    c = Chain("snapshots", g, keys, compact=True)
    A = {label: address_of(k) for label, k in keys.items()}
    for e in range(66):
        c.open_epoch()
        if e % 16 == 3:
            c.transfer(A["user"], A["node"], 10**18 + e)
        c.close_epoch()
        c.settle(e)
    assert sorted(c.state.snapshots) == list(range(2, 66))
    return c.to_json("balance snapshots kept for 64 settlements", "LEDGER.md §State records (balance snapshot)",
                     snapshots.__doc__, genesis_file=to_file(g))


def refusals() -> dict:
    """The result codes the other ledgers do not reach: empty batches (400), duplicates (402), a
    spec hash that is not the assigned one (407), a node below the minimum bond (410), an epoch
    opened out of order (421), a close of an epoch that is not open (420), unknown receipts (430),
    a seal on a resolved receipt (432), reveals after their window (437), and a verifier's reveal
    that does not open its seal (438). Each refused entry leaves the state as it was."""
    labels = ["operator", "scheduler", "treasury", "v1", "v2", "node", "poor"]
    keys = scenario_keys("refuse", labels)
    g = make_genesis("Refusals", keys, verifiers=["v1", "v2"], nodes=["node"])
    c = Chain("refusals", g, keys)
    A = {label: address_of(k) for label, k in keys.items()}
    c.signed("epochOpen", {"epoch": 1, "secretCommitment": derive("c")}, keys["operator"], expect=421,
             note="epoch 1 before epoch 0")
    c.signed("epochOpen", {"epoch": 0, "secretCommitment": derive("c")}, keys["scheduler"], expect=203,
             note="not the operator")
    c.signed("epochClose", {"epoch": 0, "secret": derive("s"), "receiptsRoot": bytes(32), "stateDigest": c.state.digest()},
             keys["operator"], expect=420, note="no epoch is open")
    c.open_epoch()
    c.assign([], expect=400, note="no assignment")
    sp = spec(1, 16, 16, 16, 1, "refuse")
    j1, j2, j3 = job("refuse/1"), job("refuse/2"), job("refuse/3")
    c.assign([(j1, A["node"], sp), (j1, A["node"], sp)], expect=402, note="the same job twice")
    bad = spec(1, 16, 16, 16, 2, "refuse")
    c.assign([(j2, A["node"], bad), (j1, A["node"], sp), (j1, A["node"], sp)], expect=402,
             note="an invalid spec before a repeated job: the list's checks come first")
    c.signed("assignmentBatch", {"epoch": 0, "assignments": [{"jobId": j1, "node": A["node"], "spec": sp}]},
             keys["node"], expect=203, note="not the scheduler")
    c.assign([(j1, A["node"], sp), (j2, A["node"], sp), (j3, A["poor"], sp)])
    c.receipt(A["poor"], j3, expect=410, note="no bond")
    c.receipt(A["node"], j1, spec_hash=derive("other spec"), expect=407, note="not the assigned spec hash")
    c.signed("receiptBatch", {"node": A["node"], "epoch": 0, "receipts": []}, keys["node"], expect=400,
             note="no receipt")
    c.receipt_batch(A["node"], [j1, j1], expect=402, note="the same job twice")
    j4 = job("refuse/4")
    c.specs[j4] = sp
    c.receipt_batch(A["node"], [j4, j1, j1], expect=402,
                    note="an unassigned job before a repeated one: the list's checks come first")
    c.receipt_batch(A["node"], [j4, j1], expect=405, note="an unassigned job, then an assigned one: the first item fails")
    c.receipt_batch(A["node"], [j1, j2])
    c.receipt_batch(A["node"], [j1, j2], expect=1, note="both already recorded")
    c.close_epoch()
    c.open_epoch()
    c.seals[(derive("no receipt"), A["v1"], 0)] = (derive("x"), derive("y"))
    c.signed("outcomeSeal", {"receiptId": derive("no receipt"), "attempt": 0, "seal": derive("z")}, keys["v1"],
             expect=430, note="no such receipt")
    for j in (j1, j2):
        c.seal(A["v1"], j, c.output_for(j)[0])
    c.close_epoch()
    c.open_epoch()
    c._append("receiptReveal", {"reveals": []}, expect=400, note="no reveal")
    c.outputs[derive("no job")] = (derive("o"), derive("s"))
    c.reveal_receipts([derive("no job")], expect=430, note="no receipt for that job")
    c.reveal_receipts([j1, j1], expect=402, note="the same job twice")
    c.reveal_receipts([derive("no job"), j1, j1], expect=402,
                      note="an unknown job before a repeated one: the list's checks come first")
    c.reveal_receipts([j1])
    c._append("outcomeReveal", {"reveals": []}, expect=400, note="no reveal")
    rid = c.rid(j1)
    good = c.seals[(rid, A["v1"], 0)]
    c.seals[(rid, A["v1"], 0)] = (derive("another hash"), good[1])
    c.reveal_outcomes([(j1, A["v1"], 0)], expect=438, note="does not open the seal")
    c.seals[(rid, A["v1"], 0)] = good
    c.reveal_outcomes([(j1, A["v1"], 0), (j1, A["v1"], 0)], expect=402, note="the same outcome twice")
    c.reveal_outcomes([(j1, A["v1"], 0)])
    c.close_epoch()
    c.seal(A["v2"], j1, c.output_for(j1)[0], expect=432, note="resolved (verified)")
    c.reveal_receipts([j2], expect=437, note="the reveal window closed")
    c.reveal_outcomes([(j2, A["v1"], 0)], expect=437, note="the reveal window closed")
    c.settle(0)
    c.settle(1)
    c.settle(2)
    return c.to_json("refusals", "LEDGER.md §Applying entries, §Result codes; SAMPLING.md §Entry rules",
                     refusals.__doc__, genesis_file=to_file(g))


def all_scenarios(devnet_doc: dict) -> list[dict]:
    return [devnet_basics(devnet_doc), blind_two_verifiers(), sole_verifier(), chained_slashes(), tiny_emission(),
            four_verifiers(), refusals(), snapshots()]
