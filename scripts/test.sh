#!/usr/bin/env bash
# Installs every dependency, builds kerbpool and runs every test: the libFuzzer targets for a bounded time
# (clang, ASan + UBSan), the whole suite under ASan + UBSan (the same clang build folder, so the libraries are
# compiled once for both), the servers' and runner's suites under ThreadSanitizer, then the whole suite (unit,
# integration, fuzz regression replays and interop with the real MIT krb5 / curl / tshark peers) in the
# ordinary build. This is the README's test command and what CI runs.
#   KERBPOOL_FUZZ_SECONDS   seconds per fuzz target (default 15; 0 skips the fuzzing step)
#   KERBPOOL_SANITIZE=0     skips the ASan + UBSan suite (scripts/sanitize.sh)
#   KERBPOOL_TSAN=0         skips the servers' and runner's suites under ThreadSanitizer (scripts/tsan.sh; a
#                           third build of every library, about 11 minutes of a cold run)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build_dir=${KERBPOOL_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build_dir" -j "$(nproc)"
bash scripts/grant-capture.sh "$build_dir"
fuzz_seconds=${KERBPOOL_FUZZ_SECONDS:-15}
if [ "$fuzz_seconds" != 0 ] || [ "${KERBPOOL_SANITIZE:-1}" != 0 ]; then
  # The clang folder that both steps use, built whole in one go: the suites' objects then compile beside the
  # libraries' last units (fuzz.sh alone builds only its targets, which wait for every library).
  echo "== the clang build (ASan + UBSan, libFuzzer) for the fuzzing and sanitizer steps"
  (source scripts/sanitizer-build.sh && configure_sanitizer_build && cmake --build "$build_dir" -j "$(nproc)")
fi
if [ "$fuzz_seconds" != 0 ]; then
  echo "== fuzzing: ${fuzz_seconds} s per target"
  bash scripts/fuzz.sh "$fuzz_seconds"
fi
if [ "${KERBPOOL_SANITIZE:-1}" != 0 ]; then
  echo "== the suites under AddressSanitizer + UndefinedBehaviorSanitizer"
  bash scripts/sanitize.sh
fi
if [ "${KERBPOOL_TSAN:-1}" != 0 ]; then
  echo "== the servers' and runner's suites under ThreadSanitizer"
  bash scripts/tsan.sh
fi
echo "== the suites in the ordinary build"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
