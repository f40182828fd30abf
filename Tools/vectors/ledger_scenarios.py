"""End-to-end ledgers: a genesis and an ordered list of entries, each with every input and every
expected output (entry hash, result code, state digest; at each settlement the record, payouts,
slashes, roots and balances; at the end every state record and the head). Refused entries are
listed where they are tried, marked `rejected`, with the result code; they change nothing and
take no height.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from ledger_chain import Chain
from ledger_core import SAMPLED, UNSAMPLED, ZERO20, address_of, derive, gata, key_for
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


def all_scenarios(devnet_doc: dict) -> list[dict]:
    return [devnet_basics(devnet_doc), blind_two_verifiers()]


_ = (UNSAMPLED, gata)
