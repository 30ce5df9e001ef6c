// `kerbpool frontend --node fe01 --keytab FILE --port N`: one front-end node of the pool (HTTP Negotiate
// over plain HTTP or TLS) until SIGINT/SIGTERM, then its counters.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/signals.hpp"
#include "core/acceptor/replay_cache.hpp"
#include "core/common/clock.hpp"
#include "core/common/log.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "frontend/frontend_config.hpp"
#include "frontend/http_server.hpp"
#include "frontend/node.hpp"

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
  unsigned threads = 1;
  std::size_t maxRequestBytes = 16 * 1024;
  std::size_t replayCacheEntries = core::acceptor::ReplayCacheOptions{}.maxEntries;
  bool verbose = false;
  bool quiet = false;
};

void printStats(const std::string& node, const frontend::NodeStats& st, const frontend::HttpServerStats& hs) {
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
  config.node.replay.maxEntries = o.replayCacheEntries;
  config.server.address = o.address;
  config.server.port = static_cast<std::uint16_t>(o.port);
  config.server.threads = o.threads;
  config.server.headerLimit = o.maxRequestBytes;
  if (!o.tlsCert.empty()) {
    config.server.tls = frontend::TlsFiles{o.tlsCert, o.tlsKey};
  }
  config.server = frontend::serverConfigFor(config.node, config.server);
  frontend::FrontendNode node(config.node, std::move(*credentials), clock, rng);

  blockTerminationSignals();
  auto server = frontend::HttpServer::start(config.server, node);
  if (!server.ok()) {
    std::fprintf(stderr, "kerbpool frontend: %s\n", server.error().message().c_str());
    return 1;
  }
  const std::string scheme = (*server)->tls() ? "https" : "http";
  std::printf("kerbpool frontend %s: %zu keys from %s (%s)\n", o.node.c_str(), keys->size(), o.keytab.c_str(),
              std::string(frontend::toString(*persistence)).c_str());
  for (const auto& name : keys->heldNames("")) {
    std::printf("  holds %s\n", name.c_str());
  }
  std::printf("kerbpool frontend %s: ready on %s://%s:%u\n", o.node.c_str(), scheme.c_str(),
              o.address.c_str(), static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);
  const int sig = waitForTerminationSignal();
  (*server)->stop();
  std::printf("kerbpool frontend %s: stopping on signal %d\n", o.node.c_str(), sig);
  if (!o.quiet) {
    printStats(o.node, node.stats(), (*server)->stats());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

void registerFrontend(CLI::App& app) {
  static FrontendOptions o;
  auto* cmd = app.add_subcommand("frontend", "Run one front-end node (HTTP Negotiate/Kerberos) of the pool");
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
  cmd->add_option("--threads", o.threads, "server threads (0: one per core)");
  cmd->add_option("--max-request-bytes", o.maxRequestBytes,
                  "request line + header fields limit (IIS MaxRequestBytes); larger: 431");
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
