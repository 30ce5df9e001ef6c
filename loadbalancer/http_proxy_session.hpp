#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "loadbalancer/lb_state.hpp"
#include "loadbalancer/upstream_client.hpp"

namespace kerbpool::loadbalancer {

// Layer 7: one client connection (plain, or TLS terminated with `tls`). Each request is read with Beast,
// given X-Forwarded-For, sent to a node chosen for THIS request over a pooled keep-alive upstream connection
// and the response relayed back. Without affinity, consecutive requests of one client connection may go to
// different nodes and different upstream connections (what breaks NTLM); with affinity the session keeps its
// upstream connection while the node stays the same. `socket` must run on its own strand.
void startHttpProxySession(tcp::socket socket, ssl::context* tls, std::shared_ptr<LbState> state,
                           std::shared_ptr<UpstreamConnector> upstream, std::string peer);

}  // namespace kerbpool::loadbalancer
