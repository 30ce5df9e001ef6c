// Real peers against kerbpool's front-end: MIT kinit + curl --negotiate against `kerbpool frontend` (plain
// and TLS) with tickets from kerbpool's KDC, and against an in-process node with a ticket and keytab from a
// throwaway MIT realm.
#include <catch2/catch.hpp>

#include <regex>

#include "client/ap_req_builder.hpp"
#include "core/acceptor/ap_req_verifier.hpp"
#include "core/common/base64.hpp"
#include "core/common/hex.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "core/crypto/x509.hpp"
#include "core/spnego/gss_framing.hpp"
#include "core/spnego/neg_token.hpp"
#include "frontend/node.hpp"
#include "net/http_server.hpp"
#include "tests/frontend/frontend_test_support.hpp"
#include "tests/support/frontend_process.hpp"
#include "tests/support/kdc_fixture.hpp"
#include "tests/support/mit_realm.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

namespace {

std::filesystem::path exportPoolKeytab(const test::TempDir& dir) {
  const auto keytab = dir / "pool.keytab";
  const auto realmFile = (test::sourceDir() / "examples" / "contoso.realm.json").string();
  auto r = test::runCommand(test::shellQuote(test::kerbpoolBinary()) + " keytab export --realm-file " +
                            test::shellQuote(realmFile) + " --account 'POOLKERB$' --out " +
                            test::shellQuote(keytab.string()));
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  return keytab;
}

// The token after `prefix` ("> Authorization: Negotiate ") in curl's verbose trace.
// A certificate for pool.contoso.test (valid from an hour ago) and its PEM files under dir/tls.
struct PoolTls {
  core::crypto::TlsBundle bundle;
  core::crypto::PemFilePaths files;
};
PoolTls poolTls(const test::TempDir& dir) {
  auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test"},
                                                core::SystemClock().now() - std::chrono::hours(1));
  REQUIRE(bundle.ok());
  auto files = bundle->writePemFiles(dir / "tls");
  REQUIRE(files.ok());
  return {std::move(*bundle), std::move(*files)};
}

std::optional<core::Bytes> traceToken(const std::string& trace, const std::string& prefix) {
  const auto at = trace.find(prefix);
  if (at == std::string::npos) {
    return std::nullopt;
  }
  const auto begin = at + prefix.size();
  const auto end = trace.find_first_of("\r\n", begin);
  auto bytes = core::base64Decode(trace.substr(begin, end - begin));
  if (!bytes.ok()) {
    return std::nullopt;
  }
  return *bytes;
}

// curl 7.88 does not check the acceptor's final token (it answers exit 0 to a 200 carrying a wrong one), so
// the test checks it the way MIT's gss_init_sec_context does: curl's own AP-REQ, opened with the service
// keytab (a replay cache of its own), gives the session key and authenticator time; kerbpool's initiator then
// verifies the AP-REP of the 200 against them.
core::Status verifyMutualAuth(const std::string& trace, const core::keytab::Keytab& keytab,
                              std::optional<std::size_t> flipByte = std::nullopt) {
  using core::makeError;
  auto request = traceToken(trace, "> Authorization: Negotiate ");
  auto reply = traceToken(trace, "< WWW-Authenticate: Negotiate ");
  if (!request || !reply) {
    return makeError(core::ErrorCategory::NotFound, "no_tokens", "curl's trace lacks the Negotiate tokens");
  }
  KP_TRY(auto initial, core::spnego::decodeInitialToken(*request));
  if (!initial.negTokenInit || !initial.negTokenInit->mechToken) {
    return makeError(core::ErrorCategory::Protocol, "no_mech_token", "curl sent no optimistic krb5 token");
  }
  KP_TRY(auto krb5, core::spnego::unwrapKrb5Token(*initial.negTokenInit->mechToken));
  core::SystemClock clock;
  core::acceptor::ReplayCache cache(clock);
  KP_TRY(auto ctx, core::acceptor::verifyApReq(krb5.message, core::acceptor::AcceptorKeys::fromKeytab(keytab),
                                               cache, clock));
  client::InitiatorContext initiator;
  initiator.sessionKey = ctx.sessionKey;
  initiator.subkey = ctx.initiatorContextKey();
  initiator.ctime = ctx.ctime;
  initiator.cusec = ctx.cusec;
  initiator.seqNumber = ctx.initiatorSeqNumber.value_or(0);
  initiator.gssFlags = ctx.gssFlags;
  initiator.mutual = ctx.mutualRequested;
  if (!initiator.mutual) {
    return makeError(core::ErrorCategory::Protocol, "no_mutual",
                     "curl did not ask for mutual authentication");
  }
  core::Bytes token = *reply;
  if (flipByte) {
    token[*flipByte % token.size()] ^= 0x01;
  }
  KP_TRY(auto done, client::verifyAcceptorToken(initiator, token));
  (void)done;
  return core::okStatus();
}

