// `kerbpool kdc` and `kerbpool keytab export` as a user runs them (the README's example), with MIT tools.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

#include "tests/support/kdc_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

TEST_CASE("kerbpool kdc serves MIT kinit and kvno -k from the example realm", "[kdc][interop][cli]") {
  test::TempDir dir;
  const auto realmFile = (test::sourceDir() / "examples" / "contoso.realm.json").string();
  const auto conf = dir / "krb5.conf";
  test::BackgroundProcess kdc(
      {test::kerbpoolBinary(), "kdc", "--realm-file", realmFile, "--port", "0", "--krb5-conf", conf.string()},
      dir / "kdc.out");
  REQUIRE(kdc.waitForOutput("kerbpool kdc: ready"));
  CHECK(kdc.output().find("kdc = 127.0.0.1:") != std::string::npos);

  const std::string env = "KRB5_CONFIG=" + test::shellQuote(conf.string()) +
                          " KRB5CCNAME=" + test::shellQuote("FILE:" + (dir / "cc").string()) + " ";
  auto kinit = test::runCommand("printf 'Passw0rd!\\n' | " + env + test::requireTool("kinit") + " alice");
  INFO(kinit.output);
  REQUIRE(kinit.exitCode == 0);

  const auto keytab = dir / "pool.keytab";
  auto exported = test::runCommand(test::kerbpoolBinary() + " keytab export --realm-file " + realmFile +
                                   " --account 'POOLKERB$' --out " + keytab.string());
  INFO(exported.output);
  REQUIRE(exported.exitCode == 0);
  CHECK(std::filesystem::status(keytab).permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

  auto kvno = test::runCommand(env + test::requireTool("kvno") + " -k " + keytab.string() +
                               " HTTP/pool.contoso.test");
  INFO(kvno.output);
  CHECK(kvno.exitCode == 0);
  CHECK(kvno.output.find("keytab entry valid") != std::string::npos);

  CHECK(kdc.stop() == 0);
  const std::string out = kdc.output();
  CHECK(std::regex_search(out, std::regex(R"(requests AS-REQ\s+2)")));
  CHECK(std::regex_search(out, std::regex(R"(requests TGS-REQ\s+1)")));
  CHECK(std::regex_search(out, std::regex(R"(event  4769\s+1)")));
}

TEST_CASE("kerbpool kdc refuses a taken port and a bad realm file in plain words", "[kdc][cli]") {
  test::TempDir dir;
  const auto realmFile = (test::sourceDir() / "examples" / "contoso.realm.json").string();
  test::BackgroundProcess first({test::kerbpoolBinary(), "kdc", "--realm-file", realmFile, "--port", "0"},
                                dir / "first.out");
  REQUIRE(first.waitForOutput("ready"));
  std::smatch m;
  const std::string out = first.output();
  REQUIRE(std::regex_search(out, m, std::regex(R"(port (\d+) \(UDP and TCP\))")));
  auto second = test::runCommand(test::kerbpoolBinary() + " kdc --quiet --realm-file " + realmFile +
                                 " --port " + m[1].str());
  CHECK(second.exitCode != 0);
  CHECK(second.output.find("already in use") != std::string::npos);

  const auto bad = dir / "bad.json";
  {
    std::ofstream f(bad);
    f << R"({"realm": "CONTOSO.TEST", "krbtgt_password": "k", "accounts": [{"sam": "alice", "kind": "wizard", "password": "x"}]})";
  }
  auto r = test::runCommand(test::kerbpoolBinary() + " kdc --realm-file " + bad.string());
  CHECK(r.exitCode == 2);
  CHECK(r.output.find("accounts[0].kind") != std::string::npos);
}

TEST_CASE("kerbpool keytab export names entries as ktpass and kadmin ktadd do (klist -k -e)",
          "[kdc][cli][interop]") {
  test::TempDir dir;
  const auto realmFile = (test::sourceDir() / "examples" / "contoso.realm.json").string();
  auto exportAndList = [&](const std::string& args) {
    const auto keytab = dir / "out.keytab";
    std::filesystem::remove(keytab);
    auto exported = test::runCommand(test::kerbpoolBinary() + " keytab export --realm-file " + realmFile +
                                     " --out " + keytab.string() + " " + args);
    INFO(exported.output);
    REQUIRE(exported.exitCode == 0);
    auto klist = test::runCommand(test::requireTool("klist") + " -k -e " + keytab.string());
    INFO(klist.output);
    REQUIRE(klist.exitCode == 0);
    CHECK(klist.output.find("\\@") == std::string::npos);  // no realm swallowed into a name component
    return klist.output;
  };

  // A principal given with its realm, as ktpass -princ takes it.
  auto pool = exportAndList("--account 'POOLKERB$' --principal HTTP/pool.contoso.test@CONTOSO.TEST");
  CHECK(pool.find("HTTP/pool.contoso.test@CONTOSO.TEST (aes256-cts-hmac-sha1-96)") != std::string::npos);
  CHECK(pool.find("HTTP/pool.contoso.test@CONTOSO.TEST (aes128-cts-hmac-sha1-96)") != std::string::npos);
  // Without a realm, the same.
  auto bare = exportAndList("--account 'POOLKERB$' --principal HTTP/pool.contoso.test");
  CHECK(bare.find("HTTP/pool.contoso.test@CONTOSO.TEST (aes256-cts-hmac-sha1-96)") != std::string::npos);
  // krbtgt's keys are krbtgt/CONTOSO.TEST's, as kadmin ktadd krbtgt/CONTOSO.TEST writes them.
  auto krbtgt = exportAndList("--account krbtgt");
  CHECK(krbtgt.find("krbtgt/CONTOSO.TEST@CONTOSO.TEST (aes256-cts-hmac-sha1-96)") != std::string::npos);
  CHECK(krbtgt.find("krbtgt@") == std::string::npos);
  CHECK(krbtgt.find("kadmin") == std::string::npos);
  // By default: every SPN and the sAMAccountName.
  auto fe01 = exportAndList("--account 'FE01$'");
  for (const char* name :
       {"HOST/fe01.contoso.test@CONTOSO.TEST", "HOST/FE01@CONTOSO.TEST", "FE01$@CONTOSO.TEST"}) {
    CHECK(fe01.find(name) != std::string::npos);
  }

  // Another realm is refused, naming both.
  auto other = test::runCommand(test::kerbpoolBinary() + " keytab export --realm-file " + realmFile +
                                " --out " + (dir / "x.keytab").string() +
                                " --account 'POOLKERB$' --principal HTTP/pool.contoso.test@FABRIKAM.TEST");
  CHECK(other.exitCode == 1);
  CHECK(other.output.find("names realm FABRIKAM.TEST; the account is in CONTOSO.TEST") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "x.keytab"));
}
