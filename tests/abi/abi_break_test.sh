#!/usr/bin/env bash
# Proves the ABI check can fail, and that pimpl keeps the ABI: a copy of the
# tree is built twice. First a field is added to a value class's private Impl
# (ZicConfig): the check must still pass. Then a field is added to a public
# struct (MemoryRange): the check must fail and name it.
# usage: abi_break_test.sh <source-dir>
set -euo pipefail
src=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The tracked files as they are in the working tree, nothing built.
tree="$work/tree"
mkdir -p "$tree"
(cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$tree"

build() {
  cmake -S "$tree" -B "$tree/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ \
    -DPHI_BUILD_TESTS=OFF -DPHI_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build "$tree/build" --target phi >/dev/null
}

# 1. A new private field: same ABI.
sed -i 's|^  std::uint64_t diskSizeMiB = 0;$|  std::uint64_t diskSizeMiB = 0;\n  std::string addedInTheImpl;|' \
  "$tree/libphi/model/zic_config.cpp"
grep -q addedInTheImpl "$tree/libphi/model/zic_config.cpp" || { echo "FAIL: could not patch the Impl"; exit 1; }
build
"$here/abi_check.sh" "$tree/build/libphi/libphi.so.1" ||
  { echo "FAIL: a field added to a private Impl was reported as an ABI change"; exit 1; }

# 2. A new field in a public struct: the check must refuse it.
sed -i 's|^  std::uint64_t size = 0;$|  std::uint64_t size = 0;\n  std::uint64_t addedInTheStruct = 0;|' "$tree/include/phi/platform.hpp"
grep -q addedInTheStruct "$tree/include/phi/platform.hpp" || { echo "FAIL: could not patch MemoryRange"; exit 1; }
build
if report=$("$here/abi_check.sh" "$tree/build/libphi/libphi.so.1" 2>&1); then
  echo "FAIL: the ABI check passed although MemoryRange gained a field"
  exit 1
fi
grep -q "MemoryRange" <<<"$report" || { echo "FAIL: the report does not name MemoryRange:"; echo "$report"; exit 1; }
grep -q "type size changed" <<<"$report" || { echo "FAIL: the report does not say the size changed:"; echo "$report"; exit 1; }
echo "abi_break_test: a private field passes, a public struct's new field fails the check:"
grep -m2 -E "type size changed|addedInTheStruct" <<<"$report"
