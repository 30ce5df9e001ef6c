#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace kerbpool::cli {

void registerKeytab(CLI::App& app) {
  auto* cmd = app.add_subcommand("keytab", "Read and write MIT keytab files (format 0x0502)");
  cmd->require_subcommand(1);
}

}  // namespace kerbpool::cli
