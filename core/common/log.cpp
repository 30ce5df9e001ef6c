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

void Logger::write(LogLevel level, std::string_view component, std::string_view message) {
  if (static_cast<int>(level) < gLevel.load()) {
    return;
  }
  std::lock_guard lock(gSinkMutex);
  if (gSink) {
    gSink(level, component, message);
    return;
  }
  std::fprintf(stderr, "[%.*s] %.*s: %.*s\n", static_cast<int>(toString(level).size()),
               toString(level).data(), static_cast<int>(component.size()), component.data(),
               static_cast<int>(message.size()), message.data());
}

}  // namespace kerbpool::core
