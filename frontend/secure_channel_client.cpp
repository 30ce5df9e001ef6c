#include "frontend/secure_channel_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "netlogon/netlogon_wire.hpp"

namespace kerbpool::frontend {

namespace {

using core::ErrorCategory;
using core::makeError;

core::Error ioError(const std::string& what) {
  return makeError(ErrorCategory::Io, "netlogon_io", what + ": " + std::strerror(errno));
}

core::Status sendAll(int fd, const core::Bytes& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return ioError("sending to the Netlogon server");
    }
    sent += static_cast<std::size_t>(n);
  }
  return core::okStatus();
}

core::Status recvAll(int fd, std::uint8_t* out, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::recv(fd, out + got, size - got, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n == 0) {
      return makeError(ErrorCategory::Io, "netlogon_io", "the Netlogon server closed the connection");
    }
    if (n < 0) {
      return ioError("receiving from the Netlogon server");
    }
    got += static_cast<std::size_t>(n);
  }
  return core::okStatus();
}

}  // namespace

NetworkSecureChannel::NetworkSecureChannel(NetlogonClientConfig config, ChannelThrottle& throttle)
    : config_(std::move(config)), throttle_(throttle) {}

NetworkSecureChannel::~NetworkSecureChannel() {
  for (int fd : idle_) {
    ::close(fd);
  }
}

core::Result<PassThroughResponse> NetworkSecureChannel::validate(const PassThroughRequest& request) {
  return throttle_.call(request, [this](const PassThroughRequest& r) { return roundTrip(r); });
}

core::Result<int> NetworkSecureChannel::connectSocket() const {
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (::inet_pton(AF_INET, config_.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(config_.port);
    len = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, config_.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(config_.port);
    len = sizeof(sockaddr_in6);
  } else {
    return makeError(ErrorCategory::Config, "bad_address", "'" + config_.address + "' is not an IP address");
  }
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return ioError("socket");
  }
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(config_.ioTimeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((config_.ioTimeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    auto e = makeError(ErrorCategory::Io, "netlogon_connect_failed",
                       "cannot connect to the Netlogon server at " + config_.address + ":" +
                           std::to_string(config_.port) + ": " + std::strerror(errno));
    ::close(fd);
    return e;
  }
  return fd;
}

int NetworkSecureChannel::takeIdle() {
  std::lock_guard lock(mu_);
  if (idle_.empty()) {
    return -1;
  }
  int fd = idle_.back();
  idle_.pop_back();
  return fd;
}

void NetworkSecureChannel::putIdle(int fd) {
  std::lock_guard lock(mu_);
  idle_.push_back(fd);
}

core::Result<PassThroughResponse> NetworkSecureChannel::exchange(int fd, std::uint32_t requestId,
                                                                 const core::Bytes& frame) {
  KP_CHECK(sendAll(fd, frame));
  core::Bytes header(4);
  KP_CHECK(recvAll(fd, header.data(), header.size()));
  KP_TRY(std::size_t length, netlogon::netlogonFrameLength(header));
  core::Bytes body(length);
  KP_CHECK(recvAll(fd, body.data(), body.size()));
  KP_TRY(netlogon::NetlogonWireReply reply, netlogon::decodeNetlogonReply(body));
  // The server answers a request it could not decode with request-id 0 and STATUS_INVALID_PARAMETER.
  if (reply.requestId != requestId && reply.requestId != 0) {
    return makeError(
        ErrorCategory::Protocol, "request_id_mismatch",
        "reply to request " + std::to_string(reply.requestId) + ", expected " + std::to_string(requestId));
  }
  return std::move(reply.response);
}

core::Result<PassThroughResponse> NetworkSecureChannel::roundTrip(const PassThroughRequest& request) {
  const std::uint32_t id = nextRequestId_++;
  const core::Bytes frame = netlogon::frameNetlogon(netlogon::encodeNetlogonRequest({id, request}));
  // A pooled connection may have been closed by the server's idle timer: then retry once on a new one.
  int fd = takeIdle();
  if (fd >= 0) {
    auto reply = exchange(fd, id, frame);
    if (reply.ok()) {
      putIdle(fd);
      return reply;
    }
    ::close(fd);
    if (reply.error().category != ErrorCategory::Io) {
      return reply;
    }
  }
  KP_TRY(fd, connectSocket());
  auto reply = exchange(fd, id, frame);
  if (reply.ok()) {
    putIdle(fd);
  } else {
    ::close(fd);
  }
  return reply;
}

}  // namespace kerbpool::frontend
