// The front-end's only I/O file (with Beast's advanced_server_flex as the model): a listener, one session
// class per connection over a CRTP base shared by plain TCP and TLS, and the server's start/stop. Requests
// are handed to an HttpHandler; nothing here looks at authentication.
#include "frontend/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <thread>
#include <vector>

#include "core/common/log.hpp"
#include "frontend/connection_registry.hpp"
#include "frontend/response_rules.hpp"
#include "net/http_read.hpp"
#include "net/io_threads.hpp"

namespace kerbpool::frontend {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using core::ErrorCategory;
using core::makeError;

namespace {

constexpr std::string_view kComponent = "frontend";
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::size_t kIdleReadSize = 4096;
// After an error response or Connection: close, unread request bytes are drained for a while before the
// socket is closed, so that closing does not reset the connection and destroy the response in flight.
constexpr std::chrono::milliseconds kMaxLinger{2000};
constexpr std::size_t kMaxDrain = 1 << 20;

std::string str(beast::string_view s) {
  return std::string(s.data(), s.size());
}

beast::string_view bsv(std::string_view s) {
  return beast::string_view(s.data(), s.size());
}

std::string endpointText(const tcp::endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

// What the listener, every session and the server share: configuration, handler, TLS context, counters and
// the registry of live sessions.
struct ServerState {
  ServerState(const HttpServerConfig& c, HttpHandler& h) : config(c), handler(h) {}

  const HttpServerConfig config;
  HttpHandler& handler;
  std::optional<ssl::context> tls;
  net::thread_pool* blocking = nullptr;  // requests the handler says may block (owned by the Runtime)
  std::atomic<std::uint64_t> nextId{1};

  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> activeConnections{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> badRequests{0};
  std::atomic<std::uint64_t> headerTooLarge{0};
  std::atomic<std::uint64_t> bodyTooLarge{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> tlsHandshakeFailures{0};
  std::atomic<std::uint64_t> handlerExceptions{0};

  ConnectionRegistry registry;
};

// One connection, read → handle → write, repeated while keep-alive holds. Derived provides stream(),
// shared_from_this() and doEof() (how to end the connection politely on its transport).
template <class Derived>
class HttpSession : public Closable {
 public:
  HttpSession(std::shared_ptr<ServerState> state, std::string peer, bool tls) : state_(std::move(state)) {
    ctx_.id = state_->nextId++;
    ctx_.peer = std::move(peer);
    ctx_.tls = tls;
    buffer_.max_size(kerbpool::net::readBufferLimit(state_->config.headerLimit));
    state_->activeConnections++;
  }

  ~HttpSession() override {
    state_->registry.remove(ctx_.id);
    state_->activeConnections--;
    try {
      state_->handler.connectionClosed(ctx_);
    } catch (const std::exception& e) {
      core::logError(kComponent, std::string("connectionClosed threw: ") + e.what());
    }
  }

  void forceClose() override {
    net::post(lowest().get_executor(), [self = derived().shared_from_this()] { self->lowest().close(); });
  }

  void closeWhenIdle(std::function<void()> done) override {
    net::post(lowest().get_executor(), [self = derived().shared_from_this(), done = std::move(done)] {
      self->recycle_ = true;
      if (self->idle_ && !self->ctx_.handshakePending) {
        self->lowest().close();  // waiting for the next request: nothing is lost
      }
      done();
    });
  }

  // On the session's strand: joins the registry, or closes when the server is stopping.
  bool registered() {
    if (!state_->registry.add(ctx_.id, derived().weak_from_this())) {
      lowest().close();
      return false;
    }
    return true;
  }

  void doRead() {
    const auto& cfg = state_->config;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(cfg.headerLimit, UINT32_MAX)));
    parser_->body_limit(cfg.bodyLimit);
    if (buffer_.size() == 0 && ctx_.requestsOnConnection > 0) {
      // Between requests: wait for the next one's first octets under the keep-alive timeout.
      if (recycle_ && !ctx_.handshakePending) {
        derived().doEof();
        return;
      }
      idle_ = true;
      lowest().expires_after(cfg.keepAliveTimeout);
      derived().stream().async_read_some(buffer_.prepare(kIdleReadSize),
                                         [self = derived().shared_from_this()](
                                             beast::error_code ec, std::size_t n) { self->onIdle(ec, n); });
      return;
    }
    doReadHeader();
  }

  void onIdle(beast::error_code ec, std::size_t n) {
    idle_ = false;
    if (ec) {
      onReadError(ec, "keep-alive wait");
      return;
    }
    buffer_.commit(n);
    doReadHeader();
  }

  void doReadHeader() {
    lowest().expires_after(state_->config.readTimeout);
    kerbpool::net::asyncReadMessage(
        derived().stream(), buffer_, *parser_, kerbpool::net::ReadUntil::Header,
        [self = derived().shared_from_this()](beast::error_code ec) { self->onHeader(ec); });
  }

  void onHeader(beast::error_code ec) {
    if (ec) {
      onReadError(ec, "read header");
      return;
    }
    const auto& req = parser_->get();
    if (const auto refusal = kerbpool::net::checkRequestFraming(kerbpool::net::framingOf(req.base()))) {
      state_->badRequests++;
      core::logDebug(kComponent, "connection #" + std::to_string(ctx_.id) + " from " + ctx_.peer + ": " +
                                     std::to_string(refusal->status) + " " + std::string(refusal->reason));
      sendError(static_cast<http::status>(refusal->status), std::string(refusal->detail) + "\n");
      return;
    }
    if (!parser_->is_done() && req.version() == 11 &&
        beast::iequals(req[http::field::expect], "100-continue")) {
      lowest().expires_after(state_->config.readTimeout);
      net::async_write(derived().stream(), net::buffer(kContinue.data(), kContinue.size()),
                       [self = derived().shared_from_this()](beast::error_code ec2, std::size_t) {
                         if (ec2) {
                           self->onWriteError(ec2, "write 100-continue");
                           return;
                         }
                         self->doReadBody();
                       });
      return;
    }
    doReadBody();
  }

  void doReadBody() {
    if (parser_->is_done()) {
      onRequest();
      return;
    }
    lowest().expires_after(state_->config.readTimeout);
    kerbpool::net::asyncReadMessage(derived().stream(), buffer_, *parser_, kerbpool::net::ReadUntil::Message,
                                    [self = derived().shared_from_this()](beast::error_code ec) {
                                      if (ec) {
                                        self->onReadError(ec, "read body");
                                        return;
                                      }
                                      self->onRequest();
                                    });
  }

  void onReadError(beast::error_code ec, const char* what) {
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == ssl::error::stream_truncated ||
        ec == http::error::partial_message) {
      derived().doEof();  // the client closed: a normal end
    } else if (ec == beast::error::timeout) {
      state_->timeouts++;
      fail(ec, what);
    } else if (ec == http::error::header_limit) {
      state_->headerTooLarge++;
      sendError(http::status::request_header_fields_too_large, "request header fields too large\n");
    } else if (ec == http::error::body_limit) {
      state_->bodyTooLarge++;
      sendError(http::status::payload_too_large, "payload too large\n");
    } else if (ec.category() == beast::error_code(http::error::bad_method).category()) {
      state_->badRequests++;
      sendError(http::status::bad_request, "bad request\n");
    } else {
      fail(ec, what);
    }
  }

  void onRequest() {
    ctx_.requestsOnConnection++;
    state_->requests++;
    auto msg = parser_->release();
    const bool keepAlive = msg.keep_alive();
    const unsigned version = msg.version();
    const bool head = msg.method() == http::verb::head;

    HttpRequest req;
    req.method = str(msg.method_string());
    req.target = str(msg.target());
    req.version = version;
    for (const auto& f : msg) {
      req.headers.emplace_back(str(f.name_string()), str(f.value()));
    }
    req.body = std::move(msg.body());
    req.peer = ctx_.peer;
    req.tls = ctx_.tls;

    if (state_->blocking != nullptr && state_->handler.mayBlock(req)) {
      // Off the I/O thread; the session waits (no read is pending) and resumes on its own executor.
      net::post(*state_->blocking, [self = derived().shared_from_this(), req = std::move(req), version,
                                    keepAlive, head]() mutable {
        HttpResponse out = self->callHandler(req);
        auto ex = self->lowest().get_executor();
        net::post(ex, [self = std::move(self), out = std::move(out), version, keepAlive, head]() mutable {
          self->respond(std::move(out), version, keepAlive, head);
        });
      });
      return;
    }
    respond(callHandler(req), version, keepAlive, head);
  }

  HttpResponse callHandler(const HttpRequest& req) {
    try {
      return state_->handler.handle(req, ctx_);
    } catch (const std::exception& e) {
      core::logError(kComponent, "handler threw on connection #" + std::to_string(ctx_.id) + ": " + e.what());
      return plainResponse(500, "internal server error\n");
    }
  }

  void respond(HttpResponse out, unsigned version, bool keepAlive, bool head) {
    auto finalized = finalizeResponse(std::move(out), state_->config.serverName);
    if (!finalized.ok()) {
      core::logError(kComponent, "connection #" + std::to_string(ctx_.id) + ": " +
                                     finalized.error().message() + ": answering 500");
      finalized = finalizeResponse(plainResponse(500, "internal server error\n"), state_->config.serverName);
    }
    const bool recycleNow = recycle_ && !ctx_.handshakePending;
    writeResponse(*finalized, version, keepAlive && !finalized->close && !recycleNow, head);
  }

  static HttpResponse plainResponse(unsigned status, std::string body) {
    return HttpResponse{status, {{"Content-Type", "text/plain"}}, std::move(body), true};
  }

  // The server's own answer to a request it could not read; the connection closes after it.
  void sendError(http::status status, std::string body) {
    auto r = finalizeResponse(plainResponse(static_cast<unsigned>(status), std::move(body)),
                              state_->config.serverName);
    writeResponse(*r, 11, false, false);
  }

  // `out` has passed finalizeResponse(): the fields are safe to copy as they are.
  void writeResponse(const HttpResponse& out, unsigned version, bool keepAlive, bool head) {
    res_ = {};
    res_.version(version);
    res_.result(out.status);
    for (const auto& [name, value] : out.headers) {
      res_.insert(bsv(name), bsv(value));
    }
    res_.body() = out.body;
    res_.keep_alive(keepAlive);
    if (head) {
      res_.content_length(res_.body().size());
      res_.body().clear();
    } else {
      res_.prepare_payload();
    }
    doWrite(keepAlive);
  }

  void doWrite(bool keepAlive) {
    keepAlive_ = keepAlive;
    lowest().expires_after(state_->config.readTimeout);
    http::async_write(derived().stream(), res_,
                      [self = derived().shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) {
                          self->onWriteError(ec, "write");
                          return;
                        }
                        self->keepAlive_ ? self->doRead() : self->derived().doEof();
                      });
  }

