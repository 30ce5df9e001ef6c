// curl --ntlm against `kerbpool frontend --ntlm-dc`, whose secure channel reaches `kerbpool kdc
// --netlogon-port` over TCP: three processes, the NTLMv2 response computed by curl, validated by the DC.
#include <catch2/catch.hpp>

#include <regex>

#include "tests/frontend/frontend_test_support.hpp"
#include "tests/support/kdc_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

namespace {

std::string realmFile() {
  return (test::sourceDir() / "examples" / "contoso.realm.json").string();
}

std::string portAfter(const std::string& out, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(pattern))) {
    return "";
  }
  return m[1].str();
}

// `kerbpool kdc` with the Netlogon listener, and `kerbpool frontend` (fe01, the pool keytab) using it.
struct NtlmProcesses {
  NtlmProcesses()
      : kdc({test::kerbpoolBinary(), "kdc", "--realm-file", realmFile(), "--port", "0", "--netlogon-port",
             "0"},
            dir / "kdc.out") {
    REQUIRE(kdc.waitForOutput("kerbpool kdc: ready"));
    netlogonPort = portAfter(kdc.output(), R"(Netlogon pass-through \(NTLM\) on 127\.0\.0\.1 port (\d+))");
    INFO(kdc.output());
    REQUIRE_FALSE(netlogonPort.empty());

    const auto keytab = dir / "pool.keytab";
    auto exported = test::runCommand(test::shellQuote(test::kerbpoolBinary()) +
                                     " keytab export --realm-file " + test::shellQuote(realmFile()) +
                                     " --account 'POOLKERB$' --out " + test::shellQuote(keytab.string()));
    INFO(exported.output);
    REQUIRE(exported.exitCode == 0);
    frontend = std::make_unique<test::BackgroundProcess>(
        std::vector<std::string>{test::kerbpoolBinary(), "frontend", "--node", "fe01", "--port", "0",
                                 "--keytab", keytab.string(), "--ntlm-dc", "127.0.0.1:" + netlogonPort},
        dir / "frontend.out");
    REQUIRE(frontend->waitForOutput("kerbpool frontend fe01: ready on http://127.0.0.1:"));
    port = portAfter(frontend->output(), R"(ready on http://127\.0\.0\.1:(\d+))");
    REQUIRE_FALSE(port.empty());
  }

  test::CommandResult curlNtlm(const std::string& userPassword) const {
    return test::runCommand(
        test::requireTool("curl") + " -sS -v --ntlm -u " + test::shellQuote(userPassword) +
        " -w '\\nstatus %{http_code}\\n' http://127.0.0.1:" + port + test::kWebTicketPath);
  }

  test::TempDir dir;
  test::BackgroundProcess kdc;
  std::string netlogonPort;
  std::unique_ptr<test::BackgroundProcess> frontend;
  std::string port;
};

}  // namespace

TEST_CASE("curl --ntlm against kerbpool frontend with pass-through to kerbpool kdc",
          "[frontend][ntlm][interop][cli]") {
  NtlmProcesses p;
  CHECK_THAT(p.frontend->output(),
             Catch::Contains(
                 "NTLM offered, pass-through to 127.0.0.1:" + p.netlogonPort +
                 " over secure channel FE01$ (domain CONTOSO, realm CONTOSO.TEST, MaxConcurrentApi 10)"));

  // The anonymous 401 offers both schemes, Negotiate first.
  auto anonymous = test::runCommand(test::requireTool("curl") + " -sS -i http://127.0.0.1:" + p.port +
                                    test::kWebTicketPath);
  test::checkContainsAll(anonymous.output,
                         {"HTTP/1.1 401", "WWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n"});

  for (const std::string user : {"alice", "CONTOSO\\alice"}) {
    auto r = p.curlNtlm(user + ":Passw0rd!");
    INFO(r.output);
    CHECK(r.exitCode == 0);
    test::checkContainsAll(r.output,
                           {"> Authorization: NTLM TlRMTVNTUAAB", "< WWW-Authenticate: NTLM TlRMTVNTUAAC",
                            "> Authorization: NTLM TlRMTVNTUAAD", "\"user\":\"alice@CONTOSO.TEST\"",
                            "\"mechanism\":\"ntlm\"", "status 200"});
  }

  auto wrong = p.curlNtlm("alice:not-the-password");
  INFO(wrong.output);
  test::checkContainsAll(wrong.output, {"ntlm_logon_failure", "status 401"});

  CHECK(p.frontend->stop() == 0);
  const std::string out = p.frontend->output();
  INFO(out);
  CHECK(std::regex_search(out, std::regex(R"(allowed user alice@CONTOSO.TEST\s+2\n)")));
  CHECK(std::regex_search(out, std::regex(R"(ntlm authenticated\s+2\n)")));
  CHECK(std::regex_search(out, std::regex(R"(ntlm outcome STATUS_SUCCESS\s+2\n)")));
  CHECK(std::regex_search(out, std::regex(R"(ntlm outcome STATUS_WRONG_PASSWORD\s+1\n)")));
  CHECK(std::regex_search(out, std::regex(R"(denied ntlm_logon_failure\s+1\n)")));
  CHECK(out.find("fe01: 401") != std::string::npos);
  CHECK(out.find("STATUS_WRONG_PASSWORD") != std::string::npos);
}

TEST_CASE("kerbpool frontend --ntlm-dc with no DC listening answers ntlm_dc_unavailable",
          "[frontend][ntlm][interop][cli]") {
  test::TempDir dir;
  const auto keytab = dir / "pool.keytab";
  REQUIRE(test::runCommand(test::shellQuote(test::kerbpoolBinary()) + " keytab export --realm-file " +
                           test::shellQuote(realmFile()) + " --account 'POOLKERB$' --out " +
                           test::shellQuote(keytab.string()))
              .exitCode == 0);
  const auto deadPort = std::to_string(test::freeLoopbackPort());
  test::BackgroundProcess fe({test::kerbpoolBinary(), "frontend", "--node", "fe02", "--port", "0", "--keytab",
                              keytab.string(), "--ntlm-dc", "127.0.0.1:" + deadPort},
                             dir / "frontend.out");
  REQUIRE(fe.waitForOutput("ready on http://127.0.0.1:"));
  const std::string port = portAfter(fe.output(), R"(ready on http://127\.0\.0\.1:(\d+))");
  auto r = test::runCommand(test::requireTool("curl") +
                            " -sS --ntlm -u 'alice:Passw0rd!' -w '\\nstatus %{http_code}\\n' " +
                            "http://127.0.0.1:" + port + test::kWebTicketPath);
  INFO(r.output);
  test::checkContainsAll(r.output, {"ntlm_dc_unavailable", "status 401"});
  CHECK(fe.stop() == 0);
  CHECK(fe.output().find("STATUS_NO_LOGON_SERVERS: the secure channel FE02$ could not reach the DC") !=
        std::string::npos);
}
