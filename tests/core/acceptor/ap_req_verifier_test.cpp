#include <catch2/catch.hpp>

#include "core/acceptor/ap_req_verifier.hpp"
#include "core/crypto/primitives.hpp"
#include "core/iana/ap_options.hpp"
#include "tests/core/acceptor/test_kdc.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::acceptor;
using namespace kerbpool::test;

namespace {

// A pool node holding HTTP/pool.contoso.test kvno 3 (aes256) and its own HOST key.
struct Node {
  crypto::Key poolKey = makeKey(18, 100);
  AcceptorKeys keys;
  ManualClock clock{fromUnixSeconds(kTestEpoch)};
  ReplayCache cache{clock};

  Node() {
    keys.add({{"HTTP/pool.contoso.test"}, "CONTOSO.TEST", 3, poolKey});
    keys.add({{"HOST/fe01.contoso.test"}, "CONTOSO.TEST", 1, makeKey(18, 101)});
  }

  TicketSpec ticketSpec() const {
    TicketSpec t;
    t.serviceKey = poolKey;
    return t;
  }

  Result<AcceptedContext> verify(const Bytes& apReq, const VerifyOptions& options = {}) {
    return verifyApReq(apReq, keys, cache, clock, options);
  }
};

std::string codeOf(const Result<AcceptedContext>& r) {
  return r.ok() ? std::string("ok") : r.error().code;
}

}  // namespace

TEST_CASE("AP-REQ verifier: a good ticket and authenticator are accepted", "[acceptor][verifier]") {
  Node node;
  TicketSpec spec = node.ticketSpec();
  spec.groups = std::vector<std::string>{"pool-users", "web-admins"};
  const IssuedTicket issued = issueTicket(spec);
  const ClientRequest req = makeRequest(issued);
  auto r = node.verify(req.apReq);
  INFO((r.ok() ? "" : r.error().message()));
  REQUIRE(r.ok());
  CHECK(r->clientPrincipal == "alice@CONTOSO.TEST");
  CHECK(r->clientName.nameString == std::vector<std::string>{"alice"});
  CHECK(r->clientRealm == "CONTOSO.TEST");
  CHECK(r->groups == std::vector<std::string>{"pool-users", "web-admins"});
  CHECK(r->servicePrincipal == "HTTP/pool.contoso.test");
  CHECK(r->serviceRealm == "CONTOSO.TEST");
  CHECK(r->kvno == 3);
  CHECK(r->ticketEnctype == 18);
  CHECK(r->sessionKey.value == issued.sessionKey.value);
  REQUIRE(r->initiatorSubkey.has_value());
  CHECK(r->initiatorSubkey->value == req.subkey->value);
  CHECK(&r->initiatorContextKey() == &*r->initiatorSubkey);
  CHECK(r->initiatorSeqNumber == 0x1234567u);
  CHECK(r->gssFlags == (spnego::gss_flags::kMutual | spnego::gss_flags::kReplay |
                        spnego::gss_flags::kSequence | spnego::gss_flags::kConf | spnego::gss_flags::kInteg));
  CHECK(r->mutualRequested);
  CHECK(r->ctime == kTestEpoch);
  CHECK(r->cusec == 123456);
  CHECK(toUnixSeconds(r->authTime) == spec.authtime);
  CHECK(toUnixSeconds(r->endTime) == spec.endtime);
  CHECK_FALSE(r->delegatedCredential.has_value());
  CHECK(node.cache.size() == 1);
}

TEST_CASE("AP-REQ verifier: mutual is requested by ap-options or by the GSS flag", "[acceptor][verifier]") {
  Node node;
  const IssuedTicket issued = issueTicket(node.ticketSpec());
  ClientSpec none;
  none.apOptions = 0;
  none.gssFlags = spnego::gss_flags::kInteg;
  auto r1 = node.verify(makeRequest(issued, none).apReq);
  REQUIRE(r1.ok());
  CHECK_FALSE(r1->mutualRequested);

  ClientSpec flagOnly = none;
  flagOnly.gssFlags |= spnego::gss_flags::kMutual;
  flagOnly.cusec = 2;
  auto r2 = node.verify(makeRequest(issued, flagOnly).apReq);
  REQUIRE(r2.ok());
  CHECK(r2->mutualRequested);

  ClientSpec optionOnly = none;
  optionOnly.apOptions = iana::ap_options::mutual_required;
  optionOnly.cusec = 3;
  auto r3 = node.verify(makeRequest(issued, optionOnly).apReq);
  REQUIRE(r3.ok());
  CHECK(r3->mutualRequested);
}

