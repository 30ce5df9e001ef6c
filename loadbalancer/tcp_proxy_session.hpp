#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "loadbalancer/lb_state.hpp"
#include "loadbalancer/tcp_relay.hpp"
#include "loadbalancer/upstream_client.hpp"

namespace kerbpool::loadbalancer {

// Layer 4: the client connection is bound to one node for its whole life and bytes are relayed both ways
// untouched (TLS passes through). A node that refuses the connection is skipped for the next one; with no
// node left the client connection is closed. Once connected, both sockets go to `relay`, which passes
// half-closes on and closes both after `tcpIdleTimeout` without a byte either way (the session counts it in
// `timeouts`). `socket` must run on its own strand.
void startTcpProxySession(tcp::socket socket, std::shared_ptr<LbState> state,
                          std::shared_ptr<UpstreamConnector> upstream, std::shared_ptr<TcpRelay> relay,
                          std::string peer);

}  // namespace kerbpool::loadbalancer
