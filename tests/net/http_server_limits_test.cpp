// Limits under abuse at a node's HTTP server (issue 19), with real sockets on loopback: 2,000 slowloris
// connections are timed out while a normal request still completes in well under a second, connection
// caps (per source address and in all) close what is over them at once, oversized or endless requests get
// a 4xx or a close, and the process's memory stays bounded. Every wait is bounded by a deadline; the
// process's RSS before and after each attack (and its peak during it) is printed for the record.
// A real front-end node's authentication path under the same attacks: tests/loadbalancer/lb_limits_test.cpp.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/http_server.hpp"
#include "tests/net/server_fixture.hpp"
#include "tests/support/http_client.hpp"

using namespace kerbpool;
using net::HttpServerConfig;
using test::startServer;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

class OkHandler : public net::HttpHandler {
 public:
  net::HttpResponse handle(const net::HttpRequest& req, net::ConnectionContext&) override {
    handled++;
    net::HttpResponse r;
    r.add("Content-Type", "text/plain");
    r.body = "ok " + req.target + "\n";
    return r;
  }
  std::atomic<int> handled{0};
};

// ---- the process's limits and memory --------------------------------------------------------------------

// Under AddressSanitizer or ThreadSanitizer (scripts/sanitize.sh, scripts/tsan.sh) everything is slower and
// freed memory sits in a quarantine: timeouts are longer there and the memory bound looser.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// The client sockets of a test and the server's (in this process) count against RLIMIT_NOFILE: raises the
// soft limit to the hard one, and fails (never skips) when even that is too low.
void requireOpenFiles(rlim_t needed) {
  rlimit rl{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &rl) == 0);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < needed) {
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < needed) {
      FAIL(
          "this test opens thousands of sockets (clients and the server under test, in one process) and "
          "needs RLIMIT_NOFILE >= "
          << needed << ", but the hard limit is " << rl.rlim_max
          << ": raise it (ulimit -Hn, LimitNOFILE=, the CI runner's nofile) and run again");
    }
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? needed : rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) {
      FAIL("setrlimit(RLIMIT_NOFILE, " << rl.rlim_cur << "): " << std::strerror(errno));
    }
  }
}

struct Memory {
  long rssKiB = 0;  // VmRSS
  long hwmKiB = 0;  // VmHWM: the peak since the last resetPeak()
};

Memory memoryNow() {
  std::ifstream in("/proc/self/status");
  Memory m;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      m.rssKiB = std::stol(line.substr(6));
    } else if (line.rfind("VmHWM:", 0) == 0) {
      m.hwmKiB = std::stol(line.substr(6));
    }
  }
  return m;
}

// The servers run in the test process: its RSS is theirs plus the test's own buffers (an upper bound).
// Writing 5 to clear_refs resets VmHWM, so that the peak printed is the attack's.
class MemoryProbe {
 public:
  explicit MemoryProbe(std::string label) : label_(std::move(label)) {
    std::ofstream("/proc/self/clear_refs") << "5";
    before_ = memoryNow();
  }
  // Prints before / after / peak and checks the growth stays under 64 MiB (512 MiB under a sanitizer).
  void report() {
    const Memory after = memoryNow();
    std::printf("RSS %-52s before %7.1f MiB  after %7.1f MiB  peak %7.1f MiB\n", label_.c_str(),
                before_.rssKiB / 1024.0, after.rssKiB / 1024.0,
                std::max(after.hwmKiB, after.rssKiB) / 1024.0);
    std::fflush(stdout);
    INFO(label_ << ": RSS before " << before_.rssKiB << " KiB, after " << after.rssKiB << " KiB, peak "
                << after.hwmKiB << " KiB");
    CHECK(after.rssKiB - before_.rssKiB < kBoundKiB);
    CHECK(after.hwmKiB - before_.rssKiB < kBoundKiB);
  }

 private:
  static constexpr long kBoundKiB = (kSanitized ? 512 : 64) * 1024;
  std::string label_;
  Memory before_;
};

// ---- raw client sockets ---------------------------------------------------------------------------------

