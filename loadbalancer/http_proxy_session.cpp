// Layer 7 proxy session (Beast proxy shape: an inbound server session, an outbound client chain on the same
// strand). The header rules live in forwarding_rules; the choice of node in BackendChooser.
#include "loadbalancer/http_proxy_session.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/common/log.hpp"
#include "loadbalancer/affinity.hpp"
#include "loadbalancer/forwarding_rules.hpp"
#include "loadbalancer/http_relay.hpp"
#include "loadbalancer/proxy_rules.hpp"
#include "net/http_write.hpp"
#include "net/server_session.hpp"
#include "net/tls_stream.hpp"

namespace kerbpool::loadbalancer {

namespace http = beast::http;

namespace {

template <class Derived>
class HttpProxySession : public net::ServerSession<Derived> {
  using Base = net::ServerSession<Derived>;

 public:
  HttpProxySession(std::shared_ptr<LbState> state, std::shared_ptr<UpstreamConnector> upstream,
                   std::string peer, bool tls)
      : Base(state->nextConnectionId++, kComponent, state->config.headerLimit),
        state_(std::move(state)),
        connector_(std::move(upstream)),
        peer_(std::move(peer)),
        tls_(tls) {
    clientAddress_ = std::string(addressOf(peer_));
    state_->counters.activeClientConnections++;
  }

  ~HttpProxySession() override {
    state_->registry.remove(this->id_);
    state_->counters.activeClientConnections--;
    state_->caps.release(std::string(net::sourceAddress(peer_)));
    state_->signal.changed();
  }

  void forceClose() override {
    asio::post(this->lowest().get_executor(), [self = this->derived().shared_from_this()] {
      self->closing_ = true;
      self->lowest().close();
      self->routing_.closeAll();
    });
  }

  // ---- what ServerSession asks of its Derived ------------------------------------------------------------

  net::SessionLimits sessionLimits() const {
    const auto& c = state_->config;
    return net::SessionLimits{c.headerLimit, c.bodyLimit, c.clientReadTimeout, c.clientIdleTimeout};
  }
  net::SessionCounters& sessionCounters() { return sessionCounters_; }
  bool mayWaitForNextRequest() const { return true; }
  bool idleWaitReads() const { return true; }  // one system call less per request (net/server_session.hpp)
  std::string sessionLabel() const { return "client #" + std::to_string(this->id_) + " from " + peer_; }
  void refuse(unsigned status, std::string body) { sendLocal(status, std::move(body), true); }

  // ---- one exchange with a node --------------------------------------------------------------------------

  void onRequestRead() {
    state_->counters.requests++;
    req_ = this->parser_->release();
    ClientRequestFacts facts;
    const bool framed = rewriteForNode(req_, clientAddress_, tls_, facts);
    clientVersion_ = facts.version;
    clientKeepAlive_ = facts.keepAlive;
    head_ = facts.head;
    idempotent_ = facts.idempotent;
    if (!framed) {
      state_->counters.badRequests++;
      sendLocal(400, "bad request\n", true);
      return;
    }
    routing_.excluded.clear();
    staleRetried_ = false;
    lastFailure_.clear();
    pickBackend();
  }

  void pickBackend() {
    const auto cookie = req_.find(http::field::cookie);
    std::string why;
    if (!routing_.pick(
            clientAddress_,
            cookie == req_.end() ? std::nullopt : std::optional<std::string_view>(sv(cookie->value())),
            why)) {
      if (!lastFailure_.empty()) {  // every node tried failed for this request
        state_->counters.badGateway++;
        sendLocal(502, lastFailure_, false);
      } else {
        state_->counters.serviceUnavailable++;
        core::logDebug(kComponent, "client #" + std::to_string(this->id_) + ": " + why);
        sendLocal(503, serviceUnavailableBody(why), false);
      }
      return;
    }
    routing_.takeConnection([&](std::size_t backend) { return connector_->takeIdle(backend); });
    routing_.upstream ? doUpstreamWrite() : doConnect();
  }

  void doConnect() {
    const auto& cfg = state_->config;
    connector_->connect(routing_.backend, this->lowest().get_executor(), cfg.backendTls,
                        cfg.upstreamConnectTimeout,
                        [self = this->derived().shared_from_this()](beast::error_code ec, UpstreamPtr conn,
                                                                    std::string_view what) {
                          self->onConnect(ec, std::move(conn), what);
                        });
  }

  void onConnect(beast::error_code ec, UpstreamPtr conn, std::string_view what) {
    if (closing_) {
      endExchange();
      return;
    }
    if (ec) {
      // Nothing was sent: any method may go to another node.
      countFailure(ec, what);
      endExchange();
      routing_.excluded.push_back(routing_.backend);
      state_->counters.retries++;
      pickBackend();
      return;
    }
    routing_.upstream = std::move(conn);
    doUpstreamWrite();
  }

  void doUpstreamWrite() {
    state_->pool.countRequest(routing_.backend);
    reqSr_.emplace(req_);
    routing_.upstream->visit([&](auto& s) {
      net::writeMessage(
          s, *reqSr_, state_->config.upstreamReadTimeout,
          asio::bind_executor(this->lowest().get_executor(), [self = this->derived().shared_from_this()](
                                                                 beast::error_code ec, std::size_t) {
            ec ? self->onUpstreamFailure(ec, "write request", false) : self->doUpstreamRead();
          }));
    });
  }

