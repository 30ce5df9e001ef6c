#include "tests/support/socket_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace kerbpool::test {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

bool waitReadable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  int r = 0;
  do {
    r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

}  // namespace

std::optional<core::Bytes> udpRoundTrip(std::uint16_t port, core::BytesView request,
                                        std::chrono::milliseconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    return std::nullopt;
  }
  sockaddr_in to = loopback(port);
  std::optional<core::Bytes> out;
  if (::sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) >= 0 &&
      waitReadable(fd, timeout)) {
    core::Bytes buf(65536);
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n >= 0) {
      buf.resize(static_cast<std::size_t>(n));
      out = std::move(buf);
    }
  }
  ::close(fd);
  return out;
}

UdpClient::UdpClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)), port_(port) {}

UdpClient::~UdpClient() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool UdpClient::send(core::BytesView datagram) {
  sockaddr_in to = loopback(port_);
  return fd_ >= 0 && ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to),
                              sizeof to) == static_cast<ssize_t>(datagram.size());
}

std::optional<core::Bytes> UdpClient::receive(std::chrono::milliseconds timeout) {
  if (fd_ < 0 || !waitReadable(fd_, timeout)) {
    return std::nullopt;
  }
  core::Bytes buf(65536);
  const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
  if (n < 0) {
    return std::nullopt;
  }
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

TcpClient::TcpClient(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) {
    return;
  }
  sockaddr_in to = loopback(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close();
  }
}

TcpClient::~TcpClient() {
  close();
}

void TcpClient::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool TcpClient::send(core::BytesView data) {
  std::size_t off = 0;
  while (fd_ >= 0 && off < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return fd_ >= 0;
}

std::optional<core::Bytes> TcpClient::receive(std::size_t n, std::chrono::milliseconds timeout) {
  core::Bytes out(n);
  std::size_t got = 0;
  while (got < n) {
    if (fd_ < 0 || !waitReadable(fd_, timeout)) {
      return std::nullopt;
    }
    const ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
    if (r <= 0) {
      return std::nullopt;
    }
    got += static_cast<std::size_t>(r);
  }
  return out;
}

std::optional<core::Bytes> TcpClient::roundTrip(core::BytesView message, std::chrono::milliseconds timeout) {
  const auto len = static_cast<std::uint32_t>(message.size());
  core::Bytes framed(4 + message.size());
  framed[0] = static_cast<std::uint8_t>(len >> 24);
  framed[1] = static_cast<std::uint8_t>(len >> 16);
  framed[2] = static_cast<std::uint8_t>(len >> 8);
  framed[3] = static_cast<std::uint8_t>(len);
  std::copy(message.begin(), message.end(), framed.begin() + 4);
  if (!send(framed)) {
    return std::nullopt;
  }
  auto header = receive(4, timeout);
  if (!header) {
    return std::nullopt;
  }
  const std::uint32_t replyLen = (std::uint32_t{(*header)[0]} << 24) | (std::uint32_t{(*header)[1]} << 16) |
                                 (std::uint32_t{(*header)[2]} << 8) | (*header)[3];
  return receive(replyLen, timeout);
}

bool TcpClient::waitForClose(std::chrono::milliseconds timeout) {
  while (fd_ >= 0 && waitReadable(fd_, timeout)) {
    std::uint8_t b[256];
    const ssize_t r = ::recv(fd_, b, sizeof b, 0);
    if (r <= 0) {
      return true;
    }
  }
  return false;
}

std::unique_ptr<TcpClient> TcpClient::adopt(int fd) {
  std::unique_ptr<TcpClient> c(new TcpClient());
  c->fd_ = fd;
  return c;
}

bool TcpClient::shutdownSend() {
  return fd_ >= 0 && ::shutdown(fd_, SHUT_WR) == 0;
}

TcpTestListener::TcpTestListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = loopback(0);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0) {
    return;
  }
  socklen_t len = sizeof a;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
}

TcpTestListener::~TcpTestListener() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

std::unique_ptr<TcpClient> TcpTestListener::accept(std::chrono::milliseconds timeout) {
  if (fd_ < 0 || !waitReadable(fd_, timeout)) {
    return nullptr;
  }
  const int c = ::accept(fd_, nullptr, nullptr);
  return c >= 0 ? TcpClient::adopt(c) : nullptr;
}

std::uint16_t freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = loopback(0);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace kerbpool::test
