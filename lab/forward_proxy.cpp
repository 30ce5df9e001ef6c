#include "lab/forward_proxy.hpp"

#include "core/common/http_text.hpp"
#include "lab/loopback_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace kerbpool::lab {

namespace {

using core::ErrorCategory;
using core::makeError;

constexpr std::size_t kHeadLimit = 16 * 1024;

bool parsePort(const std::string& text, std::uint16_t& port) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return false;
  }
  const unsigned long v = std::stoul(text);
  if (v == 0 || v > 65535) {
    return false;
  }
  port = static_cast<std::uint16_t>(v);
  return true;
}

// "host[:port]" with a DNS name (letters, digits, '-', '.'): the lab's names are never addresses.
bool splitAuthority(const std::string& authority, std::uint16_t defaultPort, std::string& host,
                    std::uint16_t& port) {
  const auto colon = authority.rfind(':');
  host = core::toLowerAscii(authority.substr(0, colon));
  port = defaultPort;
  if (colon != std::string::npos && !parsePort(authority.substr(colon + 1), port)) {
    return false;
  }
  return !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '.';
  });
}

bool sendAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) {
        continue;
      }
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void answer(int fd, const std::string& status, const std::string& why) {
  const std::string body = why + "\n";
  const std::string response = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  (void)sendAll(fd, response.data(), response.size());
}

int connectLoopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

core::Result<ProxyTarget> parseProxyRequestLine(const std::string& method, const std::string& target) {
  ProxyTarget t;
  if (method == "CONNECT") {
    t.connect = true;
    if (!splitAuthority(target, 0, t.host, t.port) || t.port == 0) {
      return makeError(ErrorCategory::Decoding, "bad_proxy_target",
                       "CONNECT needs host:port, not '" + target + "'");
    }
    return t;
  }
  const std::string scheme = "http://";
  if (core::toLowerAscii(target.substr(0, scheme.size())) != scheme) {
    return makeError(ErrorCategory::Decoding, "bad_proxy_target",
                     "a proxy request names an absolute http:// URL (or CONNECT host:port for https), not '" +
                         target + "'");
  }
  const auto slash = target.find('/', scheme.size());
  const std::string authority =
      target.substr(scheme.size(), slash == std::string::npos ? std::string::npos : slash - scheme.size());
  if (!splitAuthority(authority, 80, t.host, t.port)) {
    return makeError(ErrorCategory::Decoding, "bad_proxy_target", "bad host in '" + target + "'");
  }
  t.originForm = slash == std::string::npos ? "/" : target.substr(slash);
  return t;
}

struct ForwardProxy::State {
  ForwardProxyConfig config;
  int listenFd = -1;
  std::atomic<bool> stopping{false};
  std::thread acceptor;
  std::mutex mu;
  std::set<int> open;  // client and upstream descriptors, closed by stop()
  std::map<std::uint64_t, std::thread> workers;
  std::vector<std::uint64_t> finished;
  std::uint64_t nextWorker = 0;
  std::atomic<std::uint64_t> tunnels{0}, forwarded{0}, refused{0}, bad{0};

  bool track(int fd) {
    std::lock_guard lock(mu);
    if (stopping.load()) {
      return false;
    }
    open.insert(fd);
    return true;
  }
  void untrack(int fd) {
    std::lock_guard lock(mu);
    if (open.erase(fd) != 0) {
      ::close(fd);
    }
  }

