// The HTTP(S) server of a front-end node and of the echo backends (Beast's advanced_server_flex as the
// model): one session class per connection over ServerSession (net/server_session.hpp), shared by plain TCP
// and TLS, and the server's start/stop. Requests are handed to an HttpHandler; nothing here looks at
// authentication.
#include "net/http_server.hpp"

#include "core/common/stats_signal.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "core/common/log.hpp"
#include "net/connection_caps.hpp"
#include "net/connection_registry.hpp"
#include "net/http_write.hpp"
#include "net/in_process_parse.hpp"
#include "net/io_threads.hpp"
#include "net/listener.hpp"
#include "net/request_framing.hpp"
#include "net/response_rules.hpp"
#include "net/server_session.hpp"
#include "net/tls_context.hpp"
#include "net/tls_stream.hpp"

namespace kerbpool::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using core::ErrorCategory;
using core::makeError;

namespace {

constexpr std::string_view kComponent = "frontend";

std::string str(beast::string_view s) {
  return std::string(s.data(), s.size());
}

beast::string_view bsv(std::string_view s) {
  return beast::string_view(s.data(), s.size());
}

// What the listener, every session and the server share: configuration, handler, TLS context, counters and
// the registry of live sessions.
struct ServerState {
  ServerState(const HttpServerConfig& c, HttpHandler& h)
      : config(c), handler(h), caps(c.maxConnections, c.maxConnectionsPerSource) {}

  const HttpServerConfig config;
  HttpHandler& handler;
  std::optional<ssl::context> tls;
  std::vector<std::uint8_t> tlsServerEndPoint;  // of the certificate `tls` presents
  asio::thread_pool* blocking = nullptr;        // requests the handler says may block (owned by the Runtime)
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
  std::atomic<std::uint64_t> rejectedConnections{0};
  // changed() after connections, activeConnections, requests, timeouts, tlsHandshakeFailures and
  // rejectedConnections move (a session's other counters move before its end, which signals).
  core::StatsSignal signal;
  ConnectionCaps caps;

  SessionCounters sessionCounters{&badRequests, &headerTooLarge, &bodyTooLarge, &timeouts};

  ConnectionRegistry registry;
};

// A connection's end, whichever kind: out of the registry and the caps, counted, and the handler told.
void connectionEnded(ServerState& state, ConnectionContext& ctx) {
  state.registry.remove(ctx.id);
  state.activeConnections--;
  state.caps.release(std::string(sourceAddress(ctx.peer)));
  state.signal.changed();
  try {
    state.handler.connectionClosed(ctx);
  } catch (const std::exception& e) {
    core::logError(kComponent, std::string("connectionClosed threw: ") + e.what());
  }
}

// ---- one request's steps, shared by the socket and in-process sessions ------------------------------------

HttpRequest requestFrom(http::request<http::string_body>&& msg, const ConnectionContext& ctx) {
  HttpRequest req;
  req.method = str(msg.method_string());
  req.target = str(msg.target());
  req.version = msg.version();
  for (const auto& f : msg) {
    req.headers.emplace_back(str(f.name_string()), str(f.value()));
  }
  req.body = std::move(msg.body());
  req.peer = ctx.peer;
  req.tls = ctx.tls;
  return req;
}

HttpResponse plainResponse(unsigned status, std::string body) {
  return HttpResponse{status, {{"Content-Type", "text/plain"}}, std::move(body), true};
}

HttpResponse callHandler(ServerState& state, const HttpRequest& req, ConnectionContext& ctx) {
  try {
    return state.handler.handle(req, ctx);
  } catch (const std::exception& e) {
    core::logError(kComponent, "handler threw on connection #" + std::to_string(ctx.id) + ": " + e.what());
    return plainResponse(500, "internal server error\n");
  }
}

// The handler's answer as it may go out: finalizeResponse's rules met, else a 500.
HttpResponse finalizedFor(ServerState& state, HttpResponse out, const ConnectionContext& ctx) {
  auto finalized = finalizeResponse(std::move(out), state.config.serverName);
  if (!finalized.ok()) {
    core::logError(kComponent, "connection #" + std::to_string(ctx.id) + ": " + finalized.error().message() +
                                   ": answering 500");
    finalized = finalizeResponse(plainResponse(500, "internal server error\n"), state.config.serverName);
  }
  return std::move(*finalized);
}

// `out` has passed finalizeResponse(): the fields are safe to copy as they are.
void buildResponse(http::response<http::string_body>& res, const HttpResponse& out, unsigned version,
                   bool keepAlive, bool head) {
  res = {};
  res.version(version);
  res.result(out.status);
  for (const auto& [name, value] : out.headers) {
    res.insert(bsv(name), bsv(value));
  }
  res.body() = out.body;
  res.keep_alive(keepAlive);
  if (head) {
    res.content_length(res.body().size());
    res.body().clear();
  } else {
    res.prepare_payload();
  }
}

// One connection, read → handle → write, repeated while keep-alive holds. The reading, framing checks and the
// polite close come from ServerSession; Derived provides stream() and doEof() (how to end the connection on
// its transport).
template <class Derived>
class HttpSession : public ServerSession<Derived> {
  using Base = ServerSession<Derived>;

