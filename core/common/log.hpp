#pragma once

#include <functional>
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

}  // namespace kerbpool::core