TEST_CASE("AP-REQ verifier: the key is on another node only", "[acceptor][verifier]") {
  Node node;
  AcceptorKeys fe02;
  fe02.add({{"HOST/fe02.contoso.test", "HTTP/fe02.contoso.test"}, "CONTOSO.TEST", 5, makeKey(18, 7)});
  const ClientRequest req = makeRequest(issueTicket(node.ticketSpec()));
  auto r = verifyApReq(req.apReq, fe02, node.cache, node.clock);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "no_key_for_spn");
  CHECK(r.error().detail ==
        "no key for HTTP/pool.contoso.test (kvno 3, aes256-cts-hmac-sha1-96): this node holds keys for "
        "HOST/fe02.contoso.test, HTTP/fe02.contoso.test");
  CHECK(node.cache.size() == 0);
}

TEST_CASE("AP-REQ verifier: a ticket for an old kvno", "[acceptor][verifier]") {
  Node node;
  TicketSpec spec = node.ticketSpec();
  spec.kvno = 2;
  auto r = node.verify(makeRequest(issueTicket(spec)).apReq);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "no_key_for_kvno");
  CHECK(r.error().detail ==
        "no key for HTTP/pool.contoso.test with kvno 2 (aes256-cts-hmac-sha1-96): this node holds kvno 3 for "
        "it");
}

TEST_CASE("AP-REQ verifier: a ticket without kvno is tried with every key of the SPN",
          "[acceptor][verifier]") {
  Node node;
  node.keys.add({{"HTTP/pool.contoso.test"}, "CONTOSO.TEST", 4, makeKey(18, 104)});
  TicketSpec spec = node.ticketSpec();
  spec.kvno = std::nullopt;
  auto r = node.verify(makeRequest(issueTicket(spec)).apReq);
  REQUIRE(r.ok());
  CHECK(r->kvno == 3);

  TicketSpec wrong = node.ticketSpec();
  wrong.kvno = std::nullopt;
  wrong.serviceKey = makeKey(18, 999);
  auto bad = node.verify(makeRequest(issueTicket(wrong)).apReq);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "bad_integrity");
  CHECK(bad.error().detail ==
        "ticket for HTTP/pool.contoso.test (no kvno, aes256-cts-hmac-sha1-96) does not decrypt with any of "
        "the 2 "
        "keys this node holds for it");
}

TEST_CASE("AP-REQ verifier: wrong enctype for the kvno", "[acceptor][verifier]") {
  Node node;
  TicketSpec spec = node.ticketSpec();
  spec.serviceKey = makeKey(17, 100);
  auto r = node.verify(makeRequest(issueTicket(spec)).apReq);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "no_key_for_enctype");
}

TEST_CASE("AP-REQ verifier: a key that differs from the KDC's is an integrity failure",
          "[acceptor][verifier]") {
  Node node;
  TicketSpec spec = node.ticketSpec();
  spec.serviceKey = makeKey(18, 555);  // same kvno, another password
  auto r = node.verify(makeRequest(issueTicket(spec)).apReq);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "bad_integrity");
  CHECK(r.error().category == ErrorCategory::Integrity);
  CHECK(r.error().detail ==
        "ticket for HTTP/pool.contoso.test (kvno 3, aes256-cts-hmac-sha1-96) does not decrypt with the key "
        "this "
        "node holds for it: the ticket was altered or the node's key differs from the KDC's");
}

TEST_CASE("AP-REQ verifier: tampered ticket and authenticator bytes", "[acceptor][verifier]") {
  Node node;
  const IssuedTicket issued = issueTicket(node.ticketSpec());
  const ClientRequest req = makeRequest(issued);
  auto apReq = messages::decode<messages::ApReq>(req.apReq);
  REQUIRE(apReq.ok());

  SECTION("every byte of the ticket cipher") {
    for (std::size_t i = 0; i < apReq->ticket.encPart.cipher.size(); ++i) {
      messages::ApReq t = *apReq;
      t.ticket.encPart.cipher[i] ^= 0x01;
      auto r = node.verify(messages::encode(t));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == "bad_integrity");
      CHECK(r.error().detail.find("ticket for HTTP/pool.contoso.test (kvno 3") == 0);
    }
  }
  SECTION("every byte of the authenticator cipher") {
    for (std::size_t i = 0; i < apReq->authenticator.cipher.size(); ++i) {
      messages::ApReq t = *apReq;
      t.authenticator.cipher[i] ^= 0x80;
      auto r = node.verify(messages::encode(t));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == "bad_integrity");
      CHECK(r.error().detail.find("authenticator for HTTP/pool.contoso.test does not decrypt") == 0);
    }
  }
  SECTION("an authenticator from another ticket") {
    const IssuedTicket other = issueTicket(node.ticketSpec(), 12);
    messages::ApReq t = *apReq;
    auto foreign = messages::decode<messages::ApReq>(makeRequest(other).apReq);
    REQUIRE(foreign.ok());
    t.authenticator = foreign->authenticator;
    CHECK(codeOf(node.verify(messages::encode(t))) == "bad_integrity");
  }
  CHECK(node.cache.size() == 0);
}

