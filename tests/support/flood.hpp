#pragma once

// Raw loopback sockets for the abuse tests (issue 19): thousands of idle or half-sent connections, requests
// from a chosen loopback source address, and the process's memory. Header-only; POSIX.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

// Under AddressSanitizer, freed blocks wait in a quarantine (256 MiB by default) and the shadow of every
// page ever used stays resident; ThreadSanitizer keeps shadow and metadata of several times the memory used.
// There VmRSS after an attack says little about what the code under test still holds: memory checks compare
// the allocator's live bytes (liveHeapKiB) instead, which both sanitizers' allocators count.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KERBPOOL_TEST_SANITIZER_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define KERBPOOL_TEST_SANITIZER_HEAP 1
#endif
#endif
#ifdef KERBPOOL_TEST_SANITIZER_HEAP
#include <sanitizer/allocator_interface.h>
#endif

namespace kerbpool::test {

// Bytes the program holds in live heap blocks, in KiB, as the sanitizer's allocator counts them; nothing (-1)
// in a build without ASan or TSan.
inline long liveHeapKiB() {
#ifdef KERBPOOL_TEST_SANITIZER_HEAP
  return static_cast<long>(__sanitizer_get_current_allocated_bytes() / 1024);
#else
  return -1;
#endif
}

// Lets this process open `wanted` descriptors (the soft limit raised to the hard one); fails the test, saying
// why, when the hard limit is lower.
inline void needDescriptors(rlim_t wanted) {
  rlimit lim{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &lim) == 0);
  if (lim.rlim_cur < wanted) {
    lim.rlim_cur = std::min(wanted, lim.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
  }
  INFO("this test opens " << wanted << " descriptors; the hard limit (ulimit -Hn) is " << lim.rlim_max);
  REQUIRE(lim.rlim_cur >= wanted);
}

// A TCP connection to 127.0.0.1:port from `source` (a loopback address such as "127.0.0.2"); -1 on failure.
inline int connectFrom(const std::string& source, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(port);
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool sendAll(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// The status of the answer to `request` sent from `source` (0: no answer within 3 s, or refused).
inline int statusFrom(const std::string& source, std::uint16_t port, const std::string& request) {
  const int fd = connectFrom(source, port);
  if (fd < 0) {
    return 0;
  }
  std::string in;
  sendAll(fd, request);  // a server that refuses a large request may close before it is all sent: read anyway
  char buf[4096];
  while (in.find("\r\n") == std::string::npos) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      break;
    }
    in.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return in.rfind("HTTP/1.1 ", 0) == 0 && in.size() >= 12 ? std::stoi(in.substr(9, 3)) : 0;
}

// True when the peer has closed `fd` (EOF or reset) within `timeout`.
inline bool closedByPeer(int fd, std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      return true;
    }
    if (n < 0) {
      return false;
    }
  }
}

// VmRSS and VmHWM (peak) of this process, in KiB.
struct Rss {
  long current = 0;
  long peak = 0;
};
inline Rss rss() {
  std::ifstream in("/proc/self/status");
  Rss r;
  std::string key;
  long value = 0;
  std::string unit;
  while (in >> key) {
    if (key == "VmRSS:" && in >> value >> unit) {
      r.current = value;
    } else if (key == "VmHWM:" && in >> value >> unit) {
      r.peak = value;
    }
  }
  return r;
}

// Polls `done` until it holds or `timeout` passes (a deadline, not a fixed pause).
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout = std::chrono::milliseconds(15000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace kerbpool::test
