// The front-end's NTLM module in process (FrontendNode::handle, no sockets): the raw NTLM scheme and NTLMSSP
// inside SPNEGO, pass-through to the DC's NetlogonService, the CHALLENGE bound to its connection and node,
// NTLM persistence, DC failures, and NTLM messages that are malformed in every way a client can get wrong.
#include "frontend/ntlm_handler.hpp"

#include <catch2/catch.hpp>

#include "core/acceptor/acceptor_error.hpp"
#include "tests/frontend/frontend_test_support.hpp"
#include "tests/frontend/ntlm_test_support.hpp"

using namespace kerbpool;
using net::ConnectionContext;
using net::HttpResponse;
using test::challengeToken;
using test::NtlmLab;

namespace {

namespace codes = frontend::ntlm_codes;

HttpResponse get(frontend::FrontendNode& node, ConnectionContext& conn,
                 const std::optional<std::string>& authorization = std::nullopt) {
  return node.handle(test::protectedRequest(authorization), conn);
}

ConnectionContext connection(std::uint64_t id) {
  ConnectionContext c;
  c.id = id;
  c.peer = "127.0.0.1:5555";
  return c;
}

// The body of a refusal names its reason code only.
void checkRefused(const HttpResponse& r, std::string_view code) {
  INFO(r.body);
  CHECK(r.status == 401);
  CHECK(r.body.find(std::string(code)) != std::string::npos);
}

void put16(core::Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(core::Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}
std::uint16_t get16(const core::Bytes& b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

// The raw NTLM scheme: NEGOTIATE -> 401 CHALLENGE -> AUTHENTICATE, one connection.
struct Handshake {
  HttpResponse challenge;
  HttpResponse result;
};
Handshake rawHandshake(NtlmLab& lab, frontend::FrontendNode& node, ConnectionContext& conn,
                       const std::string& password = "Passw0rd!") {
  auto client = lab.client("alice", password);
  auto negotiate = client.negotiate();
  REQUIRE(negotiate.ok());
  Handshake h;
  h.challenge = get(node, conn, test::ntlmHeader(*negotiate));
  REQUIRE(h.challenge.status == 401);
  auto token = challengeToken(h.challenge, "NTLM");
  REQUIRE(token);
  auto auth = client.authenticate(*token);
  REQUIRE(auth.ok());
  h.result = get(node, conn, test::ntlmHeader(auth->message));
  return h;
}

}  // namespace

TEST_CASE("ntlm: anonymous 401 offers Negotiate then NTLM as separate fields", "[frontend][ntlm]") {
  NtlmLab lab;
  auto& fe01 = *lab.addNode("fe01").node;
  auto conn = connection(1);
  const HttpResponse r = get(fe01, conn);
  CHECK(r.status == 401);
  CHECK(test::wwwAuthenticate(r) == std::vector<std::string>{"Negotiate", "NTLM"});
}

TEST_CASE("ntlm: the NTLM scheme authenticates alice through the DC", "[frontend][ntlm]") {
  NtlmLab lab;
  auto& fe = lab.addNode("fe01");
  auto conn = connection(7);
  const Handshake h = rawHandshake(lab, *fe.node, conn);

  // The CHALLENGE names the domain and this node, and is kept for this connection only.
  auto challenge = core::ntlm::decodeChallenge(*challengeToken(h.challenge, "NTLM"));
  REQUIRE(challenge.ok());
  CHECK(challenge->targetName == "CONTOSO");
  REQUIRE(challenge->targetInfo);
  auto computer = challenge->targetInfo->text(core::ntlm::AvId::MsvAvNbComputerName);
  REQUIRE(computer.ok());
  CHECK(*computer == std::optional<std::string>("FE01"));
  auto dnsName = challenge->targetInfo->text(core::ntlm::AvId::MsvAvDnsComputerName);
  REQUIRE(dnsName.ok());
  CHECK(*dnsName == std::optional<std::string>("fe01.contoso.test"));

  INFO(h.result.body);
  CHECK(h.result.status == 200);
  test::checkContainsAll(h.result.body, {R"("user":"alice@CONTOSO.TEST")", R"("mechanism":"ntlm")",
                                         R"("node":"fe01")", R"("Pool Users")"});
  // The DC validated it (event 4776, success) over FE01$'s channel.
  REQUIRE(lab.pool.events.count(4776) == 1);
  const auto e = lab.pool.events.query(4776).back();
  CHECK(e.fields.at("TargetUserName") == "alice");
  CHECK(e.fields.at("Status") == "0x0");
  CHECK(lab.netlogon.counters().count(netlogon::NtStatus::STATUS_SUCCESS) == 1);
  CHECK(lab.throttle->semaphore().counters().semaphoreAcquires == 1);

  const auto st = fe.ntlm->stats();
  CHECK(st.negotiates == 1);
  CHECK(st.authenticates == 1);
  CHECK(st.passThroughs == 1);
  CHECK(st.authenticated == 1);
  CHECK(st.outcome("STATUS_SUCCESS") == 1);
  CHECK(fe.node->stats().allowedByUser.at("alice@CONTOSO.TEST") == 1);

  SECTION("the connection stays authenticated without Authorization (IIS NTLM persistence)") {
    const HttpResponse again = get(*fe.node, conn);
    CHECK(again.status == 200);
    CHECK(again.body.find(R"("persisted":true)") != std::string::npos);
    CHECK(lab.pool.events.count(4776) == 1);  // no new logon
    CHECK(fe.node->stats().allowedByConnection == 1);
    // Another connection is not.
    auto other = connection(8);
    CHECK(get(*fe.node, other).status == 401);
  }
  SECTION("a new Authorization replaces the connection's identity") {
    const HttpResponse bad = get(*fe.node, conn, "NTLM " + std::string("AAAA"));
    CHECK(bad.status == 401);
    CHECK(get(*fe.node, conn).status == 401);
  }
}

TEST_CASE("ntlm: a wrong password is refused as ntlm_logon_failure and the status is only logged",
          "[frontend][ntlm]") {
  NtlmLab lab;
  test::NtlmLogCapture log;
  auto& fe = lab.addNode("fe02");
  auto conn = connection(1);
  const Handshake h = rawHandshake(lab, *fe.node, conn, "wrong");
  checkRefused(h.result, codes::kLogonFailure);
  CHECK(h.result.body.find("STATUS_") == std::string::npos);  // the client learns nothing more
  CHECK(test::wwwAuthenticate(h.result) == std::vector<std::string>{"Negotiate", "NTLM"});
  CHECK(
      log.contains("ntlm_logon_failure: CONTOSO\\alice (workstation WS01): the DC answered "
                   "STATUS_WRONG_PASSWORD"));
  CHECK(fe.ntlm->stats().outcome("STATUS_WRONG_PASSWORD") == 1);
  CHECK(fe.node->stats().deniedFor(std::string(codes::kLogonFailure)) == 1);
  CHECK(lab.pool.events.query(4776).back().fields.at("Status") == "0xc000006a");
  CHECK(get(*fe.node, conn).status == 401);  // nothing persisted

  SECTION("an unknown user too") {
    auto c2 = connection(2);
    auto client = lab.client("mallory", "x");
    auto neg = client.negotiate();
    REQUIRE(neg.ok());
    const auto r1 = get(*fe.node, c2, test::ntlmHeader(*neg));
    auto auth = client.authenticate(*challengeToken(r1, "NTLM"));
    REQUIRE(auth.ok());
    checkRefused(get(*fe.node, c2, test::ntlmHeader(auth->message)), codes::kLogonFailure);
    CHECK(fe.ntlm->stats().outcome("STATUS_NO_SUCH_USER") == 1);
  }
}

TEST_CASE("ntlm: an AUTHENTICATE on another connection than its CHALLENGE is refused", "[frontend][ntlm]") {
  NtlmLab lab;
  test::NtlmLogCapture log;
  auto& fe = lab.addNode("fe02");
  auto first = connection(1);
  auto second = connection(2);
  auto client = lab.client();
  auto neg = client.negotiate();
  REQUIRE(neg.ok());
  const auto r1 = get(*fe.node, first, test::ntlmHeader(*neg));
  auto auth = client.authenticate(*challengeToken(r1, "NTLM"));
  REQUIRE(auth.ok());
  const auto r2 = get(*fe.node, second, test::ntlmHeader(auth->message));
  checkRefused(r2, codes::kNoChallengeOnConnection);
  CHECK(
      log.contains("ntlm_no_challenge_on_connection: AUTHENTICATE without a CHALLENGE from fe02 on this "
                   "connection: the load balancer probably sent the handshake's legs to different nodes or "
                   "connections"));
  CHECK(lab.pool.events.count(4776) == 0);  // never reached the DC
  CHECK(fe.ntlm->stats().passThroughs == 0);
  // The CHALLENGE is still pending on the first connection: the right leg there still works.
  const auto r3 = get(*fe.node, first, test::ntlmHeader(auth->message));
  CHECK(r3.status == 200);
}

TEST_CASE("ntlm: an AUTHENTICATE sent to another node is refused", "[frontend][ntlm]") {
  NtlmLab lab;
  test::NtlmLogCapture log;
  auto& fe01 = lab.addNode("fe01");
  auto& fe02 = lab.addNode("fe02");
  auto conn = connection(1);  // the same connection id on both nodes' servers
  auto client = lab.client();
  auto neg = client.negotiate();
  REQUIRE(neg.ok());
  const auto r1 = get(*fe01.node, conn, test::ntlmHeader(*neg));
  auto auth = client.authenticate(*challengeToken(r1, "NTLM"));
  REQUIRE(auth.ok());
  auto conn2 = connection(1);
  checkRefused(get(*fe02.node, conn2, test::ntlmHeader(auth->message)), codes::kNoChallengeOnConnection);
  CHECK(log.contains("fe02: 401"));
  CHECK(log.contains("without a CHALLENGE from fe02 on this connection"));

  SECTION("a state that travelled with a CHALLENGE from fe01 is refused too (the tag)") {
    conn2.authState = conn.authState;  // as if a proxy carried fe01's state over
    checkRefused(get(*fe02.node, conn2, test::ntlmHeader(auth->message)), codes::kNoChallengeOnConnection);
    CHECK(log.contains("(the pending CHALLENGE is from fe01 on connection 1)"));
  }
}

TEST_CASE("ntlm: NTLMSSP inside Negotiate (the workstation's fallback)", "[frontend][ntlm]") {
  NtlmLab lab;
  auto& fe = lab.addNode("fe01");
  auto conn = connection(3);
  auto client = lab.client();
  auto neg = client.negotiate();
  REQUIRE(neg.ok());
  core::spnego::NegTokenInit init;
  init.mechTypes = {test::ntlmsspMech()};
  init.mechToken = *neg;
  const auto r1 = get(*fe.node, conn, test::negotiateHeader(core::spnego::encodeInitialToken(init)));
  REQUIRE(r1.status == 401);
  auto respToken = challengeToken(r1, "Negotiate");
  REQUIRE(respToken);
  auto resp = core::spnego::decodeNegTokenResp(*respToken);
  REQUIRE(resp.ok());
  CHECK(resp->negState == core::spnego::NegState::AcceptIncomplete);
  REQUIRE(resp->supportedMech);
  CHECK(core::spnego::isNtlmMech(*resp->supportedMech));
  REQUIRE(resp->responseToken);
  auto auth = client.authenticate(*resp->responseToken);
  REQUIRE(auth.ok());
  const core::Bytes mechTypesDer = core::spnego::encodeMechTypeList(init.mechTypes);
  auto session = core::ntlm::NtlmSession::create(auth->exportedSessionKey, auth->negotiateFlags,
                                                 core::ntlm::NtlmSession::Role::Client);
  REQUIRE(session.ok());

  core::spnego::NegTokenResp leg3;
  leg3.responseToken = auth->message;
  SECTION("with the client's mechListMIC: verified and answered with ours") {
    auto mic = session->sign(mechTypesDer);
    REQUIRE(mic.ok());
    leg3.mechListMic = *mic;
    const auto r3 = get(*fe.node, conn, test::negotiateHeader(core::spnego::encodeNegTokenResp(leg3)));
    INFO(r3.body);
    REQUIRE(r3.status == 200);
    CHECK(r3.body.find(R"("mechanism":"ntlm")") != std::string::npos);
    auto last = core::spnego::decodeNegTokenResp(*challengeToken(r3, "Negotiate"));
    REQUIRE(last.ok());
    CHECK(last->negState == core::spnego::NegState::AcceptCompleted);
    REQUIRE(last->mechListMic);
    CHECK(session->verify(mechTypesDer, *last->mechListMic).ok());
  }
  SECTION("without one (NTLMSSP was the client's first choice): accepted, no MIC back") {
    const auto r3 = get(*fe.node, conn, test::negotiateHeader(core::spnego::encodeNegTokenResp(leg3)));
    REQUIRE(r3.status == 200);
    auto last = core::spnego::decodeNegTokenResp(*challengeToken(r3, "Negotiate"));
    REQUIRE(last.ok());
    CHECK_FALSE(last->mechListMic);
  }
  SECTION("a mechListMIC that does not verify is refused") {
    leg3.mechListMic = core::Bytes(16, 0x5a);
    const auto r3 = get(*fe.node, conn, test::negotiateHeader(core::spnego::encodeNegTokenResp(leg3)));
    checkRefused(r3, core::acceptor::codes::kBadMechListMic);
  }
  SECTION("the NegTokenResp on another connection finds no CHALLENGE") {
    auto other = connection(4);
    checkRefused(get(*fe.node, other, test::negotiateHeader(core::spnego::encodeNegTokenResp(leg3))),
                 codes::kNoChallengeOnConnection);
  }
}

TEST_CASE("ntlm: SPNEGO listing NTLMSSP after a mechanism the node does not take", "[frontend][ntlm]") {
  NtlmLab lab;
  auto& fe = lab.addNode("fe01");
  auto conn = connection(5);
  auto client = lab.client();
  core::spnego::NegTokenInit init;
  const core::Bytes unknownMech{0x2a, 0x03, 0x04};  // 1.2.3.4
  init.mechTypes = {unknownMech, test::ntlmsspMech()};
  const auto r1 = get(*fe.node, conn, test::negotiateHeader(core::spnego::encodeInitialToken(init)));
  REQUIRE(r1.status == 401);
  auto select = core::spnego::decodeNegTokenResp(*challengeToken(r1, "Negotiate"));
  REQUIRE(select.ok());
  REQUIRE(select->supportedMech);
  CHECK(core::spnego::isNtlmMech(*select->supportedMech));
  CHECK_FALSE(select->responseToken);

  auto neg = client.negotiate();
  REQUIRE(neg.ok());
  core::spnego::NegTokenResp leg2;
  leg2.responseToken = *neg;
  const auto r2 = get(*fe.node, conn, test::negotiateHeader(core::spnego::encodeNegTokenResp(leg2)));
  REQUIRE(r2.status == 401);
  auto chal = core::spnego::decodeNegTokenResp(*challengeToken(r2, "Negotiate"));
  REQUIRE(chal.ok());
  REQUIRE(chal->responseToken);
  auto auth = client.authenticate(*chal->responseToken);
  REQUIRE(auth.ok());
  core::spnego::NegTokenResp leg3;
  leg3.responseToken = auth->message;
  SECTION("the mechListMIC is required (RFC 4178 5)") {
    checkRefused(get(*fe.node, conn, test::negotiateHeader(core::spnego::encodeNegTokenResp(leg3))),
                 core::acceptor::codes::kBadMechListMic);
  }
  SECTION("with it: 200") {
    auto session = core::ntlm::NtlmSession::create(auth->exportedSessionKey, auth->negotiateFlags,
                                                   core::ntlm::NtlmSession::Role::Client);
    REQUIRE(session.ok());
    auto mic = session->sign(core::spnego::encodeMechTypeList(init.mechTypes));
    REQUIRE(mic.ok());
    leg3.mechListMic = *mic;
    CHECK(get(*fe.node, conn, test::negotiateHeader(core::spnego::encodeNegTokenResp(leg3))).status == 200);
  }
}

namespace {

// A secure channel that cannot reach its DC, or whose semaphore timed out.
class BrokenChannel final : public frontend::SecureChannel {
 public:
  explicit BrokenChannel(bool transportError) : transportError_(transportError) {}
  core::Result<frontend::PassThroughResponse> validate(const frontend::PassThroughRequest&) override {
    if (transportError_) {
      return core::makeError(core::ErrorCategory::Io, "netlogon_connect_failed",
                             "connect to 127.0.0.1:9: Connection refused");
    }
    frontend::PassThroughResponse r;
    r.status = netlogon::NtStatus::STATUS_NO_LOGON_SERVERS;
    r.detail = "semaphore_timeout";
    return r;
  }

 private:
  bool transportError_;
};

}  // namespace

TEST_CASE("ntlm: a DC that cannot be asked is ntlm_dc_unavailable (STATUS_NO_LOGON_SERVERS)",
          "[frontend][ntlm]") {
  NtlmLab lab;
  test::NtlmLogCapture log;
  const bool transport = GENERATE(true, false);
  BrokenChannel broken(transport);
  auto& fe = lab.addNode("fe03", &broken);
  auto conn = connection(1);
  const Handshake h = rawHandshake(lab, *fe.node, conn);
  checkRefused(h.result, codes::kDcUnavailable);
  CHECK(fe.ntlm->stats().outcome("STATUS_NO_LOGON_SERVERS") == 1);
  CHECK(log.contains(transport
                         ? "STATUS_NO_LOGON_SERVERS: the secure channel FE03$ could not reach the DC"
                         : "STATUS_NO_LOGON_SERVERS from the secure channel FE03$ (semaphore_timeout)"));
}

TEST_CASE("ntlm: malformed NTLM messages are refused with a reason and the node keeps serving",
          "[frontend][ntlm][negative]") {
  NtlmLab lab;
  auto& fe = lab.addNode("fe01");
  auto client = lab.client();
  auto neg = client.negotiate();
  REQUIRE(neg.ok());
  const core::Bytes negotiate = *neg;

  struct Case {
    std::string name;
    core::Bytes token;
    std::string_view code;
  };
  std::vector<Case> firstLegs;
  auto add = [&](std::string name, core::Bytes token, std::string_view code) {
    firstLegs.push_back({std::move(name), std::move(token), code});
  };
  {
    auto b = negotiate;
    b[0] = 'X';
    add("NEGOTIATE with a wrong signature", b, codes::kMalformedMessage);
  }
  add("NEGOTIATE cut to 10 bytes", core::Bytes(negotiate.begin(), negotiate.begin() + 10),
      codes::kMalformedMessage);
  add("NEGOTIATE header cut to 20 bytes", core::Bytes(negotiate.begin(), negotiate.begin() + 20),
      codes::kMalformedMessage);
  {
    auto b = negotiate;
    put16(b, 16, 0xffff);  // DomainName length
    put16(b, 18, 0xffff);
    add("NEGOTIATE DomainName of 65535 bytes", b, codes::kMalformedMessage);
  }
  {
    auto b = negotiate;
    put16(b, 24, 4);
    put32(b, 28, 0xfffffff0);  // Workstation offset
    add("NEGOTIATE Workstation offset outside the message", b, codes::kMalformedMessage);
  }
  add("an empty token", core::Bytes{}, codes::kMalformedMessage);
  add("NTLMSSP signature only", core::Bytes{'N', 'T', 'L', 'M', 'S', 'S', 'P', 0}, codes::kMalformedMessage);
  add(
      "70 KiB message",
      [&] {
        auto b = negotiate;
        b.resize(70 * 1024, 0);
        return b;
      }(),
      core::acceptor::codes::kMalformedToken);  // the Authorization parser's size limit comes first
  {
    auto b = negotiate;
    put32(b, 8, 2);
    add("a CHALLENGE from the client", b, codes::kUnexpectedMessage);
  }
  {
    auto b = negotiate;
    put32(b, 8, 7);
    add("MessageType 7", b, codes::kUnexpectedMessage);
  }

  std::uint64_t id = 100;
  for (const auto& c : firstLegs) {
    DYNAMIC_SECTION("first leg: " << c.name) {
      auto conn = connection(++id);
      const auto r = get(*fe.node, conn, c.token.empty() ? "NTLM" : test::ntlmHeader(c.token));
      INFO(r.body);
      CHECK(r.status == 401);
      if (!c.token.empty()) {
        CHECK(r.body.find(std::string(c.code)) != std::string::npos);
      }
      // The same connection then completes a good handshake.
      CHECK(rawHandshake(lab, *fe.node, conn).result.status == 200);
    }
  }

  // Second legs: a good CHALLENGE on the connection, then a damaged AUTHENTICATE.
  auto damaged = [&](const std::string& name, auto mutate, std::string_view code) {
    DYNAMIC_SECTION("AUTHENTICATE: " << name) {
      auto conn = connection(++id);
      auto c2 = lab.client();
      auto n2 = c2.negotiate();
      REQUIRE(n2.ok());
      const auto r1 = get(*fe.node, conn, test::ntlmHeader(*n2));
      auto auth = c2.authenticate(*challengeToken(r1, "NTLM"));
      REQUIRE(auth.ok());
      core::Bytes b = auth->message;
      mutate(b);
      const auto r = get(*fe.node, conn, test::ntlmHeader(b));
      INFO(r.body);
      CHECK(r.status == 401);
      CHECK(r.body.find(std::string(code)) != std::string::npos);
      CHECK(rawHandshake(lab, *fe.node, conn).result.status == 200);
    }
  };
  damaged(
      "wrong signature", [](core::Bytes& b) { b[7] = 1; }, codes::kMalformedMessage);
  damaged(
      "cut inside the header", [](core::Bytes& b) { b.resize(40); }, codes::kMalformedMessage);
  damaged(
      "cut inside the payload", [](core::Bytes& b) { b.resize(b.size() - 30); }, codes::kMalformedMessage);
  damaged(
      "NtChallengeResponse of 65535 bytes", [](core::Bytes& b) { put16(b, 20, 0xffff); },
      codes::kMalformedMessage);
  damaged(
      "UserName offset outside the message", [](core::Bytes& b) { put32(b, 40, 0x7fffffff); },
      codes::kMalformedMessage);
  damaged(
      "truncated AV pairs in the NTLMv2 response",
      [](core::Bytes& b) {
        // NTProofStr (16) + the temp's fixed part (28) + the first AV pair's header (4) + 2 of its 14
        // value bytes (MsvAvNbDomainName "CONTOSO").
        put16(b, 20, 16 + 28 + 4 + 2);
      },
      codes::kMalformedMessage);
  damaged(
      "an AV pair longer than the list",
      [](core::Bytes& b) {
        const std::size_t nt = get16(b, 24) | (get16(b, 26) << 16);
        put16(b, nt + 16 + 28 + 2, 0xfff0);  // the first AV pair's AvLen
      },
      codes::kMalformedMessage);
  damaged(
      "a flipped NTProofStr byte",
      [](core::Bytes& b) {
        const std::size_t nt = get16(b, 24) | (get16(b, 26) << 16);
        b[nt] ^= 0x01;
      },
      codes::kLogonFailure);
  damaged(
      "a flipped MIC byte", [](core::Bytes& b) { b[core::ntlm::kAuthenticateMicOffset] ^= 0x01; },
      codes::kLogonFailure);
  damaged(
      "an NTLMv1-sized response", [](core::Bytes& b) { put16(b, 20, 24); }, codes::kLogonFailure);

  SECTION("garbage in SPNEGO") {
    auto conn = connection(++id);
    auto negotiateResp = [](const core::spnego::NegTokenResp& r) {
      return test::negotiateHeader(core::spnego::encodeNegTokenResp(r));
    };
    core::spnego::NegTokenResp empty;
    checkRefused(get(*fe.node, conn, negotiateResp(empty)), codes::kMalformedMessage);
    core::spnego::NegTokenResp reject;
    reject.negState = core::spnego::NegState::Reject;
    checkRefused(get(*fe.node, conn, negotiateResp(reject)), codes::kUnexpectedMessage);
    core::spnego::NegTokenResp junk;
    junk.responseToken = core::Bytes{1, 2, 3, 4, 5};
    checkRefused(get(*fe.node, conn, negotiateResp(junk)), codes::kMalformedMessage);
    checkRefused(get(*fe.node, conn, "Negotiate oQ=="), core::acceptor::codes::kMalformedToken);  // a1 alone
    CHECK(rawHandshake(lab, *fe.node, conn).result.status == 200);
  }
}