TEST_CASE("AP-REQ verifier: authenticator client differs from the ticket's", "[acceptor][verifier]") {
  Node node;
  ClientSpec c;
  c.cname = {"mallory"};
  auto r = node.verify(makeRequest(issueTicket(node.ticketSpec()), c).apReq);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "client_mismatch");
  CHECK(r.error().detail ==
        "authenticator names mallory@CONTOSO.TEST but the ticket for HTTP/pool.contoso.test was issued to "
        "alice@CONTOSO.TEST");
}

TEST_CASE("AP-REQ verifier: clock skew of six minutes either way", "[acceptor][verifier]") {
  Node node;
  const IssuedTicket issued = issueTicket(node.ticketSpec());
  ClientSpec behind;
  behind.ctime = kTestEpoch - 360;
  behind.cusec = 0;
  auto r = node.verify(makeRequest(issued, behind).apReq);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "clock_skew");
  CHECK(r.error().detail ==
        "authenticator of alice@CONTOSO.TEST for HTTP/pool.contoso.test was made at 20261123000423Z, 360 s "
        "behind "
        "this node's clock 20261123001023Z (max skew 300 s)");

  ClientSpec ahead;
  ahead.ctime = kTestEpoch + 360;
  auto r2 = node.verify(makeRequest(issued, ahead).apReq);
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().code == "clock_skew");
  CHECK(r2.error().detail.find("ahead of this node's clock") != std::string::npos);

  SECTION("the node's clock is the one that is off") {
    node.clock.advance(std::chrono::minutes(6));
    CHECK(codeOf(node.verify(makeRequest(issued).apReq)) == "clock_skew");
  }
  SECTION("exactly at the limit passes") {
    ClientSpec edge;
    edge.ctime = kTestEpoch - 300;
    edge.cusec = 0;
    CHECK(codeOf(node.verify(makeRequest(issued, edge).apReq)) == "ok");
  }
  SECTION("a wider allowance accepts it") {
    VerifyOptions wide;
    wide.maxSkew = std::chrono::seconds(600);
    CHECK(codeOf(node.verify(makeRequest(issued, behind).apReq, wide)) == "ok");
  }
}

TEST_CASE("AP-REQ verifier: expired and not yet valid tickets with the skew allowance",
          "[acceptor][verifier]") {
  Node node;
  TicketSpec expired = node.ticketSpec();
  expired.authtime = kTestEpoch - 11 * 3600;
  expired.starttime = expired.authtime;
  expired.endtime = kTestEpoch - 301;
  auto r = node.verify(makeRequest(issueTicket(expired)).apReq);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "ticket_expired");
  CHECK(r.error().detail ==
        "ticket of alice@CONTOSO.TEST for HTTP/pool.contoso.test expired at 20261123000522Z, before this "
        "node's "
        "clock 20261123001023Z minus the 300 s skew");

  TicketSpec justEnded = expired;
  justEnded.endtime = kTestEpoch - 300;  // within the allowance, as MIT
  CHECK(codeOf(node.verify(makeRequest(issueTicket(justEnded)).apReq)) == "ok");

  TicketSpec future = node.ticketSpec();
  future.starttime = kTestEpoch + 301;
  auto f = node.verify(makeRequest(issueTicket(future)).apReq);
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().code == "ticket_not_yet_valid");

  TicketSpec noStart = node.ticketSpec();  // starttime absent: authtime counts
  noStart.starttime = std::nullopt;
  noStart.authtime = kTestEpoch + 400;
  CHECK(codeOf(node.verify(makeRequest(issueTicket(noStart)).apReq)) == "ticket_not_yet_valid");

  SECTION("the same ticket expires as the node's clock moves on") {
    const IssuedTicket issued = issueTicket(node.ticketSpec());
    node.clock.set(fromUnixSeconds(kTestEpoch + 10 * 3600 + 301));
    ClientSpec later;
    later.ctime = kTestEpoch + 10 * 3600 + 301;
    CHECK(codeOf(node.verify(makeRequest(issued, later).apReq)) == "ticket_expired");
  }
}