// curl's verbose trace of a completed Negotiate exchange against fe01: the token curl sent, a 200 carrying
// the acceptor's mutual-authentication token (verified), alice named in the body.
void checkNegotiated(const test::CommandResult& r, const core::keytab::Keytab& keytab) {
  INFO(r.output);
  CHECK(r.exitCode == 0);
  test::checkContainsAll(
      r.output, {"> Authorization: Negotiate YII", "< HTTP/1.1 200", "< WWW-Authenticate: Negotiate oY",
                 "\"user\":\"alice@CONTOSO.TEST\"", "\"node\":\"fe01\""});
  auto mutual = verifyMutualAuth(r.output, keytab);
  INFO((mutual.ok() ? std::string() : mutual.error().message()));
  CHECK(mutual.ok());
  // The check can fail: a token altered anywhere in its AP-REP enc-part is refused.
  CHECK_FALSE(verifyMutualAuth(r.output, keytab, 150).ok());
}

core::keytab::Keytab readKeytab(const std::filesystem::path& path) {
  auto kt = core::keytab::Keytab::readFile(path);
  REQUIRE(kt.ok());
  return *kt;
}

}  // namespace

TEST_CASE("curl --negotiate with a kinit ticket from kerbpool's KDC against kerbpool frontend",
          "[frontend][interop][cli]") {
  test::KdcFixture kdc;
  test::TempDir dir;
  const auto keytab = exportPoolKeytab(dir);
  auto kinit = kdc.kinit("alice", "Passw0rd!");
  INFO(kinit.output);
  REQUIRE(kinit.exitCode == 0);

  test::FrontendProcess fe(dir.path(), {"--keytab", keytab.string()});
  CHECK_THAT(fe.process.output(), Catch::Contains("holds HTTP/pool.contoso.test@CONTOSO.TEST"));
  checkNegotiated(test::curlNegotiate(kdc.envPrefix(), fe.port, "http", test::kWebTicketPath),
                  readKeytab(keytab));

  // The health probe needs no ticket; an anonymous request gets the bare challenge.
  auto health = test::runCommand(test::requireTool("curl") + " -sS http://127.0.0.1:" + fe.port + "/health");
  CHECK(health.output == "ok node fe01\n");
  auto anonymous = test::runCommand(test::requireTool("curl") + " -sS -i http://127.0.0.1:" + fe.port +
                                    test::kWebTicketPath);
  test::checkContainsAll(anonymous.output, {"HTTP/1.1 401", "WWW-Authenticate: Negotiate\r\n",
                                            "401 Unauthorized: no_credentials"});

  CHECK(fe.process.stop() == 0);
  const std::string out = fe.process.output();
  INFO(out);
  CHECK(std::regex_search(out, std::regex(R"(allowed\s+1\n)")));
  CHECK(std::regex_search(out, std::regex(R"(challenged\s+1\n)")));
  CHECK(std::regex_search(out, std::regex(R"(allowed user alice@CONTOSO.TEST\s+1\n)")));
}

