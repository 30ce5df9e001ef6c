#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace kerbpool::frontend {

// A live connection as the server sees it on stop(): something that can be closed from another thread.
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void forceClose() = 0;
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
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  bool closing_ = false;
  std::unordered_map<std::uint64_t, std::weak_ptr<Closable>> connections_;
};

}  // namespace kerbpool::frontend
