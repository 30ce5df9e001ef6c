#include "loadbalancer/lb_stats.hpp"

namespace kerbpool::loadbalancer {

namespace {
std::string n(std::uint64_t v) {
  return std::to_string(v);
}
}  // namespace

std::string formatStats(const LbStats& s) {
  const auto& t = s.totals;
  std::string out = "  connections " + n(t.clientConnections) + " (active " + n(t.activeClientConnections) +
                    ", rejected " + n(t.rejectedConnections) + ")  requests " + n(t.requests) + "  400 " +
                    n(t.badRequests) + "  502 " + n(t.badGateway) + "  503 " + n(t.serviceUnavailable) +
                    "  retries " + n(t.retries) + "  timeouts " + n(t.timeouts) + "  tls-failures " +
                    n(t.tlsHandshakeFailures) + "  health-transitions " + n(t.healthTransitions) +
                    "  private " + n(t.privateConnections) + "\n";
  for (const auto& b : s.backends) {
    out += "  " + b.name + " " + b.address + " " + (b.up ? "UP" : "DOWN") + (b.draining ? " draining" : "") +
           "  requests " + n(b.requests) + "  connections " + n(b.connections) + "  errors " + n(b.errors) +
           "  active " + n(b.active) + "  down " + n(b.wentDown) + "  up " + n(b.cameUp) + "  checks " +
           n(b.checks) + " (failed " + n(b.failedChecks) + ")\n";
  }
  return out;
}

}  // namespace kerbpool::loadbalancer
