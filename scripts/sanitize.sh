#!/usr/bin/env bash
# Builds the whole unit and integration suite with clang, AddressSanitizer + UndefinedBehaviorSanitizer, and
# runs it. Any ASan report (a leak included) or UBSan report fails the run. It shares scripts/fuzz.sh's build
# folder and flags, so the libraries are compiled once for both (CI runs the fuzzers, then this).
#   KERBPOOL_FUZZ_BUILD_DIR  build folder (default build-fuzz, as scripts/fuzz.sh)
#   KERBPOOL_SAN_TESTS       ctest -R regex of the tests to run (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitizer-build.sh
configure_sanitizer_build
cmake --build "$build_dir" -j "$(nproc)"
# The packet capture tests need CAP_NET_RAW. Root has it; a binary given it with setcap is not dumpable, so
# LeakSanitizer could not stop its threads: as a user, only the ordinary build's suite runs them.
exclude_regex=$browser_tests_regex
if [ "$(id -u)" -ne 0 ]; then
  exclude_regex+='|^capture: (a datagram exchange|tshark reads)'
fi
# quarantine_size_mb=64 (ASan's default is 256): freed memory still waits in quarantine for 64 MB of later
# frees before reuse, so a use after free within that window is caught; a fresh process no longer touches
# 256 MB of new pages while loading a realm (PBKDF2 frees millions of small blocks): `kerbpool show
# per-node-spn` 5.4 s -> 2.0 s, peak RSS 432 -> 178 MB. The suite starts kerbpool some hundred times.
asan_options="detect_leaks=1:abort_on_error=1:strict_string_checks=1:quarantine_size_mb=64"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
run_suite() { # $1: detect_stack_use_after_return (0 or 1); the rest: ctest's selection
  local suar=$1
  shift
  ASAN_OPTIONS="$asan_options:detect_stack_use_after_return=$suar" \
    ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" "$@"
}
# detect_stack_use_after_return gives every frame a heap-backed fake stack: it nearly doubles the runner's
# tests (`scenarios:`; two of them 51.6 s with it, 29.4 s without), which start whole worlds of kerbpool
# processes. The servers, decoders and clients they run are the code that the other suites already run with
# it, so the runner's suite runs without it (ASan's other checks, leaks and UBSan stay on) and the rest with it.
if [ -n "${KERBPOOL_SAN_TESTS:-}" ]; then
  run_suite 1 -R "$KERBPOOL_SAN_TESTS" -E "$exclude_regex"
else
  run_suite 1 -E "$exclude_regex|^scenarios:"
  run_suite 0 -R '^scenarios:' -E "$exclude_regex"
fi
