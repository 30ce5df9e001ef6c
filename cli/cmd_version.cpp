#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.hpp"

namespace kerbpool::cli {
namespace {
int gExitCode = 0;
}

int exitCode() {
  return gExitCode;
}
void setExitCode(int code) {
  gExitCode = code;
}

void registerVersion(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print kerbpool's version");
  cmd->footer("Example: kerbpool version (or kerbpool --version)");
  cmd->callback([] { std::printf("kerbpool %s\n", KERBPOOL_VERSION); });
}

}  // namespace kerbpool::cli
