#pragma once

// The layer 7 session's decisions without I/O, shared by the socket session (http_proxy_session.cpp) and the
// in-process one (in_process_proxy.cpp): how a request is rewritten for a node, what becomes of a node's
// connection after a response under each connection model, how the client's response is framed, and which
// node connections a client connection keeps. Beast message types; no sockets.
#include <algorithm>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadbalancer/lb_config.hpp"
#include "loadbalancer/lb_state.hpp"

namespace kerbpool::loadbalancer {

using ProxyRequest = boost::beast::http::request<boost::beast::http::string_body>;
using ProxyResponse = boost::beast::http::response<boost::beast::http::string_body>;

// A node's response header, in octets (generous: the balancer's own limits protect it from clients).
inline constexpr std::uint32_t kUpstreamHeaderLimit = 64 * 1024;

// What the client's request says about itself, read before it is rewritten.
struct ClientRequestFacts {
  unsigned version = 11;
  bool keepAlive = true;
  bool head = false;
  bool idempotent = false;
};

// Rewrites the client's request for a node: hop-by-hop fields and Expect dropped, X-Forwarded-For and
// X-Forwarded-Proto set, HTTP/1.1 keep-alive. False: Beast cannot frame it (answer 400).
bool rewriteForNode(ProxyRequest& req, std::string_view clientAddress, bool tls, ClientRequestFacts& facts);

// What becomes of the node's connection after a response (see ConnectionModel).
enum class UpstreamFate {
  Close,        // closed
  KeepPrivate,  // a connection challenge (NTLM/Negotiate): private to this client connection, node preferred
  KeepForClient,  // stays with this client connection (private already, or it carried a logon)
  Release,        // to the shared idle pool
};
UpstreamFate upstreamFate(const LbConfig& config, const ProxyRequest& req, const ProxyResponse& res,
                          bool isPrivate);

// A node's response on its way to the client: hop-by-hop fields dropped, and the affinity cookie naming
// `cookieFor` when the policy asked for one.
void rewriteForClient(ProxyResponse& res, const LbState& state, std::optional<std::size_t> cookieFor);

// The balancer's own answer (502, 503, 400).
void localResponse(ProxyResponse& res, unsigned status, std::string body);

// Frames the response for the client (its HTTP version, keep-alive, HEAD without a body). An answer Beast
// cannot frame becomes a 502 and the connection closes. Returns whether the client connection stays open.
bool frameForClient(ProxyResponse& res, unsigned clientVersion, bool keepAlive, bool head);

// haproxy model: a client connection's idle node connections to nodes other than its current one, at most
// one per node (HAProxy keeps a session's server connections; without them every authenticated request to
// another node would reconnect). `Ptr` is a pointer-like connection with backend() and close().
template <class Ptr>
class HeldConnections {
 public:
  void hold(Ptr conn) {
    for (auto& held : held_) {
      if (held->backend() == conn->backend()) {
        held->close();
        held = std::move(conn);
        return;
      }
    }
    held_.push_back(std::move(conn));
  }
  Ptr take(std::size_t backend) {
    for (auto it = held_.begin(); it != held_.end(); ++it) {
      if ((*it)->backend() == backend) {
        Ptr conn = std::move(*it);
        held_.erase(it);
        return conn;
      }
    }
    return nullptr;
  }
  void closeAll() {
    for (auto& held : held_) {
      held->close();
    }
  }

 private:
  std::vector<Ptr> held_;
};

// What a client connection's layer 7 session keeps between requests (its node connections, the node that
// challenged it) and how it picks the node and the node connection for each request, for both sessions.
// `Ptr` is a pointer-like node connection with backend(), close() and isPrivate. One user (the session).
template <class Ptr>
class ClientRouting {
 public:
  std::size_t backend = 0;            // the current request's node
  bool setCookie = false;             // the policy asks for an affinity cookie on the response
  std::vector<std::size_t> excluded;  // nodes that failed the current request
  Ptr upstream;                       // the node connection of the current (or last) request

  explicit ClientRouting(LbState& state) : state_(state) {}
  ~ClientRouting() {
    endExchange();
    if (upstream) {
      upstream->close();  // pinned or half-used: never handed to another client
    }
    held_.closeAll();
  }

  // The node for this request: under the haproxy model the node that challenged this client connection while
  // it is up and not excluded (prefer-last-server), else the policy's choice. False with the chooser's
  // reason when no node can take it.
  bool pick(std::string_view clientAddress, std::optional<std::string_view> cookie, std::string& why) {
    if (preferred_ && (!state_.pool.available(*preferred_) ||
                       std::find(excluded.begin(), excluded.end(), *preferred_) != excluded.end())) {
      preferred_.reset();
    }
    if (preferred_) {
      backend = *preferred_;
      setCookie = false;
      return true;
    }
    auto chosen = state_.chooser.choose(PickContext{clientAddress, cookie}, excluded);
    if (!chosen.ok()) {
      why = chosen.error().detail;
      return false;
    }
    backend = chosen->backend;
    setCookie = chosen->setCookie;
    return true;
  }

  // The connection for `backend`: the current one when it goes there, else one this client connection holds
  // (haproxy model) or, except for a client connection's first request under the haproxy model (http-reuse
  // safe), an idle one from `takeIdle(backend)`; `upstream` stays empty when a new one must be opened. The
  // exchange counts as begun (least-conn sees it).
  template <class TakeIdle>
  void takeConnection(TakeIdle&& takeIdle) {
    const auto model = state_.config.connectionModel;
    if (upstream && upstream->backend() != backend) {
      if (model == ConnectionModel::Private) {
        held_.hold(std::move(upstream));  // this client's, for when the policy picks that node again
      } else {
        upstream->close();  // a pinned connection to the previous node
        upstream = nullptr;
      }
    }
    if (!upstream) {
      upstream = held_.take(backend);
    }
    if (!upstream && !(model == ConnectionModel::Private && requestsSent_ == 0)) {
      upstream = takeIdle(backend);
    }
    ++requestsSent_;
    beginExchange();
  }

  // After a response: closes the node connection, keeps it (marking it private and its node preferred on a
  // connection challenge) or leaves it to the caller to give to the shared pool (Release).
  UpstreamFate afterResponse(const ProxyRequest& req, const ProxyResponse& res) {
    const auto fate = upstreamFate(state_.config, req, res, upstream->isPrivate);
    if (fate == UpstreamFate::Close) {
      upstream->close();
      upstream = nullptr;
    } else if (fate == UpstreamFate::KeepPrivate) {
      if (!upstream->isPrivate) {
        upstream->isPrivate = true;
        state_.counters.privateConnections++;
      }
      preferred_ = backend;
    }
    return fate;
  }

  void beginExchange() {
    state_.pool.acquire(backend);
    inFlight_ = true;
  }

  void endExchange() {
    if (inFlight_) {
      state_.pool.release(backend);
      inFlight_ = false;
      state_.signal.changed();
    }
  }

  void closeAll() {
    if (upstream) {
      upstream->close();
    }
    held_.closeAll();
  }

 private:
  LbState& state_;
  std::optional<std::size_t> preferred_;  // haproxy model: the node that challenged this client connection
  std::uint64_t requestsSent_ = 0;        // to nodes, on this client connection
  bool inFlight_ = false;
  HeldConnections<Ptr> held_;  // haproxy model: this client's idle node connections to other nodes
};

}  // namespace kerbpool::loadbalancer
