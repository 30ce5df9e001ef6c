#include "client/deadline_stream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace kerbpool::client {

using core::ErrorCategory;
using core::makeError;

std::string errnoText(int err) {
  return std::strerror(err);
}

// Waits until fd is ready for `events` or the deadline passes (ec = timed_out).
bool waitReady(int fd, short events, const Deadline& deadline, beast::error_code& ec) {
  while (true) {
    const int ms = deadline.remainingMs();
    if (ms == 0) {
      ec = asio::error::timed_out;
      return false;
    }
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, ms);
    if (rc > 0) {
      return true;
    }
    if (rc == 0) {
      ec = asio::error::timed_out;
      return false;
    }
    if (errno != EINTR) {
      ec = beast::error_code(errno, boost::system::system_category());
      return false;
    }
  }
}

core::Result<SocketAddress> makeAddress(const std::string& address, std::uint16_t port) {
  SocketAddress a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.length = sizeof(sockaddr_in);
    return a;
  }
  if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.length = sizeof(sockaddr_in6);
    return a;
  }
  return makeError(ErrorCategory::Config, "bad_address", "'" + address + "' is not a numeric IP address");
}

}  // namespace kerbpool::client
