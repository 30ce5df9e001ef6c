// Integration: the README's main command, `kerbpool run` (the tour), and the scenario tools of the CLI.
#include <catch2/catch.hpp>

#include "tests/support/tools.hpp"

using namespace kerbpool;

TEST_CASE("kerbpool run (the tour) exits 0 and shows the failure the fix and the comparison",
          "[integration][scenarios][cli]") {
  const auto r = test::runCommand(test::kerbpoolBinary() + " run --clients 16 2>&1");
  INFO(r.output);
  CHECK(r.exitCode == 0);
  CHECK(r.output.find("is registered on FE01$, FE02$ and FE03$") != std::string::npos);
  CHECK(r.output.find("KDC_ERR_S_PRINCIPAL_UNKNOWN") != std::string::npos);
  CHECK(r.output.find("Fix: Remove the SPN from the computer accounts") != std::string::npos);
  CHECK(r.output.find("PS> New-CsKerberosAccount") != std::string::npos);
  CHECK(r.output.find("Kerberos against NTLM") != std::string::npos);
  CHECK(r.output.find("violations: 0") != std::string::npos);
  CHECK(r.output.find("PS> iisreset /restart") != std::string::npos);
  CHECK(r.output.find("https://pool.contoso.test") != std::string::npos);
  CHECK(r.output.find("PASS") != std::string::npos);
}

TEST_CASE("kerbpool compare prints the table then why each scenario came out so",
          "[integration][scenarios][cli]") {
  const auto r =
      test::runCommand(test::kerbpoolBinary() + " compare per-node-spn shared-account --clients 6");
  INFO(r.output);
  CHECK(r.exitCode == 0);
  const auto table = r.output.find("Netlogon calls");
  const auto why = r.output.find("\nWhy\n");
  REQUIRE(table != std::string::npos);
  REQUIRE(why != std::string::npos);
  CHECK(table < why);
  CHECK(r.output.find("registered on FE01$, FE02$ and FE03$", why) != std::string::npos);
  CHECK(r.output.find("Fix: Remove the SPN from the computer accounts", why) != std::string::npos);
  CHECK(r.output.find("held by POOLKERB$", why) != std::string::npos);
  const auto bad = test::runCommand(test::kerbpoolBinary() + " compare per-node-spn 2>&1");
  CHECK(bad.exitCode == 2);
}

TEST_CASE("kerbpool run --json prints one JSON document", "[integration][scenarios][cli]") {
  const auto r = test::runCommand(test::kerbpoolBinary() + " run shared-account --clients 6 --json");
  INFO(r.output);
  CHECK(r.exitCode == 0);
  CHECK(r.output.rfind("{", 0) == 0);
  CHECK(r.output.find("\"passed\": true") != std::string::npos);
  CHECK(r.output.find("\"phases\"") != std::string::npos);
}

TEST_CASE("kerbpool list show setspn and test-assignment", "[scenarios][cli]") {
  const std::string bin = test::kerbpoolBinary();
  auto list = test::runCommand(bin + " list");
  CHECK(list.exitCode == 0);
  CHECK(list.output.find("tour") != std::string::npos);
  CHECK(list.output.find("per-node-spn") != std::string::npos);
  for (const char* name : {"kerberos-account-before-aes", "rc4-only-client", "duplicate-spn-2019"}) {
    INFO(name);
    CHECK(list.output.find(name) != std::string::npos);
  }

  auto show = test::runCommand(bin + " show per-node-spn");
  INFO(show.output);
  CHECK(show.exitCode == 0);
  CHECK(show.output.find("PS> setspn -A HTTP/pool.contoso.test FE02$") != std::string::npos);

  auto query = test::runCommand(bin + " setspn -Q HTTP/pool.contoso.test --scenario per-node-spn");
  INFO(query.output);
  CHECK(query.output.find("FE03") != std::string::npos);
  auto dup = test::runCommand(bin + " setspn -X --scenario per-node-spn");
  CHECK(dup.exitCode == 1);
  auto clean = test::runCommand(bin + " setspn -X --scenario shared-account");
  CHECK(clean.exitCode == 0);

  auto bad = test::runCommand(bin + " test-assignment --scenario per-node-spn");
  INFO(bad.output);
  CHECK(bad.exitCode == 1);
  CHECK(bad.output.find("FAIL Site Site1 has no Kerberos account assigned") != std::string::npos);
  auto good = test::runCommand(bin + " test-assignment --scenario shared-account");
  INFO(good.output);
  CHECK(good.exitCode == 0);
  CHECK(good.output.find("PASS Node fe03 (FE03$) holds the current key of POOLKERB$") != std::string::npos);
  CHECK(good.output.find("PS> Test-CsKerberosAccountAssignment -Identity \"site:Site1\" -Report") !=
        std::string::npos);
  auto unknown = test::runCommand(bin + " run no-such-scenario");
  CHECK(unknown.exitCode == 2);
  CHECK(unknown.output.find("neither a built-in scenario") != std::string::npos);
}

