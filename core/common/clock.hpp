#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace kerbpool::core {

// Kerberos carries seconds plus a separate microseconds field, so microseconds are the resolution here.
using Micros = std::chrono::microseconds;
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Micros>;

inline std::int64_t toUnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline TimePoint fromUnixSeconds(std::int64_t s) {
  return TimePoint(std::chrono::seconds(s));
}

// The one seam for time (STYLE-ANCHORS habit 4): the KDC, acceptors, replay caches and clients take a Clock&.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// Wall-clock time. The only place in kerbpool that reads the system clock.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// Time that moves only when told to: for tests of expiry, skew and replay windows.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : us_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(Micros(us_.load())); }
  void set(TimePoint t) { us_.store(t.time_since_epoch().count()); }
  void advance(Micros d) { us_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> us_;
};

// Another clock seen through a fixed offset: a workstation whose clock has drifted.
class OffsetClock final : public Clock {
 public:
  OffsetClock(const Clock& base, Micros offset) : base_(base), offset_(offset.count()) {}
  TimePoint now() const override { return base_.now() + Micros(offset_.load()); }
  void setOffset(Micros offset) { offset_.store(offset.count()); }
  Micros offset() const { return Micros(offset_.load()); }

 private:
  const Clock& base_;
  std::atomic<std::int64_t> offset_;
};

// Simulated time for a compressed working day: another clock (the wall) seen through an offset that only
// grows. Between jumps it runs at the base clock's speed (so waits, hold times and timeouts inside one
// stretch measure as they happen); jumpTo moves it forward at once (hours of a day skipped between two rounds
// of requests).
class SteppedClock final : public Clock {
 public:
  SteppedClock(const Clock& base, TimePoint start) : base_(base), offset_((start - base.now()).count()) {}
  TimePoint now() const override { return base_.now() + Micros(offset_.load()); }
  // To `t` when it is later than now; a `t` already passed leaves the clock as it is (never backwards).
  void jumpTo(TimePoint t) {
    const std::int64_t wanted = (t - base_.now()).count();
    std::int64_t current = offset_.load();
    while (wanted > current && !offset_.compare_exchange_weak(current, wanted)) {
    }
  }

 private:
  const Clock& base_;
  std::atomic<std::int64_t> offset_;
};

// Elapsed time on the monotonic clock, for benchmarks and latency metrics (not for protocol time).
class Stopwatch {
 public:
  Stopwatch();
  void restart();
  std::chrono::nanoseconds elapsed() const;

 private:
  std::int64_t startNs_ = 0;
};

// CPU time consumed by this process so far (user + system), for CPU-per-request figures.
std::chrono::nanoseconds processCpuTime();

}  // namespace kerbpool::core
