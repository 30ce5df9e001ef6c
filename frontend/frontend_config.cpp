#include "frontend/frontend_config.hpp"

namespace kerbpool::frontend {

net::HttpServerConfig serverConfigFor(const FrontendNodeConfig& node, net::HttpServerConfig base) {
  if (base.serverName.empty()) {
    base.serverName = "kerbpool-frontend/" + node.name;
  }
  return base;
}

}  // namespace kerbpool::frontend