TEST_CASE("curl --negotiate over https with a certificate for the pool name", "[frontend][interop][cli]") {
  test::KdcFixture kdc;
  test::TempDir dir;
  const auto keytab = exportPoolKeytab(dir);
  const auto tls = poolTls(dir);
  const auto* files = &tls.files;
  REQUIRE(kdc.kinit("alice", "Passw0rd!").exitCode == 0);

  test::FrontendProcess fe(dir.path(),
                           {"--keytab", keytab.string(), "--tls-cert", files->serverCertificate.string(),
                            "--tls-key", files->serverPrivateKey.string(), "--persistence", "per-connection"},
                           "https");
  auto r = test::curlNegotiate(kdc.envPrefix(), fe.port, "https", test::kWebTicketPath,
                               "--cacert " + test::shellQuote(files->caCertificate.string()));
  checkNegotiated(r, readKeytab(keytab));
  test::checkContainsAll(r.output,
                         {"subjectAltName: host \"pool.contoso.test\" matched", "SSL certificate verify ok"});
  CHECK(fe.process.stop() == 0);
}

TEST_CASE("a node without the pool key refuses curl with no_key_for_spn and says why",
          "[frontend][interop][cli]") {
  test::KdcFixture kdc;
  test::TempDir dir;
  // FE02$'s own keytab: HOST/fe02.contoso.test..., not HTTP/pool.contoso.test.
  const auto keytab = dir / "fe02.keytab";
  REQUIRE(
      kdc.exportKeytab("FE02$", {"HOST/fe02.contoso.test", "HTTP/fe02.contoso.test"}).writeFile(keytab).ok());
  REQUIRE(kdc.kinit("alice", "Passw0rd!").exitCode == 0);
  test::FrontendProcess fe(dir.path(), {"--keytab", keytab.string()});
  auto r = test::curlNegotiate(kdc.envPrefix(), fe.port, "http", test::kWebTicketPath);
  INFO(r.output);
  CHECK_THAT(r.output, Catch::Contains("401 Unauthorized: no_key_for_spn"));
  CHECK(r.output.find("< HTTP/1.1 200") == std::string::npos);
  CHECK(fe.process.stop() == 0);
  const std::string out = fe.process.output();
  INFO(out);
  test::checkContainsAll(out,
                         {": no_key_for_spn: no key for HTTP/pool.contoso.test", "HOST/fe02.contoso.test"});
  CHECK(std::regex_search(out, std::regex(R"(denied no_key_for_spn\s+1\n)")));
}

TEST_CASE("kerbpool's front-end accepts curl with a ticket and keytab from a real MIT realm",
          "[frontend][interop]") {
  test::MitRealm realm;
  realm.startKdc();
  realm.addPrincipal("alice", "alice-password");
  realm.addRandomKeyPrincipal("HTTP/pool.kerbpool.test");
  const auto keytab = realm.dir() / "http.keytab";
  realm.ktadd("HTTP/pool.kerbpool.test", keytab);
  realm.kinit("alice", "alice-password");

  auto creds = frontend::NodeCredentials::fromKeytabFile(keytab);
  REQUIRE(creds.ok());
  core::SystemClock clock;
  core::crypto::CryptoRng rng;
  frontend::FrontendNodeConfig config;
  config.name = "fe01";
  frontend::FrontendNode node(config, std::move(*creds), clock, rng);
  auto server = net::HttpServer::start(frontend::serverConfigFor(config), node);
  REQUIRE(server.ok());
  const std::string port = std::to_string((*server)->port());

  auto r = test::runCommand(realm.envPrefix() + test::requireTool("curl") +
                            " -sS -v --negotiate -u : --resolve pool.kerbpool.test:" + port +
                            ":127.0.0.1 http://pool.kerbpool.test:" + port + "/ABS/Handler");
  INFO(r.output);
  CHECK(r.exitCode == 0);
  test::checkContainsAll(r.output, {"< HTTP/1.1 200", "< WWW-Authenticate: Negotiate oY",
                                    "\"user\":\"alice@KERBPOOL.TEST\"", "\"groups\":[]"});
  auto mutual = verifyMutualAuth(r.output, readKeytab(keytab));
  INFO((mutual.ok() ? std::string() : mutual.error().message()));
  CHECK(mutual.ok());
  CHECK(node.stats().allowed == 1);
  CHECK(node.stats().denied == 0);
}

