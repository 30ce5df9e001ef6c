#pragma once

#include <optional>
#include <string>

#include "core/acceptor/replay_cache.hpp"
#include "frontend/auth_filter.hpp"
#include "frontend/web_tickets.hpp"
#include "net/http_server.hpp"

namespace kerbpool::frontend {

// What one front-end node is: its name, its authentication settings and its replay cache's bounds.
struct FrontendNodeConfig {
  std::string name = "fe01";  // in logs, the health answer and the X-Kerbpool-Node field
  AuthFilterOptions auth;
  core::acceptor::ReplayCacheOptions replay;
  // Lync's web services (discovery, WebTicket, UCWA with web tickets); nullopt: not served.
  std::optional<WebServiceConfig> webServices;
};

// A node plus its listener, as `kerbpool frontend` runs it.
struct FrontendConfig {
  FrontendNodeConfig node;
  net::HttpServerConfig server;
};

// Server settings for a node: Server field "kerbpool-frontend/<name>".
net::HttpServerConfig serverConfigFor(const FrontendNodeConfig& node, net::HttpServerConfig base = {});

}  // namespace kerbpool::frontend
