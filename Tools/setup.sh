#!/usr/bin/env bash
# Prepares a fresh Debian machine to build and test GATA Ledger. Safe to run again: each step
# is skipped when it is already done.
#   - Debian packages: the C libraries (RocksDB, libsecp256k1, OpenSSL), pkg-config, and wrk, the
#     HTTP load client `gata bench reads` drives.
#   - .venv/: Python with the pinned tools of Tools/requirements.txt (eth-account and friends),
#     used to generate known-answer vectors and by the interoperability tests.
#   - .build-nvrtc/: NVIDIA's NVRTC from Debian's non-free archive, unpacked here and never
#     installed, so the tests can compile the CUDA kernels to PTX on a machine without a GPU.
#     Optional: when it cannot be fetched, that one check is skipped and says why.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(librocksdb-dev libsecp256k1-dev libssl-dev pkg-config wrk)
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
nvrtc=.build-nvrtc/lib
if [ ! -e "$nvrtc/libnvrtc.so.11.2" ] && [ "$(dpkg --print-architecture)" = amd64 ]; then
  echo "setup: fetching NVRTC from Debian non-free into $nvrtc (not installed)"
  if ! (
    set -e
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    mkdir -p "$scratch/lists/partial" "$scratch/cache/archives/partial" "$scratch/unpacked"
    . /etc/os-release
    # The archive this machine's own apt configuration uses for its release (deb822 or one-line
    # sources alike, as apt reads them), with the non-free component added.
    archive=$(apt-get indextargets --no-release-info --format '$(REPO_URI)' "Release: $VERSION_CODENAME" "Target-Of: deb" | awk 'NR == 1')
    [ -n "$archive" ]
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    {
      printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: non-free\n' "$archive" "$VERSION_CODENAME"
      if [ -f "$keyring" ]; then printf 'Signed-By: %s\n' "$keyring"; fi
    } > "$scratch/non-free.sources"
    options=(-qq -o Dir::Etc::sourcelist="$scratch/non-free.sources" -o Dir::Etc::sourceparts=/nonexistent
             -o Dir::State::Lists="$scratch/lists" -o Dir::Cache="$scratch/cache" -o APT::Sandbox::User=root)
    apt-get "${options[@]}" update
    (cd "$scratch" && apt-get "${options[@]}" download libnvrtc11.2 libnvrtc-builtins11.8)
    for deb in "$scratch"/*.deb; do dpkg -x "$deb" "$scratch/unpacked"; done
    mkdir -p "$nvrtc"
    cp -a "$scratch"/unpacked/usr/lib/x86_64-linux-gnu/libnvrtc* "$nvrtc/"
  ) >/dev/null 2>&1; then
    echo "setup: NVRTC could not be fetched; the CUDA compile check will be skipped"
  fi
fi

echo "setup: ready (swift $(swift --version 2>/dev/null | head -1 | sed 's/.*version \([0-9.]*\).*/\1/'), python $(.venv/bin/python -c 'import sys; print(sys.version.split()[0])'))"
