#include "core/common/clock.hpp"

namespace kerbpool::core {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
}

}  // namespace kerbpool::core
