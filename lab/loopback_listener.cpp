#include "lab/loopback_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kerbpool::lab {

core::Result<LoopbackListener> listenOnLoopback(std::uint16_t port, int backlog, const std::string& what) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return core::makeError(core::ErrorCategory::Io, "listen_socket", "cannot create a socket for " + what);
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, backlog) != 0) {
    ::close(fd);
    return core::makeError(core::ErrorCategory::Io, "listen_bind",
                           "cannot listen on 127.0.0.1:" + std::to_string(port) + " for " + what);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return LoopbackListener{fd, ntohs(addr.sin_port)};
}

void shutdownListener(int fd) {
  ::shutdown(fd, SHUT_RDWR);
}

}  // namespace kerbpool::lab
