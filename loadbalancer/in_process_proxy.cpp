// The balancer's sessions on the in-process transport. The layer 7 one follows HttpProxySession's steps
// (http_proxy_session.cpp) one for one, synchronously, with the decisions taken from proxy_rules.hpp: pick a
// node (under the haproxy model, the node that challenged this client connection), take a node connection
// (held, idle or new), relay, then keep, pool or close it.
#include "loadbalancer/in_process_proxy.hpp"

#include <algorithm>
#include <boost/beast/http/parser.hpp>
#include <optional>

#include "core/common/log.hpp"
#include "loadbalancer/affinity.hpp"
#include "loadbalancer/forwarding_rules.hpp"
#include "loadbalancer/http_relay.hpp"
#include "loadbalancer/proxy_rules.hpp"
#include "net/in_process_parse.hpp"
#include "net/request_framing.hpp"

namespace kerbpool::loadbalancer {

namespace http = beast::http;
using core::ErrorCategory;
using core::makeError;

namespace {

class InProcessProxySession final : public net::InProcessHttpConnection {
 public:
  InProcessProxySession(std::shared_ptr<InProcessProxy> proxy, std::string peer)
      : proxy_(std::move(proxy)),
        state_(proxy_->state()),
        id_(state_->nextConnectionId++),
        peer_(std::move(peer)),
        clientAddress_(addressOf(peer_)) {
    state_->counters.activeClientConnections++;
  }

  ~InProcessProxySession() override {
    state_->counters.activeClientConnections--;
    state_->caps.release(std::string(net::sourceAddress(peer_)));
    state_->signal.changed();
  }

  bool closed() const override { return closed_ || proxy_->stopped(); }

  core::Result<std::string> exchange(std::string_view octets) override {
    if (closed()) {
      return makeError(
          ErrorCategory::Io, "connection_closed",
          "client #" + std::to_string(id_) + " from " + peer_ + " (in process): closed by the balancer");
    }
    const auto& cfg = state_->config;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(cfg.headerLimit, UINT32_MAX)));
    parser.body_limit(cfg.bodyLimit);
    if (const auto ec = net::parseWholeMessage(parser, octets, cfg.headerLimit)) {
      // What ServerSession answers a request it could not read; the balancer counts each as a bad request.
      state_->counters.badRequests++;
      const unsigned status = ec == http::error::header_limit ? 431
                              : ec == http::error::body_limit ? 413
                                                              : 400;
      return sendLocal(status,
                       status == 431   ? "request header fields too large\n"
                       : status == 413 ? "payload too large\n"
                                       : "bad request\n",
                       true);
    }
    if (const auto refusal = net::checkRequestFraming(net::framingOf(parser.get().base()))) {
      state_->counters.badRequests++;
      return sendLocal(refusal->status, std::string(refusal->detail) + "\n", true);
    }
    state_->counters.requests++;
    req_ = parser.release();
    if (!rewriteForNode(req_, clientAddress_, false, facts_)) {
      state_->counters.badRequests++;
      return sendLocal(400, "bad request\n", true);
    }
    routing_.excluded.clear();
    lastFailure_.clear();
    bool staleRetried = false;
    bool pick = true;
    while (true) {
      if (pick && !pickBackend()) {
        if (!lastFailure_.empty()) {  // every node tried failed for this request
          state_->counters.badGateway++;
          return sendLocal(502, lastFailure_, false);
        }
        state_->counters.serviceUnavailable++;
        return sendLocal(503, serviceUnavailableBody(pickFailure_), false);
      }
      pick = true;
      if (!routing_.upstream) {
        auto conn = proxy_->connectNode(routing_.backend);
        if (!conn.ok()) {
          // Nothing was sent: any method may go to another node.
          countFailure("connect", conn.error().detail);
          endExchange();
          routing_.excluded.push_back(routing_.backend);
          state_->counters.retries++;
          continue;
        }
        routing_.upstream = std::move(*conn);
      }
      state_->pool.countRequest(routing_.backend);
      auto answer = routing_.upstream->connection->exchange(net::serializeMessage(req_));
      std::optional<http::response_parser<http::string_body>> resParser;
      std::string failure;
      std::string what = "read response";
      if (!answer.ok()) {
        failure = "connection closed";
        what = "write request";
      } else {
        resParser.emplace();
        resParser->header_limit(kUpstreamHeaderLimit);
        resParser->body_limit(cfg.upstreamBodyLimit);
        resParser->skip(facts_.head);
        if (const auto ec = net::parseWholeMessage(*resParser, *answer, kUpstreamHeaderLimit)) {
          failure = ec.message();
        } else if (resParser->get().result_int() < 200) {
          failure = "an interim response where the final one was due";
        }
      }
      if (failure.empty()) {
        res_ = resParser->release();
        break;
      }
      // A kept-alive connection the node had closed: the request may be repeated once on a fresh connection
      // when nothing came back and repeating it is harmless.
      const bool reused = routing_.upstream->exchanges > 0;
      routing_.upstream.reset();
      endExchange();
      if (!answer.ok() && reused && facts_.idempotent && !staleRetried) {
        staleRetried = true;
        state_->counters.retries++;
        beginExchange();
        pick = false;
        continue;
      }
      countFailure(what, failure);
      state_->counters.badGateway++;
      return sendLocal(502, lastFailure_, false);
    }
    routing_.upstream->exchanges++;
    endExchange();
    keepOrReleaseUpstream();
    rewriteForClient(res_, *state_,
                     routing_.setCookie ? std::optional<std::size_t>(routing_.backend) : std::nullopt);
    return writeResponse(facts_.keepAlive);
  }

