#include "net/idle_sweeper.hpp"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <utility>

namespace kerbpool::net {

IdleSweeper::IdleSweeper(boost::asio::io_context& ioc)
    : boost::asio::execution_context::service(ioc), timer_(ioc) {}

std::uint64_t IdleSweeper::add(IdleHook& hook, std::chrono::milliseconds timeout,
                               std::weak_ptr<Closable> owner) {
  std::lock_guard lock(mu_);
  if (hook.linked) {
    unlink(hook);
  }
  std::uint32_t index = 0;
  while (index < lists_.size() && lists_[index].timeout != timeout) {
    index++;
  }
  if (index == lists_.size()) {
    lists_.push_back(List{timeout});
  }
  List& list = lists_[index];
  hook.deadline = std::chrono::steady_clock::now() + timeout;
  hook.owner = std::move(owner);
  hook.generation = nextGeneration_++;
  hook.list = index;
  hook.linked = true;
  hook.next = nullptr;
  hook.prev = list.tail;
  (list.tail ? list.tail->next : list.head) = &hook;
  list.tail = &hook;
  waiting_++;
  if (list.head == &hook && hook.deadline < armedAt_) {
    armLocked(hook.deadline);
  }
  return hook.generation;
}

void IdleSweeper::remove(IdleHook& hook) {
  std::lock_guard lock(mu_);
  if (hook.linked) {
    unlink(hook);
  }
}

std::size_t IdleSweeper::size() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

void IdleSweeper::unlink(IdleHook& hook) {
  List& list = lists_[hook.list];
  (hook.prev ? hook.prev->next : list.head) = hook.next;
  (hook.next ? hook.next->prev : list.tail) = hook.prev;
  hook.prev = hook.next = nullptr;
  hook.linked = false;
  hook.owner.reset();
  if (--waiting_ == 0 && armedAt_ != std::chrono::steady_clock::time_point::max()) {
    // Nobody waits: no timer either, or the io_context would have work until it fired (a server's stop
    // would wait out the keep-alive timeout).
    armedAt_ = std::chrono::steady_clock::time_point::max();
    timer_.cancel();
  }
}

void IdleSweeper::armLocked(std::chrono::steady_clock::time_point at) {
  if (shut_) {
    return;
  }
  armedAt_ = at;
  timer_.expires_at(at);  // cancels the wait set for a later time, whose handler then does nothing
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) {  // else replaced by a new time (which has its own wait) or shut down
      sweep();
    }
  });
}

void IdleSweeper::sweep() {
  std::vector<std::pair<std::shared_ptr<Closable>, std::uint64_t>> expired;
  {
    std::lock_guard lock(mu_);
    armedAt_ = std::chrono::steady_clock::time_point::max();
    const auto now = std::chrono::steady_clock::now();
    auto next = std::chrono::steady_clock::time_point::max();
    for (auto& list : lists_) {
      while (list.head != nullptr && list.head->deadline <= now) {
        IdleHook& hook = *list.head;
        if (auto owner = hook.owner.lock()) {
          expired.emplace_back(std::move(owner), hook.generation);
        }
        unlink(hook);
      }
      if (list.head != nullptr && list.head->deadline < next) {
        next = list.head->deadline;
      }
    }
    if (next != std::chrono::steady_clock::time_point::max()) {
      armLocked(next);
    }
  }
  for (auto& [owner, generation] : expired) {
    owner->idleTimedOut(generation);
  }
}

void IdleSweeper::shutdown() {
  std::lock_guard lock(mu_);
  shut_ = true;
  timer_.cancel();
}

IdleSweeper& idleSweeperOf(const boost::asio::any_io_executor& executor) {
  // Every server of kerbpool runs on io_contexts.
  auto& context = boost::asio::query(executor, boost::asio::execution::context);
  return boost::asio::use_service<IdleSweeper>(static_cast<boost::asio::io_context&>(context));
}

}  // namespace kerbpool::net
