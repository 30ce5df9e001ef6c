#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace kerbpool::core {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };

// A minimal structured logger: one line per event, "component: message". Never pass keys, passwords
// or tickets to it. The sink defaults to stderr; tests and the scenario runner replace it.
class Logger {
 public:
  using Sink = std::function<void(LogLevel, std::string_view component, std::string_view message)>;

  static void setLevel(LogLevel level);
  static LogLevel level();
  static void setSink(Sink sink);  // empty: back to stderr
  static void write(LogLevel level, std::string_view component, std::string_view message);
};

inline void logInfo(std::string_view component, std::string_view msg) {
  Logger::write(LogLevel::Info, component, msg);
}
inline void logWarn(std::string_view component, std::string_view msg) {
  Logger::write(LogLevel::Warn, component, msg);
}
inline void logError(std::string_view component, std::string_view msg) {
  Logger::write(LogLevel::Error, component, msg);
}
inline void logDebug(std::string_view component, std::string_view msg) {
  Logger::write(LogLevel::Debug, component, msg);
}

std::string_view toString(LogLevel level);

// What a log line shows of text that may come from a peer: control octets (CR, LF, NUL, ESC, DEL...) and
// octets that are not part of well-formed UTF-8 become \xNN, so a peer cannot forge a line or smuggle
// terminal escapes. Logger::write applies it to every message.
std::string escapeForLog(std::string_view text);

// At most `burst` lines per `window` for one noisy kind of event (a malformed datagram per packet); the
// next line after a quiet spell says how many were left out. Thread-safe. `nowMicros` is the caller's
// clock (core::Clock), so tests drive it.
class LogRateLimiter {
 public:
  LogRateLimiter(std::uint32_t burst, std::int64_t windowMicros) : burst_(burst), window_(windowMicros) {}
  // Whether to log now; when true, `suppressed` is how many were left out since the last logged line.
  bool allow(std::int64_t nowMicros, std::uint64_t& suppressed);

 private:
  std::mutex mutex_;
  std::uint32_t burst_;
  std::int64_t window_;
  std::int64_t windowStart_ = INT64_MIN;
  std::uint32_t inWindow_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace kerbpool::core
