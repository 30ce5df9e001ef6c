#include "core/common/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

namespace kerbpool::core {
namespace {

std::atomic<int> gLevel{static_cast<int>(LogLevel::Info)};
std::mutex gSinkMutex;
Logger::Sink gSink;

}  // namespace

std::string_view toString(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
    case LogLevel::Off:
      return "off";
  }
  return "?";
}

void Logger::setLevel(LogLevel level) {
  gLevel.store(static_cast<int>(level));
}

LogLevel Logger::level() {
  return static_cast<LogLevel>(gLevel.load());
}

void Logger::setSink(Sink sink) {
  std::lock_guard lock(gSinkMutex);
  gSink = std::move(sink);
}

void Logger::write(LogLevel level, std::string_view component, std::string_view raw) {
  if (static_cast<int>(level) < gLevel.load()) {
    return;
  }
  const std::string escaped = escapeForLog(raw);
  const std::string_view message = escaped;
  std::lock_guard lock(gSinkMutex);
  if (gSink) {
    gSink(level, component, message);
    return;
  }
  std::fprintf(stderr, "[%.*s] %.*s: %.*s\n", static_cast<int>(toString(level).size()),
               toString(level).data(), static_cast<int>(component.size()), component.data(),
               static_cast<int>(message.size()), message.data());
}

namespace {

// Length of the well-formed UTF-8 sequence at text[i] (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF), or 0.
std::size_t utf8Sequence(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = at(i);
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    lo = c == 0xe0 ? 0xa0 : 0x80;
    hi = c == 0xed ? 0x9f : 0xbf;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    lo = c == 0xf0 ? 0x90 : 0x80;
    hi = c == 0xf4 ? 0x8f : 0xbf;
  } else {
    return 0;
  }
  if (i + n > text.size() || at(i + 1) < lo || at(i + 1) > hi) {
    return 0;
  }
  for (std::size_t k = 2; k < n; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xbf) {
      return 0;
    }
  }
  return n;
}

}  // namespace

std::string escapeForLog(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const std::size_t n = utf8Sequence(text, i); n != 0) {
        out.append(text.substr(i, n));
        i += n;
        continue;
      }
    }
    out += "\\x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
    ++i;
  }
  return out;
}

bool LogRateLimiter::allow(std::int64_t nowMicros, std::uint64_t& suppressed) {
  std::lock_guard lock(mutex_);
  if (windowStart_ == INT64_MIN || nowMicros - windowStart_ >= window_ || nowMicros < windowStart_) {
    windowStart_ = nowMicros;
    inWindow_ = 0;
  }
  if (inWindow_ >= burst_) {
    suppressed_++;
    return false;
  }
  inWindow_++;
  suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace kerbpool::core