 private:
  // The node for this request and its connection, when this client connection has one for it (see
  // ClientRouting). False: no node can take it (pickFailure_ says why).
  bool pickBackend() {
    const auto cookie = req_.find(http::field::cookie);
    if (!routing_.pick(
            clientAddress_,
            cookie == req_.end() ? std::nullopt : std::optional<std::string_view>(sv(cookie->value())),
            pickFailure_)) {
      core::logDebug(kComponent, "client #" + std::to_string(id_) + ": " + pickFailure_);
      return false;
    }
    routing_.takeConnection([&](std::size_t backend) { return proxy_->takeIdle(backend); });
    return true;
  }

  void keepOrReleaseUpstream() {
    if (routing_.afterResponse(req_, res_) == UpstreamFate::Release) {
      proxy_->giveBack(std::move(routing_.upstream));
    }
  }

  void countFailure(std::string_view what, const std::string& detail) {
    const auto& name = state_->pool.spec(routing_.backend).name;
    state_->pool.countError(routing_.backend);
    lastFailure_ = badGatewayBody(name, what, detail);
    core::logWarn(kComponent, "client #" + std::to_string(id_) + " " + std::string(sv(req_.method_string())) +
                                  " " + std::string(sv(req_.target())) + ": " + name + ": " +
                                  std::string(what) + ": " + detail);
  }

  void beginExchange() { routing_.beginExchange(); }
  void endExchange() { routing_.endExchange(); }

  std::string sendLocal(unsigned status, std::string body, bool closeAfter) {
    localResponse(res_, status, std::move(body));
    return writeResponse(facts_.keepAlive && !closeAfter);
  }

  std::string writeResponse(bool keepAlive) {
    if (!frameForClient(res_, facts_.version, keepAlive, facts_.head)) {
      closed_ = true;
    }
    std::string octets = net::serializeMessage(res_);
    res_ = {};
    return octets;
  }

  std::shared_ptr<InProcessProxy> proxy_;
  std::shared_ptr<LbState> state_;
  std::uint64_t id_;
  std::string peer_;
  std::string clientAddress_;
  bool closed_ = false;

  ProxyRequest req_;
  ProxyResponse res_;
  ClientRequestFacts facts_;
  std::string lastFailure_;
  std::string pickFailure_;
  ClientRouting<InProcessProxy::NodePtr> routing_{*state_};
};

// Layer 4 on the in-process transport (TcpProxySession's steps): the node is chosen and connected when the
// client connects, by client address, another one tried when the connection fails; then the octets pass both
// ways untouched, and the node's close is the client's.
class InProcessRelaySession final : public net::InProcessHttpConnection {
 public:
  InProcessRelaySession(std::shared_ptr<InProcessProxy> proxy, std::string peer)
      : proxy_(std::move(proxy)),
        state_(proxy_->state()),
        id_(state_->nextConnectionId++),
        peer_(std::move(peer)) {
    state_->counters.activeClientConnections++;
    const std::string clientAddress(addressOf(peer_));
    std::vector<std::size_t> excluded;
    while (true) {
      auto pick = state_->chooser.choose(PickContext{clientAddress, std::nullopt}, excluded);
      if (!pick.ok()) {
        state_->counters.serviceUnavailable++;
        core::logInfo(kComponent, "client #" + std::to_string(id_) + " from " + peer_ +
                                      " closed: " + pick.error().detail);
        return;
      }
      backend_ = pick->backend;
      auto conn = proxy_->connectNode(backend_);
      if (conn.ok()) {
        upstream_ = std::move(*conn);
        state_->pool.acquire(backend_);
        state_->pool.countRequest(backend_);
        return;
      }
      state_->pool.countError(backend_);
      core::logWarn(kComponent, "client #" + std::to_string(id_) + ": " + state_->pool.spec(backend_).name +
                                    ": connect: " + conn.error().detail);
      excluded.push_back(backend_);
      state_->counters.retries++;
    }
  }

