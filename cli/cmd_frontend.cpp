// `kerbpool frontend --node fe01 --keytab FILE --port N [--ntlm-dc 127.0.0.1:P]`: one front-end node of the
// pool (HTTP Negotiate over plain HTTP or TLS; NTLM with pass-through to a `kerbpool kdc --netlogon-port`)
// until SIGINT/SIGTERM, then its counters.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/signals.hpp"
#include "core/acceptor/replay_cache.hpp"
#include "core/common/clock.hpp"
#include "core/common/log.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "frontend/frontend_config.hpp"
#include "frontend/node.hpp"
#include "frontend/ntlm_handler.hpp"
#include "frontend/secure_channel_client.hpp"
#include "kdc/event_log.hpp"
#include "net/http_server.hpp"

namespace kerbpool::cli {
namespace {

struct FrontendOptions {
  std::string node;
  std::string keytab;
  std::string address = "127.0.0.1";
  int port = 0;
  std::string tlsCert;
  std::string tlsKey;
  std::string persistence = "per-request";
  std::string extendedProtection = "off";
  unsigned threads = 1;
  unsigned requestThreads = 0;
  std::size_t maxRequestBytes = 16 * 1024;
  std::size_t maxConnections = 10000;
  std::size_t maxConnectionsPerSource = 1000;
  std::size_t replayCacheEntries = core::acceptor::ReplayCacheOptions{}.maxEntries;
  bool verbose = false;
  bool quiet = false;
  // NTLM (pass-through over the Netlogon stand-in to `kerbpool kdc --netlogon-port`)
  std::string ntlmDc;  // "127.0.0.1:PORT"; empty: NTLM not offered
  unsigned maxConcurrentApi = netlogon::max_concurrent_api::kWindows2012;
  double dcHoldMs = 0;
  double netlogonTimeoutS = 45;
  std::string realm;   // default: the keytab's realm
  std::string domain;  // default: the realm's first label
};

// "127.0.0.1:8000" or "[::1]:8000".
core::Result<frontend::NetlogonClientConfig> parseDcAddress(const std::string& text) {
  const auto colon = text.rfind(':');
  frontend::NetlogonClientConfig c;
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return core::makeError(core::ErrorCategory::Config, "bad_ntlm_dc",
                           "--ntlm-dc '" + text + "' is not ADDRESS:PORT");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) {
      port = 0;
    }
  } catch (const std::exception&) {
    port = 0;
  }
  if (port == 0 || port > 65535) {
    return core::makeError(core::ErrorCategory::Config, "bad_ntlm_dc",
                           "--ntlm-dc '" + text + "': the port must be 1..65535");
  }
  c.address = host;
  c.port = static_cast<std::uint16_t>(port);
  return c;
}

// The secure channel and NTLM module of a node with --ntlm-dc.
struct NtlmPieces {
  frontend::RealTimeDelay delay;
  std::unique_ptr<kdc::EventLog> events;
  std::unique_ptr<frontend::ChannelThrottle> throttle;
  std::unique_ptr<frontend::NetworkSecureChannel> channel;
  std::unique_ptr<frontend::NtlmPassThroughHandler> handler;
};