// A blocking TCP connection to 127.0.0.1:port from `source` (any 127.x.y.z: all of 127/8 is loopback);
// -1 on failure.
int connectFrom(const std::string& source, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the peer has closed `fd` (end of stream or reset); never blocks. What arrived is discarded.
bool peerClosed(int fd) {
  char buf[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      continue;
    }
    return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
  }
}

// Many open client connections, optionally fed one octet at a time (slowloris) by a thread of their own.
class Crowd {
 public:
  Crowd() = default;
  Crowd(const Crowd&) = delete;
  Crowd& operator=(const Crowd&) = delete;
  ~Crowd() {
    stopDripping();
    for (int fd : fds_) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }

  // `n` connections, spread over `sources` in turn; each sends `first` (may be empty: idle).
  void open(std::uint16_t port, std::size_t n, const std::vector<std::string>& sources,
            const std::string& first) {
    for (std::size_t i = 0; i < n; ++i) {
      const int fd = connectFrom(sources[i % sources.size()], port);
      if (fd < 0) {
        FAIL("connection " << i << " from " << sources[i % sources.size()] << ": " << std::strerror(errno));
      }
      fds_.push_back(fd);
      if (!first.empty()) {
        ::send(fd, first.data(), first.size(), MSG_NOSIGNAL);
      }
    }
  }

  // From now on, one more octet of `octet` on every connection every `every`, until stopDripping().
  void drip(char octet, std::chrono::milliseconds every) {
    dripper_ = std::thread([this, octet, every] {
      std::unique_lock lock(mu_);
      while (!cv_.wait_for(lock, every, [this] { return stop_; })) {
        for (int fd : fds_) {
          ::send(fd, &octet, 1, MSG_NOSIGNAL | MSG_DONTWAIT);  // a closed one fails: that is fine
        }
        drips_++;
      }
    });
  }

  void stopDripping() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (dripper_.joinable()) {
      dripper_.join();
    }
  }

  std::size_t closedByPeer() const {
    std::size_t n = 0;
    for (int fd : fds_) {
      n += peerClosed(fd) ? 1 : 0;
    }
    return n;
  }

  // True once `n` connections have been closed by the server; woken by the sockets themselves (poll), false
  // if fewer are closed when the timeout passes.
  bool waitClosedByPeer(std::size_t n, std::chrono::milliseconds timeout) const {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      std::vector<pollfd> open;
      for (int fd : fds_) {
        if (fd >= 0 && !peerClosed(fd)) {
          open.push_back(pollfd{fd, POLLIN | POLLRDHUP, 0});
        }
      }
      if (fds_.size() - open.size() >= n) {
        return true;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms) {
        return false;
      }
      ::poll(open.data(), open.size(), static_cast<int>(left.count()));
    }
  }

  // Closes (from the client side) `n` connections the server still holds.
  void closeOpen(std::size_t n) {
    for (auto& fd : fds_) {
      if (n == 0) {
        break;
      }
      if (fd >= 0 && !peerClosed(fd)) {
        ::close(fd);
        fd = -1;  // reads as closed from now on
        n--;
      }
    }
  }

  std::size_t size() const { return fds_.size(); }
  int drips() const { return drips_.load(); }

 private:
  std::vector<int> fds_;
  std::thread dripper_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<int> drips_{0};
};

// What one connection got for what it sent: the status of the first response (0: none) and whether the
// server closed the connection.
struct Outcome {
  int status = 0;
  bool closed = false;
  std::size_t sent = 0;
  std::chrono::milliseconds elapsed{0};
  std::string received;  // what the server sent (its first 64 KiB)
};