TEST_CASE("AP-REQ verifier: replay of the same token", "[acceptor][verifier]") {
  Node node;
  const IssuedTicket issued = issueTicket(node.ticketSpec());
  const ClientRequest first = makeRequest(issued);
  REQUIRE(node.verify(first.apReq).ok());
  auto again = node.verify(first.apReq);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "replay");
  CHECK(again.error().detail.find("alice@CONTOSO.TEST") != std::string::npos);

  ClientSpec next;  // a new authenticator with the same ticket
  next.cusec = 654321;
  next.seed = 8;
  CHECK(codeOf(node.verify(makeRequest(issued, next).apReq)) == "ok");

  SECTION("another node with its own cache accepts the replayed token") {
    ReplayCache otherCache(node.clock);
    CHECK(verifyApReq(first.apReq, node.keys, otherCache, node.clock).ok());
  }
  SECTION("a full cache refuses rather than forgets") {
    ReplayCache tiny(node.clock, ReplayCacheOptions{std::chrono::seconds(300), 1});
    REQUIRE(verifyApReq(first.apReq, node.keys, tiny, node.clock).ok());
    auto full = verifyApReq(makeRequest(issued, next).apReq, node.keys, tiny, node.clock);
    REQUIRE_FALSE(full.ok());
    CHECK(full.error().code == "replay_cache_full");
  }
}

TEST_CASE("AP-REQ verifier: refused tokens are not recorded in the replay cache", "[acceptor][verifier]") {
  Node node;
  const IssuedTicket issued = issueTicket(node.ticketSpec());
  ClientSpec skewed;
  skewed.ctime = kTestEpoch + 400;
  const ClientRequest req = makeRequest(issued, skewed);
  CHECK(codeOf(node.verify(req.apReq)) == "clock_skew");
  CHECK(node.cache.size() == 0);
  node.clock.advance(std::chrono::seconds(400));  // now the same token is in time, and not a replay
  CHECK(codeOf(node.verify(req.apReq)) == "ok");
}

TEST_CASE("AP-REQ verifier: the 0x8003 checksum", "[acceptor][verifier]") {
  Node node;
  const IssuedTicket issued = issueTicket(node.ticketSpec());

  SECTION("absent") {
    ClientSpec c;
    c.checksum = std::optional<messages::Checksum>{};
    auto r = node.verify(makeRequest(issued, c).apReq);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "bad_gss_checksum");
    CHECK(r.error().detail == "authenticator of alice@CONTOSO.TEST carries no checksum (GSS type 0x8003)");
    VerifyOptions lax;
    lax.requireGssChecksum = false;
    auto ok = node.verify(makeRequest(issued, c).apReq, lax);
    REQUIRE(ok.ok());
    CHECK(ok->gssFlags == 0);
    CHECK(ok->mutualRequested);  // from ap-options
  }
  SECTION("another checksum type") {
    ClientSpec c;
    c.checksum = std::optional<messages::Checksum>{messages::Checksum{16, Bytes(12, 0)}};
    auto r = node.verify(makeRequest(issued, c).apReq);
    CHECK(codeOf(r) == "bad_gss_checksum");
    CHECK(r.error().detail.find("checksum type 16") != std::string::npos);
  }
  SECTION("shorter than 24 octets at every length") {
    for (std::size_t n = 0; n < 24; ++n) {
      ClientSpec c;
      Bytes body(n, 0);
      if (n >= 4) {
        body[0] = 16;
      }
      c.checksum = std::optional<messages::Checksum>{messages::Checksum{0x8003, body}};
      c.cusec = static_cast<std::int32_t>(n);
      auto r = node.verify(makeRequest(issued, c).apReq);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == "bad_gss_checksum");
    }
  }
  SECTION("Lgth not 16") {
    Bytes body(24, 0);
    body[0] = 15;
    ClientSpec c;
    c.checksum = std::optional<messages::Checksum>{messages::Checksum{0x8003, body}};
    CHECK(codeOf(node.verify(makeRequest(issued, c).apReq)) == "bad_gss_checksum");
  }
  SECTION("DELEG flag without delegation fields") {
    Bytes body(24, 0);
    body[0] = 16;
    body[20] = spnego::gss_flags::kDeleg;
    ClientSpec c;
    c.checksum = std::optional<messages::Checksum>{messages::Checksum{0x8003, body}};
    CHECK(codeOf(node.verify(makeRequest(issued, c).apReq)) == "bad_gss_checksum");
  }
}