 public:
  HttpSession(std::shared_ptr<ServerState> state, std::string peer, bool tls)
      : Base(state->nextId++, kComponent, state->config.headerLimit), state_(std::move(state)) {
    ctx_.id = this->id_;
    ctx_.peer = std::move(peer);
    ctx_.tls = tls;
    if (tls) {
      ctx_.tlsServerEndPoint = state_->tlsServerEndPoint;
    }
    state_->activeConnections++;
    state_->signal.changed();
  }

  ~HttpSession() override { connectionEnded(*state_, ctx_); }

  void forceClose() override {
    asio::post(this->lowest().get_executor(),
               [self = this->derived().shared_from_this()] { self->lowest().close(); });
  }

  void closeWhenIdle(std::function<void()> done) override {
    asio::post(this->lowest().get_executor(),
               [self = this->derived().shared_from_this(), done = std::move(done)] {
                 self->recycle_ = true;
                 if (self->idle_ && !self->ctx_.handshakePending) {
                   self->lowest().close();  // waiting for the next request: nothing is lost
                 }
                 done();
               });
  }

  // ---- what ServerSession asks of its Derived ------------------------------------------------------------

  SessionLimits sessionLimits() const {
    const auto& c = state_->config;
    return SessionLimits{c.headerLimit, c.bodyLimit, c.readTimeout, c.keepAliveTimeout};
  }
  SessionCounters& sessionCounters() { return state_->sessionCounters; }
  bool mayWaitForNextRequest() const { return !(recycle_ && !ctx_.handshakePending); }
  std::string sessionLabel() const { return "connection #" + std::to_string(ctx_.id) + " from " + ctx_.peer; }

  // The server's own answer to a request it could not read; the connection closes after it.
  void refuse(unsigned status, std::string body) {
    auto r = finalizeResponse(plainResponse(status, std::move(body)), state_->config.serverName);
    writeResponse(*r, 11, false, false);
  }

  void onRequestRead() {
    ctx_.requestsOnConnection++;
    state_->requests++;
    state_->signal.changed();
    auto msg = this->parser_->release();
    const bool keepAlive = msg.keep_alive();
    const unsigned version = msg.version();
    const bool head = msg.method() == http::verb::head;

    HttpRequest req = requestFrom(std::move(msg), ctx_);

    if (state_->blocking != nullptr && state_->handler.mayBlock(req)) {
      // Off the I/O thread; the session waits (no read is pending) and resumes on its own executor.
      asio::post(*state_->blocking, [self = this->derived().shared_from_this(), req = std::move(req), version,
                                     keepAlive, head]() mutable {
        HttpResponse out = self->callHandler(req);
        auto ex = self->lowest().get_executor();
        asio::post(ex, [self = std::move(self), out = std::move(out), version, keepAlive, head]() mutable {
          self->respond(std::move(out), version, keepAlive, head);
        });
      });
      return;
    }
    respond(callHandler(req), version, keepAlive, head);
  }

  HttpResponse callHandler(const HttpRequest& req) { return net::callHandler(*state_, req, ctx_); }