  void doUpstreamRead() {
    resParser_.emplace();
    resParser_->header_limit(kUpstreamHeaderLimit);
    resParser_->body_limit(state_->config.upstreamBodyLimit);
    resParser_->skip(head_);
    auto done = asio::bind_executor(
        this->lowest().get_executor(),
        [self = this->derived().shared_from_this()](beast::error_code ec) { self->onUpstreamRead(ec); });
    if (!routing_.upstream->tls()) {
      // From the socket itself, under the session's watchdog (see armWatchdog).
      upstreamDeadline_ = std::chrono::steady_clock::now() + state_->config.upstreamReadTimeout;
      upstreamReading_ = true;
      armWatchdog();
      // Started after what the scheduler already holds (see net::ServerSession::waitForNextRequest).
      asio::post(this->lowest().get_executor(),
                 [self = this->derived().shared_from_this(), done = std::move(done)]() mutable {
                   auto& upstream = *self->routing_.upstream;
                   net::asyncReadMessage(upstream.lowest().socket(), upstream.buffer(), *self->resParser_,
                                         net::ReadUntil::Message, std::move(done));
                 });
      return;
    }
    routing_.upstream->lowest().expires_after(state_->config.upstreamReadTimeout);
    routing_.upstream->visit([&](auto& s) {
      net::asyncReadMessage(s, routing_.upstream->buffer(), *resParser_, net::ReadUntil::Message,
                            std::move(done));
    });
  }

  // The read timeout of a plain node connection. Beast's stream would arm a timer for every read and cancel
  // it when the read completes (the cancelled wait then completes through the scheduler too); here a read
  // only moves the deadline, and the one timer of the session, once armed, wakes at the deadline it was armed
  // for: a read still pending then is either past its own deadline (the connection is closed and the read
  // reports a timeout) or started later (the timer waits again, for that read's deadline). A session whose
  // reads all completed lets the timer lapse. The wait holds the session weakly.
  void armWatchdog() {
    if (watchdogArmed_) {
      return;
    }
    if (!watchdog_) {
      watchdog_.emplace(this->lowest().get_executor());
    }
    watchdogArmed_ = true;
    watchdog_->expires_at(upstreamDeadline_);
    watchdog_->async_wait([weak = this->derived().weak_from_this()](beast::error_code ec) {
      if (auto self = weak.lock()) {
        self->onWatchdog(ec);
      }
    });
  }

  void onWatchdog(beast::error_code ec) {
    watchdogArmed_ = false;
    if (ec || !upstreamReading_ || !routing_.upstream) {
      return;
    }
    if (std::chrono::steady_clock::now() < upstreamDeadline_) {
      armWatchdog();
      return;
    }
    upstreamTimedOut_ = true;
    routing_.upstream->close();  // as Beast's stream does on a timeout: what the read does next fails too
  }

  void onUpstreamRead(beast::error_code ec) {
    upstreamReading_ = false;
    if (std::exchange(upstreamTimedOut_, false) && ec) {
      ec = beast::error::timeout;
    }
    if (ec) {
      onUpstreamFailure(ec, "read response", resParser_->got_some());
      return;
    }
    const unsigned status = resParser_->get().result_int();
    if (status >= 100 && status < 200) {
      if (status == 101) {
        onUpstreamFailure(asio::error::operation_not_supported, "protocol upgrade", true);
        return;
      }
      doUpstreamRead();  // an interim response: the final one follows
      return;
    }
    res_ = resParser_->release();
    routing_.upstream->exchanges++;
    endExchange();
    keepOrReleaseUpstream();
    rewriteForClient(res_, *state_,
                     routing_.setCookie ? std::optional<std::size_t>(routing_.backend) : std::nullopt);
    writeResponse(clientKeepAlive_);
  }

  // After a response: close the node's connection, keep it for this client connection, or give it to the
  // shared idle pool, by the connection model (see upstreamFate).
  void keepOrReleaseUpstream() {
    if (routing_.afterResponse(req_, res_) == UpstreamFate::Release) {
      routing_.upstream->lowest().expires_never();
      connector_->giveBack(std::move(routing_.upstream));
    }
  }

  void onUpstreamFailure(beast::error_code ec, std::string_view what, bool gotResponse) {
    const bool reused = routing_.upstream && routing_.upstream->exchanges > 0;
    if (routing_.upstream) {
      routing_.upstream->close();
      routing_.upstream.reset();
    }
    endExchange();
    if (closing_) {
      return;
    }
    // A kept-alive connection the node had closed: the request may be repeated once on a fresh connection
    // when nothing came back and repeating it is harmless.
    if (reused && !gotResponse && idempotent_ && !staleRetried_ && ec != beast::error::timeout) {
      staleRetried_ = true;
      state_->counters.retries++;
      beginExchange();
      doConnect();
      return;
    }
    countFailure(ec, what);
    state_->counters.badGateway++;
    sendLocal(502, lastFailure_, false);
  }

