#include "netlogon/netlogon_semaphore.hpp"

#include <cstdio>
#include <utility>

namespace kerbpool::netlogon {

core::Status validateSemaphoreConfig(const NetlogonSemaphoreConfig& config) {
  if (config.maxConcurrentApi < max_concurrent_api::kMin ||
      config.maxConcurrentApi > max_concurrent_api::kMax) {
    return core::makeError(
        core::ErrorCategory::Config, "max_concurrent_api_out_of_range",
        "MaxConcurrentApi is " + std::to_string(config.maxConcurrentApi) + "; Windows accepts 1..150");
  }
  if (config.waitTimeout <= core::Micros(0)) {
    return core::makeError(core::ErrorCategory::Config, "bad_wait_timeout",
                           "the semaphore wait timeout must be positive");
  }
  if (config.events.warningEventThreshold < core::Micros(0) ||
      config.events.warningEventThreshold > std::chrono::seconds(45)) {
    return core::makeError(core::ErrorCategory::Config, "bad_warning_threshold",
                           "WarningEventThreshold must be 0..45 seconds");
  }
  return core::okStatus();
}

std::string formatPerfCounters(const SemaphoreCounters& c, const std::string& instance) {
  const std::string prefix = "\\Netlogon(" + instance + ")\\";
  char hold[32];
  std::snprintf(hold, sizeof hold, "%.3f", c.averageSemaphoreHoldTime);
  return prefix + "Semaphore Waiters  " + std::to_string(c.semaphoreWaiters) + "\n" + prefix +
         "Semaphore Holders  " + std::to_string(c.semaphoreHolders) + "\n" + prefix + "Semaphore Acquires  " +
         std::to_string(c.semaphoreAcquires) + "\n" + prefix + "Semaphore Timeouts  " +
         std::to_string(c.semaphoreTimeouts) + "\n" + prefix + "Average Semaphore Hold Time  " + hold + "\n";
}

Permit::Permit(Permit&& other) noexcept
    : semaphore_(std::exchange(other.semaphore_, nullptr)), id_(other.id_) {}

Permit& Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    semaphore_ = std::exchange(other.semaphore_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

void Permit::release() {
  if (semaphore_ != nullptr) {
    std::exchange(semaphore_, nullptr)->release(id_);
  }
}

core::Result<std::unique_ptr<NetlogonSemaphore>> NetlogonSemaphore::create(NetlogonSemaphoreConfig config,
                                                                           const core::Clock& clock,
                                                                           EventSink* events) {
  KP_CHECK(validateSemaphoreConfig(config));
  return std::unique_ptr<NetlogonSemaphore>(new NetlogonSemaphore(std::move(config), clock, events));
}

NetlogonSemaphore::NetlogonSemaphore(NetlogonSemaphoreConfig config, const core::Clock& clock,
                                     EventSink* events)
    : config_(std::move(config)),
      clock_(clock),
      queue_(config_.maxConcurrentApi, config_.waitTimeout),
      reporter_(events, config_.events) {}

void NetlogonSemaphore::applyExpiries(const std::vector<Expiry>& expired, core::TimePoint now) {
  for (const Expiry& e : expired) {
    auto it = waiting_.find(e.id);
    if (it == waiting_.end()) {
      continue;
    }
    it->second.state = CallState::TimedOut;
    it->second.waited = e.waited;
    reporter_.timedOut(now, it->second.info, e.waited);
  }
}

void NetlogonSemaphore::applyGrant(const std::optional<Grant>& grant, core::TimePoint now) {
  if (!grant) {
    return;
  }
  auto it = waiting_.find(grant->id);
  if (it == waiting_.end()) {
    return;
  }
  it->second.state = CallState::Granted;
  it->second.waited = grant->waited;
  reporter_.waited(now, it->second.info, grant->waited);
}

Acquisition NetlogonSemaphore::acquire(const CallInfo& call) {
  std::unique_lock lock(mu_);
  const CallId id = nextId_++;
  const core::TimePoint arrival = clock_.now();
  if (queue_.arrive(id, arrival) == ArrivalOutcome::Granted) {
    reporter_.flush(arrival);
    changed_.notify_all();
    return Acquisition{NtStatus::STATUS_SUCCESS, Permit(this, id), core::Micros(0)};
  }
  waiting_[id] = Call{call, arrival, CallState::Waiting, core::Micros(0)};
  changed_.notify_all();
  while (true) {
    const Call& me = waiting_.at(id);
    if (me.state == CallState::Granted) {
      Acquisition a{NtStatus::STATUS_SUCCESS, Permit(this, id), me.waited};
      waiting_.erase(id);
      return a;
    }
    if (me.state == CallState::TimedOut) {
      Acquisition a{NtStatus::STATUS_NO_LOGON_SERVERS, Permit(), me.waited};
      waiting_.erase(id);
      return a;
    }
    if (config_.timeouts == TimeoutMode::External) {
      changed_.wait(lock);
      continue;
    }
    const core::TimePoint now = clock_.now();
    const core::Micros remaining = (arrival + config_.waitTimeout) - now;
    if (remaining <= core::Micros(0)) {
      applyExpiries(queue_.expireDue(now), now);
      changed_.notify_all();
      continue;
    }
    changed_.wait_for(lock, remaining);
  }
}

void NetlogonSemaphore::release(CallId id) {
  std::lock_guard lock(mu_);
  const core::TimePoint now = clock_.now();
  ReleaseOutcome out = queue_.release(id, now);
  applyExpiries(out.expired, now);
  applyGrant(out.granted, now);
  reporter_.flush(now);
  changed_.notify_all();
}

std::size_t NetlogonSemaphore::checkTimeouts() {
  std::lock_guard lock(mu_);
  const core::TimePoint now = clock_.now();
  auto expired = queue_.expireDue(now);
  applyExpiries(expired, now);
  reporter_.flush(now);
  changed_.notify_all();
  return expired.size();
}

core::Status NetlogonSemaphore::setMaxConcurrentApi(unsigned maxConcurrentApi) {
  NetlogonSemaphoreConfig check = config_;
  check.maxConcurrentApi = maxConcurrentApi;
  KP_CHECK(validateSemaphoreConfig(check));
  std::lock_guard lock(mu_);
  const core::TimePoint now = clock_.now();
  const ResizeOutcome out = queue_.setMaxConcurrent(maxConcurrentApi, now);
  applyExpiries(out.expired, now);
  for (const Grant& g : out.granted) {
    applyGrant(g, now);
  }
  reporter_.flush(now);
  changed_.notify_all();
  return core::okStatus();
}

unsigned NetlogonSemaphore::maxConcurrentApi() const {
  std::lock_guard lock(mu_);
  return queue_.maxConcurrent();
}

SemaphoreCounters NetlogonSemaphore::counters() const {
  std::lock_guard lock(mu_);
  const QueueTotals& t = queue_.totals();
  SemaphoreCounters c;
  c.semaphoreWaiters = queue_.waiters();
  c.semaphoreHolders = queue_.holders();
  c.semaphoreAcquires = t.acquires;
  c.semaphoreTimeouts = t.timeouts;
  c.averageSemaphoreHoldTime =
      t.releases == 0 ? 0.0
                      : std::chrono::duration<double>(t.totalHold).count() / static_cast<double>(t.releases);
  c.maxWaiters = t.maxWaiters;
  return c;
}

std::size_t NetlogonSemaphore::waiters() const {
  std::lock_guard lock(mu_);
  return queue_.waiters();
}

std::size_t NetlogonSemaphore::holders() const {
  std::lock_guard lock(mu_);
  return queue_.holders();
}

bool NetlogonSemaphore::awaitWaitersForTest(std::size_t n, std::chrono::milliseconds limit) const {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, limit, [&] { return queue_.waiters() >= n; });
}

bool NetlogonSemaphore::awaitHoldersForTest(std::size_t n, std::chrono::milliseconds limit) const {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, limit, [&] { return queue_.holders() >= n; });
}

}  // namespace kerbpool::netlogon