  void respond(HttpResponse out, unsigned version, bool keepAlive, bool head) {
    const HttpResponse finalized = finalizedFor(*state_, std::move(out), ctx_);
    const bool recycleNow = recycle_ && !ctx_.handshakePending;
    writeResponse(finalized, version, keepAlive && !finalized.close && !recycleNow, head);
  }

  void writeResponse(const HttpResponse& out, unsigned version, bool keepAlive, bool head) {
    res_ = std::make_unique<Outgoing>();
    buildResponse(res_->message, out, version, keepAlive, head);
    res_->serializer.emplace(res_->message);
    keepAlive_ = keepAlive;
    writeMessage(this->derived().stream(), *res_->serializer, state_->config.readTimeout,
                 [self = this->derived().shared_from_this()](beast::error_code ec, std::size_t) {
                   self->onWritten(ec);
                 });
  }

  // Runs inside writeResponse when the socket took the whole response at once (net/http_write.hpp).
  void onWritten(beast::error_code ec) {
    if (ec) {
      if (ec == beast::error::timeout) {
        state_->timeouts++;
        state_->signal.changed();
      }
      this->fail(ec, "write");
      return;
    }
    res_.reset();  // an idle connection keeps no response
    if (!keepAlive_) {
      this->derived().doEof();
    } else if (this->buffer_.size() > 0) {
      // A pipelined request: through the executor, so that a run of them does not nest a call per request.
      asio::post(this->lowest().get_executor(),
                 [self = this->derived().shared_from_this()] { self->readRequest(); });
    } else {
      this->readRequest();
    }
  }

 protected:
  std::shared_ptr<ServerState> state_;
  ConnectionContext ctx_;

 private:
  struct Outgoing {
    http::response<http::string_body> message;
    std::optional<http::response_serializer<http::string_body>> serializer;
  };
  std::unique_ptr<Outgoing> res_;  // while it is written
  bool keepAlive_ = false;
  bool recycle_ = false;  // recycleConnections(): close after the current response
};

class PlainSession : public HttpSession<PlainSession>, public std::enable_shared_from_this<PlainSession> {
 public:
  PlainSession(tcp::socket&& socket, std::shared_ptr<ServerState> state, std::string peer)
      : HttpSession(std::move(state), std::move(peer), false), stream_(std::move(socket)) {}

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->registered(self->state_->registry)) {
        self->readRequest();
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
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->registered(self->state_->registry)) {
        self->lowest().expires_after(self->state_->config.readTimeout);
        self->stream_.async_handshake([self](beast::error_code ec) { self->onHandshake(ec); });
      }
    });
  }
  TlsStream& stream() { return stream_; }

  void onHandshake(beast::error_code ec) {
    if (ec) {
      state_->tlsHandshakeFailures++;
      if (ec == beast::error::timeout) {
        state_->timeouts++;
      }
      state_->signal.changed();
      fail(ec, "tls handshake");
      return;
    }
    readRequest();
  }

  void doEof() {
    lowest().expires_after(std::min(state_->config.readTimeout, kMaxLinger));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->lingerAndClose(); });
  }

 private:
  TlsStream stream_;  // holds no TLS buffers while the connection is idle
};

// A connection of the in-process transport (net/in_process_http.hpp): the same steps as a socket session,
// on the caller's thread. Registered like a socket session, so that stop() and recycleConnections() close
// it (a recycle waits for an exchange in progress, and spares a half-done NTLM handshake as HttpSession
// does).
class InProcessSession final : public Closable, public std::enable_shared_from_this<InProcessSession> {
 public:
  InProcessSession(std::shared_ptr<ServerState> state, std::string peer) : state_(std::move(state)) {
    ctx_.id = state_->nextId++;
    ctx_.peer = std::move(peer);
    state_->activeConnections++;
    state_->signal.changed();
  }

  ~InProcessSession() override { connectionEnded(*state_, ctx_); }

  std::uint64_t id() const { return ctx_.id; }

  void forceClose() override {
    std::lock_guard lock(mu_);
    closed_ = true;
  }

