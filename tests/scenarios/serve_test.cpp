// Integration: `kerbpool serve` keeps a scenario's pool up for real outside clients (MIT kinit and kvno,
// curl --negotiate and --ntlm), and says what it served when it stops.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/support/flood.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

namespace {

std::vector<std::string> serveArgs(const std::string& krb5Conf, const std::vector<std::string>& args) {
  std::vector<std::string> argv{test::kerbpoolBinary(), "serve", "--krb5-conf", krb5Conf};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

struct ServedLab {
  // `args`: the scenario and serve's options; `name` keeps two labs' files apart in one folder.
  ServedLab(const test::TempDir& dir, const std::vector<std::string>& args, const std::string& name = "serve")
      : krb5Conf((dir / (name + ".krb5.conf")).string()),
        ccache((dir / (name + ".ccache")).string()),
        process(serveArgs(krb5Conf, args), dir / (name + ".out")) {
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
  ServedLab lab(dir, {"per-node-spn"});
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
  ServedLab lab(dir, {"shared-account"});
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

namespace {

test::CommandResult labCommand(const std::string& state, const std::string& command) {
  return test::runCommand(test::shellQuote(test::kerbpoolBinary()) + " lab --state " +
                          test::shellQuote(state) + " " + command);
}

}  // namespace

TEST_CASE(
    "kerbpool serve --state: the fix applied with kerbpool lab while it runs, and kept across a restart",
    "[integration][scenarios][cli][serve]") {
  test::TempDir dir;
  const std::string state = (dir / "state").string();
  {
    ServedLab lab(dir, {"per-node-spn", "--state", state}, "first");
    REQUIRE(lab.kinit().exitCode == 0);
    const auto before = lab.curl("--negotiate -u :");
    INFO(before.output);
    CHECK(before.output.find("status 401") != std::string::npos);

    // A second lab on the same state is refused; so are a bad account and a bad SPN, in setspn's words.
    const auto second = test::runCommand(test::shellQuote(test::kerbpoolBinary()) + " serve --state " +
                                         test::shellQuote(state) + " 2>&1");
    CHECK(second.exitCode == 2);
    CHECK(second.output.find("in use by another running lab") != std::string::npos);
    const auto badAccount = labCommand(state, "setspn -S HTTP/pool.contoso.test 'NOBODY$'");
    CHECK(badAccount.exitCode == 1);
    CHECK(badAccount.output.find("Unable to locate account NOBODY$") != std::string::npos);
    CHECK(labCommand(state, "setspn -S HTTPpool 'FE01$'").exitCode == 1);

    // The fix, as an admin types it.
    for (const char* node : {"FE01$", "FE02$", "FE03$"}) {
      const auto r = labCommand(state, std::string("setspn -D HTTP/pool.contoso.test '") + node + "'");
      INFO(r.output);
      CHECK(r.exitCode == 0);
    }
    for (const char* command :
         {"New-CsKerberosAccount -UserAccount 'CONTOSO\\POOLKERB'",
          "New-CsKerberosAccountAssignment -UserAccount 'CONTOSO\\POOLKERB' -Identity site:Site1",
          "Set-CsKerberosAccountPassword", "Test-CsKerberosAccountAssignment"}) {
      const auto r = labCommand(state, command);
      INFO(command << "\n" << r.output);
      CHECK(r.exitCode == 0);
    }
    const auto after = lab.curl("--negotiate -u :");
    INFO(after.output);
    CHECK(after.output.find("status 200") != std::string::npos);
    CHECK(after.output.find("\"mechanism\":\"kerberos\"") != std::string::npos);

    // A node whose clock drifts past Kerberos' 5 minutes refuses the same ticket, until it is set right.
    std::smatch nm;
    const std::string served = lab.process.output();
    REQUIRE(std::regex_search(served, nm, std::regex("node fe01 +127\\.0\\.0\\.1:([0-9]+)")));
    const std::string fe01 = nm[1];
    const auto direct = [&] {
      return test::runCommand(
          lab.env() + test::requireTool("curl") +
          " -sS --negotiate -u : -w '\\nstatus %{http_code}\\n' --resolve pool.contoso.test:" + fe01 +
          ":127.0.0.1 http://pool.contoso.test:" + fe01 + "/clock");
    };
    CHECK(direct().output.find("status 200") != std::string::npos);
    const auto drift = labCommand(state, "clock-drift fe01 600");
    INFO(drift.output);
    CHECK(drift.exitCode == 0);
    CHECK(drift.output.find("600 s ahead of the domain controller") != std::string::npos);
    CHECK(direct().output.find("status 401") != std::string::npos);
    CHECK(labCommand(state, "clock-drift fe01 0").exitCode == 0);
    CHECK(direct().output.find("status 200") != std::string::npos);
    CHECK(labCommand(state, "clock-drift fe09 5").exitCode == 1);
    CHECK(lab.process.stop(SIGINT) == 0);
  }
  // Restarted on the same state, without naming the scenario: the journal is replayed.
  ServedLab again(dir, {"--state", state}, "second");
  INFO(again.process.output());
  CHECK(again.process.output().find("replayed from " + state + ": Set-CsKerberosAccountPassword") !=
        std::string::npos);
  REQUIRE(again.kinit().exitCode == 0);
  const auto kvno = test::runCommand(again.env() + test::requireTool("kvno") + " HTTP/pool.contoso.test");
  INFO(kvno.output);
  CHECK(kvno.output.find("HTTP/pool.contoso.test@CONTOSO.TEST: kvno = 2") != std::string::npos);
  const auto holder = labCommand(state, "setspn -Q HTTP/pool.contoso.test");
  CHECK(holder.output.find("CN=POOLKERB,CN=Computers") != std::string::npos);
  CHECK(holder.output.find("CN=FE01,") == std::string::npos);
  const auto negotiate = again.curl("--negotiate -u :");
  CHECK(negotiate.output.find("\"mechanism\":\"kerberos\"") != std::string::npos);
  CHECK(again.process.stop(SIGTERM) == 0);
  // Another scenario on this state is refused, and the state is left as it was.
  const auto other = test::runCommand(test::shellQuote(test::kerbpoolBinary()) + " serve tour --state " +
                                      test::shellQuote(state) + " 2>&1");
  CHECK(other.exitCode == 2);
  CHECK(other.output.find("holds the lab of scenario 'per-node-spn'") != std::string::npos);
}

TEST_CASE("kerbpool serve: headless Chromium through the lab's proxy gets the pool's page with Kerberos",
          "[integration][scenarios][cli][serve][browser]") {
  test::TempDir dir;
  ServedLab lab(dir, {"shared-account"});
  REQUIRE(lab.kinit().exitCode == 0);
  const std::string out = lab.process.output();
  std::smatch m;
  REQUIRE(std::regex_search(
      out, m, std::regex("chromium (--user-data-dir=\\S+ --proxy-server=127\\.0\\.0\\.1:[0-9]+) (\\S+)")));
  const std::string chromium =
      lab.env() + test::requireTool("chromium") +
      " --headless --disable-gpu --no-sandbox --disable-background-networking --no-first-run"
      " --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' " +
      std::string(m[1]) + " --dump-dom " + std::string(m[2]) + " 2>/dev/null";
  const auto page = test::runCommand(chromium);
  INFO(page.output);
  CHECK(page.output.find("\"mechanism\":\"kerberos\"") != std::string::npos);
  CHECK(page.output.find("\"user\":\"user001@CONTOSO.TEST\"") != std::string::npos);

  // The proxy refuses what is not the lab's.
  const auto outside = test::runCommand(test::requireTool("curl") + " -sS -x http://" +
                                        std::string(m[1]).substr(std::string(m[1]).find("127.0.0.1")) +
                                        " http://example.com/");
  CHECK(outside.output.find("'example.com' is not one of them") != std::string::npos);
  CHECK(lab.process.stop(SIGINT) == 0);
  const std::string after = lab.process.output();
  INFO(after);
  CHECK(after.find("refused (not the lab's names)") != std::string::npos);
}

TEST_CASE(
    "kerbpool serve: the live dashboard counts outside clients' Kerberos and NTLM (curl, and Chromium "
    "without a "
    "ticket), in headless Chromium",
    "[integration][scenarios][cli][serve][browser]") {
  test::TempDir dir;
  ServedLab lab(dir, {"per-node-spn"});
  const std::string out = lab.process.output();
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex("dashboard +(http://127\\.0\\.0\\.1:[0-9]+/)")));
  const std::string url = m[1];
  // NTLM twice (the per-node SPN leaves nothing else), then a Negotiate attempt that is refused.
  REQUIRE(lab.kinit().exitCode == 0);
  for (int i = 0; i < 2; ++i) {
    CHECK(lab.curl("--ntlm -u 'CONTOSO\\user001:Passw0rd!'").output.find("status 200") != std::string::npos);
  }
  CHECK(lab.curl("--negotiate -u :").output.find("status 401") != std::string::npos);

  const auto stats = test::runCommand(test::requireTool("curl") + " -sS " + url + "stats.json");
  INFO(stats.output);
  const auto j = nlohmann::json::parse(stats.output);
  std::uint64_t ntlm = 0;
  for (const auto& n : j.at("nodes")) {
    ntlm += n.at("by_mechanism").value("ntlm", 0);
    CHECK(n.contains("netlogon"));
  }
  CHECK(ntlm == 2);
  CHECK(j.at("dcs").at(0).at("kdc_errors").value("KDC_ERR_S_PRINCIPAL_UNKNOWN", 0) >= 1);
  CHECK(j.at("dcs").at(0).at("netlogon_pass_throughs") == 2);
  bool event11 = false;
  for (const auto& e : j.at("events")) {
    event11 = event11 || e.at("id") == 11;
  }
  CHECK(event11);

  // A browser with no ticket (an empty credential cache), through the lab's proxy with the lab's second
  // profile: it gets in with NTLM.
  std::smatch n;
  REQUIRE(std::regex_search(
      out, n,
      std::regex(
          "chromium (--user-data-dir=\\S+chromium-ntlm --proxy-server=127\\.0\\.0\\.1:[0-9]+) (\\S+)")));
  const std::string browser =
      test::requireTool("chromium") +
      " --headless --disable-gpu --no-sandbox --disable-background-networking --no-first-run"
      " --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' ";
  const auto noTicket =
      test::runCommand("KRB5_CONFIG=" + test::shellQuote(lab.krb5Conf) + " KRB5CCNAME=" +
                       test::shellQuote("FILE:" + (dir / "empty.ccache").string()) + " " + browser +
                       std::string(n[1]) + " --dump-dom " + test::shellQuote(n[2]) + " 2>/dev/null");
  INFO(noTicket.output);
  CHECK(noTicket.output.find("\"mechanism\":\"ntlm\"") != std::string::npos);
  CHECK(noTicket.output.find("\"user\":\"user001@CONTOSO.TEST\"") != std::string::npos);
  const auto totals = nlohmann::json::parse(
      test::runCommand(test::requireTool("curl") + " -sS " + url + "stats.json").output);
  std::uint64_t ntlmNow = 0;
  for (const auto& node : totals.at("nodes")) {
    ntlmNow += node.at("by_mechanism").value("ntlm", 0);
  }
  CHECK(ntlmNow > 2);  // the browser's page (and its favicon, on the same authenticated connection)
  const auto passThroughs = totals.at("dcs").at(0).at("netlogon_pass_throughs").get<std::uint64_t>();
  CHECK(passThroughs == 3);

  // The page in a real browser: its totals come from the polls, and every chart has drawn.
  const auto page =
      test::runCommand(browser + "--virtual-time-budget=4000 --dump-dom " + url + " 2>/dev/null");
  INFO(page.output);
  CHECK(page.output.find("NTLM " + std::to_string(ntlmNow) + "</span>") != std::string::npos);
  CHECK(page.output.find("Netlogon pass-throughs 3</span>") != std::string::npos);
  CHECK(page.output.find("polls 0</span>") == std::string::npos);
  CHECK(page.output.find("charts with data 4</span>") != std::string::npos);
  CHECK(page.output.find("<td>11</td>") != std::string::npos);
  CHECK(lab.process.stop(SIGINT) == 0);
}

TEST_CASE(
    "kerbpool serve --state: MaxConcurrentApi set with reg add, the event logs, the lab's certificates and "
    "its web ticket keys survive a restart",
    "[integration][scenarios][cli][serve]") {
  test::TempDir dir;
  const std::string state = (dir / "state").string();
  const auto caOf = [](const std::string& out) {
    std::smatch m;
    REQUIRE(std::regex_search(out, m, std::regex("CA certificate +(\\S+)")));
    return std::string(m[1]);
  };
  // The lab's own NTLM line, with the CA file of the first run (a workstation that trusted it keeps it).
  const auto curlNtlm = [](const std::string& out, const std::string& caFile) {
    std::smatch m;
    REQUIRE(
        std::regex_search(out, m, std::regex("curl --ntlm -u (\\S+) --resolve (\\S+) --cacert \\S+ (\\S+)")));
    return test::runCommand(test::requireTool("curl") + " -sS --ntlm -u " + std::string(m[1]) +
                            " --resolve " + std::string(m[2]) + " --cacert " + test::shellQuote(caFile) +
                            " -w '\nstatus %{http_code}\n' " + std::string(m[3]));
  };
  // The same request to another path of the pool (the web services), with curl's other arguments.
  const auto curlPool = [](const std::string& out, const std::string& caFile, const std::string& args,
                           const std::string& path) {
    std::smatch m;
    REQUIRE(
        std::regex_search(out, m, std::regex("curl --ntlm -u (\\S+) --resolve (\\S+) --cacert \\S+ (\\S+)")));
    const std::string url = m[3];
    const std::string origin = url.substr(0, url.find('/', url.find("://") + 3));
    return test::runCommand(test::requireTool("curl") + " -sS " + args + " --resolve " + std::string(m[2]) +
                            " --cacert " + test::shellQuote(caFile) + " -w '\nstatus %{http_code}\n' " +
                            test::shellQuote(origin + path));
  };
  const auto userOf = [](const std::string& out) {
    std::smatch m;
    REQUIRE(std::regex_search(out, m, std::regex("curl --ntlm -u (\\S+) ")));
    return std::string(m[1]);
  };
  const auto ticketOf = [](const std::string& body) {
    std::smatch m;
    REQUIRE(std::regex_search(body, m, std::regex("\"access_token\":\"(cwt=[^\"]+)\"")));
    return std::string(m[1]);
  };
  std::string ticketV1;
  std::string ticketV2;
  const std::string reg =
      "reg add 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters' /v MaxConcurrentApi /t "
      "REG_DWORD /d 25 /f";
  const std::string keptCa = (dir / "trusted-ca.pem").string();
  {
    ServedLab lab(dir, {"tour", "--state", state}, "first");
    const std::string out = lab.process.output();
    std::filesystem::copy_file(caOf(out), keptCa);
    const auto set = labCommand(state, reg);
    INFO(set.output);
    CHECK(set.exitCode == 0);
    CHECK(set.output.find("The operation completed successfully.") != std::string::npos);
    CHECK(set.output.find("fe02 (FE02$, secure channel to DC01): MaxConcurrentApi 10 -> 25, in force now") !=
          std::string::npos);
    // reg.exe's own errors: an unknown computer, bad syntax; and the range Netlogon accepts.
    CHECK(labCommand(state,
                     "reg add '\\\\fe09\\HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters' /v "
                     "MaxConcurrentApi /t REG_DWORD /d 5 /f")
              .output.find("ERROR: The network path was not found.") != std::string::npos);
    CHECK(labCommand(state, "reg add").output.find("ERROR: Invalid syntax.") != std::string::npos);
    CHECK(labCommand(state,
                     "reg add 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters' /v "
                     "MaxConcurrentApi /t REG_DWORD /d 151 /f")
              .exitCode == 1);
    const auto ntlm = curlNtlm(out, keptCa);
    INFO(ntlm.output);
    CHECK(ntlm.output.find("status 200") != std::string::npos);
    // Web tickets: one sealed with the pool key's version 1, then a roll, one sealed with version 2.
    const std::string grant = "--ntlm -u " + userOf(out) + " -d grant_type=urn:microsoft.rtc:windows";
    const auto first = curlPool(out, keptCa, grant, "/WebTicket/oauthtoken");
    INFO(first.output);
    ticketV1 = ticketOf(first.output);
    const auto roll = labCommand(state, "Set-CsCertificate -Type OAuthTokenIssuer -Roll");
    INFO(roll.output);
    CHECK(roll.exitCode == 0);
    const auto second = curlPool(out, keptCa, grant, "/WebTicket/oauthtoken");
    ticketV2 = ticketOf(second.output);
    CHECK(ticketV1 != ticketV2);
    // The DC's 4776 for that logon reaches the state's log (written once a second).
    CHECK(test::eventually([&] {
      return labCommand(state, "Get-WinEvent -Id 4776 -MaxEvents 5").output.find("4776  DC01") !=
             std::string::npos;
    }));
    CHECK(lab.process.stop(SIGINT) == 0);
  }
  ServedLab again(dir, {"--state", state}, "second");
  const std::string out = again.process.output();
  INFO(out);
  CHECK(out.find("replayed from " + state + ": reg add") != std::string::npos);
  // The same certificates: the CA the workstation kept still verifies the pool.
  std::ifstream a(keptCa), b(caOf(out));
  CHECK(std::string(std::istreambuf_iterator<char>(a), {}) ==
        std::string(std::istreambuf_iterator<char>(b), {}));
  CHECK(curlNtlm(out, keptCa).output.find("status 200") != std::string::npos);
  // The pool's web ticket keys were kept: both tickets of the first run still open on the restarted pool.
  for (const auto& ticket : {ticketV1, ticketV2}) {
    const auto bearer = curlPool(out, keptCa, "-H " + test::shellQuote("Authorization: Bearer " + ticket),
                                 "/ucwa/oauth/v1/applications");
    INFO(bearer.output);
    CHECK(bearer.output.find("status 200") != std::string::npos);
    CHECK(bearer.output.find("\"mechanism\":\"webticket\"") != std::string::npos);
  }
  std::smatch d;
  REQUIRE(std::regex_search(out, d, std::regex("dashboard +(http://127\\.0\\.0\\.1:[0-9]+/)")));
  // Both runs' events, newest first, from the state; the replayed MaxConcurrentApi on every node.
  std::vector<int> runs;
  CHECK(test::eventually([&] {
    const auto stats =
        test::runCommand(test::requireTool("curl") + " -sS " + std::string(d[1]) + "stats.json");
    const auto j = nlohmann::json::parse(stats.output, nullptr, false);
    runs.clear();
    for (const auto& e : j.value("events", nlohmann::json::array())) {
      if (e.value("id", 0) == 4776) {
        runs.push_back(e.value("run", 0));
      }
    }
    for (const auto& n : j.value("nodes", nlohmann::json::array())) {
      if (n.at("netlogon").value("max_concurrent_api", 0) != 25) {
        return false;
      }
    }
    return runs.size() == 4;
  }));
  // The first run: the NTLM logon to the page, then the two web-ticket sign-ins.
  CHECK(runs == std::vector<int>{2, 1, 1, 1});
  const auto events = labCommand(state, "Get-WinEvent -ComputerName dc01 -Id 4776");
  INFO(events.output);
  CHECK(std::regex_search(events.output, std::regex("4776  DC01 +Microsoft-Windows-Security-Auditing +2 ")));
  CHECK(std::regex_search(events.output, std::regex("4776  DC01 +Microsoft-Windows-Security-Auditing +1 ")));
  CHECK(labCommand(state, "Get-WinEvent -MaxEvents 0").exitCode == 2);
  CHECK(again.process.stop(SIGINT) == 0);
  // The lab stopped: its logs are still there to read.
  CHECK(labCommand(state, "Get-WinEvent -Id 4776").output.find("4776  DC01") != std::string::npos);
}

TEST_CASE(
    "kerbpool serve --state, Exchange: the ASA created, its SPN set and its password rolled with Exchange's "
    "commands while the lab runs, and a CAS that is down misses the roll",
    "[integration][scenarios][cli][serve]") {
  test::TempDir dir;
  const std::string state = (dir / "state").string();
  ServedLab lab(dir, {"exchange-asa-missing", "--state", state}, "exchange");
  REQUIRE(lab.kinit().exitCode == 0);
  const auto outlook = [&] {
    return test::runCommand(
        lab.env() + test::requireTool("curl") +
        " -sS --negotiate -u : -w '\\nstatus %{http_code}\\n' --resolve outlook.contoso.test:" + lab.lbPort +
        ":127.0.0.1 http://outlook.contoso.test:" + lab.lbPort + "/mapi/emsmdb/");
  };
  CHECK(outlook().output.find("status 401") != std::string::npos);  // no account holds the SPN

  // Lync's cmdlets are not Exchange's.
  const auto lync = labCommand(state, "New-CsKerberosAccount -UserAccount 'CONTOSO\\POOLKERB'");
  CHECK(lync.exitCode == 1);
  CHECK(lync.output.find("this lab is an Exchange CAS array") != std::string::npos);
  CHECK(labCommand(state, "New-ADComputer -Name EXCH2010-ASA").exitCode == 0);
  CHECK(labCommand(state, "setspn -S HTTP/outlook.contoso.test 'EXCH2010-ASA$'").exitCode == 0);
  // The script's parameters are checked as a scenario's roll_asa_password is, in the script's words.
  const auto wrong = labCommand(state,
                                "'.\\RollAlternateServiceAccountPassword.ps1' -ToSpecificServers cas01,cas09 "
                                "-GenerateNewPasswordFor 'CONTOSO\\EXCH2010-ASA$'");
  CHECK(wrong.exitCode == 1);
  CHECK(wrong.output.find("-ToSpecificServers[1]: 'cas09' is not a Client Access server of the pool") !=
        std::string::npos);

  REQUIRE(labCommand(state, "node-down cas03").exitCode == 0);
  const auto roll =
      labCommand(state,
                 "'.\\RollAlternateServiceAccountPassword.ps1' -ToArrayMembers outlook.contoso.test "
                 "-GenerateNewPasswordFor 'CONTOSO\\EXCH2010-ASA$'");
  INFO(roll.output);
  CHECK(roll.output.find("Pushing credentials to server CAS01") != std::string::npos);
  CHECK(roll.output.find("Pushing credentials to server CAS03: FAILED") != std::string::npos);
  CHECK(roll.output.find("THE SCRIPT HAS FAILED") != std::string::npos);
  const auto status =
      labCommand(state, "Get-ClientAccessServer -IncludeAlternateServiceAccountCredentialStatus");
  INFO(status.output);
  CHECK(std::regex_search(status.output,
                          std::regex("CAS02\\s+AlternateServiceAccountConfiguration : Latest: [0-9]")));
  CHECK(std::regex_search(status.output,
                          std::regex("CAS03\\s+AlternateServiceAccountConfiguration : Latest: <not set>")));
  // With CAS03 out of the balancer's rotation, every Outlook connection gets Kerberos.
  const auto kerberos = outlook();
  INFO(kerberos.output);
  CHECK(kerberos.output.find("\"mechanism\":\"kerberos\"") != std::string::npos);
  CHECK(lab.process.stop(SIGINT) == 0);
}

TEST_CASE(
    "kerbpool serve shared-account: curl walks Lync's sign-in: discovery, 401 MsRtcOAuth, a web ticket with "
    "--negotiate, the ticket accepted by another node of the pool",
    "[integration][scenarios][cli][serve][webticket]") {
  test::TempDir dir;
  ServedLab lab(dir, {"shared-account"});
  REQUIRE(lab.kinit().exitCode == 0);
  const std::string out = lab.process.output();
  const auto curl = [&](const std::string& args, const std::string& port, const std::string& path) {
    return test::runCommand(lab.env() + test::requireTool("curl") + " -sS " + args +
                            " --resolve pool.contoso.test:" + port +
                            ":127.0.0.1 -w '\\nstatus %{http_code}\\n' " +
                            test::shellQuote("http://pool.contoso.test:" + port + path));
  };
  const auto root = curl("", lab.lbPort, "/autodiscover/autodiscoverservice.svc/root");
  INFO(root.output);
  CHECK(root.output.find("/Autodiscover/AutodiscoverService.svc/root/oauth/user\"") != std::string::npos);
  // The MEX-like metadata names where and how to sign in.
  const auto mex = curl("", lab.lbPort, "/WebTicket/WebTicketService.svc/mex");
  INFO(mex.output);
  CHECK(mex.output.find("<soap12:address location=\"http://pool.contoso.test:" + lab.lbPort +
                        "/WebTicket/oauthtoken\"/>") != std::string::npos);
  CHECK(mex.output.find("<http:NegotiateAuthentication/>") != std::string::npos);
  const auto anonymous = curl("-i", lab.lbPort, "/ucwa/oauth/v1/applications");
  INFO(anonymous.output);
  CHECK(anonymous.output.find("status 401") != std::string::npos);
  CHECK(anonymous.output.find("WWW-Authenticate: MsRtcOAuth href=\"http://pool.contoso.test:" + lab.lbPort +
                              "/WebTicket/oauthtoken\",grant_type=\"urn:microsoft.rtc:windows,") !=
        std::string::npos);

  const auto token = curl("-i --negotiate -u : -d grant_type=urn:microsoft.rtc:windows", lab.lbPort,
                          "/WebTicket/oauthtoken");
  INFO(token.output);
  REQUIRE(token.output.find("status 200") != std::string::npos);
  std::smatch m;
  REQUIRE(std::regex_search(token.output, m, std::regex("X-Kerbpool-Node: (fe0[0-9])")));
  const std::string issuer = m[1];
  REQUIRE(std::regex_search(token.output, m, std::regex("\"access_token\":\"(cwt=[A-Za-z0-9+/=]+)\"")));
  const std::string ticket = m[1];
  CHECK(token.output.find("\"expires_in\":28800") != std::string::npos);

  // Straight to a node that did not issue it.
  const std::string other = issuer == "fe01" ? "fe02" : "fe01";
  REQUIRE(std::regex_search(out, m, std::regex("node " + other + " +127\\.0\\.0\\.1:([0-9]+)")));
  const auto ucwa =
      curl("-H " + test::shellQuote("Authorization: Bearer " + ticket), m[1], "/ucwa/oauth/v1/applications");
  INFO(ucwa.output);
  CHECK(ucwa.output.find("status 200") != std::string::npos);
  CHECK(ucwa.output.find("\"node\":\"" + other + "\",\"user\":\"user001@CONTOSO.TEST\"") !=
        std::string::npos);
  CHECK(ucwa.output.find("\"webticket_issued_by\":\"" + issuer +
                         "\",\"webticket_signed_in_with\":\"kerberos\"") != std::string::npos);
  // A tampered ticket is refused, with the reason in the node's log and never the key.
  std::string tampered = ticket;
  tampered[40] = tampered[40] == 'A' ? 'B' : 'A';
  const auto refused = curl("-H " + test::shellQuote("Authorization: Bearer " + tampered), m[1],
                            "/ucwa/oauth/v1/applications");
  CHECK(refused.output.find("status 401") != std::string::npos);
  CHECK(lab.process.stop(SIGINT) == 0);
  const std::string log = lab.process.output();
  CHECK(log.find(other + ": 401 for ") != std::string::npos);
  CHECK(log.find("webticket_bad_integrity") != std::string::npos);
  CHECK(log.find(ticket.substr(4, 40)) == std::string::npos);  // tickets are not logged
}

TEST_CASE(
    "kerbpool serve shared-account: curl and openssl buy a client certificate with a web ticket, the "
    "certificate buys a web ticket with no Windows sign-in, until kerbpool lab revokes it",
    "[integration][scenarios][cli][serve][webticket][certificate]") {
  test::TempDir dir;
  const std::string state = (dir / "state").string();
  ServedLab lab(dir, {"shared-account", "--state", state});
  REQUIRE(lab.kinit().exitCode == 0);
  const std::string curl = lab.env() + test::requireTool("curl") +
                           " -sS --resolve pool.contoso.test:" + lab.lbPort +
                           ":127.0.0.1 -w '\\nstatus %{http_code}\\n' ";
  const std::string url = "http://pool.contoso.test:" + lab.lbPort;
  const std::string openssl = test::requireTool("openssl");
  const auto file = [&](const std::string& name) { return test::shellQuote((dir / name).string()); };
  const auto ticketOf = [](const std::string& body) {
    std::smatch m;
    REQUIRE(std::regex_search(body, m, std::regex("\"access_token\":\"(cwt=[^\"]+)\"")));
    return std::string(m[1]);
  };
  const auto windows = test::runCommand(curl + "--negotiate -u : -d grant_type=urn:microsoft.rtc:windows " +
                                        test::shellQuote(url + "/WebTicket/oauthtoken"));
  INFO(windows.output);
  const std::string ticket = ticketOf(windows.output);

  // openssl makes the key and the PKCS#10 request (EST's form: base64 DER); CertProv answers a PKCS#7.
  REQUIRE(test::runCommand(openssl + " req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                           file("key.pem") + " -subj /CN=whatever -outform DER -out " + file("req.der") +
                           " && base64 -w0 " + file("req.der") + " > " + file("req.b64"))
              .exitCode == 0);
  const auto issued = test::runCommand(
      curl + "-o " + file("p7.b64") + " -H " + test::shellQuote("Authorization: Bearer " + ticket) +
      " -H 'Content-Type: application/pkcs10' --data-binary @" + file("req.b64") + " " +
      test::shellQuote(url + "/CertProv/CertProvisioningService.svc"));
  INFO(issued.output);
  REQUIRE(issued.output.find("status 200") != std::string::npos);
  const auto certificate = test::runCommand(
      "base64 -d " + file("p7.b64") + " | " + openssl + " pkcs7 -inform DER -print_certs -out " +
      file("cert.pem") + " && " + openssl + " x509 -in " + file("cert.pem") +
      " -noout -subject -ext extendedKeyUsage && " + openssl + " x509 -in " + file("cert.pem") +
      " -outform DER | base64 -w0 > " + file("cert.b64"));
  INFO(certificate.output);
  REQUIRE(certificate.exitCode == 0);
  CHECK(certificate.output.find("CN = user001@CONTOSO.TEST") != std::string::npos);  // not the request's CN
  CHECK(certificate.output.find("TLS Web Client Authentication") != std::string::npos);

  // The certificate alone (no Negotiate, no credentials cache) buys a ticket: openssl signs the grant.
  const auto grant = [&] {
    const std::string signedData =
        "t=$(date +%s) && printf 'kerbpool-webticket-certificate-grant\\nhttps://pool.contoso.test\\n%s' "
        "\"$t\" "
        "| " +
        openssl + " dgst -sha256 -sign " + file("key.pem") + " | base64 -w0 > " + file("sig.b64") + " && ";
    return test::runCommand(
        signedData + test::requireTool("curl") + " -sS --resolve pool.contoso.test:" + lab.lbPort +
        ":127.0.0.1 -w '\\nstatus %{http_code}\\n' -d grant_type=urn:kerbpool:client_certificate " +
        "--data-urlencode certificate@" + file("cert.b64") + " --data-urlencode \"timestamp=$t\" " +
        "--data-urlencode signature@" + file("sig.b64") + " " +
        test::shellQuote(url + "/WebTicket/WebTicketService.svc/Cert"));
  };
  const auto bought = grant();
  INFO(bought.output);
  REQUIRE(bought.output.find("status 200") != std::string::npos);
  const std::string certificateTicket = ticketOf(bought.output);
  const auto ucwa =
      test::runCommand(curl + "-H " + test::shellQuote("Authorization: Bearer " + certificateTicket) + " " +
                       test::shellQuote(url + "/ucwa/oauth/v1/applications"));
  INFO(ucwa.output);
  CHECK(ucwa.output.find("status 200") != std::string::npos);
  CHECK(ucwa.output.find("\"webticket_signed_in_with\":\"certificate\"") != std::string::npos);

  // The Lync Web App's forms sign-in: the node checks the password with the DC (NTLM pass-through).
  const auto forms = [&](const std::string& password) {
    return test::runCommand(test::requireTool("curl") + " -sS --resolve pool.contoso.test:" + lab.lbPort +
                            ":127.0.0.1 -w '\\nstatus %{http_code}\\n' -d grant_type=password " +
                            "--data-urlencode 'username=CONTOSO\\user001' --data-urlencode " +
                            test::shellQuote("password=" + password) + " " +
                            test::shellQuote(url + "/WebTicket/oauthtoken"));
  };
  const auto formsOk = forms("Passw0rd!");
  INFO(formsOk.output);
  CHECK(formsOk.output.find("status 200") != std::string::npos);
  CHECK(formsOk.output.find("\"access_token\":\"cwt=") != std::string::npos);
  const auto formsBad = forms("wrong");
  INFO(formsBad.output);
  CHECK(formsBad.output.find("status 400") != std::string::npos);
  CHECK(formsBad.output.find("ntlm_logon_failure") != std::string::npos);

  // Revoke-CsClientCertificate: the certificate and the tickets issued until now are refused.
  const auto revoke = labCommand(state, "Revoke-CsClientCertificate -Identity sip:user001@contoso.test");
  INFO(revoke.output);
  CHECK(revoke.exitCode == 0);
  const auto refused = grant();
  INFO(refused.output);
  CHECK(refused.output.find("status 400") != std::string::npos);
  CHECK(refused.output.find("client_certificate_revoked") != std::string::npos);
  const auto revokedTicket =
      test::runCommand(curl + "-H " + test::shellQuote("Authorization: Bearer " + certificateTicket) + " " +
                       test::shellQuote(url + "/ucwa/oauth/v1/applications"));
  CHECK(revokedTicket.output.find("401 Unauthorized: webticket_revoked") != std::string::npos);
  CHECK(lab.process.stop(SIGINT) == 0);
}
