#include "core/common/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "core/common/utf8.hpp"

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

std::string escapeForLog(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    // A run of printable ASCII and well-formed UTF-8 is appended whole.
    const std::size_t end = endOfPlainRun(text, i, [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
    out.append(text.substr(i, end - i));
    if (end == text.size()) {
      break;
    }
    i = end;
    const auto c = static_cast<unsigned char>(text[i]);
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