  void onWriteError(beast::error_code ec, const char* what) {
    if (ec == beast::error::timeout) {
      state_->timeouts++;
    }
    fail(ec, what);
  }

  // The end of a connection: no more writes, then drain what the client still sends until it closes, the
  // linger time passes or enough was discarded.
  void lingerAndClose() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().expires_after(std::min(state_->config.readTimeout, kMaxLinger));
    drain();
  }

  void drain() {
    lowest().async_read_some(net::buffer(scratch_),
                             [self = derived().shared_from_this()](beast::error_code ec, std::size_t n) {
                               self->drained_ += n;
                               if (ec || self->drained_ > kMaxDrain) {
                                 self->lowest().close();
                                 return;
                               }
                               self->drain();
                             });
  }

  void fail(beast::error_code ec, std::string_view what) {
    if (ec == net::error::operation_aborted) {
      return;  // closed by stop()
    }
    core::logDebug(kComponent, "connection #" + std::to_string(ctx_.id) + " from " + ctx_.peer + ": " +
                                   std::string(what) + ": " + ec.message());
    lowest().close();
  }

  Derived& derived() { return static_cast<Derived&>(*this); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(derived().stream()); }

 protected:
  std::shared_ptr<ServerState> state_;
  ConnectionContext ctx_;

 private:
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;  // rebuilt for every message
  http::response<http::string_body> res_;
  bool keepAlive_ = false;
  bool idle_ = false;     // waiting between requests
  bool recycle_ = false;  // recycleConnections(): close after the current response
  std::array<char, 4096> scratch_{};
  std::size_t drained_ = 0;
};

