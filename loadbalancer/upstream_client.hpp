#pragma once

// The outbound side of the balancer (Beast's async client chain: connect, [TLS handshake], write, read):
// connections to the pool's nodes and the per-node pool of idle keep-alive connections. An I/O file.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"
#include "loadbalancer/lb_state.hpp"

namespace kerbpool::loadbalancer {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// One connection to one node, plain or TLS. Used by one client session at a time: every operation is started
// from that session's strand with a handler bound to it, so the connection itself needs no strand and can
// move between sessions through the idle pool (never while an operation is pending).
class UpstreamConnection {
 public:
  UpstreamConnection(asio::any_io_executor executor, std::size_t backend)
      : backend_(backend), plain_(std::make_unique<beast::tcp_stream>(std::move(executor))) {
    buffer_.max_size(kReadBufferLimit);
  }

  // What a node's response may leave unparsed in the buffer: its header (64 KiB at most, see
  // http_proxy_session.cpp) or a trailer section of that size, plus one read.
  static constexpr std::size_t kReadBufferLimit = 72 * 1024;

  std::size_t backend() const { return backend_; }
  bool tls() const { return tls_ != nullptr; }
  beast::tcp_stream& lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }
  // Calls f with the stream to read and write (tcp_stream or ssl_stream<tcp_stream>).
  template <class F>
  void visit(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }
  beast::flat_buffer& buffer() { return buffer_; }
  void close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  std::uint64_t exchanges = 0;  // completed request/response pairs; above 0: a reused connection
  bool isPrivate = false;  // haproxy model: bound to one client connection by an NTLM/Negotiate challenge

 private:
  friend class UpstreamConnector;
  std::size_t backend_;
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
};

using UpstreamPtr = std::unique_ptr<UpstreamConnection>;

class UpstreamConnector {
 public:
  // error code, the connection on success, and which step failed ("connect", "tls handshake").
  using ConnectHandler = std::function<void(beast::error_code, UpstreamPtr, std::string_view what)>;

  // Resolves every node's host once (a Config error naming the node) and, when re-encrypting, loads the CA
  // that the nodes' certificates must chain to.
  static core::Result<std::shared_ptr<UpstreamConnector>> create(asio::io_context& ioc,
                                                                 std::shared_ptr<LbState> state);

  // A new connection to `backend` (TLS when `tls`), bounded by `timeout`; the handler runs on `executor`.
  void connect(std::size_t backend, const asio::any_io_executor& executor, bool tls,
               std::chrono::milliseconds timeout, ConnectHandler handler);
  // An idle keep-alive connection to `backend`, or null.
  UpstreamPtr takeIdle(std::size_t backend);
  // Keeps a connection that finished an exchange cleanly for the next request (bounded per node).
  void giveBack(UpstreamPtr connection);
  // Closes every idle connection (stop).
  void closeIdle();

  const tcp::endpoint& endpoint(std::size_t backend) const { return endpoints_[backend]; }
  bool tlsToBackends() const { return tls_.has_value(); }

  UpstreamConnector(asio::io_context& ioc, std::shared_ptr<LbState> state)
      : ioc_(ioc), state_(std::move(state)) {}

 private:
  void handshake(UpstreamPtr connection, const asio::any_io_executor& executor,
                 std::chrono::milliseconds timeout, ConnectHandler handler);

  asio::io_context& ioc_;
  std::shared_ptr<LbState> state_;
  std::vector<tcp::endpoint> endpoints_;
  std::optional<ssl::context> tls_;
  std::mutex mu_;
  std::vector<std::deque<UpstreamPtr>> idle_;
  bool closed_ = false;
};

}  // namespace kerbpool::loadbalancer