TEST_CASE("test-assignment and setspn look at the end of the timeline unless --at says otherwise",
          "[scenarios][cli]") {
  const std::string bin = test::kerbpoolBinary();
  // The README's example: the roll half way through missed fe03, so at the end fe03 holds a stale key.
  auto end = test::runCommand(bin + " test-assignment --scenario password-roll-missed-node");
  INFO(end.output);
  CHECK(end.exitCode == 1);
  CHECK(end.output.find("at end: phase 2, after the partial roll") != std::string::npos);
  CHECK(end.output.find("FAIL Node fe03 (FE03$) holds kvno 2 of POOLKERB$ but not the current kvno 3") !=
        std::string::npos);
  CHECK(end.output.find("PASS Node fe01 (FE01$) holds the current key of POOLKERB$ (kvno 3)") !=
        std::string::npos);
  CHECK(end.output.find("Kerberos account assignment: NOT OK") != std::string::npos);
  // Before the roll the set-up is right; a phase number or the event's label name the same points.
  for (const char* at : {"start", "1"}) {
    auto before = test::runCommand(bin + " test-assignment --scenario password-roll-missed-node --at " + at);
    INFO(at << ": " << before.output);
    CHECK(before.exitCode == 0);
    CHECK(before.output.find("Kerberos account assignment: OK") != std::string::npos);
  }
  auto byLabel = test::runCommand(
      bin + " test-assignment --scenario password-roll-missed-node --at 'after the partial roll'");
  CHECK(byLabel.exitCode == 1);
  auto bad = test::runCommand(bin + " test-assignment --scenario password-roll-missed-node --at 3 2>&1");
  INFO(bad.output);
  CHECK(bad.exitCode == 2);
  CHECK(bad.output.find("--at '3' is not a point of scenario password-roll-missed-node's timeline") !=
        std::string::npos);
  CHECK(bad.output.find("2 ('after the partial roll')") != std::string::npos);

  // The fix on the tour's timeline: duplicates at the start, none at the end.
  CHECK(test::runCommand(bin + " setspn -X --scenario tour --at start").exitCode == 1);
  auto fixed = test::runCommand(bin + " setspn -Q HTTP/pool.contoso.test --scenario tour");
  INFO(fixed.output);
  CHECK(fixed.exitCode == 0);
  CHECK(fixed.output.find("POOLKERB") != std::string::npos);
  CHECK(fixed.output.find("FE02$") == std::string::npos);

  // kerbpool run prints the check for every phase after its report.
  auto run = test::runCommand(bin + " run password-roll-missed-node --clients 6 --test-assignment");
  INFO(run.output);
  const auto section = run.output.find("Test-CsKerberosAccountAssignment per phase");
  REQUIRE(section != std::string::npos);
  const auto phase1 = run.output.find("phase 1, before the first timeline event", section);
  const auto phase2 = run.output.find("phase 2, after the partial roll", section);
  REQUIRE(phase1 != std::string::npos);
  REQUIRE(phase2 != std::string::npos);
  CHECK(run.output.find("Kerberos account assignment: OK", phase1) < phase2);
  CHECK(run.output.find("FAIL Node fe03", phase2) != std::string::npos);
}

TEST_CASE("kerbpool --version and each subcommand's --help with an example", "[scenarios][cli]") {
  const std::string bin = test::kerbpoolBinary();
  auto v = test::runCommand(bin + " --version");
  CHECK(v.exitCode == 0);
  CHECK(v.output.rfind("kerbpool ", 0) == 0);
  for (const char* cmd : {"run", "compare", "setspn", "test-assignment", "list", "show", "kdc", "frontend",
                          "lb", "echo-backend", "cert", "keytab", "keytab list", "keytab add",
                          "keytab export", "bench", "bench crypto", "bench netlogon", "version"}) {
    auto h = test::runCommand(bin + " " + cmd + " --help");
    INFO(cmd << ": " << h.output);
    CHECK(h.exitCode == 0);
    CHECK(h.output.find("Example") != std::string::npos);
  }
  // Defaults are shown: a number's (=88), or in words where the default is "the scenario's".
  CHECK(test::runCommand(bin + " kdc --help").output.find("=88") != std::string::npos);
  const auto run = test::runCommand(bin + " run --help").output;
  CHECK(run.find("[1 - 100000]=the scenario's") != std::string::npos);
  CHECK(run.find("=tour") != std::string::npos);
}

TEST_CASE("kerbpool run shows a status line on a terminal only", "[integration][scenarios][cli]") {
  const std::string bin = test::kerbpoolBinary();
  // ntlm-bottleneck lasts well over the second after which the line appears: its logons queue at a
  // 2-call semaphore with a 1 s timeout. `script` gives the run a pseudo-terminal (200 columns wide: the line
  // is cut to the terminal's width).
  const std::string run = bin + " run ntlm-bottleneck";
  auto tty = test::runCommand("script -qec " + test::shellQuote("stty cols 200; " + run + " >/dev/null") +
                              " /dev/null");
  INFO(tty.output);
  CHECK(tty.output.find("requests, ") != std::string::npos);
  CHECK(tty.output.find("Netlogon waiters") != std::string::npos);
  CHECK(tty.output.find("\r\033[K") != std::string::npos);  // rewritten in place, then erased
  // A narrow terminal gets the line cut to its width, never wrapped.
  auto narrow = test::runCommand("script -qec " + test::shellQuote("stty cols 30; " + run + " >/dev/null") +
                                 " /dev/null");
  CHECK(narrow.output.find("requests, ") != std::string::npos);
  CHECK(narrow.output.find("Kerberos") == std::string::npos);
  auto quiet = test::runCommand(
      "script -qec " + test::shellQuote("stty cols 200; " + run + " --quiet >/dev/null") + " /dev/null");
  INFO(quiet.output);
  CHECK(quiet.output.find("Netlogon waiters") == std::string::npos);
  auto pipe = test::runCommand(run + " 2>&1 >/dev/null | cat");
  CHECK(pipe.output.find("Netlogon waiters") == std::string::npos);
}
