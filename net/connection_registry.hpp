#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace kerbpool::net {

// A live connection as the server sees it on stop(): something that can be closed from another thread.
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void forceClose() = 0;
  // Close without breaking an exchange in progress: at once when idle, else after the current response.
  // `done` runs once the connection has taken the request in (on its own thread).
  virtual void closeWhenIdle(std::function<void()> done) {
    forceClose();
    done();
  }
  // The keep-alive timeout of the idle wait `generation` passed (net/idle_sweeper.hpp); from any thread.
  virtual void idleTimedOut(std::uint64_t /*generation*/) {}
};

// The server's registry of live connections (after Beast's chat-multi shared_state): weak references only,
// since each connection owns itself through its pending I/O. Thread-safe.
class ConnectionRegistry {
 public:
  // False once closeAll() has run: the connection must close at once.
  bool add(std::uint64_t id, std::weak_ptr<Closable> connection);
  void remove(std::uint64_t id);
  // Refuses new connections from now on and closes every live one.
  void closeAll();
  // Asks every live connection to close when idle and waits until each has taken the request in (so that a
  // request sent after this returns is not answered on an old connection); new connections are still
  // accepted. Returns how many. Must not be called from a connection's own thread.
  std::size_t closeAllWhenIdle();
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  bool closing_ = false;
  std::unordered_map<std::uint64_t, std::weak_ptr<Closable>> connections_;
};

}  // namespace kerbpool::net
