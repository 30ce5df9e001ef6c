#include "core/common/clock.hpp"

#include <ctime>

namespace kerbpool::core {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
}

namespace {
std::int64_t monotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Stopwatch::Stopwatch() : startNs_(monotonicNs()) {}

void Stopwatch::restart() {
  startNs_ = monotonicNs();
}

std::chrono::nanoseconds Stopwatch::elapsed() const {
  return std::chrono::nanoseconds(monotonicNs() - startNs_);
}

std::chrono::nanoseconds processCpuTime() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace kerbpool::core