// Sends `data`, then (when `more` is set) whatever `more` yields, one piece every `gap`, for as long as the
// server takes it, while reading what the server answers; ends when the server closes or `timeout` passes.
// Never blocks on a server that stops reading: a refusal in the middle of a huge request is seen.
Outcome exchange(std::uint16_t port, std::string data, const std::function<std::string()>& more = {},
                 std::chrono::milliseconds gap = 0ms, std::chrono::milliseconds timeout = 10s,
                 const std::string& source = "127.0.0.1") {
  constexpr std::size_t kMaxSent = std::size_t{64} << 20;  // an endless body ends here if nothing else
  Outcome out;
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  const int fd = connectFrom(source, port);
  REQUIRE(fd >= 0);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::string& received = out.received;
  std::size_t off = 0;
  bool sending = true;
  auto nextPiece = start;
  while (Clock::now() < deadline) {
    const auto now = Clock::now();
    if (sending && off == data.size()) {
      if (!more || out.sent >= kMaxSent) {
        sending = false;
      } else if (now >= nextPiece) {
        data = more();
        off = 0;
        nextPiece = now + gap;
      }
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (sending && off == data.size()) {
      wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(nextPiece - now));
    }
    pollfd p{fd, static_cast<short>(POLLIN | (sending && off < data.size() ? POLLOUT : 0)), 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<long>(wait.count(), 0)) + 1);
    if (ready < 0 && errno != EINTR) {
      break;
    }
    if ((p.revents & POLLOUT) != 0) {
      const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<std::size_t>(n);
        out.sent += static_cast<std::size_t>(n);
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        sending = false;  // reset by the server: what it answered may still be readable
      }
    }
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char buf[16384];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        const std::size_t room = received.size() < 65536 ? 65536 - received.size() : 0;
        received.append(buf, std::min(static_cast<std::size_t>(n), room));
      } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        out.closed = true;
        break;
      }
    }
  }
  ::close(fd);
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (received.rfind("HTTP/1.", 0) == 0 && received.size() >= 12) {
    out.status = std::atoi(received.substr(9, 3).c_str());
  }
  return out;
}

// What a failed check prints: how the exchange ended and how the answer began.
std::string describe(const Outcome& o) {
  return "status " + std::to_string(o.status) + ", closed " + (o.closed ? "yes" : "no") + ", " +
         std::to_string(o.sent) + " octets sent, " + std::to_string(o.elapsed.count()) +
         " ms, answer: " + o.received.substr(0, 160);
}

// A GET that ends the connection after its answer (Connection: close), from `source`.
Outcome getFrom(std::uint16_t port, const std::string& source, const std::string& target = "/normal",
                std::chrono::milliseconds timeout = 5s) {
  return exchange(port, "GET " + target + " HTTP/1.1\r\nHost: pool\r\nConnection: close\r\n\r\n", {}, 0ms,
                  timeout, source);
}

void checkStillServing(std::uint16_t port) {
  test::HttpTestClient c(port);
  auto r = c.get("/after", {}, 10s);  // a generous bound: CI runners can be many times slower than a desk
  INFO("no answer to GET /after within 10 s");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
}

constexpr rlim_t kFilesFor2000 = 4608;  // 2,000 client sockets, as many on the server side, and spare

std::vector<std::string> attackSources(int n) {
  std::vector<std::string> out;
  for (int i = 1; i <= n; ++i) {
    out.push_back("127.0.1." + std::to_string(i));
  }
  return out;
}

}  // namespace

TEST_CASE(
    "http server limits: 2,000 slowloris connections are timed out, a normal request is served "
    "meanwhile and after",
    "[net][integration]") {
  requireOpenFiles(kFilesFor2000);
  OkHandler h;
  HttpServerConfig c;
  // The header read timeout bounds the whole request head, however often an octet arrives. Long enough for
  // all 2,000 to be open before the first times out, even on a busy machine.
  c.readTimeout = kSanitized ? 6000ms : 3000ms;
  auto server = startServer(c, h);
  const auto port = server->port();
  MemoryProbe memory("node: 2,000 slowloris connections");
  const auto attackStart = Clock::now();
  {
    Crowd crowd;
    // 20 attacking addresses of 100 connections each: under the per-source cap, so that all are held and
    // only the timeout can end them. Each sends a partial request line, then an octet every 500 ms (more
    // often than the timeout: a per-read timeout would never fire).
    crowd.open(port, 2000, attackSources(20), "GET /slow");
    crowd.drip('a', 500ms);
    const auto opened = Clock::now() - attackStart;
    REQUIRE(
        server->waitForStats([](const net::HttpServerStats& s) { return s.activeConnections >= 2000; }, 10s));
    INFO("all 2,000 held after " << std::chrono::duration_cast<std::chrono::milliseconds>(opened).count()
                                 << " ms");

    // During the attack: normal requests complete in well under a second.
    for (int i = 0; i < 3; ++i) {
      const auto r = getFrom(port, "127.0.0.1", "/during");
      CHECK(r.status == 200);
      CHECK(r.elapsed < 1000ms);
      std::printf("node slowloris: a normal request during the attack took %lld ms (%llu connections open)\n",
                  static_cast<long long>(r.elapsed.count()),
                  static_cast<unsigned long long>(server->stats().activeConnections));
    }
    CHECK(server->stats().rejectedConnections == 0);

    // The server closes all of them once the read timeout passes, and counts them.
    CHECK(server->waitForStats(
        [](const net::HttpServerStats& s) { return s.timeouts >= 2000 && s.activeConnections == 0; }, 15s));
    CHECK(crowd.waitClosedByPeer(2000, 5s));
    CHECK(crowd.drips() >= 2);  // the octets did keep coming
    const auto ended = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - attackStart);
    std::printf(
        "node slowloris: 2,000 connections closed by the server %lld ms after the attack began "
        "(read timeout %lld ms)\n",
        static_cast<long long>(ended.count()), static_cast<long long>(c.readTimeout.count()));
  }
  CHECK(server->stats().timeouts == 2000);
  CHECK(h.handled == 3);
  checkStillServing(port);
  CHECK(server->stats().handlerExceptions == 0);
  memory.report();
}

