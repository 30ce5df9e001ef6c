// NegotiateLoadClient's connection: a plain TCP socket to --host:--port and the minimal HTTP/1.1 it needs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "bench/negotiate_load_client.hpp"

namespace kerbpool::bench {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y - 'A' + 'a');
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

bool NegotiateLoadClient::connect() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    return fail(std::string("socket: ") + std::strerror(errno));
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(o_.port));
  if (::inet_pton(AF_INET, o_.host.c_str(), &addr.sin_addr) != 1) {
    disconnect();
    return fail("--host is not an IPv4 address: " + o_.host);
  }
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    disconnect();
    return fail(std::string("connect: ") + std::strerror(e));
  }
  buffer_.clear();
  return true;
}

void NegotiateLoadClient::disconnect() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool NegotiateLoadClient::sendAll(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return fail(std::string("send: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool NegotiateLoadClient::fill() {
  char chunk[16384];
  for (;;) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n == 0) {
      return fail("connection closed by the server mid-response");
    }
    if (n < 0) {
      return fail(std::string("recv: ") + std::strerror(errno));
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
}

bool NegotiateLoadClient::readResponse(Response& r) {
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (buffer_.size() > 65536) {
      return fail("response header over 64 KiB");
    }
    if (!fill()) {
      return false;
    }
  }
  const std::string_view head(buffer_.data(), end);
  std::size_t lineEnd = head.find("\r\n");
  const std::string_view statusLine = head.substr(0, lineEnd);
  if (statusLine.size() < 12 || statusLine.substr(0, 5) != "HTTP/") {
    return fail("bad status line");
  }
  r.status = std::atoi(std::string(statusLine.substr(9, 3)).c_str());
  r.close = statusLine.substr(0, 8) == "HTTP/1.0";
  std::optional<std::size_t> contentLength;
  bool chunked = false;
  while (lineEnd != std::string_view::npos) {
    const std::size_t start = lineEnd + 2;
    lineEnd = head.find("\r\n", start);
    const std::string_view line =
        head.substr(start, lineEnd == std::string_view::npos ? head.npos : lineEnd - start);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (equalsIgnoreCase(name, "content-length")) {
      contentLength = static_cast<std::size_t>(std::strtoull(std::string(value).c_str(), nullptr, 10));
    } else if (equalsIgnoreCase(name, "transfer-encoding")) {
      chunked = true;
    } else if (equalsIgnoreCase(name, "connection")) {
      if (equalsIgnoreCase(value, "close")) {
        r.close = true;
      } else if (equalsIgnoreCase(value, "keep-alive")) {
        r.close = false;
      }
    } else if (equalsIgnoreCase(name, "www-authenticate") && value.size() > 10 &&
               equalsIgnoreCase(value.substr(0, 10), "negotiate ")) {
      r.negotiateToken = std::string(trim(value.substr(10)));
    }
  }
  if (chunked || !contentLength) {
    return fail("response without Content-Length (status " + std::to_string(r.status) + ")");
  }
  const std::size_t total = end + 4 + *contentLength;
  while (buffer_.size() < total) {
    if (!fill()) {
      return false;
    }
  }
  buffer_.erase(0, total);
  return true;
}

}  // namespace kerbpool::bench
