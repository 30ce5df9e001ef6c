#include "loadbalancer/lb_config.hpp"

#include <charconv>
#include <set>

namespace kerbpool::loadbalancer {

using core::ErrorCategory;
using core::makeError;

namespace {

bool isTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.';
}

bool isToken(std::string_view s) {
  if (s.empty() || s.size() > 64) {
    return false;
  }
  for (char c : s) {
    if (!isTokenChar(c)) {
      return false;
    }
  }
  return true;
}

core::Error configError(std::string code, std::string detail) {
  return makeError(ErrorCategory::Config, std::move(code), std::move(detail));
}

}  // namespace

core::Result<HostPort> parseHostPort(std::string_view text, bool allowZero) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return configError("bad_host_port", "'" + std::string(text) + "': expected [IPv6]:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return configError("bad_host_port", "'" + std::string(text) + "': expected HOST:PORT");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() ||
      value > 65535 || (value == 0 && !allowZero)) {
    return configError("bad_host_port", "'" + std::string(text) + "': expected HOST:PORT with PORT in " +
                                            (allowZero ? "0" : "1") + "..65535");
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(value)};
}

core::Result<BackendSpec> parseBackendSpec(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    return configError("bad_backend", "backend '" + std::string(text) + "': expected NAME=HOST:PORT");
  }
  const auto name = text.substr(0, eq);
  if (!isToken(name)) {
    return configError("bad_backend", "backend '" + std::string(text) +
                                          "': the name must be 1..64 letters, digits, '-', '_' or '.'");
  }
  auto hp = parseHostPort(text.substr(eq + 1));
  if (!hp.ok()) {
    return std::move(hp).error().within("backend " + std::string(name));
  }
  return BackendSpec{std::string(name), hp->host, hp->port};
}

core::Result<LbMode> parseMode(std::string_view text) {
  if (text == "tcp") {
    return LbMode::Tcp;
  }
  if (text == "http") {
    return LbMode::Http;
  }
  return configError("bad_mode", "mode '" + std::string(text) + "': expected tcp or http");
}

core::Result<PolicyKind> parsePolicy(std::string_view text) {
  if (text == "round-robin") {
    return PolicyKind::RoundRobin;
  }
  if (text == "least-conn") {
    return PolicyKind::LeastConnections;
  }
  if (text == "random") {
    return PolicyKind::Random;
  }
  return configError("bad_policy",
                     "policy '" + std::string(text) + "': expected round-robin, least-conn or random");
}

core::Result<AffinityMode> parseAffinity(std::string_view text) {
  if (text == "none") {
    return AffinityMode::None;
  }
  if (text == "source") {
    return AffinityMode::SourceHash;
  }
  if (text == "source-sticky") {
    return AffinityMode::SourceSticky;
  }
  if (text == "cookie") {
    return AffinityMode::Cookie;
  }
  return configError("bad_affinity",
                     "affinity '" + std::string(text) + "': expected none, source, source-sticky or cookie");
}

core::Result<ConnectionModel> parseConnectionModel(std::string_view text) {
  if (text == "per-request") {
    return ConnectionModel::PerRequest;
  }
  if (text == "haproxy") {
    return ConnectionModel::Private;
  }
  if (text == "server-close") {
    return ConnectionModel::ServerClose;
  }
  return configError("bad_connection_model", "connection model '" + std::string(text) +
                                                 "': expected per-request, haproxy or server-close");
}

std::string_view toString(ConnectionModel model) {
  switch (model) {
    case ConnectionModel::PerRequest:
      return "per-request";
    case ConnectionModel::Private:
      return "haproxy";
    case ConnectionModel::ServerClose:
      return "server-close";
  }
  return "?";
}

std::string_view toString(LbMode mode) {
  return mode == LbMode::Tcp ? "tcp" : "http";
}

std::string_view toString(PolicyKind policy) {
  switch (policy) {
    case PolicyKind::RoundRobin:
      return "round-robin";
    case PolicyKind::LeastConnections:
      return "least-conn";
    case PolicyKind::Random:
      return "random";
  }
  return "?";
}

std::string_view toString(AffinityMode affinity) {
  switch (affinity) {
    case AffinityMode::None:
      return "none";
    case AffinityMode::SourceHash:
      return "source";
    case AffinityMode::SourceSticky:
      return "source-sticky";
    case AffinityMode::Cookie:
      return "cookie";
  }
  return "?";
}

core::Status validate(const LbConfig& c) {
  if (c.backends.empty()) {
    return configError("no_backends", "at least one backend is needed (--backend NAME=HOST:PORT)");
  }
  std::set<std::string> names;
  for (const auto& b : c.backends) {
    if (!isToken(b.name)) {
      return configError("bad_backend", "backend name '" + b.name + "' is not a token");
    }
    if (!names.insert(b.name).second) {
      return configError("duplicate_backend", "backend name " + b.name + " appears twice");
    }
    if (b.host.empty() || b.port == 0) {
      return configError("bad_backend", "backend " + b.name + " needs a host and a port above 0");
    }
  }
  if (c.health.rise == 0 || c.health.fall == 0) {
    return configError("bad_health", "health.rise and health.fall must be at least 1");
  }
  if (c.health.interval.count() < 0 || c.health.timeout.count() <= 0) {
    return configError("bad_health", "health.interval must be >= 0 and health.timeout > 0");
  }
  if (c.health.path.empty() || c.health.path.front() != '/') {
    return configError("bad_health", "health.path must start with '/'");
  }
  if (c.mode == LbMode::Tcp && (c.tls || c.backendTls)) {
    return configError("tls_in_tcp_mode",
                       "tcp mode passes TLS through untouched: --tls-cert/--backend-tls need --mode http");
  }
  if (c.mode == LbMode::Tcp && c.connectionModel != ConnectionModel::PerRequest) {
    return configError("connection_model_in_tcp_mode",
                       "a connection model other than per-request needs --mode http (tcp mode keeps one node "
                       "connection per client connection)");
  }
  if (c.mode == LbMode::Tcp && c.affinity == AffinityMode::Cookie) {
    return configError("cookie_in_tcp_mode", "cookie affinity needs --mode http");
  }
  if (c.backendTls && c.backendCaFile.empty()) {
    return configError("no_backend_ca", "--backend-tls needs --backend-ca FILE to verify the backends");
  }
  if (!isToken(c.cookieName)) {
    return configError("bad_cookie_name", "cookie name '" + c.cookieName + "' is not a token");
  }
  if (c.maxClientConnections == 0 || c.headerLimit == 0 || c.stickyTableSize == 0) {
    return configError("bad_limit", "connection, header and sticky-table limits must be above 0");
  }
  if (c.clientReadTimeout.count() <= 0 || c.clientIdleTimeout.count() <= 0 ||
      c.upstreamConnectTimeout.count() <= 0 || c.upstreamReadTimeout.count() <= 0 ||
      c.tcpIdleTimeout.count() <= 0) {
    return configError("bad_timeout", "timeouts must be above 0");
  }
  return core::okStatus();
}

}  // namespace kerbpool::loadbalancer
