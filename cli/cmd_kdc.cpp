// `kerbpool kdc --realm-file FILE`: a standalone domain controller (directory + KDC) on loopback.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>

#include "cli/commands.hpp"
#include "cli/krb5_conf.hpp"
#include "cli/signals.hpp"
#include "core/common/clock.hpp"
#include "core/common/log.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "kdc/event_log.hpp"
#include "kdc/kdc_server.hpp"
#include "kdc/kdc_service.hpp"
#include "kdc/netlogon.hpp"
#include "kdc/netlogon_server.hpp"
#include "kdc/realm_file.hpp"

namespace kerbpool::cli {
namespace {

struct KdcOptions {
  std::string realmFile;
  std::string address = "127.0.0.1";
  int port = 88;
  unsigned threads = 0;
  std::string krb5ConfOut;
  int netlogonPort = -1;
  std::size_t maxTcpConnections = 1024;
  std::size_t maxTcpPerSource = 256;
  bool quiet = false;
};

int runKdc(const KdcOptions& o) {
  core::SystemClock clock;
  core::crypto::CryptoRng rng;
  kdc::EventLog events(clock);
  auto realm = kdc::loadRealmFile(o.realmFile, events);
  if (!realm.ok()) {
    std::fprintf(stderr, "kerbpool kdc: %s\n", realm.error().detail.c_str());
    return 2;
  }
  kdc::KdcConfig config;
  config.realm = realm->settings.realm;
  config.ticketLifetime = realm->settings.ticketLifetime;
  config.renewLifetime = realm->settings.renewLifetime;
  kdc::KdcService service(config, *realm->directory, events, clock, rng);

  blockTerminationSignals();
  kdc::KdcServerConfig sc;
  sc.address = o.address;
  sc.port = static_cast<std::uint16_t>(o.port);
  sc.threads = o.threads;
  sc.maxTcpConnections = o.maxTcpConnections;
  sc.maxTcpConnectionsPerSource = o.maxTcpPerSource;
  auto server = kdc::KdcServer::start(sc, service);
  if (!server.ok()) {
    std::fprintf(stderr, "kerbpool kdc: %s\n", server.error().detail.c_str());
    return 1;
  }
  kdc::NetlogonService netlogon(*realm->directory, events);
  std::unique_ptr<kdc::NetlogonServer> netlogonServer;
  if (o.netlogonPort >= 0) {
    kdc::NetlogonServerConfig nc;
    nc.address = o.address;
    nc.port = static_cast<std::uint16_t>(o.netlogonPort);
    auto started = kdc::startNetlogonServer(nc, netlogon);
    if (!started.ok()) {
      std::fprintf(stderr, "kerbpool kdc: netlogon: %s\n", started.error().detail.c_str());
      return 1;
    }
    netlogonServer = std::move(*started);
  }
  const std::string conf = krb5ConfSnippet(config.realm, {{o.address, (*server)->port()}});
  if (!o.krb5ConfOut.empty()) {
    std::ofstream out(o.krb5ConfOut);
    out << conf;
    if (!out) {
      std::fprintf(stderr, "kerbpool kdc: cannot write %s\n", o.krb5ConfOut.c_str());
      return 1;
    }
  }
  std::printf("kerbpool kdc: realm %s on %s port %u (UDP and TCP)\n", config.realm.c_str(), o.address.c_str(),
              static_cast<unsigned>((*server)->port()));
  if (netlogonServer) {
    std::printf("kerbpool kdc: Netlogon pass-through (NTLM) on %s port %u (docs/netlogon-wire.md)\n",
                o.address.c_str(), static_cast<unsigned>(netlogonServer->port()));
  }
  std::printf("# krb5.conf for MIT clients (KRB5_CONFIG=FILE kinit alice):\n%s", conf.c_str());
  std::printf("kerbpool kdc: ready\n");
  std::fflush(stdout);
  const int sig = waitForTerminationSignal();
  (*server)->stop();
  if (netlogonServer) {
    netlogonServer->stop();
  }
  if (!o.quiet) {
    const auto& st = service.stats();
    std::printf("kerbpool kdc: stopping on signal %d\n", sig);
    for (const auto& [type, n] : st.requests()) {
      std::printf("  requests %-22s %llu\n", type.c_str(), static_cast<unsigned long long>(n));
    }
    for (const auto& [code, n] : st.errors()) {
      std::printf("  errors   %-28s %llu\n", code.c_str(), static_cast<unsigned long long>(n));
    }
    for (const auto& [id, n] : events.counters()) {
      std::printf("  event %5d                    %llu\n", id, static_cast<unsigned long long>(n));
    }
    const auto io = (*server)->stats();
    std::printf("  tcp connections refused (limit)  %llu\n", static_cast<unsigned long long>(io.tcpRejected));
    std::printf("  tcp frames refused or cut short  %llu\n",
                static_cast<unsigned long long>(io.tcpFramingErrors));
    if (io.handlerExceptions != 0) {
      std::printf("  handler exceptions (connection dropped)  %llu\n",
                  static_cast<unsigned long long>(io.handlerExceptions));
    }
  }
  return 0;
}

}  // namespace

void registerKdc(CLI::App& app) {
  static KdcOptions o;
  auto* cmd = app.add_subcommand("kdc", "Run a domain controller's KDC (UDP and TCP) from a realm file");
  cmd->footer(
      "Example: kerbpool kdc --realm-file examples/contoso.realm.json --port 8888 --krb5-conf /tmp/kp.conf");
  cmd->add_option("--realm-file", o.realmFile,
                  "JSON realm: accounts, passwords, SPNs, sites (docs/realm-file.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--address", o.address, "listen address (loopback by default)");
  cmd->add_option("--port", o.port, "UDP and TCP port; 0 picks a free one")->check(CLI::Range(0, 65535));
  cmd->add_option("--threads", o.threads,
                  "threads answering UDP (one receiver; the others help while datagrams queue up behind it) "
                  "and, as many again, TCP I/O threads (0: one per core)")
      ->check(CLI::Range(0u, 256u));
  cmd->add_option("--krb5-conf", o.krb5ConfOut, "also write the krb5.conf snippet to this file");
  cmd->add_option("--netlogon-port", o.netlogonPort,
                  "also serve NTLM pass-through for front-ends on this port (0: any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--max-tcp-connections", o.maxTcpConnections,
                  "open TCP connections at once; more are closed at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--max-tcp-per-source", o.maxTcpPerSource, "open TCP connections from one address")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_flag("--quiet", o.quiet, "no statistics on exit");
  cmd->callback([] { setExitCode(runKdc(o)); });
}

}  // namespace kerbpool::cli
