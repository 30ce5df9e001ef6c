// kerbpool: the single executable. Each subcommand lives in its own cmd_*.cpp and registers itself here.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"kerbpool: a lab for Kerberos-protected, load-balanced HTTP front-end pools"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("kerbpool ") + KERBPOOL_VERSION);
  // Every option's --help line shows its default value (=88); options whose default means "the scenario's"
  // or "none" say so in words instead.
  app.option_defaults()->always_capture_default();
  app.footer("Start with: kerbpool run (the tour), kerbpool list, kerbpool show NAME. Each subcommand's --help "
             "shows its options with defaults and an example.");
  kerbpool::cli::registerVersion(app);
  kerbpool::cli::registerKeytab(app);
  kerbpool::cli::registerKeytabExport(app);
  kerbpool::cli::registerBench(app);
  kerbpool::cli::registerBenchNetlogon(app);
  kerbpool::cli::registerKdc(app);
  kerbpool::cli::registerCert(app);
  kerbpool::cli::registerFrontend(app);
  kerbpool::cli::registerLb(app);
  kerbpool::cli::registerEchoBackend(app);
  kerbpool::cli::registerRun(app);
  kerbpool::cli::registerScenarios(app);
  kerbpool::cli::registerServe(app);
  kerbpool::cli::registerSetspn(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return kerbpool::cli::exitCode();
}
