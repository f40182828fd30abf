#!/usr/bin/env bash
# Sets up a fresh machine, builds gata, and runs the main job: a whole network on this machine.
#  1. gata devnet: the ledger service, a scheduler, four GPU nodes (one of them cheating) and two
#     verifiers, all over loopback JSON-RPC, for five epochs, then an audit of the whole ledger;
#  2. the run's ledger served again by gata node, and a balance read with web3.py.
# It fails unless the audit passes, everything minted was paid, and a cheater was caught.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
swift build --product gata
gata=$(swift build --show-bin-path)/gata
mkdir -p .build-devnet
run=".build-devnet/run-$(date +%Y%m%d-%H%M%S)"
node_pid=""
cleanup() { [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null; true; }
trap cleanup EXIT

"$gata" devnet --data "$run" --json "$run.json"
.venv/bin/python - "$run.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["auditPassed"], "the audit did not pass"
assert report["paid"] == report["minted"], "paid differs from minted"
assert report["cheatersCaught"] >= 1, "no cheater was caught"
assert report["honestSlashed"] == 0, "an honest node was slashed"
PY

echo
echo "== the run's ledger, served again by gata node and read by web3.py"
"$gata" node --genesis "$run/genesis.json" --data "$run/ledger" --rpc 127.0.0.1:0 --log-level warning > "$run.node.out" &
node_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$run.node.out" 2>/dev/null && break; sleep 0.1; done
rpc=$(grep -o "http://[0-9.:]*" "$run.node.out")
.venv/bin/python -c "
from web3 import Web3
w3 = Web3(Web3.HTTPProvider('$rpc'))
print('chain id', w3.eth.chain_id, '| height', w3.eth.block_number, '| node-1 holds', Web3.from_wei(w3.eth.get_balance('0x25237b881db81F5745e7526Aa57536999187520C'), 'ether'), 'GATA')"
kill -TERM "$node_pid"; wait "$node_pid"; node_pid=""
echo "main job passed: the devnet caught its cheater, paid exactly what it minted, and audits clean from genesis ($run)"
