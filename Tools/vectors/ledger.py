#!/usr/bin/env python3
"""Known-answer vectors for the ledger itself: Specs/vectors/ledger.json.

Written from Specs/ alone (LEDGER.md, SAMPLING.md, SETTLEMENT.md, CRYPTO.md, AUDIT.md and the
genesis files), as a second implementation of the ledger's contract that shares nothing with the
Swift sources: keccak256 comes from eth-hash, EIP-712 struct hashes and signatures from
eth-account, and every other byte (payloads, entries, state records, Merkle trees, samples,
settlements) is assembled by the model in ledger_core.py, ledger_state.py and ledger_chain.py.

Sections of ledger.json, each a list of cases with a "name" and a "rule" citing the Specs:
- encodings: every entry kind (genesis, assignment and receipt batches, receipts, transfers,
  bonds, unbonds, checkpoints, epoch open and close, outcome seals, receipt and outcome reveals,
  both settlement phases) with edge values, as fields, payload, entry encoding and entry hash;
- merkle, payoutTrees: roots and per-leaf proofs, and the OpenZeppelin leaves of the rewards and
  balances trees;
- costModel, emission, largestRemainder, sampling: the arithmetic rules on their own;
- settlements: settlement computations from a described set of receipts (groups, deferral,
  chained slashes, verifier checks, ties, zero-work epochs, caps);
- scenarios: end-to-end ledgers from a genesis, each entry with its fields, payload, encoding,
  hash, result code and state digest after it; at each settlement the expected record, payouts,
  slashes, roots and balances; at the end every state record and the head;
- assumptions: where the Specs left a choice open and what this model chose.

The output is deterministic: every key, secret, salt and job id is derived from fixed labels.

Usage: python Tools/vectors/ledger.py [--out Specs/vectors]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_assumptions import ASSUMPTIONS  # noqa: E402
from ledger_encodings import all_cases  # noqa: E402
from ledger_rules import rule_sections  # noqa: E402
from ledger_scenarios import all_scenarios  # noqa: E402
from ledger_trees import payout_tree_cases, tree_cases  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def sections() -> dict:
    devnet_doc = json.loads((ROOT / "Genesis" / "devnet.json").read_text())
    out = {
        "generator": "Tools/vectors/ledger.py with Tools/requirements.txt",
        "format": ("Addresses are EIP-55 hex, hashes and bytes 0x hex, amounts (u128) decimal strings of base "
                   "units, other integers JSON numbers. Each section is a list of cases with a name and the "
                   "rule of Specs/ it checks. In scenarios, entries are in the order they are tried: an entry "
                   "with result 0 is appended (its height is the next one); a refused entry (rejected: true, "
                   "with the expected result code) or an already_recorded one (result 1) changes nothing and "
                   "takes no height, so the next entry has the same height. Entries carry their header "
                   "(height, previousHash, timestampMillis), kind, structured fields, payload, encoding (except "
                   "where a scenario says it omits it), hash and the state digest after them. A genesis encoding with genesisFileRefusedAt holds "
                   "values wider than a genesis file may (LEDGER.md §Genesis): reading its genesisFile is "
                   "refused, naming that field."),
        "assumptions": ASSUMPTIONS,
        "encodings": all_cases(devnet_doc),
        "merkle": tree_cases(),
        "payoutTrees": payout_tree_cases(),
    }
    out.update(rule_sections())
    out["scenarios"] = all_scenarios(devnet_doc)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "Specs" / "vectors"))
    args = ap.parse_args()
    data = sections()
    path = Path(args.out) / "ledger.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    print(f"wrote {path} ({path.stat().st_size} bytes): {counts}")


if __name__ == "__main__":
    main()
