// kerbpool's KDC against Debian's MIT krb5 client tools (kinit, klist, kvno): the real peers users have.
#include <catch2/catch.hpp>

#include <regex>

#include "kdc/directory.hpp"
#include "tests/support/kdc_fixture.hpp"
#include "tests/support/socket_client.hpp"

using namespace kerbpool;
using test::KdcFixture;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("MIT kinit gets a TGT from kerbpool's KDC over UDP", "[kdc][interop]") {
  test::KdcFixtureOptions o;
  o.extraLibdefaults = "    forwardable = true\n";
  KdcFixture kdc(o);
  auto r = kdc.kinit("alice@CONTOSO.TEST", "Passw0rd!");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(kdc.server().stats().udpRequests >= 2);  // PREAUTH_REQUIRED, then the pre-authenticated AS-REQ
  CHECK(kdc.server().stats().tcpRequests == 0);

  auto klist = kdc.run(test::requireTool("klist") + " -e -f");
  INFO(klist.output);
  REQUIRE(klist.exitCode == 0);
  CHECK(contains(klist.output, "krbtgt/CONTOSO.TEST@CONTOSO.TEST"));
  CHECK(contains(klist.output, "Etype (skey, tkt): aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96"));
  CHECK(contains(klist.output, "Flags: FRIA"));  // forwardable, renewable, initial, pre-authenticated
  // The lifetime is the domain policy's 10 hours: "Valid starting" and "Expires" 10 hours apart.
  std::smatch m;
  REQUIRE(std::regex_search(
      klist.output, m,
      std::regex(R"((\d\d)/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)  (\d\d)/(\d\d)/(\d\d) (\d\d):(\d\d))")));
  const int startMinutes = std::stoi(m[4]) * 60 + std::stoi(m[5]);
  const int endMinutes = std::stoi(m[10]) * 60 + std::stoi(m[11]);
  CHECK((endMinutes - startMinutes + 24 * 60) % (24 * 60) == 10 * 60);
  CHECK(kdc.events().count(kdc::event_id::kTgtRequested) == 1);
}

TEST_CASE("MIT kinit gets a TGT from kerbpool's KDC over TCP", "[kdc][interop]") {
  test::KdcFixtureOptions o;
  o.extraLibdefaults = "    udp_preference_limit = 1\n";
  KdcFixture kdc(o);
  auto r = kdc.kinit("alice", "Passw0rd!");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(kdc.server().stats().tcpRequests >= 2);
  CHECK(kdc.server().stats().udpRequests == 0);
}

TEST_CASE("a UDP reply over the limit sends MIT kinit to TCP", "[kdc][interop]") {
  test::KdcFixtureOptions o;
  o.maxUdpReply = 200;
  KdcFixture kdc(o);
  auto r = kdc.kinit("alice", "Passw0rd!");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(kdc.service().stats().errorCount("KRB_ERR_RESPONSE_TOO_BIG") >= 1);
  CHECK(kdc.server().stats().tcpRequests >= 1);
}

TEST_CASE(
    "MIT kvno gets HTTP/pool.contoso.test from the shared account and verifies it with an exported keytab",
    "[kdc][interop]") {
  KdcFixture kdc;
  REQUIRE(kdc.kinit("alice", "Passw0rd!").exitCode == 0);
  auto kt = kdc.exportKeytab("POOLKERB$", {"HTTP/pool.contoso.test"});
  const auto keytabPath = kdc.dir() / "pool.keytab";
  REQUIRE(kt.writeFile(keytabPath).ok());
  auto r = kdc.run(test::requireTool("kvno") + " -k " + test::shellQuote(keytabPath.string()) +
                   " HTTP/pool.contoso.test");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(contains(r.output, "HTTP/pool.contoso.test@CONTOSO.TEST: kvno = 1, keytab entry valid"));
  auto issued = kdc.events().query(kdc::event_id::kServiceTicketRequested);
  REQUIRE(issued.size() == 1);
  CHECK(issued[0].fields.at("ServiceName") == "POOLKERB$");
  CHECK(issued[0].fields.at("Status") == "0x0");

  // A keytab with another account's key does not verify: the ticket is sealed with POOLKERB$'s key.
  auto wrong = kdc.exportKeytab("FE01$", {"HTTP/pool.contoso.test"});
  const auto wrongPath = kdc.dir() / "wrong.keytab";
  REQUIRE(wrong.writeFile(wrongPath).ok());
  auto bad = kdc.run(test::requireTool("kvno") + " -k " + test::shellQuote(wrongPath.string()) +
                     " HTTP/pool.contoso.test");
  INFO(bad.output);
  CHECK(bad.exitCode != 0);
}

