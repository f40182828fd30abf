"""Builds ledgers entry by entry for the end-to-end vectors: each entry is signed with the keys
given, stamped with the next height, the last hash and a timestamp, applied to the independent
state model, and recorded with every input and every expected output as JSON.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from ledger_core import (
    CODES, KIND, STATUS_NAMES, address_of, checksum, entry_bytes, hx, job_spec_hash, merkle_proof, merkle_root,
    output_commitment, payload_bytes, payout_leaf, receipt_id, seal_of, sign, signing_digest,
)
from ledger_state import State, receipt_record, settlement_record

AMOUNT_KEYS = {"amount", "balance", "bonded", "initialPerEpoch", "supplyCap", "minimumBond", "costPerUnit",
               "emission", "nodesPaid", "verifiersPaid", "treasuryPaid", "slashed", "scheduled", "room",
               "nodesPool", "verifiersPool", "genesisSupply", "minted", "burned", "sumBalances", "sumBonds",
               "units_total"}


def js(v, key: str = ""):
    """JSON form: addresses EIP-55, other bytes 0x hex, amounts decimal strings, counts numbers."""
    if isinstance(v, bytes):
        return checksum(v) if len(v) == 20 else hx(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return str(v) if key in AMOUNT_KEYS else v
    if isinstance(v, dict):
        return {k: js(x, k) for k, x in v.items() if not k.startswith("__")}
    if isinstance(v, (list, tuple)):
        return [js(x, key) for x in v]
    return v


def pairs_js(pairs, name="amount"):
    return [{"address": checksum(a), name: str(v)} for a, v in pairs]


class Chain:
    def __init__(self, name: str, genesis: dict, keys: dict[str, bytes], ts_step: int = 1000, compact: bool = False):
        self.name = name
        self.compact = compact  # entries without `encoded`, settlements without proofs and account lists
        self.keys = keys  # label -> private key
        self.by_addr = {address_of(k): k for k in keys.values()}
        self.state = State()
        self.entries: list[dict] = []
        self.ts_step = ts_step
        self.ts = genesis["genesisTimeMillis"]
        self.g = genesis
        self.outputs: dict[bytes, tuple[bytes, bytes]] = {}  # jobId -> (outputHash, salt)
        self.seals: dict[tuple, tuple[bytes, bytes]] = {}  # (receiptId, verifier, attempt) -> (hash, salt)
        self.secrets: dict[int, bytes] = {}
        self.specs: dict[bytes, dict] = {}
        self._append("genesis", dict(genesis), ts=genesis["genesisTimeMillis"])

    # ---- the log

    def key(self, addr: bytes) -> bytes:
        return self.by_addr[addr]

    def _append(self, kind_name: str, fields: dict, ts: int | None = None, expect: int = 0, note: str = "",
                tamper: dict | None = None, auto_checkpoint: bool = True):
        st = self.state
        kind = KIND[kind_name]
        if auto_checkpoint and kind_name != "checkpoint" and st.g is not None and st.next_height > 0 \
                and st.next_height % st.g["checkpointInterval"] == 0:
            self._append("checkpoint", {"stateDigest": st.digest()})
        if ts is None:
            ts = self.ts + self.ts_step if expect == 0 else self.ts
        height, prev = st.next_height, st.last_hash
        if tamper:
            height = tamper.get("height", height)
            prev = tamper.get("previousHash", prev)
            ts = tamper.get("timestampMillis", ts)
        payload = payload_bytes(kind_name, fields)
        enc = entry_bytes(height, prev, ts, kind, payload)
        h = keccak(enc)
        code = st.apply(height, prev, ts, kind, fields, h)
        assert code == expect, (self.name, kind_name, code, expect, note)
        item = {"height": height, "kind": kind, "kindName": kind_name, "timestampMillis": ts,
                "previousHash": hx(prev), "fields": js(fields), "payload": hx(payload), "encoded": hx(enc),
                "hash": hx(h), "result": code, "resultName": CODES[code]}
        if note:
            item["note"] = note
        if self.compact:
            item.pop("encoded")
        if code == 0:
            self.ts = ts
            item["stateDigestAfter"] = hx(st.digest())
        else:
            item["rejected"] = True
            item["stateUnchanged"] = True
        self.entries.append(item)
        return item

    def signed(self, kind_name: str, fields: dict, signer_key: bytes, sig_edit=None, **kw):
        fields = dict(fields)
        fields.setdefault("chainId", self.g["chainId"])
        fields["signature"] = sign(signing_digest(kind_name, fields), signer_key)
        if sig_edit is not None:
            fields["signature"] = sig_edit(fields["signature"])
        return self._append(kind_name, fields, **kw)

    # ---- entry helpers

    def transfer(self, frm: bytes, to: bytes, amount: int, nonce=None, **kw):
        nonce = self.state.account(frm)[2] if nonce is None else nonce
        return self.signed("transfer", {"from": frm, "to": to, "amount": amount, "nonce": nonce}, self.key(frm), **kw)

    def bond(self, acct: bytes, amount: int, unbond=False, nonce=None, **kw):
        nonce = self.state.account(acct)[2] if nonce is None else nonce
        return self.signed("unbond" if unbond else "bond", {"account": acct, "amount": amount, "nonce": nonce},
                           self.key(acct), **kw)

    def open_epoch(self, **kw):
        e = self.state.opened
        secret = keccak(b"secret|" + self.name.encode() + b"|" + e.to_bytes(8, "big"))
        self.secrets[e] = secret
        item = self.signed("epochOpen", {"epoch": e, "secretCommitment": keccak(secret)}, self.key(self.g["operator"]),
                           **kw)
        item["secret"] = hx(secret)
        return item

    def close_epoch(self, secret: bytes | None = None, root: bytes | None = None, **kw):
        st = self.state
        e = st.open_epoch
        f = {"epoch": e, "secret": self.secrets[e] if secret is None else secret,
             "receiptsRoot": merkle_root(st.epoch_receipt_ids(e)) if root is None else root,
             "stateDigest": st.digest()}
        item = self.signed("epochClose", f, self.key(self.g["operator"]), **kw)
        if item["result"] == 0:
            item["sample"] = [
                {"jobId": hx(j), "receiptId": hx(r["receiptId"]), "status": STATUS_NAMES[r["status"]]}
                for j, r in sorted(st.receipts.items()) if r["epoch"] == e]
            resolved = e - 2
            if resolved >= 0:
                item["resolved"] = [
                    {"jobId": hx(j), "status": STATUS_NAMES[r["status"]],
                     **({"confirmedHash": hx(r["confirmed"])} if "confirmed" in r else {})}
                    for j, r in sorted(st.receipts.items()) if r["epoch"] == resolved
                    and r["status"] not in (1,)]
        return item

    def assign(self, jobs: list[tuple[bytes, bytes, dict]], epoch=None, **kw):
        """jobs: (jobId, node, spec)."""
        e = self.state.open_epoch if epoch is None else epoch
        for j, _, s in jobs:
            self.specs[j] = s
        return self.signed("assignmentBatch", {"epoch": e, "assignments": [
            {"jobId": j, "node": n, "spec": s} for j, n, s in jobs]}, self.key(self.g["scheduler"]), **kw)

    def output_for(self, job: bytes, honest: bool = True) -> tuple[bytes, bytes]:
        out = keccak(b"output|" + job + (b"" if honest else b"|fake"))
        salt = keccak(b"salt|" + self.name.encode() + b"|" + job)
        return out, salt

    def receipt(self, node: bytes, job: bytes, honest=True, epoch=None, spec_hash=None, **kw):
        out, salt = self.output_for(job, honest)
        self.outputs[job] = (out, salt)
        e = self.state.open_epoch if epoch is None else epoch
        f = {"node": node, "epoch": e, "jobId": job,
             "jobSpecHash": job_spec_hash(self.specs[job]) if spec_hash is None else spec_hash,
             "outputCommitment": output_commitment(out, salt)}
        item = self.signed("receipt", f, self.key(node), **kw)
        item["outputHash"] = hx(out)
        item["salt"] = hx(salt)
        item["receiptId"] = hx(receipt_id(self.g["chainId"], node, e, f))
        return item

    def receipt_batch(self, node: bytes, jobs: list[bytes], honest=True, **kw):
        e = self.state.open_epoch
        bodies = []
        for j in jobs:
            out, salt = self.output_for(j, honest)
            self.outputs[j] = (out, salt)
            bodies.append({"jobId": j, "jobSpecHash": job_spec_hash(self.specs[j]),
                           "outputCommitment": output_commitment(out, salt)})
        item = self.signed("receiptBatch", {"node": node, "epoch": e, "receipts": bodies}, self.key(node), **kw)
        item["receiptIds"] = [hx(receipt_id(self.g["chainId"], node, e, b)) for b in bodies]
        return item

    def rid(self, job: bytes) -> bytes:
        return self.state.receipts[job]["receiptId"]

    def seal(self, verifier: bytes, job: bytes, computed: bytes, attempt=0, **kw):
        rid = self.rid(job)
        salt = keccak(b"vsalt|" + self.name.encode() + b"|" + rid + verifier + attempt.to_bytes(4, "big"))
        self.seals[(rid, verifier, attempt)] = (computed, salt)
        s = seal_of(rid, verifier, attempt, computed, salt)
        item = self.signed("outcomeSeal", {"receiptId": rid, "attempt": attempt, "seal": s}, self.key(verifier), **kw)
        item["verifier"] = checksum(verifier)
        item["computedOutputHash"] = hx(computed)
        item["salt"] = hx(salt)
        return item

    def reveal_receipts(self, jobs: list[bytes], **kw):
        items = [{"jobId": j, "outputHash": self.outputs[j][0], "salt": self.outputs[j][1]} for j in jobs]
        return self._append("receiptReveal", {"reveals": items}, **kw)

    def reveal_outcomes(self, keys: list[tuple[bytes, bytes, int]], **kw):
        """keys: (jobId, verifier, attempt)."""
        items = []
        for j, v, a in keys:
            rid = self.rid(j)
            comp, salt = self.seals[(rid, v, a)]
            items.append({"receiptId": rid, "verifier": v, "attempt": a, "computedOutputHash": comp, "salt": salt})
        return self._append("outcomeReveal", {"reveals": items}, **kw)

    def checkpoint(self, digest: bytes | None = None, **kw):
        return self._append("checkpoint", {"stateDigest": self.state.digest() if digest is None else digest}, **kw)

    def settle(self, e: int | None = None, apply: bool = True, between=None):
        st = self.state
        e = st.applied_settlements if e is None else e
        s = st.compute_settlement(e)
        item = self._append("settlementComputed", dict(s["summary"]))
        d = s["detail"]
        item["expected"] = {
            "scheduled": str(d["scheduled"]), "room": str(d["room"]), "nodesPool": str(d["nodesPool"]),
            "verifiersPool": str(d["verifiersPool"]),
            "nodeUnits": [{"address": checksum(a), "units": u} for a, u in sorted(d["nodeUnits"].items())],
            "verifierChecks": [{"address": checksum(a), "checks": c} for a, c in sorted(d["verifierChecks"].items())],
            "payouts": pairs_js(s["payouts"]), "slashes": pairs_js(s["slashes"]),
            "settledJobs": [hx(j) for j in s["settledJobs"]],
            "settlementRecord": hx(settlement_record(st.settlements[e])),
        }
        leaves = [payout_leaf(a, v) for a, v in s["payouts"]]
        if self.compact:
            for k in ("nodeUnits", "verifierChecks", "settledJobs"):
                item["expected"].pop(k)
        else:
            self._proofs(item, s, leaves, e)
        if between:
            between()
        if apply:
            self.apply_settlement(e)
        return item

    def _proofs(self, item, s, leaves, e):
        item["expected"]["rewardProofs"] = [
            {"index": i, "address": checksum(a), "amount": str(v), "leaf": hx(leaves[i]),
             "proof": [hx(x) for x in merkle_proof(leaves, i)]} for i, (a, v) in enumerate(s["payouts"])]
        item["expected"]["claims"] = {
            "merkleRoot": hx(s["summary"]["rewardsRoot"]), "tokenTotal": hex(s["summary"]["emission"]), "epoch": e,
            "claims": {checksum(a): {"index": i, "amount": hex(v), "proof": [hx(x) for x in merkle_proof(leaves, i)]}
                       for i, (a, v) in enumerate(s["payouts"])}}

    def apply_settlement(self, e: int, **kw):
        st = self.state
        item = self._append("settlementApplied", {"epoch": e}, **kw)
        if item["result"] == 0:
            s = st.settlements[e]
            item["expected"] = {
                "balancesRoot": hx(s["balancesRoot"]),
                "balances": pairs_js(st.snapshots[e], "balance"),
                "balanceProofs": self.balance_proofs(st.snapshots[e]),
                "settlementRecord": hx(settlement_record(s)),
                "accounts": self.accounts_js(),
                "totals": self.totals_js(),
            }
            if self.compact:
                for k in ("balanceProofs", "accounts", "balances"):
                    item["expected"].pop(k)
        return item

    # ---- snapshots of the state

    @staticmethod
    def balance_proofs(leaves_pairs):
        leaves = [payout_leaf(a, v) for a, v in leaves_pairs]
        return [{"index": i, "address": checksum(a), "balance": str(v), "proof": [hx(x) for x in merkle_proof(leaves, i)]}
                for i, (a, v) in enumerate(leaves_pairs)]

    def accounts_js(self):
        return [{"address": checksum(a), "balance": str(r[0]), "bonded": str(r[1]), "nonce": r[2]}
                for a, r in sorted(self.state.accounts.items())]

    def totals_js(self):
        st = self.state
        return {"genesisSupply": str(st.genesis_supply), "minted": str(st.minted), "burned": str(st.burned),
                "sumBalances": str(st.sum_balances()), "sumBonds": str(st.sum_bonds())}

    def final_js(self):
        st = self.state
        recs = st.records()
        return {
            "nextHeight": st.next_height, "lastHash": hx(st.last_hash), "lastTimestampMillis": st.last_ts,
            "stateDigest": hx(st.digest()), "head": hx(st.head()),
            "totals": self.totals_js(), "accounts": self.accounts_js(),
            "receipts": [{"jobId": hx(j), "receiptId": hx(r["receiptId"]), "node": checksum(r["node"]),
                          "epoch": r["epoch"], "status": STATUS_NAMES[r["status"]], "settled": r["settled"],
                          "record": hx(receipt_record(r))} for j, r in sorted(st.receipts.items())],
            "records": [{"key": hx(k), "value": hx(v)} for k, v in sorted(recs.items())],
        }

    def to_json(self, name: str, rule: str, description: str, genesis_file: dict | None = None):
        out = {"name": name, "rule": rule, "description": description,
               "keys": {label: {"privateKey": hx(k), "address": checksum(address_of(k))}
                        for label, k in self.keys.items()}}
        if genesis_file is not None:
            out["genesisFile"] = genesis_file
        out["entries"] = self.entries
        out["final"] = self.final_js()
        return out

