// The Netlogon stand-in protocol: round trips, strict decoding and frame lengths (the DC's frame dispatcher:
// tests/kdc/netlogon_dispatch_test.cpp).
#include <catch2/catch.hpp>

#include <algorithm>

#include "netlogon/netlogon_wire.hpp"
#include "tests/netlogon/ntlm_pass_through.hpp"

using namespace kerbpool;
using namespace kerbpool::netlogon;
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

TEST_CASE("netlogon wire: requests and replies round-trip", "[netlogon][wire]") {
  const auto req = sampleRequest();
  auto back = decodeNetlogonRequest(encodeNetlogonRequest(req));
  REQUIRE(back.ok());
  CHECK(back->requestId == req.requestId);
  CHECK(back->request.user == "alice");
  CHECK(back->request.domain == "CONTOSO");
  CHECK(back->request.workstation == "WS01");
  CHECK(back->request.channel == "FE01$");
  CHECK(back->request.serverChallenge == req.request.serverChallenge);
  CHECK(back->request.ntChallengeResponse == req.request.ntChallengeResponse);
  CHECK(back->request.lmChallengeResponse == req.request.lmChallengeResponse);

  const auto rep = sampleReply();
  auto r = decodeNetlogonReply(encodeNetlogonReply(rep));
  REQUIRE(r.ok());
  CHECK(r->requestId == 7);
  CHECK(r->response.status == NtStatus::STATUS_SUCCESS);
  CHECK(r->response.sessionBaseKey == rep.response.sessionBaseKey);
  CHECK(r->response.groups == rep.response.groups);
  CHECK(r->response.userPrincipalName == "alice@contoso.test");

  NetlogonWireReply failed;
  failed.requestId = 9;
  failed.response.status = NtStatus::STATUS_WRONG_PASSWORD;
  failed.response.detail = "ntlmv2_proof_mismatch";
  auto f = decodeNetlogonReply(encodeNetlogonReply(failed));
  REQUIRE(f.ok());
  CHECK(f->response.status == NtStatus::STATUS_WRONG_PASSWORD);
  CHECK(f->response.sessionBaseKey.empty());
  CHECK(f->response.detail == "ntlmv2_proof_mismatch");
}

TEST_CASE("netlogon wire: every truncation and trailing garbage is a decoding error", "[netlogon][wire]") {
  const core::Bytes req = encodeNetlogonRequest(sampleRequest());
  const core::Bytes rep = encodeNetlogonReply(sampleReply());
  for (std::size_t n = 0; n < req.size(); ++n) {
    auto r = decodeNetlogonRequest(core::BytesView(req).first(n));
    CHECK(!r.ok());
    CHECK(r.error().category == core::ErrorCategory::Decoding);
  }
  for (std::size_t n = 0; n < rep.size(); ++n) {
    CHECK(!decodeNetlogonReply(core::BytesView(rep).first(n)).ok());
  }
  core::Bytes longer = req;
  longer.push_back(0);
  CHECK(!decodeNetlogonRequest(longer).ok());
  // A request is not a reply and vice versa.
  CHECK(!decodeNetlogonReply(req).ok());
  CHECK(!decodeNetlogonRequest(rep).ok());
}

TEST_CASE("netlogon wire: field rules", "[netlogon][wire]") {
  auto m = sampleRequest();
  m.request.serverChallenge.resize(9);
  auto r = decodeNetlogonRequest(encodeNetlogonRequest(m));
  REQUIRE(!r.ok());
  CHECK(r.error().code == "bad_length");
  CHECK(r.error().detail.find("server-challenge") != std::string::npos);

  m = sampleRequest();
  m.request.user = std::string(1025, 'a');
  CHECK(decodeNetlogonRequest(encodeNetlogonRequest(m)).error().code == "field_too_long");

  // The version is the first element: [0] { INTEGER 1 }. Patch it to 2.
  core::Bytes v2 = encodeNetlogonRequest(sampleRequest());
  const std::uint8_t pattern[] = {0xa0, 0x03, 0x02, 0x01, 0x01};
  auto it = std::search(v2.begin(), v2.end(), std::begin(pattern), std::end(pattern));
  REQUIRE(it != v2.end());
  *(it + 4) = 0x02;
  CHECK(decodeNetlogonRequest(v2).error().code == "unsupported_version");

  // A success reply without a key (or a failure with one) is refused.
  auto rep = sampleReply();
  rep.response.status = NtStatus::STATUS_WRONG_PASSWORD;
  auto bytes = encodeNetlogonReply(rep);
  CHECK(decodeNetlogonReply(bytes).ok());  // failures do not carry the key on the wire at all
  rep = sampleReply();
  rep.response.sessionBaseKey.clear();
  CHECK(decodeNetlogonReply(encodeNetlogonReply(rep)).error().code == "bad_reply");
}

TEST_CASE("netlogon wire: frame lengths", "[netlogon][wire]") {
  const core::Bytes body{1, 2, 3};
  const core::Bytes framed = frameNetlogon(body);
  CHECK(framed == core::Bytes{0, 0, 0, 3, 1, 2, 3});
  CHECK(netlogonFrameLength(core::BytesView(framed).first(4)).value() == 3);
  CHECK(netlogonFrameLength(core::Bytes{0, 0, 0, 0}).error().code == "bad_frame_length");
  CHECK(netlogonFrameLength(core::Bytes{0, 1, 0, 1}).error().code == "bad_frame_length");  // 64 KiB + 1
  CHECK(netlogonFrameLength(core::Bytes{0x80, 0, 0, 1}).error().code == "bad_frame_length");
  CHECK(netlogonFrameLength(core::Bytes{0, 1, 0, 0}).value() == kNetlogonMaxFrameBytes);
  CHECK(!netlogonFrameLength(core::Bytes{0, 0, 1}).ok());
}
