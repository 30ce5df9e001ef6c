#include "loadbalancer/echo_backend.hpp"

namespace kerbpool::loadbalancer {

net::HttpResponse EchoBackendHandler::handle(const net::HttpRequest& request,
                                                  net::ConnectionContext& connection) {
  net::HttpResponse r;
  r.add("Content-Type", "text/plain");
  r.add("X-Backend", name_);
  if (request.target == "/health") {
    const bool healthy = healthy_.load();
    r.status = healthy ? 200 : 503;
    r.body = healthy ? "ok\n" : "unhealthy\n";
    return r;
  }
  requests_++;
  r.body = "node=" + name_ + " conn=" + std::to_string(connection.id) +
           " req=" + std::to_string(connection.requestsOnConnection) +
           " xff=" + std::string(request.header("X-Forwarded-For").value_or("-")) +
           " target=" + request.target + "\n";
  return r;
}

}  // namespace kerbpool::loadbalancer