TEST_CASE(
    "extended protection: MIT GSS-API's channel bindings pass a node with require, other bindings and "
    "curl's unbound token do not",
    "[frontend][interop][cli][epa]") {
  test::KdcFixture kdc;
  test::TempDir dir;
  const auto keytab = exportPoolKeytab(dir);
  const auto tls = poolTls(dir);
  const auto* files = &tls.files;
  REQUIRE(kdc.kinit("alice", "Passw0rd!").exitCode == 0);
  auto endPoint = core::crypto::tlsServerEndPointOfPem(tls.bundle.server.certificate);
  REQUIRE(endPoint.ok());

  test::FrontendProcess fe(
      dir.path(),
      {"--keytab", keytab.string(), "--tls-cert", files->serverCertificate.string(), "--tls-key",
       files->serverPrivateKey.string(), "--extended-protection", "require"},
      "https");
  CHECK_THAT(fe.process.output(), Catch::Contains("extended protection require"));
  // A token from MIT's gss_init_sec_context, sent by curl over TLS to the node.
  auto send = [&](const std::string& toolArgs) {
    auto token = test::runCommand(kdc.envPrefix() + test::shellQuote(test::mitGssTokenBinary()) +
                                  " HTTP@pool.contoso.test " + toolArgs);
    INFO(token.output);
    REQUIRE(token.exitCode == 0);
    std::string b64 = token.output.substr(0, token.output.find('\n'));
    return test::runCommand(
        test::requireTool("curl") + " -sS --cacert " + test::shellQuote(files->caCertificate.string()) +
        " --resolve pool.contoso.test:" + fe.port + ":127.0.0.1 -H " +
        test::shellQuote("Authorization: Negotiate " + b64) + " https://pool.contoso.test:" + fe.port +
        test::kWebTicketPath + " -w ' HTTP%{http_code}'");
  };
  for (const char* mech : {"", "--krb5"}) {
    INFO("mech " << (*mech != 0 ? "krb5" : "spnego"));
    // Bound to the certificate the node presents: accepted.
    auto bound = send(std::string(mech) + " --bindings " + core::toHex(*endPoint));
    INFO(bound.output);
    CHECK_THAT(bound.output, Catch::Contains("alice@CONTOSO.TEST") && Catch::Contains("HTTP200"));
    // Bound to another certificate (a balancer's): refused.
    core::Bytes other = *endPoint;
    other[0] ^= 0xff;
    auto wrong = send(std::string(mech) + " --bindings " + core::toHex(other));
    INFO(wrong.output);
    CHECK_THAT(wrong.output, Catch::Contains("channel_bindings_mismatch") && Catch::Contains("HTTP401"));
    // Bound to nothing: refused under require.
    auto unbound = send(mech);
    INFO(unbound.output);
    CHECK_THAT(unbound.output, Catch::Contains("channel_bindings_missing") && Catch::Contains("HTTP401"));
  }
  // curl 7.88 (Debian 12) binds its Negotiate token to no channel: refused under require.
  auto curl = test::curlNegotiate(kdc.envPrefix(), fe.port, "https", test::kWebTicketPath,
                                  "--cacert " + test::shellQuote(files->caCertificate.string()));
  CHECK_THAT(curl.output, Catch::Contains("channel_bindings_missing"));
  CHECK(fe.process.stop() == 0);
}
