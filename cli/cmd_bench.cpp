#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace kerbpool::cli {

void registerBench(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Micro-benchmarks");
  cmd->require_subcommand(1);
}

}  // namespace kerbpool::cli
