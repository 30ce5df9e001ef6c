#!/usr/bin/env bash
# Builds the servers' and the scenario runner's suites with clang and ThreadSanitizer and runs them: the HTTP
# server and its sessions (net), the KDC and Netlogon servers (kdc, netlogon), the front-end node (frontend),
# the load balancer (loadbalancer) and the runner with its populations of client threads (scenarios). Any data
# race report fails the run. Used by scripts/test.sh (unless KERBPOOL_TSAN=0); also by hand.
#   KERBPOOL_TSAN_BUILD_DIR  build folder (default build-tsan)
#   KERBPOOL_TSAN_TESTS      ctest -R regex (default: the suites above)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitizer-build.sh  # for browser_tests_regex only: this build has a folder and flags of its own
build_dir=${KERBPOOL_TSAN_BUILD_DIR:-build-tsan}
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" "${launcher[@]}" \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DKERBPOOL_BUILD_TESTS=ON -DKERBPOOL_BUILD_BENCH=OFF >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target net_tests kdc_tests netlogon_tests frontend_tests \
  loadbalancer_tests scenarios_tests kerbpool
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
# Clang 14's TSan maps its shadow memory at fixed addresses and fails at start ("unexpected memory mapping")
# on kernels that randomise mmap with more than 28 bits; without address randomisation it always starts.
# Where personality() is refused (a container's seccomp profile), the tests run as they are.
no_aslr=()
if setarch "$(uname -m)" -R true 2>/dev/null; then
  no_aslr=(setarch "$(uname -m)" -R)
fi
# The suites would all fail the same way, so one start of the smallest suite tells first (`--help`: Catch2 v2
# exits with the number of tests it lists, so a listing is no probe). Where the kernel randomises more and
# refuses personality() (the issue's "where the toolchain allows"), the step says so and why, and is skipped;
# any other failure to start fails it.
if ! probe=$("${no_aslr[@]}" "$build_dir/tests/netlogon_tests" --help 2>&1 >/dev/null); then
  if [[ $probe == *"unexpected memory mapping"* ]]; then
    echo "tsan.sh: SKIPPED: clang 14's ThreadSanitizer cannot start on this kernel (vm.mmap_rnd_bits is" \
      "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo unknown); it needs 28 or fewer, or" \
      "setarch -R, which personality() refuses here): ${probe:0:300}" >&2
    exit 0
  fi
  echo "tsan.sh: a ThreadSanitizer test binary does not start: ${probe:0:600}" >&2
  exit 1
fi
"${no_aslr[@]}" ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" \
  -R "${KERBPOOL_TSAN_TESTS:-^(net|kdc|netlogon|frontend|loadbalancer|scenarios):}" -E "$browser_tests_regex"
