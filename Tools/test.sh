#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: the Swift suites, including the known-answer
# vectors and the interoperability tests against eth-account (which must run, not skip).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Tools/setup.sh
export GATA_PYTHON="$PWD/.venv/bin/python" GATA_REQUIRE_INTEROP=1
swift build --build-tests
swift test
