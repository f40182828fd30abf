#!/usr/bin/env bash
# Prepares a fresh Debian machine to build and test GATA Ledger. Safe to run again: each step
# is skipped when it is already done.
#   - Debian packages: the C libraries (RocksDB, libsecp256k1, OpenSSL) and pkg-config.
#   - .venv/: Python with the pinned tools of Tools/requirements.txt (eth-account and friends),
#     used to generate known-answer vectors and by the interoperability tests.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(librocksdb-dev libsecp256k1-dev libssl-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stamp=.venv/requirements.sha256
wanted=$(sha256sum Tools/requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setup: creating .venv with Tools/requirements.txt"
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r Tools/requirements.txt
  echo "$wanted" > "$stamp"
fi
echo "setup: ready (swift $(swift --version 2>/dev/null | head -1 | sed 's/.*version \([0-9.]*\).*/\1/'), python $(.venv/bin/python -c 'import sys; print(sys.version.split()[0])'))"
