#!/usr/bin/env bash
# Builds the unit and integration suites with AddressSanitizer + UndefinedBehaviorSanitizer and runs them.
# Any ASan report (a leak included) or UBSan report fails the run. Used by scripts/test.sh (CI); also by hand.
#   KERBPOOL_SAN_BUILD_DIR   build folder (default build-asan)
#   KERBPOOL_SAN_TESTS       ctest -R regex of the tests to run (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${KERBPOOL_SAN_BUILD_DIR:-build-asan}
flags="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKERBPOOL_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# ASan's leak checker needs ptrace-free /proc access; it works as root and as a user on Debian 12.
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" ${KERBPOOL_SAN_TESTS:+-R "$KERBPOOL_SAN_TESTS"}
