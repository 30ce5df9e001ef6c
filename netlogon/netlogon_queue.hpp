#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "core/common/clock.hpp"

// The queueing rules of a Netlogon secure channel's MaxConcurrentApi semaphore as a pure state machine:
// every operation takes the time it happens at, nothing reads a clock, sleeps or locks. The real-time
// semaphore (netlogon_semaphore.hpp) drives it from threads; the discrete-event model (netlogon_model.hpp)
// drives it from virtual time. Both therefore obey the same rules:
//   - at most maxConcurrent calls hold the semaphore;
//   - a call that finds it full waits in FIFO order (arrival order, ties by arrival sequence);
//   - a waiter whose wait reaches waitTimeout leaves the queue timed out (Windows then fails the logon
//     with STATUS_NO_LOGON_SERVERS); a release at the same instant does not rescue it.
namespace kerbpool::netlogon {

using CallId = std::uint64_t;

enum class ArrivalOutcome { Granted, Queued };

// A waiter that got the semaphore.
struct Grant {
  CallId id = 0;
  core::TimePoint arrival{};
  core::Micros waited{0};
};

// A waiter whose wait reached the timeout.
struct Expiry {
  CallId id = 0;
  core::TimePoint arrival{};
  core::Micros waited{0};
};

struct ReleaseOutcome {
  std::optional<Grant> granted;  // the waiter that took the freed slot
  std::vector<Expiry> expired;   // waiters that had timed out by then (oldest first)
};

// What a change of MaxConcurrentApi did to the queue.
struct ResizeOutcome {
  std::vector<Grant> granted;   // waiters that took the new slots, oldest first
  std::vector<Expiry> expired;  // waiters that had timed out by then (oldest first)
};

// Totals since construction, after Netlogon's performance counters.
struct QueueTotals {
  std::uint64_t acquires = 0;  // Semaphore Acquires
  std::uint64_t timeouts = 0;  // Semaphore Timeouts
  std::uint64_t releases = 0;  // completed holds
  core::Micros totalHold{0};   // over completed holds
  core::Micros totalWait{0};   // over acquires (0 for immediate grants)
  std::size_t maxWaiters = 0;
  std::size_t maxHolders = 0;
};

class SemaphoreQueue {
 public:
  // maxConcurrent >= 1 (callers validate configuration).
  SemaphoreQueue(unsigned maxConcurrent, core::Micros waitTimeout);

  // Call `id` (unique, chosen by the caller) asks for the semaphore at `now`.
  ArrivalOutcome arrive(CallId id, core::TimePoint now);
  // Holder `id` is done at `now`. Waiters due by `now` expire first; then the oldest waiter, if any, takes
  // the slot. Releasing an id that holds nothing changes nothing.
  ReleaseOutcome release(CallId id, core::TimePoint now);
  // Removes every waiter whose wait has reached the timeout by `now`, oldest first.
  std::vector<Expiry> expireDue(core::TimePoint now);
  // MaxConcurrentApi changes at `now` (an admin's registry change; maxConcurrent >= 1). Waiters due by `now`
  // expire first; a larger value hands the new slots to the oldest waiters at once; a smaller one takes no
  // slot away: holders finish, and waiters are let in only while fewer than the new value hold it.
  ResizeOutcome setMaxConcurrent(unsigned maxConcurrent, core::TimePoint now);
  // When the oldest waiter times out, if nobody releases first.
  std::optional<core::TimePoint> nextDeadline() const;

  bool isHolding(CallId id) const { return holders_.count(id) != 0; }
  bool isWaiting(CallId id) const;
  std::size_t holders() const { return holders_.size(); }
  std::size_t waiters() const { return waiters_.size(); }
  unsigned maxConcurrent() const { return maxConcurrent_; }
  core::Micros waitTimeout() const { return waitTimeout_; }
  const QueueTotals& totals() const { return totals_; }

 private:
  struct Waiter {
    CallId id;
    core::TimePoint arrival;
  };
  void grant(CallId id, core::TimePoint arrival, core::TimePoint now);

  unsigned maxConcurrent_;
  core::Micros waitTimeout_;
  std::deque<Waiter> waiters_;                 // FIFO: all share one timeout, so the head expires first
  std::map<CallId, core::TimePoint> holders_;  // id -> when it got the semaphore
  QueueTotals totals_;
};

}  // namespace kerbpool::netlogon