  void countFailure(beast::error_code ec, std::string_view what) {
    const auto& name = state_->pool.spec(routing_.backend).name;
    const std::string detail = ec == beast::error::timeout ? std::string("timeout") : ec.message();
    state_->pool.countError(routing_.backend);
    if (ec == beast::error::timeout) {
      state_->counters.timeouts++;
    }
    lastFailure_ = badGatewayBody(name, what, detail);
    core::logWarn(kComponent, "client #" + std::to_string(this->id_) + " " +
                                  std::string(sv(req_.method_string())) + " " +
                                  std::string(sv(req_.target())) + ": " + name + ": " + std::string(what) +
                                  ": " + detail);
  }

  void beginExchange() { routing_.beginExchange(); }
  void endExchange() { routing_.endExchange(); }

  // ---- outbound to the client ----------------------------------------------------------------------------

  void sendLocal(unsigned status, std::string body, bool closeAfter) {
    localResponse(res_, status, std::move(body));
    writeResponse(clientKeepAlive_ && !closeAfter);
  }

  void writeResponse(bool keepAlive) {
    keepAlive = frameForClient(res_, clientVersion_, keepAlive, head_);
    resSr_.emplace(res_);
    net::writeMessage(
        this->derived().stream(), *resSr_, state_->config.clientReadTimeout,
        [self = this->derived().shared_from_this(), keepAlive](beast::error_code ec, std::size_t) {
          if (ec) {
            self->fail(ec, "write response");
            return;
          }
          keepAlive ? self->readRequest() : self->derived().doEof();
        });
  }

 protected:
  std::shared_ptr<LbState> state_;

 private:
  std::shared_ptr<UpstreamConnector> connector_;
  std::string peer_;
  std::string clientAddress_;
  bool tls_;
  bool closing_ = false;
  // The balancer counts every refused request as a bad request.
  net::SessionCounters sessionCounters_{&state_->counters.badRequests, &state_->counters.badRequests,
                                        &state_->counters.badRequests, &state_->counters.timeouts};

  http::request<http::string_body> req_;
  unsigned clientVersion_ = 11;
  bool clientKeepAlive_ = true;
  bool head_ = false;
  bool idempotent_ = false;

  bool staleRetried_ = false;
  std::string lastFailure_;
  ClientRouting<UpstreamPtr> routing_{*state_};
  std::optional<http::response_parser<http::string_body>> resParser_;
  std::optional<asio::steady_timer> watchdog_;  // the read timeout of a plain node connection
  std::chrono::steady_clock::time_point upstreamDeadline_;
  bool watchdogArmed_ = false;
  bool upstreamReading_ = false;
  bool upstreamTimedOut_ = false;
  http::response<http::string_body> res_;
  std::optional<http::request_serializer<http::string_body>> reqSr_;
  std::optional<http::response_serializer<http::string_body>> resSr_;
};

class PlainProxySession : public HttpProxySession<PlainProxySession>,
                          public std::enable_shared_from_this<PlainProxySession> {
 public:
  PlainProxySession(tcp::socket&& socket, std::shared_ptr<LbState> state,
                    std::shared_ptr<UpstreamConnector> upstream, std::string peer)
      : HttpProxySession(std::move(state), std::move(upstream), std::move(peer), false),
        stream_(std::move(socket)) {}

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

class TlsProxySession : public HttpProxySession<TlsProxySession>,
                        public std::enable_shared_from_this<TlsProxySession> {
 public:
  TlsProxySession(tcp::socket&& socket, ssl::context& ctx, std::shared_ptr<LbState> state,
                  std::shared_ptr<UpstreamConnector> upstream, std::string peer)
      : HttpProxySession(std::move(state), std::move(upstream), std::move(peer), true),
        stream_(std::move(socket), ctx) {}

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->registered(self->state_->registry)) {
        return;
      }
      self->lowest().expires_after(self->state_->config.clientReadTimeout);
      self->stream_.async_handshake([self](beast::error_code ec) {
        if (ec) {
          self->state_->counters.tlsHandshakeFailures++;
          self->state_->signal.changed();
          self->fail(ec, "tls handshake");
          return;
        }
        self->readRequest();
      });
    });
  }
  net::TlsStream& stream() { return stream_; }
  void doEof() {
    lowest().expires_after(std::min(state_->config.clientReadTimeout, kMaxLinger));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->lingerAndClose(); });
  }

 private:
  net::TlsStream stream_;  // holds no TLS buffers while the client connection is idle
};

}  // namespace

void startHttpProxySession(tcp::socket socket, ssl::context* tls, std::shared_ptr<LbState> state,
                           std::shared_ptr<UpstreamConnector> upstream, std::string peer) {
  if (tls) {
    std::make_shared<TlsProxySession>(std::move(socket), *tls, std::move(state), std::move(upstream),
                                      std::move(peer))
        ->run();
  } else {
    std::make_shared<PlainProxySession>(std::move(socket), std::move(state), std::move(upstream),
                                        std::move(peer))
        ->run();
  }
}

}  // namespace kerbpool::loadbalancer
