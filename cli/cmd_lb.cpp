// `kerbpool lb --mode http|tcp --listen ADDR:PORT --backend fe01=HOST:PORT ...`: the pool's load balancer as
// a standalone server, until SIGINT/SIGTERM; then its counters.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/signals.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "loadbalancer/lb_server.hpp"

namespace kerbpool::cli {
namespace {

struct LbOptions {
  std::string mode = "http";
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> backends;
  std::string policy = "round-robin";
  std::string affinity = "none";
  std::string connectionModel = "per-request";
  std::optional<std::uint64_t> seed;
  unsigned threads = 1;
  int healthIntervalMs = 2000;
  int healthTimeoutMs = 1000;
  unsigned rise = 2;
  unsigned fall = 3;
  std::string healthPath = "/health";
  bool healthTls = false;
  std::string tlsCert;
  std::string tlsKey;
  bool backendTls = false;
  std::string backendCa;
  std::string backendTlsName;
  std::size_t maxConnections = 10000;
  std::size_t maxPerSource = 1000;
  int connectTimeoutMs = 3000;
  int readTimeoutMs = 30000;
  int clientTimeoutMs = 30000;
  bool quiet = false;
};

core::Result<loadbalancer::LbConfig> buildConfig(const LbOptions& o) {
  using namespace loadbalancer;
  LbConfig c;
  KP_TRY(c.mode, parseMode(o.mode));
  KP_TRY(const auto listen, parseHostPort(o.listen, true));
  c.address = listen.host;
  c.port = listen.port;
  for (const auto& b : o.backends) {
    KP_TRY(auto spec, parseBackendSpec(b));
    c.backends.push_back(std::move(spec));
  }
  KP_TRY(c.policy, parsePolicy(o.policy));
  KP_TRY(c.affinity, parseAffinity(o.affinity));
  KP_TRY(c.connectionModel, parseConnectionModel(o.connectionModel));
  c.threads = o.threads;
  c.health.interval = std::chrono::milliseconds(o.healthIntervalMs);
  c.health.timeout = std::chrono::milliseconds(o.healthTimeoutMs);
  c.health.rise = o.rise;
  c.health.fall = o.fall;
  c.health.path = o.healthPath;
  c.health.tls = o.healthTls;
  if (!o.tlsCert.empty() || !o.tlsKey.empty()) {
    c.tls = LbTlsFiles{o.tlsCert, o.tlsKey.empty() ? o.tlsCert : o.tlsKey};
  }
  c.backendTls = o.backendTls;
  c.backendCaFile = o.backendCa;
  c.backendTlsName = o.backendTlsName;
  c.maxClientConnections = o.maxConnections;
  c.maxClientConnectionsPerSource = o.maxPerSource;
  c.upstreamConnectTimeout = std::chrono::milliseconds(o.connectTimeoutMs);
  c.upstreamReadTimeout = std::chrono::milliseconds(o.readTimeoutMs);
  c.clientReadTimeout = std::chrono::milliseconds(o.clientTimeoutMs);
  KP_CHECK(validate(c));
  return c;
}

int runLb(const LbOptions& o) {
  auto config = buildConfig(o);
  if (!config.ok()) {
    std::fprintf(stderr, "kerbpool lb: %s\n", config.error().detail.c_str());
    return 2;
  }
  std::unique_ptr<core::Rng> rng;
  if (o.seed) {
    rng = std::make_unique<core::SeededRng>(*o.seed);
  } else {
    rng = std::make_unique<core::crypto::CryptoRng>();
  }
  blockTerminationSignals();
  auto server = loadbalancer::LbServer::start(*config, *rng);
  if (!server.ok()) {
    std::fprintf(stderr, "kerbpool lb: %s\n", server.error().detail.c_str());
    return 1;
  }
  const auto& c = *config;
  std::string backends;
  for (const auto& b : c.backends) {
    backends += " " + b.name + "=" + b.host + ":" + std::to_string(b.port);
  }
  std::printf("kerbpool lb: ready on %s:%u (%s%s, %s, affinity %s, connections %s, health %s) backends%s\n",
              c.address.c_str(), static_cast<unsigned>((*server)->port()),
              std::string(loadbalancer::toString(c.mode)).c_str(), c.tls ? "+tls" : "",
              std::string(loadbalancer::toString(c.policy)).c_str(),
              std::string(loadbalancer::toString(c.affinity)).c_str(),
              std::string(loadbalancer::toString(c.connectionModel)).c_str(),
              c.health.interval.count() == 0
                  ? "off"
                  : (std::to_string(c.health.interval.count()) + "ms rise " + std::to_string(c.health.rise) +
                     " fall " + std::to_string(c.health.fall))
                        .c_str(),
              backends.c_str());
  std::fflush(stdout);
  const int sig = waitForTerminationSignal();
  (*server)->stop();
  if (!o.quiet) {
    std::printf("kerbpool lb: stopping on signal %d\n%s", sig,
                loadbalancer::formatStats((*server)->stats()).c_str());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

void registerLb(CLI::App& app) {
  auto o = std::make_shared<LbOptions>();
  auto* cmd =
      app.add_subcommand("lb", "Run the pool's load balancer (layer 4 or layer 7) in front of backends");
  cmd->footer(
      "Example: kerbpool lb --mode http --listen 127.0.0.1:8080 --backend fe01=127.0.0.1:9001 "
      "--backend fe02=127.0.0.1:9002");
  cmd->add_option("--mode", o->mode, "tcp (layer 4, TLS passes through) or http (layer 7, per request)")
      ->check(CLI::IsMember({"tcp", "http"}));
  cmd->add_option("--listen", o->listen, "VIP address:port (port 0 picks a free one)");
  cmd->add_option("--backend", o->backends, "NAME=HOST:PORT (repeatable), e.g. fe01=127.0.0.1:9001")
      ->required();
  cmd->add_option("--policy", o->policy, "round-robin, least-conn or random")
      ->check(CLI::IsMember({"round-robin", "least-conn", "random"}));
  cmd->add_option("--affinity", o->affinity,
                  "none, source (hash), source-sticky (table) or cookie (KPLB=NODE)")
      ->check(CLI::IsMember({"none", "source", "source-sticky", "cookie"}));
  cmd->add_option("--connection-model", o->connectionModel,
                  "http mode: per-request (NTLM legs may meet different connections), haproxy (a node "
                  "connection that sent an NTLM/Negotiate challenge stays with its client) or server-close")
      ->check(CLI::IsMember({"per-request", "haproxy", "server-close"}));
  cmd->add_option("--seed", o->seed, "seed for --policy random (reproducible runs)");
  cmd->add_option("--threads", o->threads, "I/O threads (0: one per core)")->check(CLI::Range(0u, 256u));
  cmd->add_option("--health-interval-ms", o->healthIntervalMs, "GET /health every N ms (0: no checks)")
      ->check(CLI::Range(0, 3600000));
  cmd->add_option("--health-timeout-ms", o->healthTimeoutMs, "bound of one check")
      ->check(CLI::Range(1, 600000));
  cmd->add_option("--rise", o->rise, "passed checks that bring a node back")->check(CLI::Range(1u, 100u));
  cmd->add_option("--fall", o->fall, "failed checks that take a node out")->check(CLI::Range(1u, 100u));
  cmd->add_option("--health-path", o->healthPath, "health check target");
  cmd->add_flag("--health-tls", o->healthTls, "health checks over TLS (tcp mode in front of TLS nodes)");
  cmd->add_option("--tls-cert", o->tlsCert, "http mode: terminate TLS with this certificate chain (PEM)");
  cmd->add_option("--tls-key", o->tlsKey, "private key of --tls-cert (PEM)");
  cmd->add_flag("--backend-tls", o->backendTls, "http mode: re-encrypt to the backends");
  cmd->add_option("--backend-ca", o->backendCa, "CA (PEM) the backends' certificates must chain to");
  cmd->add_option("--backend-tls-name", o->backendTlsName,
                  "SNI and name the backends' certificates must carry");
  cmd->add_option("--max-connections", o->maxConnections, "client connections at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  cmd->add_option("--max-connections-per-source", o->maxPerSource,
                  "client connections at once from one address (0: no cap)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000000}));
  cmd->add_option("--connect-timeout-ms", o->connectTimeoutMs, "upstream connect bound")
      ->check(CLI::Range(1, 600000));
  cmd->add_option("--read-timeout-ms", o->readTimeoutMs, "upstream response bound")
      ->check(CLI::Range(1, 3600000));
  cmd->add_option("--client-timeout-ms", o->clientTimeoutMs, "client request read bound")
      ->check(CLI::Range(1, 3600000));
  cmd->add_flag("--quiet", o->quiet, "no counters on exit");
  cmd->callback([o] { setExitCode(runLb(*o)); });
}

}  // namespace kerbpool::cli
