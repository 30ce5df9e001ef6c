// The DC's Netlogon frame dispatcher: one frame body in, one reply body out (the codec itself:
// tests/netlogon/netlogon_wire_test.cpp).
#include <catch2/catch.hpp>

#include "kdc/netlogon_dispatch.hpp"
#include "netlogon/netlogon_wire.hpp"
#include "tests/kdc/pool_fixture.hpp"
#include "tests/netlogon/ntlm_pass_through.hpp"

using namespace kerbpool;
using namespace kerbpool::kdc;
using kerbpool::kdc::pooltest::PoolFixture;
using kerbpool::netlogon::decodeNetlogonReply;
using kerbpool::netlogon::encodeNetlogonReply;
using kerbpool::netlogon::encodeNetlogonRequest;
using kerbpool::netlogon::NetlogonWireReply;
using kerbpool::netlogon::NetlogonWireRequest;
using kerbpool::netlogon::test::ntlmExchange;

namespace {

NetlogonWireRequest sampleRequest() {
  NetlogonWireRequest m;
  m.requestId = 0xfffffffe;
  m.request = ntlmExchange("alice", "CONTOSO", "Passw0rd!").request;
  return m;
}

NetlogonWireReply sampleReply() {
  NetlogonWireReply m;
  m.requestId = 7;
  m.response.status = NtStatus::STATUS_SUCCESS;
  m.response.sessionBaseKey = core::Bytes(16, 0xab);
  m.response.accountName = "alice";
  m.response.logonDomain = "CONTOSO";
  m.response.userPrincipalName = "alice@contoso.test";
  m.response.groups = {"Domain Users", "Pool Users"};
  m.response.detail = "validated";
  return m;
}

}  // namespace

TEST_CASE("netlogon dispatch: answers valid frames and refuses garbage with STATUS_INVALID_PARAMETER",
          "[kdc][netlogon][wire]") {
  PoolFixture f;
  NetlogonService service(f.dir, f.events);
  auto req = sampleRequest();
  auto reply = decodeNetlogonReply(handleNetlogonFrame(service, encodeNetlogonRequest(req)));
  REQUIRE(reply.ok());
  CHECK(reply->requestId == req.requestId);
  CHECK(reply->response.status == NtStatus::STATUS_SUCCESS);

  for (const core::Bytes& junk :
       {core::Bytes{}, core::Bytes{0x30, 0x00}, core::Bytes(100, 0xff), encodeNetlogonReply(sampleReply())}) {
    auto r = decodeNetlogonReply(handleNetlogonFrame(service, junk));
    REQUIRE(r.ok());
    CHECK(r->requestId == 0);
    CHECK(r->response.status == NtStatus::STATUS_INVALID_PARAMETER);
    CHECK(!r->response.detail.empty());
  }
  CHECK(service.counters().requests == 1);  // garbage never reaches the service
  auto framing = decodeNetlogonReply(netlogonFramingErrorReply());
  REQUIRE(framing.ok());
  CHECK(framing->response.detail == "bad_frame_length");
}