class PlainSession : public HttpSession<PlainSession>, public std::enable_shared_from_this<PlainSession> {
 public:
  PlainSession(tcp::socket&& socket, std::shared_ptr<ServerState> state, std::string peer)
      : HttpSession(std::move(state), std::move(peer), false), stream_(std::move(socket)) {}

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->registered()) {
        self->doRead();
      }
    });
  }
  beast::tcp_stream& stream() { return stream_; }
  void doEof() { lingerAndClose(); }

 private:
  beast::tcp_stream stream_;
};

class TlsSession : public HttpSession<TlsSession>, public std::enable_shared_from_this<TlsSession> {
 public:
  TlsSession(tcp::socket&& socket, ssl::context& ctx, std::shared_ptr<ServerState> state, std::string peer)
      : HttpSession(std::move(state), std::move(peer), true), stream_(std::move(socket), ctx) {}

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->registered()) {
        self->doHandshake();
      }
    });
  }
  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }

  void doHandshake() {
    lowest().expires_after(state_->config.readTimeout);
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) { self->onHandshake(ec); });
  }

  void onHandshake(beast::error_code ec) {
    if (ec) {
      state_->tlsHandshakeFailures++;
      if (ec == beast::error::timeout) {
        state_->timeouts++;
      }
      fail(ec, "tls handshake");
      return;
    }
    doRead();
  }

  void doEof() {
    lowest().expires_after(std::min(state_->config.readTimeout, kMaxLinger));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->lingerAndClose(); });
  }

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
};

