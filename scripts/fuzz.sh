#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan), generates their seed corpora and runs
# each target for SECONDS_PER_TARGET seconds (default 30). Fails on any crash, leak, UBSan report, timeout or
# out-of-memory, and prints per target: executions, coverage (cov/ft from libFuzzer's last status line) and
# findings. A finding's input is left in BUILD_DIR/fuzz-artifacts/<target>/ (emptied when the target runs
# again): fix the bug, then keep the input under tests/fuzz/regressions/<target>/ (ctest "fuzz-replay: <target>" replays it in the ordinary build).
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Environment: KERBPOOL_FUZZ_BUILD_DIR (default build-fuzz), KERBPOOL_FUZZ_JOBS (build parallelism, default
# nproc), KERBPOOL_REFERENCE_DIR (for the seeds, default ../shared/reference), KERBPOOL_FUZZ_RUNS (also stop a
# target after this many executions: a campaign is `KERBPOOL_FUZZ_RUNS=10000000 scripts/fuzz.sh 3600`),
# KERBPOOL_FUZZ_TIMEOUT (seconds of wall time one input may take, default 10; a campaign niced beside other
# work needs more: a starved process reports inputs that take a second alone as timeouts),
# KERBPOOL_FUZZ_PARALLEL (targets run at once, default nproc: each libFuzzer process uses one core).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
source scripts/sanitizer-build.sh
jobs=${KERBPOOL_FUZZ_JOBS:-$(nproc)}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(grep -l 'LLVMFuzzerTestOneInput' tests/fuzz/*.cpp | grep -v replay_main |
                         xargs -n1 basename | sed 's/\.cpp$//' | sort)
fi

start=$(date +%s)
configure_sanitizer_build
binaries=()
for t in "${targets[@]}"; do binaries+=("fuzz_$t"); done
cmake --build "$build_dir" -j "$jobs" --target "${binaries[@]}"
built=$(date +%s)
bash scripts/fuzz-seeds.sh "$build_dir"

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
dict_for() {
  case "$1" in
    ntlm_*) echo tests/fuzz/dict/ntlm.dict ;;
    realm_file | scenario_loader) echo tests/fuzz/dict/json.dict ;;
    keytab | lb_rules | capture_frame) echo "" ;;
    *) echo tests/fuzz/dict/der.dict ;;
  esac
}

# Runs one target; its summary line goes to fuzz-logs/<target>.summary and the exit status says whether it
# failed. Up to KERBPOOL_FUZZ_PARALLEL targets run at once (default: the cores; libFuzzer uses one each).
fuzz_one() {
  local t=$1
  local corpus="$build_dir/fuzz-corpus/$t"
  local artifacts="$build_dir/fuzz-artifacts/$t"
  local log="$build_dir/fuzz-logs/$t.log"
  rm -rf "$artifacts"  # the findings of this run only
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  local inputs=("$corpus")
  for extra in "$build_dir/fuzz-seeds/$t" "tests/fuzz/regressions/$t"; do
    [ -d "$extra" ] && inputs+=("$extra")
  done
  local options=(-max_total_time="$seconds" -timeout="${KERBPOOL_FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048
                 -print_final_stats=1 -artifact_prefix="$artifacts/")
  [ -n "${KERBPOOL_FUZZ_RUNS:-}" ] && options+=(-runs="$KERBPOOL_FUZZ_RUNS")
  local dict
  dict=$(dict_for "$t")
  [ -n "$dict" ] && options+=(-dict="$dict")
  echo "fuzz: $t for ${seconds}s"
  local rc=0
  "$build_dir/tests/fuzz/fuzz_$t" "${options[@]}" "${inputs[@]}" >"$log" 2>&1 || rc=$?
  local execs status cov ft findings
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
  status=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
  findings=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  local verdict="ok" result=0
  if [ "$rc" -ne 0 ] || [ "$findings" -ne 0 ] ||
     grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' "$log"; then
    verdict="FAILED (exit $rc)"
    result=1
    {
      echo "---- $t: $log"
      grep -E 'ERROR:|runtime error:|SUMMARY:|fuzz check failed|Test unit written' "$log" | head -20 || true
      find "$artifacts" -type f | sed 's/^/  input: /'
    } >&2
  fi
  printf '%-16s %12s execs  cov %6s  ft %7s  findings %s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
    "$findings" "$verdict" >"$build_dir/fuzz-logs/$t.summary"
  return "$result"
}

parallel=${KERBPOOL_FUZZ_PARALLEL:-$(nproc)}
if ! [[ "$parallel" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz: KERBPOOL_FUZZ_PARALLEL must be a positive number, not '$parallel'" >&2
  exit 2
fi
mkdir -p "$build_dir/fuzz-logs"
failed=0
running=0
for t in "${targets[@]}"; do
  rm -f "$build_dir/fuzz-logs/$t.summary"
  if [ "$running" -ge "$parallel" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
summary=()
for t in "${targets[@]}"; do
  if [ -f "$build_dir/fuzz-logs/$t.summary" ]; then
    summary+=("$(cat "$build_dir/fuzz-logs/$t.summary")")
  else
    summary+=("$(printf '%-16s did not finish' "$t")")
    failed=1
  fi
done

end=$(date +%s)
echo
echo "fuzz: ${#targets[@]} targets, ${seconds}s each; build $((built - start))s, total $((end - start))s"
printf '%s\n' "${summary[@]}"
exit "$failed"