  ~InProcessRelaySession() override {
    if (upstream_) {
      state_->pool.release(backend_);
    }
    state_->counters.activeClientConnections--;
    state_->caps.release(std::string(net::sourceAddress(peer_)));
    state_->signal.changed();
  }

  bool closed() const override {
    return !upstream_ || !upstream_->connection || upstream_->connection->closed() || proxy_->stopped();
  }

  core::Result<std::string> exchange(std::string_view octets) override {
    if (closed()) {
      return makeError(
          ErrorCategory::Io, "connection_closed",
          "client #" + std::to_string(id_) + " from " + peer_ + " (in process): closed by the balancer");
    }
    return upstream_->connection->exchange(octets);
  }

 private:
  std::shared_ptr<InProcessProxy> proxy_;
  std::shared_ptr<LbState> state_;
  std::uint64_t id_;
  std::string peer_;
  std::size_t backend_ = 0;
  InProcessProxy::NodePtr upstream_;
};

}  // namespace

InProcessProxy::InProcessProxy(std::shared_ptr<LbState> state, net::InProcessHttpNetwork& nodes,
                               std::vector<std::pair<std::string, std::uint16_t>> endpoints,
                               std::string ownAddress)
    : state_(std::move(state)),
      nodes_(nodes),
      endpoints_(std::move(endpoints)),
      ownAddress_(std::move(ownAddress)),
      idle_(endpoints_.size()) {}

core::Result<std::unique_ptr<net::InProcessHttpConnection>> InProcessProxy::connect(const std::string& peer) {
  if (stopped()) {
    return makeError(ErrorCategory::Io, "connect_failed", "the balancer (in process) is stopped");
  }
  if (!state_->caps.admit(std::string(net::sourceAddress(peer)))) {
    state_->counters.rejectedConnections++;
    state_->signal.changed();
    return makeError(ErrorCategory::Io, "connect_failed",
                     "the balancer (in process) refused " + peer + ": connection limit reached");
  }
  state_->counters.clientConnections++;
  if (state_->config.mode == LbMode::Tcp) {
    return std::unique_ptr<net::InProcessHttpConnection>(
        std::make_unique<InProcessRelaySession>(shared_from_this(), peer));
  }
  return std::unique_ptr<net::InProcessHttpConnection>(
      std::make_unique<InProcessProxySession>(shared_from_this(), peer));
}

void InProcessProxy::stop() {
  std::vector<std::deque<NodePtr>> doomed;
  std::lock_guard lock(mu_);
  stopped_ = true;
  doomed.swap(idle_);
}

bool InProcessProxy::stopped() const {
  return stopped_.load();
}

core::Result<InProcessProxy::NodePtr> InProcessProxy::connectNode(std::size_t backend) {
  const auto& [address, port] = endpoints_.at(backend);
  KP_TRY(auto connection, nodes_.connect(ownAddress_, address, port));
  state_->pool.countConnection(backend);
  auto node = std::make_unique<NodeConnection>();
  node->backendIndex = backend;
  node->connection = std::move(connection);
  return node;
}

InProcessProxy::NodePtr InProcessProxy::takeIdle(std::size_t backend) {
  std::lock_guard lock(mu_);
  if (backend >= idle_.size()) {
    return nullptr;
  }
  auto& q = idle_[backend];
  // The most recently used first; one the node has closed meanwhile is dropped here (a socket would find
  // out on its next write, and the request would be repeated on a new connection).
  while (!q.empty()) {
    auto c = std::move(q.back());
    q.pop_back();
    if (!c->connection->closed()) {
      return c;
    }
  }
  return nullptr;
}

void InProcessProxy::giveBack(NodePtr connection) {
  std::lock_guard lock(mu_);
  if (stopped_ || connection->backend() >= idle_.size() ||
      idle_[connection->backend()].size() >= state_->config.maxIdlePerBackend) {
    return;  // closed as it goes
  }
  idle_[connection->backend()].push_back(std::move(connection));
}

}  // namespace kerbpool::loadbalancer
