#pragma once

// Small helpers shared by the fuzz targets (header-only: each target stays one .cpp). A target reports a
// finding by aborting, which libFuzzer and the replay driver both turn into a failure.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/hex.hpp"
#include "core/common/log.hpp"

namespace kerbpool::fuzz {

[[noreturn]] inline void fail(std::string_view what) {
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

inline void check(bool condition, std::string_view what) {
  if (!condition) {
    fail(what);
  }
}

inline core::BytesView bytesOf(const std::uint8_t* data, std::size_t size) {
  return {data, size};
}

inline std::string_view textOf(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input cut at '\n' (a final line without '\n' counts; an empty input is no line).
inline std::vector<std::string_view> splitLines(std::string_view text, std::size_t maxLines = 64) {
  std::vector<std::string_view> out;
  while (!text.empty() && out.size() < maxLines) {
    const auto nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return out;
}

// Bytes that must be equal; the message shows both in hex.
inline void checkSame(core::BytesView expected, core::BytesView actual, std::string_view what) {
  if (expected.size() == actual.size() && std::equal(expected.begin(), expected.end(), actual.begin())) {
    return;
  }
  fail(std::string(what) + "\n  input:   " + core::toHex(expected) + "\n  encoded: " + core::toHex(actual));
}

// A file of the source tree (examples/contoso.realm.json): under $KERBPOOL_SOURCE_DIR when set, else under
// the tree the target was built from.
inline std::string sourceFile(std::string_view relative) {
  const char* env = std::getenv("KERBPOOL_SOURCE_DIR");
#ifdef KERBPOOL_SOURCE_DIR
  const std::string root = env != nullptr ? env : KERBPOOL_SOURCE_DIR;
#else
  const std::string root = env != nullptr ? env : ".";
#endif
  return root + "/" + std::string(relative);
}

// Triage output: printed only when KERBPOOL_FUZZ_DEBUG is set (replaying one input by hand).
inline void debug(std::string_view line) {
  static const bool enabled = std::getenv("KERBPOOL_FUZZ_DEBUG") != nullptr;
  if (enabled) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  }
}

// Log lines are still formatted (that code runs on untrusted input too) but go nowhere.
inline void quietLogs() {
  core::Logger::setSink([](core::LogLevel, std::string_view, std::string_view) {});
}

}  // namespace kerbpool::fuzz
