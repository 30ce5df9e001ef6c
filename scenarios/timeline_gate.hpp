#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace kerbpool::scenarios {

// Lets a timeline event happen between requests: every request passes through the gate, and an event closes
// it, waits until the requests in flight have been answered, applies itself and opens it again. Phases then
// start at a clean cut: no request straddles an event. Requests are never held while the gate is open.
class TimelineGate {
 public:
  void enter() {
    std::unique_lock lock(mu_);
    open_.wait(lock, [&] { return !closed_; });
    ++inFlight_;
  }
  void leave() {
    std::lock_guard lock(mu_);
    if (--inFlight_ == 0 && closed_) {
      drained_.notify_all();
    }
  }
  // Called by a thread that holds no pass (between two of its requests).
  void close() {
    std::unique_lock lock(mu_);
    closed_ = true;
    drained_.wait(lock, [&] { return inFlight_ == 0; });
  }
  void reopen() {
    {
      std::lock_guard lock(mu_);
      closed_ = false;
    }
    open_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable open_;
  std::condition_variable drained_;
  bool closed_ = false;
  std::uint64_t inFlight_ = 0;
};

}  // namespace kerbpool::scenarios
