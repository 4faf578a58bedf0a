#!/usr/bin/env bash
# The installed runphi-cell, run from a prefix the build never heard of: it
# finds its libphi (RPATH), and the C it writes compiles against the installed
# jailhouse_cell_format.h to the bytes it wrote.
# usage: runphi_cell_test.sh <build-dir> <source-dir>
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/install" >/dev/null
mv "$work/install" "$work/moved"   # not where it was installed to
prefix=$work/moved
tool=$prefix/sbin/runphi-cell
header=$prefix/include/runphi/jailhouse_cell_format.h
[[ -x $tool ]] || { echo "FAIL: runphi-cell was not installed"; exit 1; }
[[ -f $header ]] || { echo "FAIL: $header was not installed"; exit 1; }

# No LD_LIBRARY_PATH: the RPATH must find the moved prefix's libphi.
env -u LD_LIBRARY_PATH "$tool" --version
libs=$(env -u LD_LIBRARY_PATH ldd "$tool")
[[ $libs == *"$prefix/"*libphi.so* ]] || { echo "FAIL: runphi-cell did not load the prefix's libphi"; echo "$libs"; exit 1; }

cat > "$work/cell.json" <<'JSON'
{"dialect": "upstream-rev14", "name": "installed", "architecture": "arm64", "cpus": [1],
 "flags": ["PASSIVE_COMMREG", "VIRTUAL_CONSOLE_ACTIVE"],
 "console": {"address": "0x9000000", "type": "PL011", "flags": ["ACCESS_MMIO", "REGDIST_4"]},
 "memory_regions": [{"phys_start": "0x70000000", "size": "0x100000", "flags": ["READ", "WRITE", "EXECUTE", "LOADABLE"]},
                    {"virt_start": "0x80000000", "size": "0x1000", "flags": ["READ", "WRITE", "COMM_REGION"]}]}
JSON
"$tool" compile "$work/cell.json" -o "$work/cell.cell" --c "$work/cell.c"
gcc -std=c11 -Wall -Wextra -Werror -pedantic -I "$(dirname "$header")" -c "$work/cell.c" -o "$work/cell.o"
objcopy -O binary -j .data "$work/cell.o" "$work/compiled.cell"
cmp "$work/cell.cell" "$work/compiled.cell" || { echo "FAIL: the C does not compile to the .cell's bytes"; exit 1; }
echo "runphi-cell runs from $prefix; its C compiles against the installed header to the same $(stat -c %s "$work/cell.cell") bytes"
