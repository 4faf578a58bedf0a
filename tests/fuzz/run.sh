#!/usr/bin/env bash
# Runs the libFuzzer targets of the fuzz preset (docs/fuzzing.md).
#
#   tests/fuzz/run.sh smoke    [TARGET...]   scripts/test.sh: each target 30 s
#   tests/fuzz/run.sh campaign [TARGET...]   each target until 1 M executions or 30 min
#
# TARGET is a name such as xl_config (default: all). For each target, first
# every seed, nesting/size case (make_corpus.py) and regression input
# (tests/fuzz/regressions/) is replayed once, whole; then the target fuzzes
# from its seeds. Any crash, leak, timeout, or an exception other than
# phi::Error fails the run; the input is kept under the run directory.
#
# Environment: PHI_FUZZ_SECONDS (per target; smoke 30, campaign 1800),
# PHI_FUZZ_RUNS (executions per target; campaign 1000000, smoke unlimited),
# PHI_FUZZ_SEED (libFuzzer's -seed; smoke 1, so the same tree mutates the same
# way on every machine and only the time budget differs; campaign 0, random),
# PHI_FUZZ_MAX_LEN (longest mutated input, 16384), PHI_FUZZ_BUILD (build/fuzz).
# The campaign keeps its corpus in <build>/fuzz-runs/campaign/<target>/corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."

mode=${1:-}
[[ $mode == smoke || $mode == campaign ]] || { sed -n '2,17p' "$0" >&2; exit 2; }
shift
all_targets=(oci_spec zic_config platform_template runtime_config cell_decode cell_serializer command_line xl_config)
json_targets=" oci_spec zic_config platform_template runtime_config cell_serializer "
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")

build=${PHI_FUZZ_BUILD:-build/fuzz}
if [[ $mode == smoke ]]; then
  seconds=${PHI_FUZZ_SECONDS:-30} runs=${PHI_FUZZ_RUNS:--1} seed=${PHI_FUZZ_SEED:-1}
else
  seconds=${PHI_FUZZ_SECONDS:-1800} runs=${PHI_FUZZ_RUNS:-1000000} seed=${PHI_FUZZ_SEED:-0}
fi
max_len=${PHI_FUZZ_MAX_LEN:-16384}

corpus=$build/fuzz-corpus
python3 tests/fuzz/make_corpus.py "$corpus"

declare -a summary
failed=0 passed=0 failures=0
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  [[ -x $bin ]] || { echo "fuzz: $bin is missing; build the fuzz preset first" >&2; exit 2; }
  work=$build/fuzz-runs/$mode/$t
  [[ $mode == smoke ]] && rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"

  # 1. Replay, whole and once each: seeds, size and depth cases, found crashes.
  replay=("$corpus/$t/seeds"/* "$corpus/$t/limits"/*)
  for d in "tests/fuzz/regressions/$t" $([[ $json_targets == *" $t "* ]] && echo tests/fuzz/regressions/json); do
    [[ -d $d ]] && replay+=("$d"/*)
  done
  if ! "$bin" -timeout=30 -rss_limit_mb=4096 -detect_leaks=1 -artifact_prefix="$work/artifacts/replay-" \
      "${replay[@]}" >"$work/replay.log" 2>&1; then
    echo "fuzz: $t: a replayed input failed (log: $work/replay.log):" >&2
    grep -E "Running:|violated|ERROR|SUMMARY|what\(\)" "$work/replay.log" | tail -8 >&2
    summary+=("$t: replay of ${#replay[@]} inputs FAILED")
    failed=1 failures=$((failures + 1))
    continue
  fi

  # 2. Fuzz from the seeds (the first directory collects what it finds).
  start=$SECONDS
  status=0
  "$bin" -max_total_time="$seconds" -runs="$runs" -seed="$seed" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "$corpus/$t/seeds" >"$work/fuzz.log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -1)
  if ((status != 0)); then
    echo "fuzz: $t failed (exit $status; log: $work/fuzz.log; inputs: $work/artifacts/):" >&2
    grep -E "violated|ERROR|SUMMARY|what\(\)|Test unit written" "$work/fuzz.log" | tail -8 >&2
    summary+=("$t: ${#replay[@]} inputs replayed; FAILED after ${execs:-?} executions")
    failed=1 failures=$((failures + 1))
  else
    passed=$((passed + 1))
    summary+=("$t: ${#replay[@]} inputs replayed; ${execs:-?} executions in $((SECONDS - start)) s, no crash, leak or timeout")
  fi
done

echo "== fuzz $mode summary"
printf '  %s\n' "${summary[@]}"
echo "fuzz: $passed passed, $failures failed"
exit $failed
