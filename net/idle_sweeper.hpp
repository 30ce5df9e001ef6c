#pragma once

// The kept-alive connections of an io_context that wait between requests, and the one timer that ends those
// that waited longer than their server's keep-alive timeout. One timer per connection would cost each idle
// connection a timer object and a pending wait (over 200 octets); here a connection costs its IdleHook.
// Connections with the same timeout expire in the order they started waiting, so each timeout keeps a FIFO
// list and the timer is set for the earliest head. Thread-safe (the balancer runs one io_context on several
// threads). An Asio service: one per io_context, living as long as it (net::idleSweeperOf). An I/O file.
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "net/connection_registry.hpp"

namespace kerbpool::net {

// A connection's place in the sweeper's lists (all of it guarded by the sweeper's mutex).
struct IdleHook {
  IdleHook* prev = nullptr;
  IdleHook* next = nullptr;
  std::chrono::steady_clock::time_point deadline;
  std::weak_ptr<Closable> owner;
  std::uint64_t generation = 0;  // which idle wait of the connection this is
  std::uint32_t list = 0;
  bool linked = false;
};

class IdleSweeper : public boost::asio::execution_context::service {
 public:
  using key_type = IdleSweeper;
  static inline boost::asio::execution_context::id id;

  explicit IdleSweeper(boost::asio::io_context& ioc);

  // `owner` starts waiting; unless remove() comes first, owner->idleTimedOut(generation) is called (on one of
  // the io_context's threads, the sweeper's mutex not held) once `timeout` has passed. Returns the
  // generation.
  std::uint64_t add(IdleHook& hook, std::chrono::milliseconds timeout, std::weak_ptr<Closable> owner);
  // The wait ended (the client sent, or the connection closes); nothing if the hook is not linked.
  void remove(IdleHook& hook);
  // How many connections wait (tests).
  std::size_t size() const;

 private:
  struct List {
    std::chrono::milliseconds timeout;
    IdleHook* head = nullptr;
    IdleHook* tail = nullptr;
  };

  void shutdown() override;
  void unlink(IdleHook& hook);
  void armLocked(std::chrono::steady_clock::time_point at);
  void sweep();

  mutable std::mutex mu_;
  std::vector<List> lists_;  // one per timeout in use (usually one)
  std::size_t waiting_ = 0;
  std::uint64_t nextGeneration_ = 1;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point armedAt_ = std::chrono::steady_clock::time_point::max();
  bool shut_ = false;
};

// The sweeper of the io_context behind `executor` (an io_context's executor or a strand of one).
IdleSweeper& idleSweeperOf(const boost::asio::any_io_executor& executor);

}  // namespace kerbpool::net