  void closeWhenIdle(std::function<void()> done) override {
    {
      std::lock_guard lock(mu_);  // an exchange in progress ends first
      recycle_ = true;
      if (!ctx_.handshakePending) {
        closed_ = true;
      }
    }
    done();
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

  core::Result<std::string> exchange(std::string_view octets) {
    std::lock_guard lock(mu_);
    if (closed_) {
      return makeError(ErrorCategory::Io, "connection_closed",
                       "connection #" + std::to_string(ctx_.id) + " from " + ctx_.peer +
                           " (in process): closed by the server");
    }
    http::request_parser<http::string_body> parser;
    const auto& c = state_->config;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(c.headerLimit, UINT32_MAX)));
    parser.body_limit(c.bodyLimit);
    if (const auto ec = parseWholeMessage(parser, octets, c.headerLimit)) {
      return refuse(ec);
    }
    if (const auto refusal = checkRequestFraming(framingOf(parser.get().base()))) {
      state_->badRequests++;
      core::logDebug(kComponent, "connection #" + std::to_string(ctx_.id) + " from " + ctx_.peer + ": " +
                                     std::to_string(refusal->status) + " " + std::string(refusal->reason));
      return answer(plainResponse(refusal->status, std::string(refusal->detail) + "\n"), 11, false, false);
    }
    ctx_.requestsOnConnection++;
    state_->requests++;
    state_->signal.changed();
    auto msg = parser.release();
    const bool keepAlive = msg.keep_alive();
    const unsigned version = msg.version();
    const bool head = msg.method() == http::verb::head;
    const HttpRequest req = requestFrom(std::move(msg), ctx_);
    const HttpResponse finalized = finalizedFor(*state_, callHandler(*state_, req, ctx_), ctx_);
    const bool recycleNow = recycle_ && !ctx_.handshakePending;
    return answer(finalized, version, keepAlive && !finalized.close && !recycleNow, head);
  }

 private:
  // What ServerSession::onReadError answers for a request it could not read; the connection closes.
  std::string refuse(beast::error_code ec) {
    unsigned status = 400;
    std::string body = "bad request\n";
    if (ec == http::error::header_limit) {
      state_->headerTooLarge++;
      status = 431;
      body = "request header fields too large\n";
    } else if (ec == http::error::body_limit) {
      state_->bodyTooLarge++;
      status = 413;
      body = "payload too large\n";
    } else {
      state_->badRequests++;
    }
    auto r = finalizeResponse(plainResponse(status, std::move(body)), state_->config.serverName);
    return answer(*r, 11, false, false);
  }

  std::string answer(const HttpResponse& out, unsigned version, bool keepAlive, bool head) {
    http::response<http::string_body> res;
    buildResponse(res, out, version, keepAlive, head);
    if (!keepAlive) {
      closed_ = true;
    }
    return serializeMessage(res);
  }

  std::shared_ptr<ServerState> state_;
  mutable std::mutex mu_;
  ConnectionContext ctx_;
  bool closed_ = false;
  bool recycle_ = false;
};

// The caller's handle on an InProcessSession (which the registry knows by a weak reference).
class InProcessConnection final : public InProcessHttpConnection {
 public:
  explicit InProcessConnection(std::shared_ptr<InProcessSession> session) : session_(std::move(session)) {}
  core::Result<std::string> exchange(std::string_view request) override {
    return session_->exchange(request);
  }
  bool closed() const override { return session_->closed(); }

 private:
  std::shared_ptr<InProcessSession> session_;
};

void startSession(const std::shared_ptr<ServerState>& state, tcp::socket socket, std::string peer) {
  state->connections++;
  if (!state->caps.admit(std::string(sourceAddress(peer)))) {
    state->rejectedConnections++;
    state->signal.changed();
    core::logDebug(kComponent, "connection from " + peer + " refused: connection limit reached");
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  if (state->tls) {
    std::make_shared<TlsSession>(std::move(socket), *state->tls, state, std::move(peer))->run();
  } else {
    std::make_shared<PlainSession>(std::move(socket), state, std::move(peer))->run();
  }
}

}  // namespace

