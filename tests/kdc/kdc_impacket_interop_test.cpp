// Impacket, a real peer that behaves like a Windows tool, against kerbpool's KDC: getTGT.py with a password
// and with an AES key, then getST.py for the pool's SPN (its TGS-REQ authenticator carries no checksum of the
// request body, which AD answers and MIT's KDC refuses), and the service ticket opens at `kerbpool frontend`
// through curl --negotiate.
#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "tests/support/frontend_process.hpp"
#include "tests/support/kdc_fixture.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

namespace {

const std::filesystem::path kExamples = "/usr/share/doc/python3-impacket/examples";

// `KERBPOOL_KDC_PORT=N python3 impacket_port.py SCRIPT ARGS` in `cwd`: Impacket always dials port 88.
test::CommandResult impacket(const test::KdcFixture& kdc, const std::filesystem::path& cwd,
                             const std::string& script, const std::string& args,
                             const std::string& env = "") {
  const auto path = kExamples / script;
  if (!std::filesystem::exists(path)) {
    FAIL("Impacket's " << path << " is missing: run scripts/install-deps.sh (python3-impacket)");
  }
  return test::runCommand("cd " + test::shellQuote(cwd.string()) + " && " + env + " KERBPOOL_KDC_PORT=" +
                          std::to_string(kdc.port()) + " " + test::requireTool("python3") + " " +
                          test::shellQuote((test::sourceDir() / "tests/support/impacket_port.py").string()) +
                          " " + test::shellQuote(path.string()) + " " + args + " 2>&1");
}

// The one credential cache a script wrote in `dir`.
std::filesystem::path onlyCcache(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".ccache") {
      found.push_back(e.path());
    }
  }
  REQUIRE(found.size() == 1);
  return found.front();
}

// `kerbpool frontend` with the pool keytab; curl --negotiate with the service ticket in `ccache`.
void checkTicketOpensAtFrontend(test::KdcFixture& kdc, const std::filesystem::path& ccache) {
  test::TempDir dir;
  const auto keytab = dir / "pool.keytab";
  REQUIRE(kdc.exportKeytab("POOLKERB$", {"HTTP/pool.contoso.test"}).writeFile(keytab).ok());
  test::FrontendProcess fe(dir.path(), {"--keytab", keytab.string()});
  auto r = test::curlNegotiate("KRB5_CONFIG=" + test::shellQuote(kdc.krb5Conf().string()) +
                                   " KRB5CCNAME=FILE:" + test::shellQuote(ccache.string()) + " ",
                               fe.port, "http", "/ABS/Handler");
  INFO(r.output);
  CHECK(r.exitCode == 0);
  for (const char* needle : {"> Authorization: Negotiate YII", "< HTTP/1.1 200",
                             "\"user\":\"alice@CONTOSO.TEST\"", "\"node\":\"fe01\""}) {
    CHECK_THAT(r.output, Catch::Contains(needle));
  }
  CHECK(fe.process.stop() == 0);
}

}  // namespace

TEST_CASE("Impacket getTGT and getST (no body checksum, as AD accepts) against kerbpool's KDC",
          "[kdc][interop][impacket]") {
  // getTGT with the password, with alice's AES256 key (-aesKey), and with her NT hash (-hashes) in a realm
  // whose krbtgt and pool account allow RC4 (AES only is the default: RC4 gets KDC_ERR_ETYPE_NOSUPP).
  const std::string how = GENERATE(as<std::string>{}, "password", "aesKey", "hashes");
  INFO("getTGT with " << how);
  test::KdcFixtureOptions options;
  if (how == "hashes") {
    options.realmJson = test::exampleRealmWithRc4();
  }
  test::KdcFixture kdc(options);
  test::TempDir tgtDir;
  test::TempDir stDir;
  const auto alice = kdc.directory().account("alice");
  REQUIRE(alice.has_value());
  auto keyOf = [&](std::int32_t enctype) {
    auto key = kdc.directory().key("alice", alice->keyVersionNumber, enctype);
    REQUIRE(key.ok());
    return key->value;
  };

  if (how == "password") {
    auto tgt = impacket(kdc, tgtDir.path(), "getTGT.py", "'CONTOSO.TEST/alice:Passw0rd!' -dc-ip 127.0.0.1");
    INFO(tgt.output);
    REQUIRE(tgt.exitCode == 0);
    CHECK_THAT(tgt.output, Catch::Contains("Saving ticket in alice.ccache"));
  } else if (how == "aesKey") {
    const auto key = keyOf(18);
    auto tgt = impacket(kdc, tgtDir.path(), "getTGT.py",
                        "-aesKey " + core::toHex(key) + " CONTOSO.TEST/alice -dc-ip 127.0.0.1");
    INFO(tgt.output);
    REQUIRE(tgt.exitCode == 0);
    // A wrong key is refused as AD refuses it (pre-authentication failed).
    auto wrong = key;
    wrong[0] ^= 0x01;
    auto refused = impacket(kdc, stDir.path(), "getTGT.py",
                            "-aesKey " + core::toHex(wrong) + " CONTOSO.TEST/alice -dc-ip 127.0.0.1");
    INFO(refused.output);
    CHECK_THAT(refused.output, Catch::Contains("KDC_ERR_PREAUTH_FAILED"));
    std::filesystem::remove(stDir / "alice.ccache");
  } else {
    // In the default realm (krbtgt AES only) the same request is refused.
    test::KdcFixture aesOnly;
    auto refused = impacket(aesOnly, stDir.path(), "getTGT.py",
                            "-hashes :" + core::toHex(keyOf(23)) + " CONTOSO.TEST/alice -dc-ip 127.0.0.1");
    INFO(refused.output);
    CHECK_THAT(refused.output, Catch::Contains("KDC_ERR_ETYPE_NOSUPP"));
    CHECK(aesOnly.events().count(kdc::event_id::kNoSuitableKeyAs) == 1);
    std::filesystem::remove(stDir / "alice.ccache");
    auto tgt = impacket(kdc, tgtDir.path(), "getTGT.py",
                        "-hashes :" + core::toHex(keyOf(23)) + " CONTOSO.TEST/alice -dc-ip 127.0.0.1");
    INFO(tgt.output);
    REQUIRE(tgt.exitCode == 0);
  }

  const auto tgtCache = tgtDir / "alice.ccache";
  REQUIRE(std::filesystem::exists(tgtCache));
  auto st = impacket(kdc, stDir.path(), "getST.py",
                     "-spn HTTP/pool.contoso.test -k -no-pass -dc-ip 127.0.0.1 CONTOSO.TEST/alice",
                     "KRB5CCNAME=" + test::shellQuote(tgtCache.string()));
  INFO(st.output);
  REQUIRE(st.exitCode == 0);
  CHECK(st.output.find("KRB_AP_ERR_INAPP_CKSUM") == std::string::npos);
  CHECK(kdc.service().stats().requestCount("TGS-REQ without a body checksum") == 1);
  const auto stCache = onlyCcache(stDir.path());
  auto klist = kdc.run(test::requireTool("klist") + " -c " + test::shellQuote(stCache.string()));
  INFO(klist.output);
  CHECK_THAT(klist.output, Catch::Contains("HTTP/pool.contoso.test@CONTOSO.TEST"));

  checkTicketOpensAtFrontend(kdc, stCache);
}
