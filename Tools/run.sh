#!/usr/bin/env bash
# Sets up a fresh machine, builds gata, and runs the main job: a short tour of a live node.
#  1. gata account new writes a keystore, and eth-account decrypts it to the same address;
#  2. gata node serves the development chain on a loopback port;
#  3. a transfer is signed and sent with the CLI, and web3.py reads the balances;
#  4. the operator closes and settles epoch 0, and the settlement is shown.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
swift build --product gata
gata=$(swift build --show-bin-path)/gata
work=$(mktemp -d)
node_pid=""
cleanup() { [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
echo "devnet-password" > "$work/password"

echo "== gata account new, decrypted by eth-account"
address=$("$gata" account new --keystore "$work/keystore" --password-file "$work/password" 2>/dev/null)
decrypted=$(.venv/bin/python Tools/interop/keystore_interop.py decrypt "$(ls "$work/keystore"/UTC--*)" "$work/password")
echo "gata: $address  eth-account: $decrypted"
[ "$decrypted" = "$address" ] || { echo "FAILED: the addresses differ"; exit 1; }

echo "== gata node on the development chain (Genesis/devnet.json)"
key() { .venv/bin/python -c "from eth_hash.auto import keccak; print('0x' + keccak(b'gata-devnet-account-$1').hex())"; }
key 0 > "$work/operator.key"; key 9 > "$work/user.key"
"$gata" account import --keystore "$work/operator" --private-key-file "$work/operator.key" --password-file "$work/password" --light-kdf >/dev/null 2>&1
"$gata" account import --keystore "$work/user" --private-key-file "$work/user.key" --password-file "$work/password" --light-kdf >/dev/null 2>&1
"$gata" node --genesis Genesis/devnet.json --data "$work/data" --rpc 127.0.0.1:0 --log-level warning \
  --operator-keystore "$(ls "$work/operator"/UTC--*)" --password-file "$work/password" > "$work/node.out" &
node_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/node.out" 2>/dev/null && break; sleep 0.1; done
rpc=$(grep -o "http://[0-9.:]*" "$work/node.out")
echo "listening on $rpc"

echo "== gata transfer 1.5 GATA from development account 9 to account 8"
"$gata" transfer --keystore "$(ls "$work/user"/UTC--*)" --to 0x7170887aecCECadddF922388A4a00dcC29E609BB --amount 1.5 \
  --password-file "$work/password" --rpc "$rpc"
"$gata" balance 0x7170887aecCECadddF922388A4a00dcC29E609BB --rpc "$rpc"
echo "== web3.py reads the same ledger"
.venv/bin/python -c "
from web3 import Web3
w3 = Web3(Web3.HTTPProvider('$rpc'))
print('chain id', w3.eth.chain_id, '| balance of account 8:', Web3.from_wei(w3.eth.get_balance('0x7170887aecCECadddF922388A4a00dcC29E609BB'), 'ether'), 'GATA')"

echo "== the operator closes and settles epoch 0"
"$gata" epoch advance --keystore "$(ls "$work/operator"/UTC--*)" --password-file "$work/password" --rpc "$rpc" >/dev/null
"$gata" epoch show 0 --rpc "$rpc"
"$gata" entries --rpc "$rpc"
kill -TERM "$node_pid"; wait "$node_pid"; node_pid=""
echo "main job passed: keys, transfers and settlement all agree with standard Ethereum tools"
