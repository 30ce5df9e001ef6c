#pragma once

#include <chrono>
#include <thread>

// A load generator thread's share of a fixed offered rate (--rate): `threads` threads together start `rate`
// requests per second, each on a schedule of rate/threads per second, offset so that their starts interleave.
// A request that starts late does not move the schedule: the next one is due at once (an open-loop offered
// load, as a population of independent clients would give). rate 0: no pacing, as fast as answers come.
namespace kerbpool::bench {

class PacedSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  PacedSchedule(double rate, unsigned threads, unsigned index, Clock::time_point start)
      : interval_(rate > 0 ? threads / rate : 0),
        offset_(static_cast<double>(index) / threads),
        start_(start) {}

  // Waits until the next request is due; false when it would be due at or after `deadline`.
  bool waitNext(Clock::time_point deadline) {
    if (interval_ > 0) {
      const auto due = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                    interval_ * (static_cast<double>(n_) + offset_)));
      if (due >= deadline) {
        return false;
      }
      std::this_thread::sleep_until(due);
    }
    ++n_;
    return Clock::now() < deadline;
  }

 private:
  double interval_;
  double offset_;
  Clock::time_point start_;
  unsigned long long n_ = 0;
};

}  // namespace kerbpool::bench
