// Lync-style web tickets: sealed with the pool's key, opened by any node that holds it, refused with a reason
// otherwise.
#include <catch2/catch.hpp>

#include "core/common/base64.hpp"
#include "core/webticket/web_ticket.hpp"

using namespace kerbpool;
using namespace kerbpool::core::webticket;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const core::TimePoint kNow = core::fromUnixSeconds(1796385600);  // 2026-12-04 12:00 UTC

WebTicketClaims claims() {
  WebTicketClaims c;
  c.user = "user001@CONTOSO.TEST";
  c.groups = {"Domain Users", "Pool Users"};
  c.mechanism = "kerberos";
  c.audience = "https://pool.contoso.test";
  c.issuer = "fe01";
  c.id = "00112233445566778899aabbccddeeff";
  c.scope = "internal";
  c.issued = kNow;
  c.expires = kNow + hours(8);
  return c;
}

OpenOptions forPool() {
  OpenOptions o;
  o.audience = "https://pool.contoso.test";
  return o;
}

struct Pool {
  core::SeededRng rng{42};
  PoolKey v1 = generatePoolKey(1, rng).value();
  PoolKey v2 = generatePoolKey(2, rng).value();
};

}  // namespace

TEST_CASE("web ticket: any node holding the pool's key opens what another node sealed", "[core][webticket]") {
  Pool p;
  auto ticket = sealWebTicket(claims(), p.v1, p.rng);
  REQUIRE(ticket.ok());
  CHECK(ticket->rfind("cwt=", 0) == 0);
  CHECK(ticketKeyVersion(*ticket) == 1u);
  // The claims are encrypted: the user's name is not readable in the token.
  const auto raw = core::base64Decode(ticket->substr(4)).value();
  CHECK(std::string(raw.begin(), raw.end()).find("user001") == std::string::npos);

  auto opened = openWebTicket(*ticket, {p.v2, p.v1}, kNow + hours(7), forPool());
  REQUIRE(opened.ok());
  CHECK(opened->user == "user001@CONTOSO.TEST");
  CHECK(opened->groups == std::vector<std::string>{"Domain Users", "Pool Users"});
  CHECK(opened->issuer == "fe01");
  CHECK(opened->mechanism == "kerberos");
  CHECK(opened->expires == kNow + hours(8));
  CHECK(opened->scope == "internal");
}

TEST_CASE("web ticket: a node without the key version, a tampered ticket, another pool's key are refused",
          "[core][webticket]") {
  Pool p;
  const std::string ticket = sealWebTicket(claims(), p.v2, p.rng).value();

  auto missing = openWebTicket(ticket, {p.v1}, kNow, forPool());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == codes::kUnknownKey);
  CHECK(missing.error().detail.find("key version 2; this node holds version(s) 1") != std::string::npos);
  auto none = openWebTicket(ticket, {}, kNow, forPool());
  CHECK(none.error().detail.find("holds version(s) none") != std::string::npos);

  // One bit flipped in the ciphertext.
  auto raw = core::base64Decode(ticket.substr(4)).value();
  raw[20] ^= 0x01;
  const std::string tampered = "cwt=" + core::base64Encode(raw);
  auto t = openWebTicket(tampered, {p.v2}, kNow, forPool());
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().code == codes::kBadIntegrity);
  CHECK(t.error().category == core::ErrorCategory::Integrity);

  // Another pool whose key also has version 2.
  core::SeededRng other(7);
  const PoolKey foreign = generatePoolKey(2, other).value();
  CHECK(openWebTicket(ticket, {foreign}, kNow, forPool()).error().code == codes::kBadIntegrity);
  // The refusal never shows key material.
  const auto detail = openWebTicket(ticket, {foreign}, kNow, forPool()).error().detail;
  CHECK(detail.find(core::base64Encode(foreign.key.value)) == std::string::npos);
}

