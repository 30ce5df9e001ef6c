#include "netlogon/netlogon_queue.hpp"

#include <algorithm>

namespace kerbpool::netlogon {

SemaphoreQueue::SemaphoreQueue(unsigned maxConcurrent, core::Micros waitTimeout)
    : maxConcurrent_(std::max(1u, maxConcurrent)), waitTimeout_(waitTimeout) {}

void SemaphoreQueue::grant(CallId id, core::TimePoint arrival, core::TimePoint now) {
  holders_[id] = now;
  ++totals_.acquires;
  totals_.totalWait += now - arrival;
  totals_.maxHolders = std::max(totals_.maxHolders, holders_.size());
}

ArrivalOutcome SemaphoreQueue::arrive(CallId id, core::TimePoint now) {
  // Waiters exist only while every slot is taken (a release hands its slot straight to the head).
  if (holders_.size() < maxConcurrent_ && waiters_.empty()) {
    grant(id, now, now);
    return ArrivalOutcome::Granted;
  }
  waiters_.push_back(Waiter{id, now});
  totals_.maxWaiters = std::max(totals_.maxWaiters, waiters_.size());
  return ArrivalOutcome::Queued;
}

ReleaseOutcome SemaphoreQueue::release(CallId id, core::TimePoint now) {
  ReleaseOutcome out;
  auto it = holders_.find(id);
  if (it == holders_.end()) {
    return out;
  }
  totals_.totalHold += now - it->second;
  ++totals_.releases;
  holders_.erase(it);
  out.expired = expireDue(now);
  if (!waiters_.empty() && holders_.size() < maxConcurrent_) {
    Waiter next = waiters_.front();
    waiters_.pop_front();
    grant(next.id, next.arrival, now);
    out.granted = Grant{next.id, next.arrival, now - next.arrival};
  }
  return out;
}

ResizeOutcome SemaphoreQueue::setMaxConcurrent(unsigned maxConcurrent, core::TimePoint now) {
  ResizeOutcome out;
  maxConcurrent_ = std::max(1u, maxConcurrent);
  out.expired = expireDue(now);
  while (!waiters_.empty() && holders_.size() < maxConcurrent_) {
    const Waiter next = waiters_.front();
    waiters_.pop_front();
    grant(next.id, next.arrival, now);
    out.granted.push_back(Grant{next.id, next.arrival, now - next.arrival});
  }
  return out;
}

std::vector<Expiry> SemaphoreQueue::expireDue(core::TimePoint now) {
  std::vector<Expiry> out;
  while (!waiters_.empty() && now - waiters_.front().arrival >= waitTimeout_) {
    const Waiter w = waiters_.front();
    waiters_.pop_front();
    ++totals_.timeouts;
    out.push_back(Expiry{w.id, w.arrival, now - w.arrival});
  }
  return out;
}

std::optional<core::TimePoint> SemaphoreQueue::nextDeadline() const {
  if (waiters_.empty()) {
    return std::nullopt;
  }
  return waiters_.front().arrival + waitTimeout_;
}

bool SemaphoreQueue::isWaiting(CallId id) const {
  return std::any_of(waiters_.begin(), waiters_.end(), [id](const Waiter& w) { return w.id == id; });
}

}  // namespace kerbpool::netlogon