// Accepts connections and gives each its own strand and session.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, std::shared_ptr<ServerState> state)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), state_(std::move(state)) {}

  core::Status open(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) {
      acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
      acceptor_.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return makeError(
          ErrorCategory::Io, "listen_failed",
          "cannot listen on " + endpointText(endpoint) + "/tcp: " + ec.message() +
              (ec == net::error::address_in_use ? " (is another server running on that port?)" : ""));
    }
    return core::okStatus();
  }

  std::uint16_t port() const {
    beast::error_code ec;
    return acceptor_.local_endpoint(ec).port();
  }

  void run() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->doAccept(); });
  }

  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  void doAccept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                             self->onAccept(ec, std::move(socket));
                           });
  }

  void onAccept(beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
        return;
      }
      core::logWarn(kComponent, "accept: " + ec.message());
      doAccept();
      return;
    }
    state_->connections++;
    beast::error_code peerEc;
    socket.set_option(tcp::no_delay(true), peerEc);  // small responses go out at once (no Nagle delay)
    const auto remote = socket.remote_endpoint(peerEc);
    std::string peer = peerEc ? std::string("?") : endpointText(remote);
    if (state_->tls) {
      std::make_shared<TlsSession>(std::move(socket), *state_->tls, state_, std::move(peer))->run();
    } else {
      std::make_shared<PlainSession>(std::move(socket), state_, std::move(peer))->run();
    }
    doAccept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::shared_ptr<ServerState> state_;
};

