#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "loadbalancer/lb_state.hpp"
#include "net/in_process_http.hpp"

// The balancer on the in-process transport (net/in_process_http.hpp), with the same LbState as its socket
// sessions (policy, affinity, health, counters). Layer 7: a client connection's requests are rewritten,
// routed and relayed to node connections by the socket session's rules (proxy_rules.hpp, connection models
// included). Layer 4: the client connection is tied to one node connection and its octets pass untouched.
// Plain HTTP only (no TLS at the VIP or to the nodes).
namespace kerbpool::loadbalancer {

class InProcessProxy : public std::enable_shared_from_this<InProcessProxy> {
 public:
  // `nodes` reaches the nodes at `endpoints` (address, port; in backend order) and must outlive the proxy;
  // `ownAddress` is the balancer's address, the source of its node connections.
  InProcessProxy(std::shared_ptr<LbState> state, net::InProcessHttpNetwork& nodes,
                 std::vector<std::pair<std::string, std::uint16_t>> endpoints, std::string ownAddress);

  // A client connection from `peer`. Errors (Io): connect_failed (over the connection caps, the balancer
  // stopped).
  core::Result<std::unique_ptr<net::InProcessHttpConnection>> connect(const std::string& peer);
  void stop();

  struct NodeConnection {
    std::size_t backend() const { return backendIndex; }
    void close() { connection.reset(); }
    std::size_t backendIndex = 0;
    std::unique_ptr<net::InProcessHttpConnection> connection;
    std::uint64_t exchanges = 0;  // completed request/response pairs; above 0: a reused connection
    bool isPrivate = false;
  };
  using NodePtr = std::unique_ptr<NodeConnection>;

  // Errors: the node network's (connection refused, the node's refusal).
  core::Result<NodePtr> connectNode(std::size_t backend);
  NodePtr takeIdle(std::size_t backend);
  void giveBack(NodePtr connection);
  const std::shared_ptr<LbState>& state() const { return state_; }
  bool stopped() const;

 private:
  std::shared_ptr<LbState> state_;
  net::InProcessHttpNetwork& nodes_;
  std::vector<std::pair<std::string, std::uint16_t>> endpoints_;
  std::string ownAddress_;
  mutable std::mutex mu_;
  std::vector<std::deque<NodePtr>> idle_;
  // Read on every client request (closed()): not behind mu_, which the idle pool's users contend for.
  std::atomic<bool> stopped_{false};
};

}  // namespace kerbpool::loadbalancer
