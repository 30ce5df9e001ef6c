// Integration: `kerbpool serve` keeps a scenario's pool up for real outside clients (MIT kinit and kvno,
// curl --negotiate and --ntlm), and says what it served when it stops.
#include <catch2/catch.hpp>

#include <csignal>
#include <regex>

#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

namespace {

struct ServedLab {
  ServedLab(const test::TempDir& dir, const std::string& scenario)
      : krb5Conf((dir / "krb5.conf").string()),
        ccache((dir / "user001.ccache").string()),
        process({test::kerbpoolBinary(), "serve", scenario, "--krb5-conf", krb5Conf}, dir / "serve.out") {
    INFO(process.output());
    REQUIRE(process.waitForOutput("kerbpool serve: ready"));
    std::smatch m;
    const std::string out = process.output();
    REQUIRE(std::regex_search(out, m, std::regex("load balancer +127\\.0\\.0\\.1:([0-9]+)")));
    lbPort = m[1];
  }
  std::string env() const {
    return "KRB5_CONFIG=" + test::shellQuote(krb5Conf) + " KRB5CCNAME=" + test::shellQuote("FILE:" + ccache) +
           " ";
  }
  test::CommandResult kinit() const {
    return test::runCommand("printf '%s\\n' 'Passw0rd!' | " + env() + test::requireTool("kinit") +
                            " user001@CONTOSO.TEST");
  }
  test::CommandResult curl(const std::string& auth) const {
    return test::runCommand(env() + test::requireTool("curl") + " -sS " + auth +
                            " --resolve pool.contoso.test:" + lbPort +
                            ":127.0.0.1 -w '\\nstatus %{http_code}\\n' http://pool.contoso.test:" + lbPort +
                            "/WebTicket/WebTicketService.svc");
  }
  std::string krb5Conf;
  std::string ccache;
  test::BackgroundProcess process;
  std::string lbPort;
};

}  // namespace

TEST_CASE(
    "kerbpool serve per-node-spn: kinit works, kvno and curl --negotiate fail as the duplicate SPN predicts, "
    "curl --ntlm gets in",
    "[integration][scenarios][cli][serve]") {
  test::TempDir dir;
  ServedLab lab(dir, "per-node-spn");
  const auto kinit = lab.kinit();
  INFO(kinit.output);
  REQUIRE(kinit.exitCode == 0);
  const auto kvno = test::runCommand(lab.env() + test::requireTool("kvno") + " HTTP/pool.contoso.test");
  INFO(kvno.output);
  CHECK(kvno.exitCode != 0);
  CHECK(kvno.output.find("Server not found in Kerberos database") != std::string::npos);
  const auto negotiate = lab.curl("--negotiate -u :");
  INFO(negotiate.output);
  CHECK(negotiate.output.find("status 401") != std::string::npos);
  const auto ntlm = lab.curl("--ntlm -u 'CONTOSO\\user001:Passw0rd!'");
  INFO(ntlm.output);
  CHECK(ntlm.output.find("status 200") != std::string::npos);
  CHECK(ntlm.output.find("\"mechanism\":\"ntlm\"") != std::string::npos);
  CHECK(lab.process.stop(SIGINT) == 0);
  const std::string out = lab.process.output();
  INFO(out);
  CHECK(out.find("kerbpool serve: stopping on signal 2") != std::string::npos);
  CHECK(out.find("KDC_ERR_S_PRINCIPAL_UNKNOWN") != std::string::npos);
}

TEST_CASE("kerbpool serve shared-account: curl --negotiate gets Kerberos through the load balancer",
          "[integration][scenarios][cli][serve]") {
  test::TempDir dir;
  ServedLab lab(dir, "shared-account");
  const auto kinit = lab.kinit();
  INFO(kinit.output);
  REQUIRE(kinit.exitCode == 0);
  const auto negotiate = lab.curl("--negotiate -u :");
  INFO(negotiate.output);
  CHECK(negotiate.output.find("status 200") != std::string::npos);
  CHECK(negotiate.output.find("\"mechanism\":\"kerberos\"") != std::string::npos);
  CHECK(negotiate.output.find("\"user\":\"user001@CONTOSO.TEST\"") != std::string::npos);
  CHECK(lab.process.stop(SIGTERM) == 0);
}
