#!/usr/bin/env bash
# The README's test command: installs what is missing, builds the default and
# the ASan+UBSan presets, and runs every test suite in both.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh default
scripts/build.sh asan

echo "== tests (default preset)"
ctest --preset default --timeout 900
echo "== tests (asan preset: unit and CLI tests under AddressSanitizer + UBSan)"
ctest --preset asan --timeout 900 -L 'unit|cli'
