#!/usr/bin/env bash
# The README's test command: installs what is missing, builds the default and
# the ASan+UBSan presets, and runs every test suite (unit tests in parallel,
# the suites that run containers one at a time).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh default
scripts/build.sh asan

echo "== unit tests (default preset)"
ctest --preset default -L unit -j2 --timeout 900
echo "== CLI, parity, partition, containerd, consumer, ABI and Xen tests (default preset)"
ctest --preset default -LE unit --timeout 1800
echo "== unit and CLI tests under AddressSanitizer + UBSan"
ctest --preset asan -L unit -j2 --timeout 900
ctest --preset asan -L cli --timeout 1800
