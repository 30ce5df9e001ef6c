#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

// How many connections a server holds open at once, in all and from one source address: the guard against a
// peer that opens thousands of idle or slowloris connections. Every accepted connection asks for a slot before
// its session starts and gives it back when the session ends. Thread-safe; no I/O.
namespace kerbpool::net {

class ConnectionCaps {
 public:
  // 0 for either: no such cap.
  ConnectionCaps(std::size_t maxTotal, std::size_t maxPerSource) : maxTotal_(maxTotal), maxPerSource_(maxPerSource) {}

  // A slot for a connection from `source` (an address, without the port); false when a cap is reached.
  bool admit(const std::string& source);
  // Gives back a slot `admit` granted.
  void release(const std::string& source);
  std::size_t open() const;

 private:
  const std::size_t maxTotal_;
  const std::size_t maxPerSource_;
  mutable std::mutex mu_;
  std::size_t open_ = 0;
  std::unordered_map<std::string, std::size_t> perSource_;
};

// "127.0.0.1" of "127.0.0.1:5555", "::1" of "[::1]:5555"; the text itself when it has no port.
std::string_view sourceAddress(std::string_view peer);

}  // namespace kerbpool::net
