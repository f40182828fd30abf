"""Genesis configurations for the ledger vectors: reading a Genesis/*.json file into the fields of
the genesis payload (LEDGER.md §Genesis), writing them back as such a file, and the development
accounts of Genesis/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from eth_hash.auto import keccak

from ledger_core import BASE, address_of, checksum, gata, unhex


def devnet_key(i: int) -> bytes:
    """Genesis/README.md: key i is keccak256("gata-devnet-account-<i>")."""
    return keccak(f"gata-devnet-account-{i}".encode("utf-8"))


def read_genesis_file(path: Path) -> tuple[dict, dict]:
    doc = json.loads(path.read_text())
    return doc, from_file(doc)


def from_file(doc: dict) -> dict:
    return {
        "chainId": doc["chainId"], "name": doc["token"]["name"], "symbol": doc["token"]["symbol"],
        "decimals": doc["token"]["decimals"], "genesisTimeMillis": doc["genesisTimeMillis"],
        "epochLengthSeconds": doc["epochLengthSeconds"],
        "initialPerEpoch": gata(doc["emission"]["initialPerEpoch"]),
        "halvingIntervalEpochs": doc["emission"]["halvingIntervalEpochs"],
        "supplyCap": gata(doc["emission"]["supplyCap"]),
        "nodesBps": doc["rewardSplit"]["nodesBps"], "verifiersBps": doc["rewardSplit"]["verifiersBps"],
        "treasuryBps": doc["rewardSplit"]["treasuryBps"], "sampleRatePpm": doc["sampleRatePpm"],
        "slashFractionBps": doc["slashing"]["fractionBps"], "slashDestination": doc["slashing"]["destination"],
        "minimumBond": gata(doc["minimumBond"]), "costPerUnit": gata(doc["incentives"]["costPerUnit"]),
        "operator": unhex(doc["roles"]["operator"]), "scheduler": unhex(doc["roles"]["scheduler"]),
        "verifiers": [unhex(v) for v in doc["roles"]["verifiers"]], "treasury": unhex(doc["roles"]["treasury"]),
        "checkpointInterval": doc["checkpointInterval"],
        "allocations": [{"address": unhex(a["address"]), "balance": gata(a.get("balance", "0")),
                         "bonded": gata(a.get("bonded", "0"))} for a in doc["allocations"]],
    }


def gata_text(v: int) -> str:
    whole, frac = divmod(v, BASE)
    if frac == 0:
        return str(whole)
    return f"{whole}.{frac:018d}".rstrip("0")


def to_file(g: dict) -> dict:
    allocs = []
    for a in g["allocations"]:
        item = {"address": checksum(a["address"])}
        if a["balance"]:
            item["balance"] = gata_text(a["balance"])
        if a["bonded"]:
            item["bonded"] = gata_text(a["bonded"])
        allocs.append(item)
    return {
        "chainId": g["chainId"],
        "token": {"name": g["name"], "symbol": g["symbol"], "decimals": g["decimals"]},
        "genesisTimeMillis": g["genesisTimeMillis"], "epochLengthSeconds": g["epochLengthSeconds"],
        "emission": {"initialPerEpoch": gata_text(g["initialPerEpoch"]),
                     "halvingIntervalEpochs": g["halvingIntervalEpochs"], "supplyCap": gata_text(g["supplyCap"])},
        "rewardSplit": {"nodesBps": g["nodesBps"], "verifiersBps": g["verifiersBps"], "treasuryBps": g["treasuryBps"]},
        "sampleRatePpm": g["sampleRatePpm"],
        "slashing": {"fractionBps": g["slashFractionBps"], "destination": g["slashDestination"]},
        "minimumBond": gata_text(g["minimumBond"]), "incentives": {"costPerUnit": gata_text(g["costPerUnit"])},
        "roles": {"operator": checksum(g["operator"]), "scheduler": checksum(g["scheduler"]),
                  "verifiers": [checksum(v) for v in g["verifiers"]], "treasury": checksum(g["treasury"])},
        "checkpointInterval": g["checkpointInterval"], "allocations": allocs,
    }


def incentive_ok(g: dict) -> bool:
    """SETTLEMENT.md §Incentives: ppm · bps · minimumBond > c · 2^20 · 10^10."""
    return g["sampleRatePpm"] * g["slashFractionBps"] * g["minimumBond"] > g["costPerUnit"] * 2**20 * 10**10


def make_genesis(name: str, keys: dict[str, bytes], *, verifiers: list[str], nodes: list[str], chain_id=7331,
                 sample_ppm=1_000_000, slash_bps=5000, destination="burn", initial="1000", halving=1000,
                 cap="100000000", split=(8000, 1000, 1000), minimum_bond="100", cost="0.000001",
                 checkpoint_interval=1000, node_bond="1000", balance="1000000", extra_allocations=(),
                 time_ms=1764028800000, epoch_seconds=10) -> dict:
    """A genesis whose operator, scheduler and treasury are keys['operator'], ['scheduler'],
    ['treasury'], with the named verifiers and bonded nodes; everyone else in keys gets a balance."""
    addr = {label: address_of(k) for label, k in keys.items()}
    allocs = []
    for label in keys:
        bonded = gata(node_bond) if label in nodes else 0
        allocs.append({"address": addr[label], "balance": gata(balance), "bonded": bonded})
    allocs += list(extra_allocations)
    g = {
        "chainId": chain_id, "name": name, "symbol": "GATA", "decimals": 18, "genesisTimeMillis": time_ms,
        "epochLengthSeconds": epoch_seconds, "initialPerEpoch": gata(initial), "halvingIntervalEpochs": halving,
        "supplyCap": gata(cap), "nodesBps": split[0], "verifiersBps": split[1], "treasuryBps": split[2],
        "sampleRatePpm": sample_ppm, "slashFractionBps": slash_bps, "slashDestination": destination,
        "minimumBond": gata(minimum_bond), "costPerUnit": gata(cost), "operator": addr["operator"],
        "scheduler": addr["scheduler"], "verifiers": [addr[v] for v in verifiers], "treasury": addr["treasury"],
        "checkpointInterval": checkpoint_interval, "allocations": allocs,
    }
    assert incentive_ok(g), name
    return g
