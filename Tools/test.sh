#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: the Swift suites, including the known-answer
# vectors and the interoperability tests against eth-account and web3.py (which must run, not
# skip) and, where NVRTC could be fetched, the CUDA kernels compiled to PTX; then checks that the
# GPU cross-check tool builds with a static Swift runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
export GATA_PYTHON="$PWD/.venv/bin/python" GATA_REQUIRE_INTEROP=1
# NVRTC fetched by setup (when it could be): the CUDA kernels are compiled to PTX and checked.
if [ -e .build-nvrtc/lib/libnvrtc.so.11.2 ]; then
  export GATA_LIBNVRTC="$PWD/.build-nvrtc/lib/libnvrtc.so.11.2" LD_LIBRARY_PATH="$PWD/.build-nvrtc/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
swift build --build-tests
swift test

echo "== gata-crosscheck builds with --static-swift-stdlib and runs without Swift's libraries"
swift build -c release --product gata-crosscheck --static-swift-stdlib --scratch-path .build-static
status=0
.build-static/release/gata-crosscheck || status=$?
# 0: every kernel matched on a GPU; 2: no GPU here (the reason is printed); anything else fails.
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "gata-crosscheck failed with status $status"
  exit 1
fi