TEST_CASE(
    "http server limits: over the per-source cap a connection is closed at once, other sources are "
    "served",
    "[net][integration]") {
  requireOpenFiles(1024);
  OkHandler h;
  HttpServerConfig c;
  c.maxConnectionsPerSource = 100;
  auto server = startServer(c, h);
  const auto port = server->port();
  MemoryProbe memory("node: 150 idle connections from one source, cap 100");
  Crowd crowd;
  crowd.open(port, 150, {"127.0.0.1"}, "");
  CHECK(server->waitForStats([](const net::HttpServerStats& s) { return s.rejectedConnections == 50; }, 5s));
  CHECK(crowd.waitClosedByPeer(50, 5s));
  CHECK(server->stats().activeConnections == 100);
  CHECK(server->stats().connections == 150);

  // Another address is not affected.
  const auto other = getFrom(port, "127.0.0.2");
  CHECK(other.status == 200);
  // The capped one is: closed without an answer.
  const auto same = getFrom(port, "127.0.0.1");
  CHECK(same.status == 0);
  CHECK(same.closed);
  CHECK(server->stats().rejectedConnections == 51);
  CHECK(crowd.closedByPeer() == 50);  // the 100 held are still open

  // Slots come back when connections end.
  crowd.closeOpen(100);
  REQUIRE(server->waitForStats([](const net::HttpServerStats& s) { return s.activeConnections == 0; }, 5s));
  CHECK(getFrom(port, "127.0.0.1").status == 200);
  CHECK(h.handled == 2);
  memory.report();
}

TEST_CASE("http server limits: over the total cap a connection is closed at once, whatever its source",
          "[net][integration]") {
  requireOpenFiles(1024);
  OkHandler h;
  HttpServerConfig c;
  c.maxConnections = 100;
  auto server = startServer(c, h);
  const auto port = server->port();
  MemoryProbe memory("node: 120 idle connections, total cap 100");
  Crowd crowd;
  crowd.open(port, 100, {"127.0.0.1"}, "");
  REQUIRE(server->waitForStats([](const net::HttpServerStats& s) { return s.activeConnections == 100; }, 5s));
  Crowd more;
  more.open(port, 20, {"127.0.0.3"}, "");  // a source with no connection yet: the total cap holds
  CHECK(server->waitForStats([](const net::HttpServerStats& s) { return s.rejectedConnections == 20; }, 5s));
  CHECK(more.waitClosedByPeer(20, 5s));
  const auto refused = getFrom(port, "127.0.0.2");
  CHECK(refused.status == 0);
  CHECK(refused.closed);
  CHECK(server->stats().rejectedConnections == 21);
  CHECK(crowd.closedByPeer() == 0);

  crowd.closeOpen(10);
  REQUIRE(server->waitForStats([](const net::HttpServerStats& s) { return s.activeConnections == 90; }, 5s));
  CHECK(getFrom(port, "127.0.0.2").status == 200);
  CHECK(h.handled == 1);
  memory.report();
}

