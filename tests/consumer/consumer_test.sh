#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then builds a consumer
# program against it (with pkg-config only, or with find_package) and runs
# it: a partitioned container's whole lifecycle through the typed API, with
# the test driver (which is never installed) from the build tree.
# usage: consumer_test.sh <build-dir> <pkg-config|find_package> <driver-dir> <platform-template>
set -euo pipefail
build=$1 mode=$2 driverdir=$3 platform=$4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
libdir=$(find "$work/prefix" -name 'libphi.so' -printf '%h\n' | head -n1)
[[ -n $libdir ]] || { echo "FAIL: libphi.so was not installed"; exit 1; }

case $mode in
  pkg-config)
    export PKG_CONFIG_PATH="$libdir/pkgconfig"
    flags=$(pkg-config --cflags --libs libphi)
    echo "pkg-config --cflags --libs libphi: $flags"
    # shellcheck disable=SC2086 # the flags are a word list by design
    g++ -std=c++20 "$here/consumer.cpp" -o "$work/consumer" $flags
    ;;
  find_package)
    cmake -S "$here/cmake_project" -B "$work/cmake-build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
    cmake --build "$work/cmake-build" >/dev/null
    cp "$work/cmake-build/consumer" "$work/consumer"
    ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac

# The installed library is the one that must load, not the build tree's.
# (ldd's output read whole: grep -q would close the pipe early, and under
# pipefail ldd's SIGPIPE would fail the check.)
linked=$(LD_LIBRARY_PATH="$libdir" ldd "$work/consumer")
grep -q "$libdir/libphi.so.1" <<<"$linked" || { echo "FAIL: consumer did not load the installed libphi"; exit 1; }
mkdir -p "$work/run"
LD_LIBRARY_PATH="$libdir" "$work/consumer" "$work/prefix" "$driverdir" "$platform" "$work/run"

# The installed runphi: the front end in sbin, the C++ shim it hands calls to
# under libexec/runphi (or, built without the front end, the shim as runphi).
# --version goes through both and names the runc it forwards to.
runphi="$work/prefix/sbin/runphi"
[[ -x $runphi ]] || { echo "FAIL: sbin/runphi was not installed"; exit 1; }
if file "$runphi" | grep -q "statically linked"; then
  [[ -x "$work/prefix/libexec/runphi/runphi-shim" ]] || { echo "FAIL: libexec/runphi/runphi-shim was not installed"; exit 1; }
fi
version=$(RUNPHI_CONFIG=/nonexistent "$runphi" --version)
grep -q "^runc version .*(runphi .*forwards to: " <<<"$version" || { echo "FAIL: installed runphi --version: $version"; exit 1; }
echo "installed runphi --version: ${version%%$'\n'*}"
