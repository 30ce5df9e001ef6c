# Sourced by scripts/fuzz.sh and scripts/sanitize.sh: one clang build folder for the libFuzzer targets and the
# sanitized test suite. Every library is compiled once with ASan + UBSan (and libFuzzer's coverage
# instrumentation, which costs the tests little); -O1 and line tables only, as OSS-Fuzz builds.
build_dir=${KERBPOOL_FUZZ_BUILD_DIR:-build-fuzz}
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
