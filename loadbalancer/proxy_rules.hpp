#pragma once

// The layer 7 session's decisions without I/O, shared by the socket session (http_proxy_session.cpp) and the
// in-process one (in_process_proxy.cpp): how a request is rewritten for a node, what becomes of a node's
// connection after a response under each connection model, how the client's response is framed, and which
// node connections a client connection keeps. Beast message types; no sockets.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadbalancer/lb_config.hpp"

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

}  // namespace kerbpool::loadbalancer
