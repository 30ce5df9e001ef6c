#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "netlogon/event_sink.hpp"
#include "netlogon/netlogon_events.hpp"
#include "netlogon/netlogon_queue.hpp"
#include "netlogon/nt_status.hpp"

// The MaxConcurrentApi semaphore of one Netlogon secure channel, for real threads: a call blocks until a
// slot is free or its wait reaches the timeout. The rules are SemaphoreQueue's; this class adds the threads,
// the clock, the events (5816-5819) and the performance counters.
namespace kerbpool::netlogon {

namespace max_concurrent_api {
constexpr unsigned kMin = 1;
constexpr unsigned kMax = 150;
constexpr unsigned kWindows2008R2 = 2;  // member servers and DCs before Windows Server 2012
constexpr unsigned kWindows2012 = 10;   // Windows Server 2012 and later
}  // namespace max_concurrent_api

// How waiters learn that their wait has reached the timeout.
enum class TimeoutMode {
  RealTime,  // each waiter wakes at its own deadline (computed from the clock): running servers
  External,  // only checkTimeouts() expires waiters: tests that move a ManualClock by hand
};

struct NetlogonSemaphoreConfig {
  unsigned maxConcurrentApi = max_concurrent_api::kWindows2012;  // 1..150
  core::Micros waitTimeout = std::chrono::seconds(45);           // > 0
  NetlogonEventConfig events;
  TimeoutMode timeouts = TimeoutMode::RealTime;
};

// Config errors name the setting: "max_concurrent_api_out_of_range", "bad_wait_timeout",
// "bad_warning_threshold" (0..45 s, as Windows accepts).
core::Status validateSemaphoreConfig(const NetlogonSemaphoreConfig& config);

// A snapshot of the counters Windows publishes under the Netlogon performance object.
struct SemaphoreCounters {
  std::uint64_t semaphoreWaiters = 0;   // Semaphore Waiters (current)
  std::uint64_t semaphoreHolders = 0;   // Semaphore Holders (current)
  std::uint64_t semaphoreAcquires = 0;  // Semaphore Acquires (total)
  std::uint64_t semaphoreTimeouts = 0;  // Semaphore Timeouts (total)
  double averageSemaphoreHoldTime = 0;  // Average Semaphore Hold Time (seconds, over completed holds)
  std::uint64_t maxWaiters = 0;         // not a Windows counter: the highest Semaphore Waiters seen
};

// "\\Netlogon(FE01$)\\Semaphore Waiters  3" lines, in Windows' counter order.
std::string formatPerfCounters(const SemaphoreCounters& counters, const std::string& instance);

class NetlogonSemaphore;

// A held slot; releasing it (or destroying the permit) lets the oldest waiter in. Must not outlive its
// semaphore. Move-only.
class Permit {
 public:
  Permit() = default;
  Permit(Permit&& other) noexcept;
  Permit& operator=(Permit&& other) noexcept;
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;
  ~Permit() { release(); }

  bool held() const { return semaphore_ != nullptr; }
  void release();

 private:
  friend class NetlogonSemaphore;
  Permit(NetlogonSemaphore* semaphore, CallId id) : semaphore_(semaphore), id_(id) {}
  NetlogonSemaphore* semaphore_ = nullptr;
  CallId id_ = 0;
};

struct Acquisition {
  NtStatus status = NtStatus::STATUS_SUCCESS;  // or STATUS_NO_LOGON_SERVERS when the wait timed out
  Permit permit;                               // held when status is STATUS_SUCCESS
  core::Micros waited{0};

  bool granted() const { return status == NtStatus::STATUS_SUCCESS; }
};

class NetlogonSemaphore {
 public:
  // Config errors are ErrorCategory::Config (see validateSemaphoreConfig). events may be null.
  static core::Result<std::unique_ptr<NetlogonSemaphore>> create(NetlogonSemaphoreConfig config,
                                                                 const core::Clock& clock, EventSink* events);
  NetlogonSemaphore(const NetlogonSemaphore&) = delete;
  NetlogonSemaphore& operator=(const NetlogonSemaphore&) = delete;

  // Blocks until the call holds a slot or its wait reaches the timeout (then STATUS_NO_LOGON_SERVERS and
  // event 5816/5817). A wait over the warning threshold writes 5818/5819 when the slot is granted.
  Acquisition acquire(const CallInfo& call);
  // Expires the waiters whose wait has reached the timeout by the clock's now; returns how many. Needed in
  // TimeoutMode::External; harmless in RealTime.
  std::size_t checkTimeouts();

  // The admin changed MaxConcurrentApi (1..150, else Config "max_concurrent_api_out_of_range"): in force at
  // once, with SemaphoreQueue::setMaxConcurrent's rules (more slots let the oldest waiters in now; fewer let
  // the holders finish).
  core::Status setMaxConcurrentApi(unsigned maxConcurrentApi);
  unsigned maxConcurrentApi() const;

  SemaphoreCounters counters() const;
  std::size_t waiters() const;
  std::size_t holders() const;
  // The configuration it was created with (maxConcurrentApi() is the value in force).
  const NetlogonSemaphoreConfig& config() const { return config_; }

  // Blocks until at least n calls are waiting (or `limit` passes; then false). For tests that must line
  // up threads in the queue without sleeping.
  bool awaitWaitersForTest(std::size_t n, std::chrono::milliseconds limit) const;
  // Blocks until at least n calls hold a slot (or `limit` passes; then false).
  bool awaitHoldersForTest(std::size_t n, std::chrono::milliseconds limit) const;

 private:
  friend class Permit;
  enum class CallState { Waiting, Granted, TimedOut };
  struct Call {
    CallInfo info;
    core::TimePoint arrival{};
    CallState state = CallState::Waiting;
    core::Micros waited{0};
  };

  NetlogonSemaphore(NetlogonSemaphoreConfig config, const core::Clock& clock, EventSink* events);
  void release(CallId id);
  // Callers hold mu_.
  void applyExpiries(const std::vector<Expiry>& expired, core::TimePoint now);
  void applyGrant(const std::optional<Grant>& grant, core::TimePoint now);

  const NetlogonSemaphoreConfig config_;
  const core::Clock& clock_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  SemaphoreQueue queue_;
  NetlogonEventReporter reporter_;
  std::map<CallId, Call> waiting_;  // calls queued, or resolved but not yet seen by their thread
  CallId nextId_ = 1;
};

}  // namespace kerbpool::netlogon
