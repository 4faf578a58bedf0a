#!/usr/bin/env bash
# The README's test command: installs what is missing, builds the default,
# ASan+UBSan and fuzz presets, runs every test suite (unit tests in parallel,
# the suites that run containers one at a time), then each fuzz target for a
# short fixed time (tests/fuzz/run.sh smoke, about 5 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh default
scripts/build.sh asan
scripts/build.sh fuzz

echo "== unit tests (default preset)"
ctest --preset default -L unit -j2 --timeout 900
echo "== CLI, parity, partition, containerd, consumer and Xen tests (default preset)"
ctest --preset default -LE unit --timeout 1800
echo "== unit and CLI tests under AddressSanitizer + UBSan"
ctest --preset asan -L unit -j2 --timeout 900
ctest --preset asan -L cli --timeout 1800
echo "== fuzz smoke run: every target, 30 s each, after replaying its seeds and regressions"
tests/fuzz/run.sh smoke
