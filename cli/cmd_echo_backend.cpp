// `kerbpool echo-backend --name fe01 --listen 127.0.0.1:9001`: a stand-in pool node (net::HttpServer
// with loadbalancer::EchoBackendHandler) for trying and benchmarking the load balancer.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/signals.hpp"
#include "net/http_server.hpp"
#include "loadbalancer/echo_backend.hpp"
#include "loadbalancer/lb_config.hpp"

namespace kerbpool::cli {
namespace {

struct EchoOptions {
  std::string name = "fe01";
  std::string listen = "127.0.0.1:9001";
  unsigned threads = 1;
  std::string tlsCert;
  std::string tlsKey;
};

int runEcho(const EchoOptions& o) {
  auto listen = loadbalancer::parseHostPort(o.listen, true);
  if (!listen.ok()) {
    std::fprintf(stderr, "kerbpool echo-backend: %s\n", listen.error().detail.c_str());
    return 2;
  }
  loadbalancer::EchoBackendHandler handler(o.name);
  net::HttpServerConfig sc;
  sc.address = listen->host;
  sc.port = listen->port;
  sc.threads = o.threads;
  sc.serverName = "kerbpool-echo/" + o.name;
  if (!o.tlsCert.empty()) {
    sc.tls = net::TlsFiles{o.tlsCert, o.tlsKey.empty() ? o.tlsCert : o.tlsKey};
  }
  blockTerminationSignals();
  auto server = net::HttpServer::start(sc, handler);
  if (!server.ok()) {
    std::fprintf(stderr, "kerbpool echo-backend: %s\n", server.error().detail.c_str());
    return 1;
  }
  std::printf("kerbpool echo-backend: %s ready on %s:%u%s\n", o.name.c_str(), sc.address.c_str(),
              static_cast<unsigned>((*server)->port()), sc.tls ? " (TLS)" : "");
  std::fflush(stdout);
  waitForTerminationSignal();
  (*server)->stop();
  std::printf("kerbpool echo-backend: %s served %llu requests\n", o.name.c_str(),
              static_cast<unsigned long long>(handler.requests()));
  return 0;
}

}  // namespace

void registerEchoBackend(CLI::App& app) {
  auto o = std::make_shared<EchoOptions>();
  auto* cmd = app.add_subcommand("echo-backend", "Run a stand-in pool node that answers with its name");
  cmd->add_option("--name", o->name, "node name shown in every answer");
  cmd->add_option("--listen", o->listen, "address:port (port 0 picks a free one)");
  cmd->add_option("--threads", o->threads, "server threads (0: one per core)")
      ->check(CLI::Range(0u, 256u));
  cmd->add_option("--tls-cert", o->tlsCert, "serve HTTPS with this certificate chain (PEM)");
  cmd->add_option("--tls-key", o->tlsKey, "private key of --tls-cert (PEM)");
  cmd->footer("Example: kerbpool echo-backend --name fe01 --listen 127.0.0.1:9001");
  cmd->callback([o] { setExitCode(runEcho(*o)); });
}

}  // namespace kerbpool::cli
