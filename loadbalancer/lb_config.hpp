#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"
#include "net/tls_files.hpp"

namespace kerbpool::loadbalancer {

// Layer 4 relays bytes of one client connection to one backend for the connection's whole life (TLS passes
// through); layer 7 parses every request and picks a backend per request.
enum class LbMode { Tcp, Http };

enum class PolicyKind { RoundRobin, LeastConnections, Random };

// Which client goes to which node regardless of the policy. SourceHash: a hash of the client address over the
// configured nodes (stateless, like HAProxy's `balance source`); SourceSticky: a table that remembers the
// node first chosen for an address (like a stick-table); Cookie: an inserted cookie (`KPLB=fe02`) names the
// node. With any affinity, http mode also keeps a client connection's upstream connection for its next
// requests to the same node, so that a connection-bound handshake (NTLM) survives the balancer.
enum class AffinityMode { None, SourceHash, SourceSticky, Cookie };

// What layer 7 does with its connections to the nodes (tcp mode has one per client connection). The node
// authenticates a connection, not a request, for NTLM (and for Kerberos with IIS's authPersistNonNTLM), so
// this decides whether NTLM survives the balancer.
// - PerRequest: each request goes to the node the policy picks, on a pooled keep-alive connection; one that
//   carried authentication is closed rather than pooled. A client's NTLM legs land on different connections
//   (and, without affinity, nodes): the model under which NTLM fails. Stands for a balancer that balances
//   requests with no authentication awareness (nginx's plain upstream keepalive, an F5 virtual server with
//   OneConnect and no NTLM profile).
// - Private (HAProxy-like, "haproxy"): server-side keep-alive. A 401/407 whose WWW-Authenticate or
//   Proxy-Authenticate starts with NTLM or Nego makes the node's connection private to the client connection,
//   and that client's later requests go to the same node on it (HAProxy's conn_set_private and
//   prefer-last-server, `http-reuse safe`, its default since 1.9). Other idle connections are shared, never
//   for a client connection's first request.
// - ServerClose: the node's connection is closed after every response, the client's is kept (HAProxy's
//   `option http-server-close`): NTLM's second leg reaches a new connection and fails.
enum class ConnectionModel { PerRequest, Private, ServerClose };

struct BackendSpec {
  std::string name;  // "fe01": a token, also the affinity cookie value
  std::string host;  // an IP address or a name resolved once at start
  std::uint16_t port = 0;
};

struct HealthCheckConfig {
  std::chrono::milliseconds interval{2000};  // 0: no checks, every node counts as up
  std::chrono::milliseconds timeout{1000};   // connect + request + response of one probe
  unsigned rise = 2;                         // passed checks in a row that bring a down node back
  unsigned fall = 3;                         // failed checks in a row that take an up node out
  std::string path = "/health";              // 2xx and 3xx pass
  bool tls = false;  // probe over TLS (tcp mode in front of TLS nodes); http mode: follows backendTls
};

// The certificate for the pool name, then the chain, and its key.
using LbTlsFiles = net::TlsFiles;

struct LbConfig {
  LbMode mode = LbMode::Http;
  std::string address = "127.0.0.1";  // the VIP
  std::uint16_t port = 0;             // 0: any free port
  unsigned threads = 1;               // 0: one per core
  std::vector<BackendSpec> backends;
  PolicyKind policy = PolicyKind::RoundRobin;
  AffinityMode affinity = AffinityMode::None;
  ConnectionModel connectionModel = ConnectionModel::PerRequest;  // http mode only
  std::string cookieName = "KPLB";
  std::size_t stickyTableSize = 65536;  // SourceSticky: oldest entries go first beyond this
  HealthCheckConfig health;

  std::optional<LbTlsFiles> tls;  // http mode: terminate TLS with this certificate
  bool backendTls = false;        // http mode: re-encrypt to the backends
  std::string backendCaFile;      // verify the backends' certificates against this CA (PEM); health probes
                                  // over TLS verify only when it is set
  std::string backendTlsName;     // SNI and name to verify; empty: the backend's host

  std::size_t maxClientConnections = 10000;          // beyond: the new connection is closed at once
  std::size_t maxClientConnectionsPerSource = 1000;  // from one client address (0: no cap); beyond: closed
  std::size_t maxIdlePerBackend = 64;                // pooled keep-alive upstream connections per node
  std::size_t headerLimit = 64 * 1024;               // request line + fields (Kerberos tokens are large)
  std::size_t bodyLimit = 8 << 20;
  std::size_t upstreamBodyLimit = 64 << 20;
  std::chrono::milliseconds clientReadTimeout{30000};   // one request, header and body
  std::chrono::milliseconds clientIdleTimeout{120000};  // keep-alive wait between requests
  std::chrono::milliseconds upstreamConnectTimeout{3000};
  std::chrono::milliseconds upstreamReadTimeout{30000};  // writing the request and reading the response
  std::chrono::milliseconds tcpIdleTimeout{600000};      // tcp mode: no byte either way for this long
};

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// "127.0.0.1:8080", "[::1]:8080", "fe01.contoso.test:443"; port 0 allowed when `allowZero`.
core::Result<HostPort> parseHostPort(std::string_view text, bool allowZero = false);
// "fe01=127.0.0.1:9001".
core::Result<BackendSpec> parseBackendSpec(std::string_view text);
core::Result<LbMode> parseMode(std::string_view text);            // tcp | http
core::Result<PolicyKind> parsePolicy(std::string_view text);      // round-robin | least-conn | random
core::Result<AffinityMode> parseAffinity(std::string_view text);  // none | source | source-sticky | cookie
core::Result<ConnectionModel> parseConnectionModel(
    std::string_view text);  // per-request | haproxy | server-close

std::string_view toString(LbMode mode);
std::string_view toString(PolicyKind policy);
std::string_view toString(AffinityMode affinity);
std::string_view toString(ConnectionModel model);

// Startup checks (Config errors naming the setting): at least one backend, unique token names, rise/fall >=
// 1, TLS settings only in http mode, a CA file when re-encrypting, limits above zero.
core::Status validate(const LbConfig& config);

}  // namespace kerbpool::loadbalancer
