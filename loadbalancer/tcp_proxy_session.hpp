#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "loadbalancer/lb_state.hpp"
#include "loadbalancer/upstream_client.hpp"

namespace kerbpool::loadbalancer {

// Layer 4: the client connection is bound to one node for its whole life and bytes are relayed both ways
// untouched (TLS passes through). A node that refuses the connection is skipped for the next one; with no
// node left the client connection is closed. Half-closes are passed on; `tcpIdleTimeout` without a byte
// either way closes both. `socket` must run on its own strand.
void startTcpProxySession(tcp::socket socket, std::shared_ptr<LbState> state,
                          std::shared_ptr<UpstreamConnector> upstream, std::string peer);

}  // namespace kerbpool::loadbalancer