TEST_CASE("web ticket: expiry with skew, the future, the audience and revocation", "[core][webticket]") {
  Pool p;
  const std::string ticket = sealWebTicket(claims(), p.v1, p.rng).value();
  const auto open = [&](core::TimePoint now, OpenOptions o = forPool()) {
    return openWebTicket(ticket, {p.v1}, now, o);
  };
  CHECK(open(kNow + hours(8) + seconds(299)).ok());  // within the 300 s allowance
  auto expired = open(kNow + hours(8) + seconds(300));
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().code == codes::kExpired);
  CHECK(expired.error().detail.find("expired 300 s ago (issued by fe01)") != std::string::npos);

  auto early = open(kNow - minutes(6));
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().code == codes::kNotYetValid);

  OpenOptions otherPool;
  otherPool.audience = "https://pool2.contoso.test";
  auto audience = open(kNow, otherPool);
  REQUIRE_FALSE(audience.ok());
  CHECK(audience.error().code == codes::kWrongAudience);
  CHECK(audience.error().detail ==
        "the web ticket is for https://pool.contoso.test, this pool is https://pool2.contoso.test");

  OpenOptions revoking = forPool();
  revoking.revoked = [](const WebTicketClaims& c) { return c.user == "user001@CONTOSO.TEST"; };
  auto revoked = open(kNow, revoking);
  REQUIRE_FALSE(revoked.ok());
  CHECK(revoked.error().code == codes::kRevoked);
}

TEST_CASE("web ticket: what is not a ticket is malformed, before any decryption", "[core][webticket]") {
  Pool p;
  for (const std::string& bad :
       {std::string("Bearer"), std::string("cwt="), std::string("cwt=!!!!"), std::string("eyJhbGciOi.x.y"),
        "cwt=" + core::base64Encode(core::Bytes(8, 1)), "cwt=" + std::string(kMaxTicketChars, 'A')}) {
    INFO(bad.substr(0, 40));
    auto r = openWebTicket(bad, {p.v1}, kNow, forPool());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codes::kMalformed);
  }
  CHECK_FALSE(ticketKeyVersion("cwt=").has_value());
  WebTicketClaims empty;
  CHECK_FALSE(sealWebTicket(empty, p.v1, p.rng).ok());
}

TEST_CASE("web ticket: sealed claims that are not a pool's are malformed", "[core][webticket]") {
  Pool p;
  const auto sealRaw = [&](const std::string& text) {
    auto sealed = core::crypto::encrypt(
        p.v1.key, kKeyUsage, core::BytesView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
        p.rng);
    core::Bytes raw{0, 0, 0, 1};
    raw.insert(raw.end(), sealed->begin(), sealed->end());
    return "cwt=" + core::base64Encode(raw);
  };
  const std::string good =
      R"("amr":"kerberos","aud":"https://pool.contoso.test","iss":"fe01","jti":"00","scope":"internal")";
  for (const std::string& claims :
       {std::string("[1,2]"),
        std::string("{\"sub\":\"\"," + good + ",\"iat\":1796385600000000,\"exp\":1796414400000000}"),
        "{\"sub\":\"u@R\"," + good + ",\"iat\":-1,\"exp\":1796414400000000}",
        "{\"sub\":\"u@R\"," + good + ",\"iat\":1796385600000000,\"exp\":9223372036854775807}",
        "{\"sub\":\"u@R\"," + good + ",\"iat\":1796385600000000}",
        "{\"sub\":\"u@R\"," + good + ",\"iat\":1796385600000000,\"exp\":1796414400000000,\"groups\":[1]}"}) {
    INFO(claims);
    auto r = openWebTicket(sealRaw(claims), {p.v1}, kNow, forPool());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codes::kMalformed);
  }
  CHECK(openWebTicket(
            sealRaw("{\"sub\":\"u@R\"," + good + ",\"iat\":1796385600000000,\"exp\":1796414400000000}"),
            {p.v1}, kNow, forPool())
            .ok());
}