void printNtlmStats(const NtlmPieces& ntlm) {
  const frontend::NtlmStats st = ntlm.handler->stats();
  std::printf("  ntlm negotiates      %llu\n", static_cast<unsigned long long>(st.negotiates));
  std::printf("  ntlm authenticates   %llu\n", static_cast<unsigned long long>(st.authenticates));
  std::printf("  ntlm pass_throughs   %llu\n", static_cast<unsigned long long>(st.passThroughs));
  std::printf("  ntlm authenticated   %llu\n", static_cast<unsigned long long>(st.authenticated));
  for (const auto& [code, n] : st.deniedByReason) {
    std::printf("  ntlm denied %-32s %llu\n", code.c_str(), static_cast<unsigned long long>(n));
  }
  for (const auto& [outcome, n] : st.byOutcome) {
    std::printf("  ntlm outcome %-31s %llu\n", outcome.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("%s", netlogon::formatPerfCounters(ntlm.throttle->semaphore().counters(),
                                                 ntlm.handler->config().channel)
                        .c_str());
}

void printStats(const std::string& node, const frontend::NodeStats& st, const net::HttpServerStats& hs) {
  std::printf("kerbpool frontend %s: counters\n", node.c_str());
  std::printf("  requests             %llu\n", static_cast<unsigned long long>(st.requests));
  std::printf("  health               %llu\n", static_cast<unsigned long long>(st.health));
  std::printf("  allowed              %llu\n", static_cast<unsigned long long>(st.allowed));
  std::printf("  allowed_by_connection %llu\n", static_cast<unsigned long long>(st.allowedByConnection));
  std::printf("  challenged           %llu\n", static_cast<unsigned long long>(st.challenged));
  std::printf("  denied               %llu\n", static_cast<unsigned long long>(st.denied));
  for (const auto& [code, n] : st.deniedByReason) {
    std::printf("  denied %-24s %llu\n", code.c_str(), static_cast<unsigned long long>(n));
  }
  for (const auto& [user, n] : st.allowedByUser) {
    std::printf("  allowed user %-18s %llu\n", user.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("  connections          %llu\n", static_cast<unsigned long long>(hs.connections));
  std::printf("  bad_requests         %llu\n", static_cast<unsigned long long>(hs.badRequests));
  std::printf("  header_too_large     %llu\n", static_cast<unsigned long long>(hs.headerTooLarge));
  std::printf("  tls_handshake_failures %llu\n", static_cast<unsigned long long>(hs.tlsHandshakeFailures));
  std::printf("  timeouts             %llu\n", static_cast<unsigned long long>(hs.timeouts));
  std::printf("  rejected_connections %llu\n", static_cast<unsigned long long>(hs.rejectedConnections));
  std::printf("  handler_exceptions   %llu\n", static_cast<unsigned long long>(hs.handlerExceptions));
}

int runFrontend(const FrontendOptions& o) {
  if (o.tlsCert.empty() != o.tlsKey.empty()) {
    std::fprintf(stderr, "kerbpool frontend: --tls-cert and --tls-key go together\n");
    return 2;
  }
  auto persistence = frontend::parsePersistence(o.persistence);
  if (!persistence.ok()) {
    std::fprintf(stderr, "kerbpool frontend: %s\n", persistence.error().detail.c_str());
    return 2;
  }
  if (o.verbose) {
    core::Logger::setLevel(core::LogLevel::Debug);
  }
  auto credentials = frontend::NodeCredentials::fromKeytabFile(o.keytab);
  if (!credentials.ok()) {
    std::fprintf(stderr, "kerbpool frontend: %s\n", credentials.error().message().c_str());
    return 1;
  }
  const auto keys = (*credentials)->current();

  core::SystemClock clock;
  core::crypto::CryptoRng rng;
  frontend::FrontendConfig config;
  config.node.name = o.node;
  config.node.auth.persistence = *persistence;
  const auto extendedProtection = *core::acceptor::parseExtendedProtection(o.extendedProtection);
  config.node.auth.verify.extendedProtection = extendedProtection;

  NtlmPieces ntlm;
  if (!o.ntlmDc.empty()) {
    auto dc = parseDcAddress(o.ntlmDc);
    if (!dc.ok()) {
      std::fprintf(stderr, "kerbpool frontend: %s\n", dc.error().detail.c_str());
      return 2;
    }
    std::string realm = o.realm;
    if (realm.empty() && !keys->empty()) {
      realm = keys->entries().front().realm;
    }
    if (realm.empty()) {
      std::fprintf(stderr, "kerbpool frontend: --ntlm-dc needs --realm (the keytab names none)\n");
      return 2;
    }
    frontend::NtlmHandlerConfig nc = frontend::ntlmConfigFor(o.node, realm, o.domain);
    nc.extendedProtection = extendedProtection;
    frontend::ChannelConfig cc;
    cc.semaphore.maxConcurrentApi = o.maxConcurrentApi;
    cc.semaphore.waitTimeout = core::Micros(static_cast<std::int64_t>(o.netlogonTimeoutS * 1e6));
    cc.semaphore.events.channel = nc.channel;
    cc.semaphore.events.domain = nc.challenge.nbDomainName;
    cc.latency.mean = core::Micros(static_cast<std::int64_t>(o.dcHoldMs * 1e3));
    ntlm.events = std::make_unique<kdc::EventLog>(clock);
    auto throttle = frontend::ChannelThrottle::create(cc, clock, ntlm.events.get(), ntlm.delay);
    if (!throttle.ok()) {
      std::fprintf(stderr, "kerbpool frontend: %s\n", throttle.error().detail.c_str());
      return 2;
    }
    ntlm.throttle = std::move(*throttle);
    ntlm.channel = std::make_unique<frontend::NetworkSecureChannel>(*dc, *ntlm.throttle);
    ntlm.handler = frontend::makeNtlmHandler(nc, *ntlm.channel, clock, rng);
    config.node.auth.ntlm = ntlm.handler.get();
  }
  config.node.replay.maxEntries = o.replayCacheEntries;
  config.server.address = o.address;
  config.server.port = static_cast<std::uint16_t>(o.port);
  config.server.threads = o.threads;
  // NTLM pass-throughs wait for the DC: they run on request threads, enough for every Netlogon slot and as
  // many waiters, so the I/O threads keep serving Kerberos meanwhile.
  config.server.blockingThreads =
      ntlm.handler ? (o.requestThreads != 0 ? o.requestThreads : std::min(o.maxConcurrentApi + 16, 128u)) : 0;
  config.server.headerLimit = o.maxRequestBytes;
  config.server.maxConnections = o.maxConnections;
  config.server.maxConnectionsPerSource = o.maxConnectionsPerSource;
  if (!o.tlsCert.empty()) {
    config.server.tls = net::TlsFiles{o.tlsCert, o.tlsKey};
  }
  config.server = frontend::serverConfigFor(config.node, config.server);
  frontend::FrontendNode node(config.node, std::move(*credentials), clock, rng);

  blockTerminationSignals();
  auto server = net::HttpServer::start(config.server, node);
  if (!server.ok()) {
    std::fprintf(stderr, "kerbpool frontend: %s\n", server.error().message().c_str());
    return 1;
  }
  const std::string scheme = (*server)->tls() ? "https" : "http";
  std::printf("kerbpool frontend %s: %zu keys from %s (%s, extended protection %s)\n", o.node.c_str(),
              keys->size(), o.keytab.c_str(), std::string(frontend::toString(*persistence)).c_str(),
              std::string(core::acceptor::toString(extendedProtection)).c_str());
  for (const auto& name : keys->heldNames("")) {
    std::printf("  holds %s\n", name.c_str());
  }
  if (ntlm.handler) {
    const auto& nc = ntlm.handler->config();
    std::printf(
        "kerbpool frontend %s: NTLM offered, pass-through to %s over secure channel %s (domain %s, "
        "realm %s, MaxConcurrentApi %u)\n",
        o.node.c_str(), o.ntlmDc.c_str(), nc.channel.c_str(), nc.challenge.nbDomainName.c_str(),
        nc.realm.c_str(), o.maxConcurrentApi);
  }
  std::printf("kerbpool frontend %s: ready on %s://%s:%u\n", o.node.c_str(), scheme.c_str(),
              o.address.c_str(), static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);
  const int sig = waitForTerminationSignal();
  (*server)->stop();
  std::printf("kerbpool frontend %s: stopping on signal %d\n", o.node.c_str(), sig);
  if (!o.quiet) {
    printStats(o.node, node.stats(), (*server)->stats());
    if (ntlm.handler) {
      printNtlmStats(ntlm);
    }
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

void registerFrontend(CLI::App& app) {
  static FrontendOptions o;
  auto* cmd = app.add_subcommand("frontend", "Run one front-end node (HTTP Negotiate/Kerberos) of the pool");
  cmd->footer(
      "Example: kerbpool frontend --node fe01 --keytab /tmp/pool.keytab --port 8443 --ntlm-dc "
      "127.0.0.1:8600");
  cmd->add_option("--node", o.node, "node name for logs and answers, e.g. fe01")->required();
  cmd->add_option("--keytab", o.keytab, "the node's keys (e.g. from `kerbpool keytab export`)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--address", o.address, "listen address (loopback by default)");
  cmd->add_option("--port", o.port, "TCP port; 0 picks a free one")->check(CLI::Range(0, 65535));
  cmd->add_option("--tls-cert", o.tlsCert, "PEM certificate chain: serve HTTPS")->check(CLI::ExistingFile);
  cmd->add_option("--tls-key", o.tlsKey, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  cmd->add_option("--persistence", o.persistence,
                  "per-request (every request carries a token) or per-connection (IIS authPersistNonNTLM)");
  cmd->add_option(
         "--extended-protection", o.extendedProtection,
         "IIS tokenChecking for Kerberos and NTLM: off, allow (a token bound to a TLS channel must be "
         "bound to this connection's) or require (and unbound tokens are refused over TLS)")
      ->check(CLI::IsMember({"off", "allow", "require"}));
  cmd->add_option("--threads", o.threads, "server threads (0: one per core)")->check(CLI::Range(0u, 256u));
  cmd->add_option("--request-threads", o.requestThreads,
                  "with --ntlm-dc: threads for requests that wait for the DC (0: MaxConcurrentApi + 16, at "
                  "most 128)")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--max-request-bytes", o.maxRequestBytes,
                  "request line + header fields limit (IIS MaxRequestBytes, at most 16 MiB); larger: 431")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{16} * 1024 * 1024));
  cmd->add_option("--max-connections", o.maxConnections, "open connections at once; more are closed at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  cmd->add_option("--max-connections-per-source", o.maxConnectionsPerSource,
                  "open connections from one address (0: no cap; behind a load balancer, raise it)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000000}));
  cmd->add_option("--ntlm-dc", o.ntlmDc,
                  "offer NTLM, validating over Netlogon pass-through at ADDRESS:PORT "
                  "(`kerbpool kdc --netlogon-port`)");
  cmd->add_option("--max-concurrent-api", o.maxConcurrentApi,
                  "secure-channel slots (Netlogon MaxConcurrentApi, 1..150; default 10)")
      ->check(CLI::Range(1, 150));
  cmd->add_option("--dc-hold-ms", o.dcHoldMs,
                  "least time a pass-through keeps its slot (the DC's latency; default 0: the round trip)")
      ->check(CLI::Range(0.0, 600000.0));
  cmd->add_option("--netlogon-timeout-s", o.netlogonTimeoutS,
                  "wait for a secure-channel slot before STATUS_NO_LOGON_SERVERS (default 45)")
      ->check(CLI::Range(0.001, 3600.0));
  cmd->add_option("--realm", o.realm, "realm for NTLM identities user@REALM (default: the keytab's)");
  cmd->add_option("--domain", o.domain,
                  "NetBIOS domain in the NTLM CHALLENGE (default: the realm's first label)");
  cmd->add_option(
         "--replay-cache-entries", o.replayCacheEntries,
         "replay cache bound (about 90 bytes each); full of live entries, new authenticators get 401 "
         "replay_cache_full")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--verbose", o.verbose, "log every decision (debug level)");
  cmd->add_flag("--quiet", o.quiet, "no counters on exit");
  cmd->callback([] { setExitCode(runFrontend(o)); });
}

}  // namespace kerbpool::cli
