#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/common/bytes.hpp"

namespace kerbpool::test {

// Plain POSIX sockets for tests that talk to kerbpool's servers on 127.0.0.1 (no Asio in test code).
// Every wait is bounded by a timeout; nothing sleeps.

std::optional<core::Bytes> udpRoundTrip(std::uint16_t port, core::BytesView request,
                                        std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

// One UDP socket for several datagrams and their answers, in any order.
class UdpClient {
 public:
  explicit UdpClient(std::uint16_t port);
  ~UdpClient();
  UdpClient(const UdpClient&) = delete;
  UdpClient& operator=(const UdpClient&) = delete;

  bool send(core::BytesView datagram);
  // The next datagram that arrives, or nullopt on timeout.
  std::optional<core::Bytes> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

class TcpClient {
 public:
  explicit TcpClient(std::uint16_t port);
  // A connection accepted by TcpTestListener.
  static std::unique_ptr<TcpClient> adopt(int fd);
  ~TcpClient();
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(core::BytesView data);
  // Exactly n octets, or nullopt on timeout or when the peer closed first.
  std::optional<core::Bytes> receive(std::size_t n,
                                     std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  // Sends a Kerberos TCP frame (4-octet length + message) and reads the framed reply.
  std::optional<core::Bytes> roundTrip(core::BytesView message,
                                       std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  // True when the peer closes the connection within the timeout.
  bool waitForClose(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  // Ends this side's sending (a half-close: the peer reads the end, this side can still receive).
  bool shutdownSend();
  void close();

 private:
  TcpClient() = default;
  int fd_ = -1;
};

// A listening TCP socket on 127.0.0.1 (a raw node behind a balancer, for example).
class TcpTestListener {
 public:
  TcpTestListener();
  ~TcpTestListener();
  TcpTestListener(const TcpTestListener&) = delete;
  TcpTestListener& operator=(const TcpTestListener&) = delete;

  std::uint16_t port() const { return port_; }
  // The next connection, or null on timeout.
  std::unique_ptr<TcpClient> accept(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A port on 127.0.0.1 that nothing listens on right now (bound to 0 and released).
std::uint16_t freeLoopbackPort();

}  // namespace kerbpool::test
