#!/usr/bin/env bash
# Runs every benchmark against a built tree (default: build/default).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/default}
"$build/benchmarks/phi_inprocess_bench" --benchmark_min_time=0.2
python3 benchmarks/cli_vs_runc.py --runphi "$build/shim/runphi" --runc "$(command -v runc)" --json "$build/cli_vs_runc.json"
python3 benchmarks/zic_lifecycle.py --runphi "$build/shim/runphi" --driver-dir "$build/tests/driver" --platform platform-templates/test-board.json --json "$build/zic_lifecycle.json"
"$build/benchmarks/jailhouse_generation_bench"
benchmarks/xen_marker.sh "$build" 3
python3 benchmarks/zic_steady_state.py --runphi "$build/shim/runphi" --driver-dir "$build/tests/driver" --platform tests/partition/stress-board.json --json "$build/zic_steady_state.json"
