#!/usr/bin/env bash
# The README's test command: installs what is missing, builds the default,
# the ASan+UBSan, the aarch64 (cross) and the fuzz presets, and runs every test
# suite (unit tests in parallel, the suites that run containers one at a time);
# the aarch64 build's unit suites run under qemu-aarch64; last, each fuzz
# target for a short fixed time (tests/fuzz/run.sh smoke, about 5 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh default
scripts/build.sh asan
scripts/build.sh aarch64
scripts/build.sh fuzz

echo "== unit tests (default preset)"
ctest --preset default -L unit -j2 --timeout 900
echo "== unit tests of the aarch64 build, under qemu-aarch64"
file -L build/aarch64/shim/runphi build/aarch64/libphi/libphi.so | sed "s/, BuildID.*//"
ctest --preset aarch64 -j2 --timeout 900
echo "== CLI, parity, partition, containerd, consumer, ABI and Xen tests (default preset)"
ctest --preset default -LE unit --timeout 1800
echo "== unit and CLI tests under AddressSanitizer + UBSan"
ctest --preset asan -L unit -j2 --timeout 900
ctest --preset asan -L cli --timeout 1800
echo "== fuzz smoke run: every target, 30 s each, after replaying its seeds and regressions"
tests/fuzz/run.sh smoke
