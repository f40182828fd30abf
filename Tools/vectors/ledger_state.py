"""The ledger's state machine, modelled independently from Specs/LEDGER.md §State records and
§Applying entries, Specs/SAMPLING.md and Specs/SETTLEMENT.md. `apply` takes an entry's fields and
returns a result code; on refusal the state is unchanged (the model works on a copy).
"""

from __future__ import annotations

import copy

from eth_hash.auto import keccak

from ledger_core import (
    FRAUD, KIND, MAX_OUTCOMES, RECORDED, REVEAL_EPOCHS, SAMPLED, SEAL_EPOCHS, SNAPSHOTS_KEPT, UNCHECKED,
    UNREVEALED, UNSAMPLED, VERIFIED, ZERO20, ZERO32, Refused, amount, boolean, check, draw, enc_list,
    job_spec_hash, largest_remainder, merkle_root, output_commitment, payout_leaf, receipt_id, recover,
    scheduled_emission, seal_of, signing_digest, spec_valid, threshold, u8, u32, u64,
    units,
)


class State:
    def __init__(self):
        self.g = None  # genesis fields
        self.next_height = 0
        self.last_hash = ZERO32
        self.last_ts = 0
        self.genesis_supply = 0
        self.minted = 0
        self.burned = 0
        self.accounts: dict[bytes, list[int]] = {}  # address -> [balance, bonded, nextNonce]
        self.assignments: dict[bytes, dict] = {}
        self.receipts: dict[bytes, dict] = {}
        self.receipt_job: dict[bytes, bytes] = {}  # receiptId -> jobId
        self.epochs: dict[int, dict] = {}
        self.settlements: dict[int, dict] = {}
        self.snapshots: dict[int, list] = {}
        self.spec_index: dict[bytes, dict] = {}

    # ---- derived values

    @property
    def opened(self) -> int:
        return len(self.epochs)

    @property
    def closed_count(self) -> int:
        return sum(1 for e in self.epochs.values() if e["closed"])

    @property
    def open_epoch(self):
        for n, e in self.epochs.items():
            if not e["closed"]:
                return n
        return None

    @property
    def applied_settlements(self) -> int:
        return sum(1 for s in self.settlements.values() if s["applied"])

    def account(self, a: bytes) -> list[int]:
        return self.accounts.get(a, [0, 0, 0])

    def set_account(self, a: bytes, rec: list[int]):
        if any(rec):
            self.accounts[a] = rec
        else:
            self.accounts.pop(a, None)

    def sum_balances(self) -> int:
        return sum(r[0] for r in self.accounts.values())

    def sum_bonds(self) -> int:
        return sum(r[1] for r in self.accounts.values())

    # ---- records and the digest (LEDGER.md §State records, §State digest)

    def records(self) -> dict[bytes, bytes]:
        recs = {}
        if self.g is None:
            return recs
        recs[b"\x00"] = (amount(self.genesis_supply) + amount(self.minted) + amount(self.burned)
                         + amount(self.sum_balances()) + amount(self.sum_bonds()))
        for a, (bal, bond, nonce) in self.accounts.items():
            recs[b"\x01" + a] = amount(bal) + amount(bond) + u64(nonce)
        for j, a in self.assignments.items():
            recs[b"\x02" + j] = a["node"] + a["specHash"] + u64(a["epoch"]) + u64(a["units"]) + u64(a["height"])
        for j, r in self.receipts.items():
            recs[b"\x03" + j] = receipt_record(r)
        for n, e in self.epochs.items():
            recs[b"\x10" + u64(n)] = e["commitment"] + boolean(e["closed"]) + e["secret"] + e["root"]
        for n, s in self.settlements.items():
            recs[b"\x12" + u64(n)] = settlement_record(s)
        for n, leaves in self.snapshots.items():
            recs[b"\x13" + u64(n)] = enc_list([a + amount(v) for a, v in leaves])
        return recs

    def digest(self) -> bytes:
        total = 0
        for k, v in self.records().items():
            total = (total + int.from_bytes(keccak(k + v), "big")) % 2**256
        return total.to_bytes(32, "big")

    def head(self) -> bytes:
        return u64(self.next_height) + self.last_hash + u64(self.last_ts) + self.digest()

    def check_invariants(self):
        assert self.sum_balances() + self.sum_bonds() == self.genesis_supply + self.minted - self.burned
        assert self.genesis_supply + self.minted <= self.g["supplyCap"]

    # ---- windows (SAMPLING.md §Windows)

    def phase(self, epoch: int) -> str:
        c = self.closed_count
        if c <= epoch:
            return "open"
        if c <= epoch + SEAL_EPOCHS:
            return "sealing"
        if c <= epoch + SEAL_EPOCHS + REVEAL_EPOCHS:
            return "revealing"
        return "resolved"

    def independent(self, a: dict, b: dict) -> bool:
        if len(self.g["verifiers"]) >= 2:
            return a["verifier"] != b["verifier"]
        return a["attempt"] != b["attempt"]

    # ---- apply

    def apply(self, height: int, prev: bytes, ts: int, kind: int, f: dict, entry_hash: bytes) -> int:
        """Applies one entry; returns its result code and leaves the state unchanged on refusal."""
        trial = copy.deepcopy(self)
        try:
            code = trial._apply(height, prev, ts, kind, f)
        except Refused as r:
            return r.code
        if code != 0:
            return code  # already_recorded: nothing is written
        trial.next_height += 1
        trial.last_hash = entry_hash
        trial.last_ts = ts
        trial.check_invariants()
        self.__dict__.update(trial.__dict__)
        return code

    def _apply(self, height, prev, ts, kind, f) -> int:
        check(height == self.next_height, 100)
        check(prev == self.last_hash, 101)
        check(ts >= self.last_ts, 102)
        check((kind == KIND["genesis"]) == (height == 0), 103)
        if height > 0:
            due = height % self.g["checkpointInterval"] == 0
            check(due == (kind == KIND["checkpoint"]), 105)
        name = {v: k for k, v in KIND.items()}[kind]
        if name in ("assignmentBatch", "receipt", "receiptBatch", "transfer", "bond", "unbond",
                    "epochOpen", "epochClose", "outcomeSeal"):
            check(f["chainId"] == self.g["chainId"], 200)
            signer = recover(signing_digest(name, f), f["signature"])
            check(signer is not None, 201)
            if name == "assignmentBatch":
                check(signer == self.g["scheduler"], 203)
            elif name in ("epochOpen", "epochClose"):
                check(signer == self.g["operator"], 203)
            elif name == "outcomeSeal":
                check(signer in self.g["verifiers"], 203)
            else:
                named = f.get("from", f.get("account", f.get("node")))
                check(signer == named, 202)
            f["__signer"] = signer
        return getattr(self, "_" + name)(height, f)

    def _genesis(self, height, g):
        self.g = g
        for a in g["allocations"]:
            self.set_account(a["address"], [a["balance"], a["bonded"], 0])
            self.genesis_supply += a["balance"] + a["bonded"]
        return 0

    def _take_nonce(self, a: bytes, nonce: int):
        rec = self.account(a)
        check(nonce >= rec[2], 300)
        check(nonce == rec[2], 301)

    def _transfer(self, height, f):
        check(f["amount"] > 0, 304)
        check(f["from"] != f["to"], 305)
        check(f["to"] != ZERO20, 308)
        self._take_nonce(f["from"], f["nonce"])
        src = list(self.account(f["from"]))
        check(src[0] >= f["amount"], 302)
        src[0] -= f["amount"]
        src[2] += 1
        self.set_account(f["from"], src)
        dst = list(self.account(f["to"]))
        dst[0] += f["amount"]
        check(dst[0] < 2**128, 306)
        self.set_account(f["to"], dst)
        return 0

    def _unsettled(self, node: bytes) -> bool:
        return any(r["node"] == node and not r["settled"] for r in self.receipts.values())

    def _bond(self, height, f, unbond=False):
        check(f["amount"] > 0, 304)
        self._take_nonce(f["account"], f["nonce"])
        rec = list(self.account(f["account"]))
        if unbond:
            check(not self._unsettled(f["account"]), 307)
            check(rec[1] >= f["amount"], 303)
            rec[1] -= f["amount"]
            rec[0] += f["amount"]
        else:
            check(rec[0] >= f["amount"], 302)
            rec[0] -= f["amount"]
            rec[1] += f["amount"]
        rec[2] += 1
        self.set_account(f["account"], rec)
        return 0

    def _unbond(self, height, f):
        return self._bond(height, f, unbond=True)

    def _checkpoint(self, height, f):
        check(f["stateDigest"] == self.digest(), 104)
        return 0

    def _epochOpen(self, height, f):
        check(self.open_epoch is None, 422)
        check(f["epoch"] == self.opened, 421)
        self.epochs[f["epoch"]] = {"commitment": f["secretCommitment"], "closed": False, "secret": ZERO32,
                                   "root": ZERO32}
        return 0

    def epoch_receipt_ids(self, epoch: int) -> list[bytes]:
        return sorted(r["receiptId"] for r in self.receipts.values() if r["epoch"] == epoch)

    def _epochClose(self, height, f):
        e = f["epoch"]
        check(self.open_epoch == e, 420)
        check(keccak(f["secret"]) == self.epochs[e]["commitment"], 423)
        root = merkle_root(self.epoch_receipt_ids(e))
        check(f["receiptsRoot"] == root, 424)
        check(f["stateDigest"] == self.digest(), 104)
        ep = self.epochs[e]
        ep.update(closed=True, secret=f["secret"], root=root)
        t = threshold(self.g["sampleRatePpm"])
        for r in self.receipts.values():
            if r["epoch"] == e:
                r["status"] = SAMPLED if draw(f["secret"], root, r["receiptId"]) < t else UNSAMPLED
        target = e - SEAL_EPOCHS - REVEAL_EPOCHS
        if target >= 0:
            for j in sorted(self.receipts):
                r = self.receipts[j]
                if r["epoch"] == target and r["status"] == SAMPLED:
                    self.resolve(r)
        return 0

    def resolve(self, r: dict):
        """SAMPLING.md §Resolution."""
        revealed = [o for o in r["outcomes"] if o["revealed"]]
        if not r["revealed"]:
            r["status"] = UNREVEALED
            return
        if any(o["computed"] == r["outputHash"] for o in revealed):
            r["status"] = VERIFIED
            return
        # The confirmed hash is the first hash, in the order the outcomes were sealed, that an
        # independent revealed outcome agrees with.
        confirmed = None
        for i, a in enumerate(revealed):
            if any(j != i and b["computed"] == a["computed"] and self.independent(a, b)
                   for j, b in enumerate(revealed)):
                confirmed = a["computed"]
                break
        if confirmed is not None:
            r["status"] = FRAUD
            r["confirmed"] = confirmed
            return
        r["status"] = UNCHECKED

    def _assignmentBatch(self, height, f):
        check(self.open_epoch is not None and f["epoch"] == self.open_epoch, 420)
        n = len(f["assignments"])
        check(n > 0, 400)
        check(n <= 4096, 401)
        jobs = [a["jobId"] for a in f["assignments"]]
        check(len(set(jobs)) == len(jobs), 402)
        for a in f["assignments"]:
            check(spec_valid(a["spec"]), 403)
            check(a["jobId"] not in self.assignments, 404)
        for a in f["assignments"]:
            self.assignments[a["jobId"]] = {"node": a["node"], "specHash": job_spec_hash(a["spec"]),
                                            "epoch": f["epoch"], "units": units(a["spec"]), "height": height}
            self.spec_index[a["jobId"]] = a["spec"]
        return 0

    def _receipt(self, height, f):
        body = {k: f[k] for k in ("jobId", "jobSpecHash", "outputCommitment")}
        return self._receipts(height, f["chainId"], f["node"], f["epoch"], [body])

    def _receiptBatch(self, height, f):
        return self._receipts(height, f["chainId"], f["node"], f["epoch"], f["receipts"])

    def _receipts(self, height, chain_id, node, epoch, bodies):
        check(len(bodies) > 0, 400)
        check(len(bodies) <= 1024, 401)
        check(self.open_epoch is not None and epoch == self.open_epoch, 420)
        jobs = [b["jobId"] for b in bodies]
        check(len(set(jobs)) == len(jobs), 402)
        new = []
        for b in bodies:
            rid = receipt_id(chain_id, node, epoch, b)
            old = self.receipts.get(b["jobId"])
            if old is not None:
                check(old["receiptId"] == rid, 409)
                continue
            a = self.assignments.get(b["jobId"])
            check(a is not None, 405)
            check(a["node"] == node, 406)
            check(a["specHash"] == b["jobSpecHash"], 407)
            check(a["epoch"] == epoch, 408)
            new.append((b, rid))
        if not new:
            return 1
        check(self.account(node)[1] >= self.g["minimumBond"], 410)
        for b, rid in new:
            self.receipts[b["jobId"]] = {
                "jobId": b["jobId"], "receiptId": rid, "commitment": b["outputCommitment"], "height": height,
                "status": RECORDED, "settled": False, "revealed": False, "outputHash": ZERO32, "outcomes": [],
                "node": node, "epoch": epoch, "units": self.assignments[b["jobId"]]["units"],
            }
            self.receipt_job[rid] = b["jobId"]
        return 0

    def _outcomeSeal(self, height, f):
        j = self.receipt_job.get(f["receiptId"])
        check(j is not None, 430)
        r = self.receipts[j]
        check(r["status"] not in (RECORDED, UNSAMPLED), 431)
        check(r["status"] == SAMPLED, 432)
        check(not r["settled"], 432)
        check(self.phase(r["epoch"]) == "sealing", 435)
        o = {"verifier": f["__signer"], "attempt": f["attempt"], "seal": f["seal"], "revealed": False,
             "computed": ZERO32}
        check(all(self.independent(o, p) for p in r["outcomes"]), 433)
        check(len(r["outcomes"]) < MAX_OUTCOMES, 434)
        r["outcomes"].append(o)
        return 0

    def _window(self, epoch: int):
        p = self.phase(epoch)
        check(p not in ("open", "sealing"), 436)
        check(p == "revealing", 437)

    def _receiptReveal(self, height, f):
        items = f["reveals"]
        check(len(items) > 0, 400)
        check(len(items) <= 1024, 401)
        check(len({i["jobId"] for i in items}) == len(items), 402)
        changed = False
        for i in items:
            r = self.receipts.get(i["jobId"])
            check(r is not None, 430)
            self._window(r["epoch"])
            check(output_commitment(i["outputHash"], i["salt"]) == r["commitment"], 438)
            if r["revealed"]:
                continue
            r["revealed"] = True
            r["outputHash"] = i["outputHash"]
            changed = True
        return 0 if changed else 1

    def _outcomeReveal(self, height, f):
        items = f["reveals"]
        check(len(items) > 0, 400)
        check(len(items) <= 1024, 401)
        keys = {(i["receiptId"], i["verifier"], i["attempt"]) for i in items}
        check(len(keys) == len(items), 402)
        changed = False
        for i in items:
            j = self.receipt_job.get(i["receiptId"])
            check(j is not None, 430)
            r = self.receipts[j]
            o = next((o for o in r["outcomes"] if o["verifier"] == i["verifier"] and o["attempt"] == i["attempt"]),
                     None)
            check(o is not None, 439)
            self._window(r["epoch"])
            check(seal_of(i["receiptId"], i["verifier"], i["attempt"], i["computedOutputHash"], i["salt"]) == o["seal"],
                  438)
            if o["revealed"]:
                continue
            o["revealed"] = True
            o["computed"] = i["computedOutputHash"]
            changed = True
        return 0 if changed else 1

    # ---- settlement (SETTLEMENT.md §Settlement of epoch E)

    def compute_settlement(self, e: int) -> dict:
        g = self.g
        sched = scheduled_emission(g["initialPerEpoch"], e, g["halvingIntervalEpochs"])
        room = max(0, g["supplyCap"] - (self.genesis_supply + self.minted))
        emission = min(sched, room)
        nodes_pool = emission * g["nodesBps"] // 10**4
        verifiers_pool = emission * g["verifiersBps"] // 10**4
        groups: dict[tuple, list] = {}
        for r in self.receipts.values():
            if not r["settled"] and r["epoch"] <= e:
                groups.setdefault((r["node"], r["epoch"]), []).append(r)
        node_units: dict[bytes, int] = {}
        checks: dict[bytes, int] = {}
        slashes = []
        settled_jobs = []
        paid = deferred = 0
        fraud_nodes = set()
        bonds = {}
        for key in sorted(groups):
            node, _ = key
            rs = groups[key]
            fraud = any(r["status"] in (FRAUD, UNREVEALED) for r in rs)
            ready = fraud or not any(r["status"] == SAMPLED for r in rs)
            if not ready:
                deferred += len(rs)
                continue
            settled_jobs += [r["jobId"] for r in rs]
            for r in rs:
                agree = r["outputHash"] if r["status"] == VERIFIED else r.get("confirmed") if r["status"] == FRAUD else None
                if agree is not None:
                    for o in r["outcomes"]:
                        if o["revealed"] and o["computed"] == agree:
                            checks[o["verifier"]] = checks.get(o["verifier"], 0) + 1
            if fraud:
                fraud_nodes.add(node)
                bond = bonds.get(node, self.account(node)[1])
                s = bond * g["slashFractionBps"] // 10**4
                bonds[node] = bond - s
                if s > 0:
                    slashes.append((node, s))
            else:
                paid += len(rs)
                node_units[node] = node_units.get(node, 0) + sum(r["units"] for r in rs)
        payouts: dict[bytes, int] = {}
        nodes_paid = verifiers_paid = 0
        if node_units:
            for a, v in largest_remainder(nodes_pool, node_units).items():
                payouts[a] = payouts.get(a, 0) + v
            nodes_paid = nodes_pool
        if checks:
            for a, v in largest_remainder(verifiers_pool, checks).items():
                payouts[a] = payouts.get(a, 0) + v
            verifiers_paid = verifiers_pool
        treasury_paid = emission - nodes_paid - verifiers_paid
        payouts[g["treasury"]] = payouts.get(g["treasury"], 0) + treasury_paid
        plist = sorted((a, v) for a, v in payouts.items() if v > 0)
        assert sum(v for _, v in plist) == emission
        root = merkle_root([payout_leaf(a, v) for a, v in plist])
        summary = {"epoch": e, "emission": emission, "nodesPaid": nodes_paid, "verifiersPaid": verifiers_paid,
                   "treasuryPaid": treasury_paid, "slashed": sum(s for _, s in slashes), "paidReceipts": paid,
                   "deferredReceipts": deferred, "fraudNodes": len(fraud_nodes), "rewardsRoot": root}
        return {"summary": summary, "payouts": plist, "slashes": slashes, "settledJobs": sorted(settled_jobs),
                "applied": False, "balancesRoot": ZERO32,
                "detail": {"scheduled": sched, "room": room, "nodesPool": nodes_pool, "verifiersPool": verifiers_pool,
                           "nodeUnits": node_units, "verifierChecks": checks}}

    def _settlementComputed(self, height, f):
        e = f["epoch"]
        check(e in self.epochs and self.epochs[e]["closed"], 440)
        check(e == self.applied_settlements and e not in self.settlements, 441)
        s = self.compute_settlement(e)
        check(all(s["summary"][k] == f[k] for k in s["summary"]), 442)
        s.pop("detail")
        self.settlements[e] = s
        return 0

    def _settlementApplied(self, height, f):
        e = f["epoch"]
        s = self.settlements.get(e)
        check(s is not None, 443)
        check(not s["applied"], 444)
        g = self.g
        for a, v in s["payouts"]:
            rec = list(self.account(a))
            rec[0] += v
            self.set_account(a, rec)
        self.minted += s["summary"]["emission"]
        for a, v in s["slashes"]:
            rec = list(self.account(a))
            rec[1] -= v
            assert rec[1] >= 0
            self.set_account(a, rec)
            if g["slashDestination"] == "burn":
                self.burned += v
            else:
                t = list(self.account(g["treasury"]))
                t[0] += v
                self.set_account(g["treasury"], t)
        for j in s["settledJobs"]:
            self.receipts[j]["settled"] = True
        s["settledJobs"] = []
        s["applied"] = True
        leaves = self.balance_leaves()
        s["balancesRoot"] = merkle_root([payout_leaf(a, v) for a, v in leaves])
        self.snapshots[e] = leaves
        self.snapshots.pop(e - SNAPSHOTS_KEPT, None)
        return 0

    def balance_leaves(self) -> list[tuple[bytes, int]]:
        return sorted((a, r[0]) for a, r in self.accounts.items() if r[0] > 0)


def receipt_record(r: dict) -> bytes:
    outs = [o["verifier"] + u32(o["attempt"]) + o["seal"] + boolean(o["revealed"]) + o["computed"]
            for o in r["outcomes"]]
    return (r["receiptId"] + r["commitment"] + u64(r["height"]) + u8(r["status"]) + boolean(r["settled"])
            + boolean(r["revealed"]) + r["outputHash"] + enc_list(outs))


def settlement_record(s: dict) -> bytes:
    from ledger_core import summary_bytes
    return (summary_bytes(s["summary"]) + enc_list([a + amount(v) for a, v in s["payouts"]])
            + enc_list([a + amount(v) for a, v in s["slashes"]]) + enc_list(list(s["settledJobs"]))
            + boolean(s["applied"]) + s["balancesRoot"])