TEST_CASE("AP-REQ verifier: channel bindings", "[acceptor][verifier]") {
  Node node;
  const IssuedTicket issued = issueTicket(node.ticketSpec());
  ChannelBindings cb;
  cb.applicationData = toBytes("tls-server-end-point:0123456789abcdef0123456789abcdef");
  auto hash = channelBindingsHash(cb);
  REQUIRE(hash.ok());
  VerifyOptions withCb;
  withCb.channelBindings = cb;

  ClientSpec bound;
  bound.bnd = *hash;
  CHECK(codeOf(node.verify(makeRequest(issued, bound).apReq, withCb)) == "ok");

  ClientSpec unbound;  // all-zero Bnd: the client sent none, accepted (as MIT)
  unbound.cusec = 1;
  CHECK(codeOf(node.verify(makeRequest(issued, unbound).apReq, withCb)) == "ok");

  ClientSpec otherChannel;
  otherChannel.bnd = *hash;
  otherChannel.bnd[0] ^= 1;
  otherChannel.cusec = 2;
  auto r = node.verify(makeRequest(issued, otherChannel).apReq, withCb);
  CHECK(codeOf(r) == "channel_bindings_mismatch");
  // Without bindings on the acceptor side, Bnd is not looked at.
  CHECK(codeOf(node.verify(makeRequest(issued, otherChannel).apReq)) == "ok");

  // Extended Protection, as IIS's tokenChecking.
  VerifyOptions require = withCb;
  require.extendedProtection = ExtendedProtection::Require;
  ClientSpec boundAgain = bound;
  boundAgain.cusec = 3;
  CHECK(codeOf(node.verify(makeRequest(issued, boundAgain).apReq, require)) == "ok");
  ClientSpec unboundAgain;
  unboundAgain.cusec = 4;
  auto missing = node.verify(makeRequest(issued, unboundAgain).apReq, require);
  CHECK(codeOf(missing) == "channel_bindings_missing");
  // A connection without a TLS channel (TLS ended at a balancer): a token bound to a channel cannot match,
  // one bound to nothing passes, under Allow and Require alike.
  for (auto mode : {ExtendedProtection::Allow, ExtendedProtection::Require}) {
    VerifyOptions plain;
    plain.extendedProtection = mode;
    ClientSpec b = bound;
    b.cusec = mode == ExtendedProtection::Allow ? 5 : 6;
    auto refused = node.verify(makeRequest(issued, b).apReq, plain);
    CHECK(codeOf(refused) == "channel_bindings_mismatch");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().detail.find("this connection has none") != std::string::npos);
    ClientSpec u;
    u.cusec = mode == ExtendedProtection::Allow ? 7 : 8;
    CHECK(codeOf(node.verify(makeRequest(issued, u).apReq, plain)) == "ok");
  }
  CHECK(parseExtendedProtection("require") == ExtendedProtection::Require);
  CHECK_FALSE(parseExtendedProtection("Required").has_value());

  // MIT's layout: five le32 fields; an empty binding hashes 20 zero octets.
  auto empty = channelBindingsHash(ChannelBindings{});
  REQUIRE(empty.ok());
  auto md5 = crypto::md5(Bytes(20, 0));
  REQUIRE(md5.ok());
  CHECK(Bytes(empty->begin(), empty->end()) == *md5);
}

TEST_CASE("AP-REQ verifier: truncated and garbage AP-REQs are malformed_token at every length",
          "[acceptor][verifier]") {
  Node node;
  const ClientRequest req = makeRequest(issueTicket(node.ticketSpec()));
  for (std::size_t n = 0; n < req.apReq.size(); ++n) {
    auto r = node.verify(Bytes(req.apReq.begin(), req.apReq.begin() + static_cast<std::ptrdiff_t>(n)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "malformed_token");
    CHECK(r.error().category == ErrorCategory::Decoding);
  }
  CHECK(codeOf(node.verify(toBytes("garbage"))) == "malformed_token");
  CHECK(codeOf(node.verify(req.krb5Token)) == "malformed_token");  // framing not removed
  CHECK(node.cache.size() == 0);
}
