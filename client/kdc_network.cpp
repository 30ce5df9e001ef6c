#include "client/kdc_network.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <variant>

#include "client/errno_text.hpp"
#include "client/kdc_error.hpp"
#include "core/iana/error_code.hpp"

namespace kerbpool::client {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A failure on one transport, in words for the final error ("connection refused").
struct Failure {
  std::string what;
};
template <class T>
using Attempt = std::variant<T, Failure>;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

struct AddrInfoDeleter {
  void operator()(addrinfo* ai) const { ::freeaddrinfo(ai); }
};

Attempt<std::unique_ptr<addrinfo, AddrInfoDeleter>> resolve(const KdcAddress& kdc, int socktype) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* out = nullptr;
  const std::string port = std::to_string(kdc.port);
  const int rc = ::getaddrinfo(kdc.host.c_str(), port.c_str(), &hints, &out);
  if (rc != 0 || out == nullptr) {
    return Failure{std::string("cannot resolve host: ") + ::gai_strerror(rc)};
  }
  return std::unique_ptr<addrinfo, AddrInfoDeleter>(out);
}

// Binds `fd` to the workstation's address (port 0) before it connects; nothing for an empty source.
Attempt<bool> bindSource(int fd, int family, const std::string& source) {
  if (source.empty()) {
    return true;
  }
  sockaddr_storage local{};
  socklen_t length = 0;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&local);
    a->sin_family = AF_INET;
    length = sizeof *a;
    if (::inet_pton(AF_INET, source.c_str(), &a->sin_addr) != 1) {
      return Failure{"source address " + source + " is not an IPv4 address like the KDC's"};
    }
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&local);
    a->sin6_family = AF_INET6;
    length = sizeof *a;
    if (::inet_pton(AF_INET6, source.c_str(), &a->sin6_addr) != 1) {
      return Failure{"source address " + source + " is not an IPv6 address like the KDC's"};
    }
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), length) != 0) {
    return Failure{"bind to " + source + ": " + errnoText(errno)};
  }
  return true;
}

int remainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Waits for `events` on fd until the deadline: true when ready, false on timeout or error.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, remainingMs(deadline));
    if (rc > 0) {
      return true;
    }
    if (rc == 0 || errno != EINTR) {
      return false;
    }
  }
}

Attempt<bool> sendAll(int fd, core::BytesView data, Clock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    if (!waitFor(fd, POLLOUT, deadline)) {
      return Failure{"timed out sending"};
    }
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        continue;
      }
      return Failure{errnoText(errno)};
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

Attempt<core::Bytes> receiveExactly(int fd, std::size_t n, Clock::time_point deadline) {
  core::Bytes out(n);
  std::size_t got = 0;
  while (got < n) {
    if (!waitFor(fd, POLLIN, deadline)) {
      return Failure{"no reply in time"};
    }
    const ssize_t r = ::recv(fd, out.data() + got, n - got, 0);
    if (r == 0) {
      return Failure{"connection closed by the KDC"};
    }
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        continue;
      }
      return Failure{errnoText(errno)};
    }
    got += static_cast<std::size_t>(r);
  }
  return out;
}

}  // namespace

std::string KdcAddress::text() const {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

KdcNetwork::KdcNetwork(KdcNetworkOptions options) : options_(std::move(options)) {}

KdcNetworkStats KdcNetwork::stats() const {
  return KdcNetworkStats{udp_.load(), tcp_.load(), tooBig_.load(), failures_.load()};
}

core::Result<core::Bytes> KdcNetwork::exchangeUdp(const KdcAddress& kdc, const std::string& source,
                                                  core::BytesView request) {
  auto resolved = resolve(kdc, SOCK_DGRAM);
  if (auto* f = std::get_if<Failure>(&resolved)) {
    return core::makeError(core::ErrorCategory::Io, "udp_failed", f->what);
  }
  const addrinfo* ai = std::get<0>(resolved).get();
  Fd fd(::socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return core::makeError(core::ErrorCategory::Io, "udp_failed", "socket: " + errnoText(errno));
  }
  if (auto bound = bindSource(fd.get(), ai->ai_family, source); std::holds_alternative<Failure>(bound)) {
    return core::makeError(core::ErrorCategory::Io, "udp_failed", std::get<Failure>(bound).what);
  }
  // A connected UDP socket receives only from the KDC and reports ICMP port-unreachable as ECONNREFUSED.
  if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
    return core::makeError(core::ErrorCategory::Io, "udp_failed", errnoText(errno));
  }
  core::Bytes buffer(65536);
  for (int attempt = 0; attempt < std::max(1, options_.udpAttempts); ++attempt) {
    if (::send(fd.get(), request.data(), request.size(), 0) < 0) {
      return core::makeError(core::ErrorCategory::Io, "udp_failed", errnoText(errno));
    }
    const auto deadline = Clock::now() + options_.udpTimeout;
    while (waitFor(fd.get(), POLLIN, deadline)) {
      const ssize_t n = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
      if (n > 0) {
        buffer.resize(static_cast<std::size_t>(n));
        ++udp_;
        return buffer;
      }
      if (n < 0 && errno != EINTR && errno != EAGAIN) {
        return core::makeError(core::ErrorCategory::Io, "udp_failed", errnoText(errno));
      }
    }
  }
  return core::makeError(core::ErrorCategory::Io, "udp_failed",
                         "no reply within " + std::to_string(options_.udpTimeout.count()) + " ms (" +
                             std::to_string(std::max(1, options_.udpAttempts)) + " attempts)");
}