  void relay(int a, int b) {
    char buffer[16384];
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    const int timeout = static_cast<int>(config.idleTimeout.count());
    while (!stopping.load()) {
      const int ready = ::poll(fds, 2, timeout);
      if (ready <= 0) {
        if (ready < 0 && errno == EINTR) {
          continue;
        }
        return;  // idle timeout, or an error
      }
      for (int i = 0; i < 2; ++i) {
        if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
          continue;
        }
        const ssize_t n = ::recv(fds[i].fd, buffer, sizeof buffer, 0);
        if (n <= 0 || !sendAll(fds[1 - i].fd, buffer, static_cast<std::size_t>(n))) {
          return;
        }
      }
    }
  }

  void serve(int client) {
    std::string head;
    char buffer[4096];
    std::size_t end = std::string::npos;
    pollfd pfd{client, POLLIN, 0};
    while ((end = head.find("\r\n\r\n")) == std::string::npos) {
      if (head.size() > kHeadLimit) {
        ++bad;
        answer(client, "431 Request Header Fields Too Large", "the request head is over 16 KiB");
        return;
      }
      if (::poll(&pfd, 1, static_cast<int>(config.idleTimeout.count())) <= 0) {
        return;
      }
      const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) {
        return;
      }
      head.append(buffer, static_cast<std::size_t>(n));
    }
    const std::string rest = head.substr(end + 4);
    head.resize(end + 4);
    const auto lineEnd = head.find("\r\n");
    const std::string line = head.substr(0, lineEnd);
    const auto sp1 = line.find(' ');
    const auto sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1 || line.compare(sp2 + 1, 5, "HTTP/") != 0) {
      ++bad;
      answer(client, "400 Bad Request", "malformed request line");
      return;
    }
    const std::string method = line.substr(0, sp1);
    const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    auto parsed = parseProxyRequestLine(method, target);
    if (!parsed.ok()) {
      ++bad;
      answer(client, "400 Bad Request", parsed.error().detail);
      return;
    }
    const auto port = config.resolve ? config.resolve(parsed->host, parsed->port) : std::nullopt;
    if (!port) {
      ++refused;
      answer(client, "403 Forbidden",
             "kerbpool's lab proxy serves the lab's names only; '" + parsed->host + "' is not one of them");
      return;
    }
    const int upstream = connectLoopback(*port);
    if (upstream < 0 || !track(upstream)) {
      if (upstream >= 0) {
        ::close(upstream);
      }
      ++bad;
      answer(client, "502 Bad Gateway",
             parsed->host + " (127.0.0.1:" + std::to_string(*port) + ") does not answer");
      return;
    }
    bool ok = true;
    if (parsed->connect) {
      ++tunnels;
      const std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
      ok = sendAll(client, established.data(), established.size()) &&
           (rest.empty() || sendAll(upstream, rest.data(), rest.size()));
    } else {
      ++forwarded;
      const std::string request =
          method + " " + parsed->originForm + line.substr(sp2) + head.substr(lineEnd) + rest;
      ok = sendAll(upstream, request.data(), request.size());
    }
    if (ok) {
      relay(client, upstream);
    }
    untrack(upstream);
  }

  void acceptLoop() {
    while (!stopping.load()) {
      const int client = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) {
        if (errno == EINTR || errno == ECONNABORTED) {
          continue;
        }
        return;  // the listener was shut down
      }
      std::lock_guard lock(mu);
      for (auto id : finished) {
        auto it = workers.find(id);
        if (it != workers.end()) {
          it->second.join();
          workers.erase(it);
        }
      }
      finished.clear();
      if (stopping.load() || workers.size() >= config.maxConnections) {
        ::close(client);
        continue;
      }
      open.insert(client);
      const std::uint64_t id = nextWorker++;
      workers.emplace(id, std::thread([this, client, id] {
                        serve(client);
                        untrack(client);
                        std::lock_guard done(mu);
                        finished.push_back(id);
                      }));
    }
  }
};

ForwardProxy::ForwardProxy(ForwardProxyConfig config, int listenFd, std::uint16_t port)
    : state_(std::make_shared<State>()), port_(port) {
  state_->config = std::move(config);
  state_->listenFd = listenFd;
  state_->acceptor = std::thread([s = state_] { s->acceptLoop(); });
}

ForwardProxy::~ForwardProxy() {
  stop();
}

core::Result<std::unique_ptr<ForwardProxy>> ForwardProxy::start(ForwardProxyConfig config) {
  KP_TRY(LoopbackListener listener, listenOnLoopback(config.port, 128, "the lab's proxy"));
  return std::unique_ptr<ForwardProxy>(new ForwardProxy(std::move(config), listener.fd, listener.port));
}

ForwardProxyStats ForwardProxy::stats() const {
  return ForwardProxyStats{state_->tunnels.load(), state_->forwarded.load(), state_->refused.load(),
                           state_->bad.load()};
}

void ForwardProxy::stop() {
  if (state_->stopping.exchange(true)) {
    return;
  }
  shutdownListener(state_->listenFd);
  if (state_->acceptor.joinable()) {
    state_->acceptor.join();
  }
  ::close(state_->listenFd);
  std::map<std::uint64_t, std::thread> workers;
  {
    std::lock_guard lock(state_->mu);
    for (int fd : state_->open) {
      ::shutdown(fd, SHUT_RDWR);  // wakes the workers' poll and recv
    }
    workers.swap(state_->workers);
  }
  for (auto& [id, t] : workers) {
    t.join();
  }
}

}  // namespace kerbpool::lab