TEST_CASE("the SPN on three computer accounts fails in MIT kvno and logs event 11 naming them",
          "[kdc][interop]") {
  KdcFixture kdc;
  auto& dir = kdc.directory();
  REQUIRE(dir.deleteSpn("POOLKERB$", "HTTP/pool.contoso.test").ok());
  for (const char* node : {"FE01$", "FE02$", "FE03$"}) {
    REQUIRE(dir.addSpn(node, "HTTP/pool.contoso.test").ok());  // setspn -A: no duplicate check
  }
  REQUIRE(kdc.kinit("alice", "Passw0rd!").exitCode == 0);
  auto r = kdc.run(test::requireTool("kvno") + " HTTP/pool.contoso.test");
  INFO(r.output);
  CHECK(r.exitCode != 0);
  CHECK(contains(r.output, "Server not found in Kerberos database"));
  auto dup = kdc.events().query(kdc::event_id::kDuplicateName);
  REQUIRE(!dup.empty());
  CHECK(contains(dup.back().fields.at("Accounts"), "FE01$"));
  CHECK(contains(dup.back().fields.at("Accounts"), "FE02$"));
  CHECK(contains(dup.back().fields.at("Accounts"), "FE03$"));
  CHECK(contains(dup.back().message, "HTTP/pool.contoso.test"));
  CHECK(kdc.service().stats().errorCount("KDC_ERR_S_PRINCIPAL_UNKNOWN") >= 1);
  auto failed = kdc.events().query(kdc::event_id::kServiceTicketRequested);
  REQUIRE(!failed.empty());
  CHECK(failed.back().fields.at("Status") == "0x7");
}

TEST_CASE("MIT kinit with a wrong password or an unknown user gets the right error", "[kdc][interop]") {
  KdcFixture kdc;
  auto wrong = kdc.kinit("alice", "not-the-password");
  INFO(wrong.output);
  CHECK(wrong.exitCode != 0);
  CHECK(contains(wrong.output, "Password incorrect"));
  CHECK(kdc.events().count(kdc::event_id::kPreAuthFailed) == 1);
  CHECK(kdc.service().stats().errorCount("KDC_ERR_PREAUTH_FAILED") == 1);

  auto unknown = kdc.kinit("nobody", "x");
  INFO(unknown.output);
  CHECK(unknown.exitCode != 0);
  CHECK(contains(unknown.output, "not found in Kerberos database"));
  CHECK(kdc.service().stats().errorCount("KDC_ERR_C_PRINCIPAL_UNKNOWN") == 1);

  // Still serving after the failures.
  CHECK(kdc.kinit("alice", "Passw0rd!").exitCode == 0);
}

TEST_CASE("garbage datagrams and truncated TCP frames leave kerbpool's KDC serving", "[kdc][interop]") {
  KdcFixture kdc;
  // Not Kerberos at all: dropped silently.
  CHECK_FALSE(
      test::udpRoundTrip(kdc.port(), core::asBytes("GET / HTTP/1.0\r\n\r\n"), std::chrono::milliseconds(300))
          .has_value());
  // Looks like an AS-REQ but is not: a KRB-ERROR (0x7e) with KRB_ERR_GENERIC.
  const core::Bytes fakeAsReq{0x6a, 0x03, 0x30, 0x01, 0x00};
  auto reply = test::udpRoundTrip(kdc.port(), fakeAsReq);
  REQUIRE(reply.has_value());
  CHECK((*reply)[0] == 0x7e);
  // An AP-REQ sent to a KDC: KRB_AP_ERR_MSG_TYPE.
  auto apreq = test::udpRoundTrip(kdc.port(), core::Bytes{0x6e, 0x00});
  REQUIRE(apreq.has_value());
  CHECK((*apreq)[0] == 0x7e);
  CHECK(kdc.service().stats().errorCount("KRB_AP_ERR_MSG_TYPE") == 1);
  {
    test::TcpClient partial(kdc.port());
    REQUIRE(partial.send(core::Bytes{0x00, 0x00, 0x01, 0x00, 0x6a, 0x82}));
  }
  {
    test::TcpClient topBit(kdc.port());
    REQUIRE(topBit.send(core::Bytes{0x80, 0x00, 0x00, 0x10}));
    auto len = topBit.receive(4);
    REQUIRE(len.has_value());
    CHECK(topBit.waitForClose());
  }
  CHECK(kdc.service().stats().errorCount("KRB_ERR_FIELD_TOOLONG") == 1);
  auto r = kdc.kinit("alice", "Passw0rd!");
  INFO(r.output);
  CHECK(r.exitCode == 0);
}