TEST_CASE(
    "http server limits: huge headers, 10,000 fields, a 1 MiB Negotiate and endless chunked bodies get "
    "a 4xx or a close, memory stays bounded",
    "[net][integration]") {
  OkHandler h;
  HttpServerConfig c;  // headerLimit 16 KiB, bodyLimit 1 MiB
  c.readTimeout = kSanitized ? 4000ms : 2000ms;
  auto server = startServer(c, h);
  const auto port = server->port();

  struct HeaderAttack {
    std::string label;
    std::string request;
  };
  std::string manyFields = "GET /fields HTTP/1.1\r\nHost: pool\r\n";
  for (int i = 0; i < 10000; ++i) {
    manyFields += "X-Field-" + std::to_string(i) + ": v\r\n";
  }
  manyFields += "\r\n";
  const std::vector<HeaderAttack> attacks{
      {"node: a 64 KiB header field", test::httpGetText("/big", {{"X-Big", std::string(64 * 1024, 'b')}})},
      {"node: a 1 MiB header field", test::httpGetText("/big", {{"X-Big", std::string(1 << 20, 'b')}})},
      {"node: 10,000 header fields", manyFields},
      {"node: Authorization: Negotiate of 1 MiB",
       test::httpGetText("/auth", {{"Authorization", "Negotiate " + std::string(1 << 20, 'Y')}})},
  };
  for (const auto& attack : attacks) {
    INFO(attack.label);
    MemoryProbe memory(attack.label);
    const auto before = server->stats().headerTooLarge;
    const auto r = exchange(port, attack.request);
    INFO(describe(r));
    CHECK((r.status == 431 || (r.status == 0 && r.closed)));
    CHECK(r.closed);
    CHECK(server->stats().headerTooLarge == before + 1);
    std::printf("%s: status %d, closed %s, %zu octets sent, %lld ms\n", attack.label.c_str(), r.status,
                r.closed ? "yes" : "no", r.sent, static_cast<long long>(r.elapsed.count()));
    checkStillServing(port);
    memory.report();
  }

  const std::string chunkedHead = "POST /upload HTTP/1.1\r\nHost: pool\r\nTransfer-Encoding: chunked\r\n\r\n";
  {
    // As fast as the server takes it: bounded by the body limit.
    MemoryProbe memory("node: a chunked body that never ends (fast)");
    const std::string chunk = "4000\r\n" + std::string(0x4000, 'c') + "\r\n";
    const auto r = exchange(port, chunkedHead, [&] { return chunk; });
    INFO(describe(r));
    CHECK(r.status == 413);
    CHECK(r.closed);
    CHECK(server->stats().bodyTooLarge == 1);
    std::printf(
        "node: a chunked body that never ends (fast): status %d, closed %s, %zu octets sent, %lld ms\n",
        r.status, r.closed ? "yes" : "no", r.sent, static_cast<long long>(r.elapsed.count()));
    checkStillServing(port);
    memory.report();
  }
  {
    // A chunk every 200 ms: under the body limit for a long time; the read timeout ends it.
    MemoryProbe memory("node: a chunked body that never ends (slow)");
    const auto timeoutsBefore = server->stats().timeouts;
    const auto r = exchange(
        port, chunkedHead, [] { return std::string("1\r\nc\r\n"); }, 200ms);
    INFO(describe(r));
    CHECK(r.status == 0);
    CHECK(r.closed);
    CHECK(r.elapsed < c.readTimeout * 4);
    // The server counts the timeout as it closes the connection: the client may see the close first.
    CHECK(server->waitForStats(
        [&](const net::HttpServerStats& s) { return s.timeouts == timeoutsBefore + 1; }, 2s));
    std::printf("node: a chunked body that never ends (slow): status %d, closed %s after %lld ms\n", r.status,
                r.closed ? "yes" : "no", static_cast<long long>(r.elapsed.count()));
    checkStillServing(port);
    memory.report();
  }
  CHECK(h.handled == 6);  // the checkStillServing requests only
  CHECK(server->stats().handlerExceptions == 0);
}
