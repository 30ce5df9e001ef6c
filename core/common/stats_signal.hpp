#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace kerbpool::core {

// Lets a thread wait until a server's counters satisfy a condition, woken by the changes themselves
// (a connection opened or closed, a request finished, a health check done) instead of polling. changed()
// costs one atomic load when nobody waits. Thread-safe.
class StatsSignal {
 public:
  // Call after updating a counter.
  void changed() {
    if (waiters_.load() == 0) {
      return;
    }
    {
      std::lock_guard lock(mu_);  // a waiter between its check and its wait holds the mutex
    }
    cv_.notify_all();
  }

  // True once `condition` holds; false if it still does not when the timeout passes.
  bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    waiters_.fetch_add(1);
    const bool met = cv_.wait_for(lock, timeout, condition);
    waiters_.fetch_sub(1);
    return met;
  }

 private:
  std::atomic<int> waiters_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace kerbpool::core
