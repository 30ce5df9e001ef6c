// `kerbpool keytab export`: a keytab of one realm account's keys (what ktpass or Lync's key distribution
// hands a front-end), for MIT kvno -k, curl tests and `kerbpool frontend --keytab`.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.hpp"
#include "core/common/clock.hpp"
#include "kdc/event_log.hpp"
#include "kdc/keytab_export.hpp"
#include "kdc/realm_file.hpp"

namespace kerbpool::cli {
namespace {

struct ExportOptions {
  std::string realmFile;
  std::string account;
  std::string out;
  std::vector<std::string> principals;
  bool allKvnos = false;
};

int runExport(const ExportOptions& o) {
  core::SystemClock clock;
  kdc::EventLog events(clock);
  auto realm = kdc::loadRealmFile(o.realmFile, events);
  if (!realm.ok()) {
    std::fprintf(stderr, "kerbpool keytab export: %s\n", realm.error().detail.c_str());
    return 2;
  }
  kdc::KeytabExportOptions eo;
  eo.principals = o.principals;
  eo.allKvnos = o.allKvnos;
  eo.timestamp = static_cast<std::uint32_t>(core::toUnixSeconds(clock.now()));
  auto kt = kdc::exportKeytab(*realm->directory, o.account, eo);
  if (!kt.ok()) {
    std::fprintf(stderr, "kerbpool keytab export: %s\n", kt.error().detail.c_str());
    return 1;
  }
  auto written = kt->writeFile(o.out);
  if (!written.ok()) {
    std::fprintf(stderr, "kerbpool keytab export: %s\n", written.error().detail.c_str());
    return 1;
  }
  std::printf("wrote %zu keys of %s to %s (mode 0600)\n", kt->entries().size(), o.account.c_str(),
              o.out.c_str());
  for (const auto& e : kt->entries()) {
    std::printf("  %s kvno %u etype %d\n", e.principal().c_str(), e.kvno, e.key.enctype);
  }
  return 0;
}

}  // namespace

void registerKeytabExport(CLI::App& app) {
  static ExportOptions o;
  auto* keytab = app.get_subcommand("keytab");
  auto* cmd = keytab->add_subcommand("export", "Write a realm account's keys to a keytab (like ktpass)");
  cmd->add_option("--realm-file", o.realmFile, "JSON realm (docs/realm-file.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--account", o.account, "sAMAccountName, e.g. POOLKERB$")->required();
  cmd->add_option("--out", o.out, "keytab to write")->required();
  cmd->add_option("--principal", o.principals, "names to write (default: every SPN and the sAMAccountName)");
  cmd->add_flag("--all-kvnos", o.allKvnos, "every retained key version, not only the current one");
  cmd->footer(
      "Example: kerbpool keytab export --realm-file examples/contoso.realm.json --account 'POOLKERB$' --out "
      "/tmp/pool.keytab");
  cmd->callback([] { setExitCode(runExport(o)); });
}

}  // namespace kerbpool::cli