// One io_context per I/O thread (concurrency hint 1: no locking inside Asio's scheduler), each connection on
// one of them: its reads, handler and writes run on that thread without a strand, and no thread wakes
// another to run them. Measured with bench/frontend-vs-apache.sh on 2 cores: two threads sharing one
// io_context (a strand per connection) cost 110 us of CPU per Negotiate request at saturation and 198 us
// at 2,000 requests/s, one thread 74 and 148 us.
struct HttpServer::Runtime {
  Runtime(unsigned threads, unsigned blockingThreads) {
    for (unsigned i = 0; i < threads; ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
    }
    if (blockingThreads != 0) {
      blocking.emplace(blockingThreads);
    }
  }
  std::vector<asio::io_context*> workers() const {
    std::vector<asio::io_context*> out;
    for (const auto& c : contexts) {
      out.push_back(c.get());
    }
    return out;
  }
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::optional<asio::thread_pool> blocking;
};

struct HttpServer::Impl {
  std::shared_ptr<ServerState> state;
  std::shared_ptr<Listener> listener;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::atomic<bool> stopped{false};
};

core::Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpServerConfig& config,
                                                            HttpHandler& handler) {
  beast::error_code ec;
  const auto addr = asio::ip::make_address(config.address, ec);
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
    KP_CHECK(loadServerTls(impl->state->tls, *config.tls));
    KP_TRY(impl->state->tlsServerEndPoint, serverEndPointOf(*config.tls));
  }
  // No strand per connection: its io_context has one thread, which serialises every handler of the
  // connection (answers from the blocking pool are posted to it); a strand would cost a lock per handler and
  // about 0.4 KiB per connection.
  impl->listener = std::make_shared<Listener>(*runtime->contexts.front(), runtime->workers(),
                                              std::string(kComponent),
                                              [state = impl->state](tcp::socket socket, std::string peer) {
                                                startSession(state, std::move(socket), std::move(peer));
                                              });
  KP_CHECK(impl->listener->open(tcp::endpoint(addr, config.port)));
  impl->port = impl->listener->port();
  for (const auto& context : runtime->contexts) {
    impl->work.push_back(asio::make_work_guard(*context));
  }
  impl->listener->run();
  for (const auto& context : runtime->contexts) {
    impl->threads.emplace_back([ioc = context.get(), state = impl->state.get()] {
      runIoContext(*ioc, kComponent, state->handlerExceptions);
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
  return HttpServerStats{s.connections.load(),       s.activeConnections.load(),
                         s.requests.load(),          s.badRequests.load(),
                         s.headerTooLarge.load(),    s.bodyTooLarge.load(),
                         s.timeouts.load(),          s.tlsHandshakeFailures.load(),
                         s.handlerExceptions.load(), s.rejectedConnections.load()};
}

bool HttpServer::waitForStats(const std::function<bool(const HttpServerStats&)>& condition,
                              std::chrono::milliseconds timeout) const {
  return impl_->state->signal.waitFor([&] { return condition(stats()); }, timeout);
}

core::Result<std::unique_ptr<InProcessHttpConnection>> HttpServer::connectInProcess(const std::string& peer) {
  auto& state = impl_->state;
  if (state->tls) {
    return makeError(
        ErrorCategory::Io, "connect_failed",
        "connect to " + state->config.address + ":" + std::to_string(impl_->port) +
            " (in process): the server speaks TLS, which the in-process transport does not carry");
  }
  state->connections++;
  if (!state->caps.admit(std::string(sourceAddress(peer)))) {
    state->rejectedConnections++;
    state->signal.changed();
    return makeError(ErrorCategory::Io, "connect_failed",
                     "connect to " + state->config.address + ":" + std::to_string(impl_->port) +
                         " (in process): the connection limit was reached");
  }
  auto session = std::make_shared<InProcessSession>(state, peer);
  if (!state->registry.add(session->id(), session)) {
    return makeError(ErrorCategory::Io, "connect_failed",
                     "connect to " + state->config.address + ":" + std::to_string(impl_->port) +
                         " (in process): the server is stopped");
  }
  return std::unique_ptr<InProcessHttpConnection>(std::make_unique<InProcessConnection>(std::move(session)));
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
  impl_->work.clear();
  for (auto& t : impl_->threads) {
    if (t.joinable()) {
      t.join();
    }
  }
  impl_->threads.clear();
}

}  // namespace kerbpool::net