core::Status loadTls(ServerState& state, const TlsFiles& files) {
  beast::error_code ec;
  try {
    state.tls.emplace(ssl::context::tls_server);
  } catch (const boost::system::system_error& e) {
    return makeError(ErrorCategory::Internal, "tls_context",
                     std::string("cannot create a TLS context: ") + e.what());
  }
  auto& ctx = *state.tls;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                  ec);
  if (!ec) {
    ctx.use_certificate_chain_file(files.certificateChainFile, ec);
    if (ec) {
      return makeError(
          ErrorCategory::Config, "tls_certificate",
          "cannot load the certificate chain " + files.certificateChainFile + ": " + ec.message());
    }
    ctx.use_private_key_file(files.privateKeyFile, ssl::context::pem, ec);
    if (ec) {
      return makeError(ErrorCategory::Config, "tls_private_key",
                       "cannot load the private key " + files.privateKeyFile + " (or it does not match " +
                           files.certificateChainFile + "): " + ec.message());
    }
  }
  if (ec) {
    return makeError(ErrorCategory::Internal, "tls_context", "cannot configure TLS: " + ec.message());
  }
  return core::okStatus();
}

}  // namespace

struct HttpServer::Runtime {
  Runtime(unsigned threads, unsigned blockingThreads) : ioc(static_cast<int>(threads)) {
    if (blockingThreads != 0) {
      blocking.emplace(blockingThreads);
    }
  }
  net::io_context ioc;
  std::optional<net::thread_pool> blocking;
};

struct HttpServer::Impl {
  std::shared_ptr<ServerState> state;
  std::shared_ptr<Listener> listener;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::atomic<bool> stopped{false};
};

core::Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpServerConfig& config,
                                                            HttpHandler& handler) {
  beast::error_code ec;
  const auto addr = net::ip::make_address(config.address, ec);
  if (ec) {
    return makeError(ErrorCategory::Config, "bad_address", "'" + config.address + "' is not an IP address");
  }
  const unsigned n = config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  // Declared first so that, on an early return, the listener goes before the io_context it uses.
  auto runtime = std::make_unique<Runtime>(n, config.blockingThreads);
  auto impl = std::make_unique<Impl>();
  impl->state = std::make_shared<ServerState>(config, handler);
  impl->state->blocking = runtime->blocking ? &*runtime->blocking : nullptr;
  if (config.tls) {
    KP_CHECK(loadTls(*impl->state, *config.tls));
  }
  impl->listener = std::make_shared<Listener>(runtime->ioc, impl->state);
  KP_CHECK(impl->listener->open(tcp::endpoint(addr, config.port)));
  impl->port = impl->listener->port();
  impl->work.emplace(net::make_work_guard(runtime->ioc));
  impl->listener->run();
  for (unsigned i = 0; i < n; ++i) {
    impl->threads.emplace_back([ioc = &runtime->ioc, state = impl->state.get()] {
      kerbpool::net::runIoContext(*ioc, kComponent, state->handlerExceptions);
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(runtime), std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Runtime> runtime, std::unique_ptr<Impl> impl)
    : runtime_(std::move(runtime)), impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  stop();
}

std::uint16_t HttpServer::port() const {
  return impl_->port;
}

const std::string& HttpServer::address() const {
  return impl_->state->config.address;
}

bool HttpServer::tls() const {
  return impl_->state->tls.has_value();
}

HttpServerStats HttpServer::stats() const {
  const auto& s = *impl_->state;
  return HttpServerStats{s.connections.load(),    s.activeConnections.load(), s.requests.load(),
                         s.badRequests.load(),    s.headerTooLarge.load(),    s.bodyTooLarge.load(),
                         s.timeouts.load(),       s.tlsHandshakeFailures.load(),
                         s.handlerExceptions.load()};
}

std::size_t HttpServer::recycleConnections() {
  return impl_->state->registry.closeAllWhenIdle();
}

void HttpServer::stop() {
  if (impl_->stopped.exchange(true)) {
    return;
  }
  impl_->listener->stop();
  impl_->state->registry.closeAll();
  if (runtime_->blocking) {
    runtime_->blocking->join();  // handlers still running finish; their answers go to closed sockets
  }
  // With the acceptor and every socket closed, the threads run out of work once running handlers finish.
  impl_->work.reset();
  for (auto& t : impl_->threads) {
    if (t.joinable()) {
      t.join();
    }
  }
  impl_->threads.clear();
}

}  // namespace kerbpool::frontend
