#pragma once

#include <catch2/catch.hpp>
#include <memory>

#include "net/http_server.hpp"

namespace kerbpool::test {

// Starts an HttpServer for `handler`, failing the test (with the error's words) when it cannot.
inline std::unique_ptr<net::HttpServer> startServer(const net::HttpServerConfig& config, net::HttpHandler& handler) {
  auto server = net::HttpServer::start(config, handler);
  if (!server.ok()) {
    FAIL(server.error().message());
  }
  return std::move(server).value();
}

}  // namespace kerbpool::test
