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
# Named by path alone: GATA loads libnvrtc-builtins from the same folder, no LD_LIBRARY_PATH.
if [ -e .build-nvrtc/lib/libnvrtc.so.11.2 ]; then
  export GATA_LIBNVRTC="$PWD/.build-nvrtc/lib/libnvrtc.so.11.2"
fi
swift build --build-tests
swift test

echo "== gata-crosscheck builds with --static-swift-stdlib and runs without Swift's libraries"
swift build -c release --product gata-crosscheck --static-swift-stdlib --scratch-path .build-static
status=0
.build-static/release/gata-crosscheck || status=$?
# 0: every kernel matched on a GPU; 2: no GPU here (no driver library, no usable NVRTC or no
# device). 1, or anything else: a mismatch, or a GPU that is here and failed. The tool prints why.
case "$status" in
  0) echo "gata-crosscheck: every kernel matched on the GPU" ;;
  2) echo "gata-crosscheck: no GPU here, cross-check skipped (reason above)" ;;
  *) echo "gata-crosscheck failed with status $status (reason above)"; exit 1 ;;
esac
