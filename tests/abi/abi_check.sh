#!/usr/bin/env bash
# The ABI check: libphi.so against the committed baseline of its public ABI
# (libphi.abi.gz, made by abidw: every exported symbol, which with
# -fvisibility=hidden is exactly what PHI_API marks, and every type reachable
# from them). The Impl behind each public class is not ABI
# (private_impls.suppr). Any other change abidiff reports fails: an intended
# one updates the baseline with --update, in the same commit.
# usage: abi_check.sh <libphi.so> [--update]
set -euo pipefail
lib=$1 mode=${2:-check}
here=$(cd "$(dirname "$0")" && pwd)
baseline="$here/libphi.abi.gz"
suppressions="$here/private_impls.suppr"
command -v abidiff >/dev/null || { echo "abi_check: abidiff not found (Debian's abigail-tools)"; exit 1; }

if [[ $mode == --update ]]; then
  abidw --no-show-locs --no-comp-dir-path --no-corpus-path "$lib" |
    gzip -9 -n > "$baseline"
  echo "abi_check: wrote $baseline"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gunzip -c "$baseline" > "$work/baseline.abi"
set +e
abidiff --suppressions "$suppressions" "$work/baseline.abi" "$lib" > "$work/report" 2>&1
rc=$?
set -e
if ((rc != 0)); then
  echo "abi_check: $lib differs from the ABI baseline (abidiff status $rc):"
  cat "$work/report"
  echo "abi_check: if the change is intended, run: $0 $lib --update"
  exit 1
fi
echo "abi_check: $lib matches the ABI baseline ($(zcat "$baseline" | grep -c '<function-decl') functions)"
