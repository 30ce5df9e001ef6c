// Client names as Active Directory resolves them, with MIT's kinit as the client and kerbpool's front-end as
// the service: sAMAccountName in any case, the UPN and enterprise names (kinit -E), the canonicalize option
// (kinit -C). With canonicalize the KDC names the account by its sAMAccountName; without it the ticket keeps
// the name type and string sent, as AD does (and MIT's client refuses anything else), and the node still
// reports the account, as NTLM's pass-through does: alice@CONTOSO.TEST.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/frontend_process.hpp"
#include "tests/support/kdc_fixture.hpp"

using namespace kerbpool;
using test::KdcFixture;

namespace {

std::string defaultPrincipal(const KdcFixture& kdc) {
  auto klist = kdc.run(test::requireTool("klist"));
  INFO(klist.output);
  std::smatch m;
  REQUIRE(std::regex_search(klist.output, m, std::regex(R"(Default principal: (\S+))")));
  return m[1].str();
}

// The user `kerbpool frontend` (holding the pool's key) reports for curl --negotiate with kdc's ccache.
std::string userAtFrontend(KdcFixture& kdc) {
  test::TempDir dir;
  const auto keytab = dir / "pool.keytab";
  REQUIRE(kdc.exportKeytab("POOLKERB$", {"HTTP/pool.contoso.test"}).writeFile(keytab).ok());
  test::FrontendProcess fe(dir.path(), {"--keytab", keytab.string()});
  auto r = test::curlNegotiate(kdc.envPrefix(), fe.port, "http", "/ABS/Handler");
  INFO(r.output);
  CHECK(r.exitCode == 0);
  CHECK_THAT(r.output, Catch::Contains("< HTTP/1.1 200"));
  CHECK(fe.process.stop() == 0);
  std::smatch m;
  REQUIRE(std::regex_search(r.output, m, std::regex(R"re("user":"([^"]*)")re")));
  return m[1].str();
}

test::CommandResult kinit(const KdcFixture& kdc, const std::string& args, const std::string& password) {
  return test::runCommand("printf '%s\\n' " + test::shellQuote(password) + " | " + kdc.envPrefix() +
                          test::requireTool("kinit") + " " + args);
}

std::string exampleRealm() {
  std::ifstream in(test::sourceDir() / "examples" / "contoso.realm.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("with canonicalize (kinit -C) any name of alice gets alice@CONTOSO.TEST, as from AD",
          "[kdc][interop][names]") {
  KdcFixture kdc;
  const auto [args, asked] = GENERATE(table<std::string, std::string>({
      {"-C ALICE", "sAMAccountName in capitals"},
      {"-C -E alice@contoso.test", "the UPN as an enterprise name"},
      {"-C -E ALICE@CONTOSO.TEST", "the UPN in capitals as an enterprise name"},
  }));
  INFO("kinit " << args << " (" << asked << ")");
  auto r = kinit(kdc, args, "Passw0rd!");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(defaultPrincipal(kdc) == "alice@CONTOSO.TEST");
  CHECK(userAtFrontend(kdc) == "alice@CONTOSO.TEST");
}

TEST_CASE("without canonicalize the ticket keeps the name typed, and the node reports the account",
          "[kdc][interop][names]") {
  KdcFixture kdc;
  const auto [args, typed] = GENERATE(table<std::string, std::string>({
      {"ALICE", "ALICE@CONTOSO.TEST"},
      {"-E alice@contoso.test", "alice\\@contoso.test@CONTOSO.TEST"},
  }));
  auto r = kinit(kdc, args, "Passw0rd!");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(defaultPrincipal(kdc) == typed);               // AD repeats the name type and string sent
  CHECK(userAtFrontend(kdc) == "alice@CONTOSO.TEST");  // the account, as NTLM reports it
}

TEST_CASE("a UPN whose suffix is not the realm: kinit -C -E alice@contoso.com gets alice@CONTOSO.TEST",
          "[kdc][interop][names]") {
  std::string realm = exampleRealm();
  const auto at = realm.find("\"alice@contoso.test\"");
  REQUIRE(at != std::string::npos);
  realm.replace(at, std::string("\"alice@contoso.test\"").size(), "\"alice@contoso.com\"");
  test::KdcFixtureOptions o;
  o.realmJson = realm;
  KdcFixture kdc(o);

  auto r = kinit(kdc, "-C -E alice@contoso.com", "Passw0rd!");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(defaultPrincipal(kdc) == "alice@CONTOSO.TEST");
  CHECK(userAtFrontend(kdc) == "alice@CONTOSO.TEST");

  // The implicit UPN (sAMAccountName@dns domain) works as well; a UPN nobody holds does not.
  CHECK(kinit(kdc, "-E alice@contoso.test", "Passw0rd!").exitCode == 0);
  auto unknown = kinit(kdc, "-E carol@contoso.com", "Passw0rd!");
  CHECK(unknown.exitCode != 0);
  CHECK_THAT(unknown.output, Catch::Contains("not found in Kerberos database"));
}

// Heimdal's kinit (unpacked by scripts/install-deps.sh beside MIT's): --canonicalize and --enterprise are
// its spellings of -C and -E. Its ticket cache is read by Heimdal's klist (heimtools klist) and, through MIT's GSSAPI, by curl.
namespace {

test::CommandResult heimdalKinit(const KdcFixture& kdc, const std::string& args,
                                 const std::string& password) {
  return test::runCommand("printf '%s\\n' " + test::shellQuote(password) + " | " + kdc.envPrefix() +
                          test::requireHeimdalTool("kinit.heimdal") + " --password-file=STDIN --no-afslog " +
                          args + " 2>&1");
}

std::string heimdalPrincipal(const KdcFixture& kdc) {
  auto klist = kdc.run(test::requireHeimdalTool("heimtools") + " klist");
  INFO(klist.output);
  std::smatch m;
  REQUIRE(std::regex_search(klist.output, m, std::regex(R"(Principal: (\S+))")));
  return m[1].str();
}

}  // namespace

TEST_CASE("Heimdal's kinit --canonicalize gets alice@CONTOSO.TEST for any of her names, as from AD",
          "[kdc][interop][names][heimdal]") {
  KdcFixture kdc;
  const auto [args, asked] = GENERATE(table<std::string, std::string>({
      {"--canonicalize ALICE", "sAMAccountName in capitals"},
      {"--canonicalize --enterprise alice@contoso.test", "the UPN as an enterprise name"},
      {"--canonicalize --enterprise ALICE@CONTOSO.TEST", "the UPN in capitals as an enterprise name"},
  }));
  INFO("kinit.heimdal " << args << " (" << asked << ")");
  auto r = heimdalKinit(kdc, args, "Passw0rd!");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(heimdalPrincipal(kdc) == "alice@CONTOSO.TEST");
  CHECK(defaultPrincipal(kdc) == "alice@CONTOSO.TEST");  // MIT's klist reads Heimdal's cache too
  CHECK(userAtFrontend(kdc) == "alice@CONTOSO.TEST");
}

TEST_CASE("Heimdal without --canonicalize: the ticket keeps the name typed, and kgetcred gets the pool's ticket",
          "[kdc][interop][names][heimdal]") {
  KdcFixture kdc;
  auto r = heimdalKinit(kdc, "ALICE", "Passw0rd!");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(heimdalPrincipal(kdc) == "ALICE@CONTOSO.TEST");
  auto got = kdc.run(test::requireHeimdalTool("kgetcred") + " HTTP/pool.contoso.test 2>&1");
  INFO(got.output);
  REQUIRE(got.exitCode == 0);
  auto st = kdc.run(test::requireHeimdalTool("heimtools") + " klist -v 2>&1");
  INFO(st.output);
  REQUIRE(st.exitCode == 0);
  CHECK_THAT(st.output, Catch::Contains("HTTP/pool.contoso.test@CONTOSO.TEST"));
  CHECK_THAT(st.output, Catch::Contains("aes256-cts-hmac-sha1-96"));
  CHECK(userAtFrontend(kdc) == "alice@CONTOSO.TEST");
  // A wrong password is Heimdal's "Password incorrect", from KDC_ERR_PREAUTH_FAILED.
  auto wrong = heimdalKinit(kdc, "alice", "not-her-password");
  INFO(wrong.output);
  CHECK(wrong.exitCode != 0);
  CHECK(kdc.service().stats().errorCount("KDC_ERR_PREAUTH_FAILED") >= 1);
}
