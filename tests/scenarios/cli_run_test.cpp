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
  auto missed = test::runCommand(bin + " test-assignment --scenario password-roll-missed-node");
  CHECK(missed.exitCode == 0);  // the set-up is right; the roll that misses fe03 is on the timeline

  auto unknown = test::runCommand(bin + " run no-such-scenario");
  CHECK(unknown.exitCode == 2);
  CHECK(unknown.output.find("neither a built-in scenario") != std::string::npos);
}
