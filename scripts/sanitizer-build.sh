# Sourced by scripts/fuzz.sh and scripts/sanitize.sh (and by scripts/tsan.sh for browser_tests_regex): one
# clang build folder for the libFuzzer targets and the sanitized test suite. Every library is compiled once
# with ASan + UBSan (and libFuzzer's coverage instrumentation, which costs the tests little); -O1 and line
# tables only, as OSS-Fuzz builds.
build_dir=${KERBPOOL_FUZZ_BUILD_DIR:-build-fuzz}
# Left out of the sanitized suites (sanitize.sh, tsan.sh): the three tests that render a `--html` report in
# headless Chromium spend their time in the browser (2026-12-05: 192 s of the ASan suite's CPU, 122 s of the
# TSan suite's 735 s). The report's code runs sanitized in report_html_test and the other `run` tests, and the
# ordinary build's suite runs the three.
browser_tests_regex='--html.* in headless Chromium'
configure_sanitizer_build() {
  if ! command -v clang++ >/dev/null; then
    echo "sanitizer build: clang++ not found (scripts/install-deps.sh installs clang and libclang-rt-14-dev)" >&2
    exit 1
  fi
  local launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" "${launcher[@]}" \
    -DKERBPOOL_FUZZ=ON -DKERBPOOL_BUILD_TESTS=ON -DKERBPOOL_BUILD_BENCH=OFF >/dev/null
}