core::Result<core::Bytes> KdcNetwork::exchangeTcp(const KdcAddress& kdc, const std::string& source,
                                                  core::BytesView request) {
  auto fail = [](std::string what) {
    return core::makeError(core::ErrorCategory::Io, "tcp_failed", std::move(what));
  };
  auto resolved = resolve(kdc, SOCK_STREAM);
  if (auto* f = std::get_if<Failure>(&resolved)) {
    return fail(f->what);
  }
  const addrinfo* ai = std::get<0>(resolved).get();
  Fd fd(::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return fail("socket: " + errnoText(errno));
  }
  if (auto bound = bindSource(fd.get(), ai->ai_family, source); std::holds_alternative<Failure>(bound)) {
    return fail(std::get<Failure>(bound).what);
  }
  const auto deadline = Clock::now() + options_.tcpTimeout;
  if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      return fail(errnoText(errno));
    }
    if (!waitFor(fd.get(), POLLOUT, deadline)) {
      return fail("connect timed out after " + std::to_string(options_.tcpTimeout.count()) + " ms");
    }
    int soError = 0;
    socklen_t len = sizeof(soError);
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soError, &len);
    if (soError != 0) {
      return fail(errnoText(soError));
    }
  }
  core::Bytes frame;
  const auto size = static_cast<std::uint32_t>(request.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    frame.push_back(static_cast<std::uint8_t>((size >> shift) & 0xff));
  }
  core::append(frame, request);
  if (auto sent = sendAll(fd.get(), frame, deadline); std::holds_alternative<Failure>(sent)) {
    return fail(std::get<Failure>(sent).what);
  }
  auto header = receiveExactly(fd.get(), 4, deadline);
  if (auto* f = std::get_if<Failure>(&header)) {
    return fail(f->what);
  }
  const auto& h = std::get<0>(header);
  const std::uint32_t length = (std::uint32_t{h[0]} << 24) | (std::uint32_t{h[1]} << 16) |
                               (std::uint32_t{h[2]} << 8) | std::uint32_t{h[3]};
  if ((length & 0x80000000u) != 0 || length > options_.maxTcpReply) {
    return core::makeError(core::ErrorCategory::Io, "bad_tcp_reply",
                           "KDC " + kdc.text() + " announced a TCP reply of " + std::to_string(length) +
                               " octets (limit " + std::to_string(options_.maxTcpReply) + ")");
  }
  auto body = receiveExactly(fd.get(), length, deadline);
  if (auto* f = std::get_if<Failure>(&body)) {
    return fail(f->what);
  }
  ++tcp_;
  return std::move(std::get<0>(body));
}

core::Result<core::Bytes> KdcNetwork::exchange(core::BytesView request) {
  return exchangeFrom("", request);
}

core::Result<core::Bytes> KdcNetwork::exchangeFrom(const std::string& source, core::BytesView request) {
  if (options_.kdcs.empty()) {
    ++failures_;
    return core::makeError(core::ErrorCategory::Io, "no_kdc", "no KDC address is configured");
  }
  std::string failures;
  for (const auto& kdc : options_.kdcs) {
    const bool tcpFirst = request.size() > options_.udpPreferenceLimit;
    std::string udpFailure;
    std::string tcpFailure;
    if (!tcpFirst) {
      auto reply = exchangeUdp(kdc, source, request);
      if (reply.ok() && !isResponseTooBig(*reply)) {
        return reply;
      }
      if (reply.ok()) {
        ++tooBig_;
      } else {
        udpFailure = reply.error().detail;
      }
    }
    auto reply = exchangeTcp(kdc, source, request);
    if (reply.ok()) {
      return reply;
    }
    if (reply.error().code == "bad_tcp_reply") {
      ++failures_;
      return reply;
    }
    tcpFailure = reply.error().detail;
    if (tcpFirst) {
      auto udp = exchangeUdp(kdc, source, request);
      if (udp.ok()) {
        return udp;
      }
      udpFailure = udp.error().detail;
    }
    if (!failures.empty()) {
      failures += "; ";
    }
    failures += "KDC " + kdc.text() + " unreachable:";
    failures +=
        tcpFirst ? " TCP: " + tcpFailure + ", UDP: " + udpFailure
                 : (udpFailure.empty() ? std::string(" UDP: reply too big,") : " UDP: " + udpFailure + ",") +
                       " TCP: " + tcpFailure;
  }
  ++failures_;
  return core::makeError(core::ErrorCategory::Io, "kdc_unreachable", failures);
}

}  // namespace kerbpool::client
