#!/usr/bin/env bash
# Inside a real Xen (QEMU, TCG): time from `runphi create` + `start` to the
# guest's marker on its console, against the same domain created by hand with
# `xl create`. Boots the test machine RUNS times (default 3) and prints the
# medians and their ratio (the aim: <= 1.05).
#   usage: benchmarks/xen_marker.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/default}
runs=${2:-3}
cmake --build "$build" --target runphi runphi-monitor phi-driver-xen subreaper >/dev/null
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((i = 1; i <= runs; i++)); do
  tests/xen/runphi_xen_test.sh "$build/shim/runphi" "$build/shim/runphi-monitor" \
    "$build/drivers/libphi-driver-xen.so" "$build/tests/xen/subreaper" 2>&1 |
    grep -o 'RUNPHI-XEN-BENCH.*' | head -n 1 | tee -a "$results"
done
awk '{
  for (i = 1; i <= NF; i++) {
    split($i, kv, "=")
    if (kv[1] == "runphi_create_start_to_marker") r[n] = kv[2]
    if (kv[1] == "xl_create_to_marker") x[n] = kv[2]
  }
  n++
}
function median(a, k,   i, j, t) {
  for (i = 0; i < k; i++) for (j = i + 1; j < k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return k % 2 ? a[int(k / 2)] : (a[k / 2 - 1] + a[k / 2]) / 2
}
END {
  if (n == 0) { print "no benchmark lines"; exit 1 }
  mr = median(r, n); mx = median(x, n)
  printf "runphi create+start to marker: median %.2f s; xl create to marker: median %.2f s; ratio %.3f (n=%d)\n", mr, mx, mr / mx, n
}' "$results"
