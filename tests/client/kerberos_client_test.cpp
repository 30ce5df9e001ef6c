#include <catch2/catch.hpp>

#include "client/kdc_error.hpp"
#include "client/kerberos_client.hpp"
#include "core/spnego/neg_token.hpp"
#include "tests/client/fake_kdc.hpp"

using namespace kerbpool;
using client::KerberosClient;
using test::FakeKdc;

namespace {

const core::TimePoint kNow = core::fromUnixSeconds(1795392623);

client::KerberosClientConfig config() {
  client::KerberosClientConfig c;
  c.realm = "KERBPOOL.TEST";
  return c;
}

struct World {
  core::ManualClock clock{kNow};
  core::SeededRng rng{31};
  FakeKdc kdc{clock};
  World() {
    kdc.addUser("alice", "pw");
    kdc.addService("HTTP/pool.kerbpool.test");
  }
};

}  // namespace

TEST_CASE("Kerberos client: logon then service tickets from the cache", "[client]") {
  World w;
  KerberosClient c(w.kdc, w.clock, w.rng, config());
  auto tgt = c.getTgt("alice", "pw");
  REQUIRE(tgt.ok());
  CHECK(tgt->preauthUsed);
  CHECK(w.kdc.asRequests == 2);

  auto t1 = c.getServiceTicket("HTTP/pool.kerbpool.test");
  REQUIRE(t1.ok());
  auto t2 = c.getServiceTicket("HTTP/POOL.kerbpool.test");  // host part case does not matter
  REQUIRE(t2.ok());
  CHECK(w.kdc.tgsRequests == 1);
  CHECK(t1->ticketBytes == t2->ticketBytes);
  CHECK(c.cache().stats().hits >= 1);
  CHECK(c.stats().tgsExchanges == 1);

  auto token = c.initiateContext("HTTP/pool.kerbpool.test");
  REQUIRE(token.ok());
  CHECK(w.kdc.tgsRequests == 1);
  auto init = core::spnego::decodeInitialToken(token->token);
  REQUIRE(init.ok());
  CHECK(init->kind == core::spnego::InitialTokenKind::Spnego);
}

TEST_CASE("Kerberos client: KDC errors are typed so a caller can fall back to NTLM", "[client]") {
  World w;
  KerberosClient c(w.kdc, w.clock, w.rng, config());

  auto noTgt = c.getServiceTicket("HTTP/pool.kerbpool.test");
  REQUIRE_FALSE(noTgt.ok());
  CHECK(noTgt.error().code == "no_tgt");
  CHECK(w.kdc.tgsRequests == 0);

  auto wrong = c.getTgt("alice", "nope");
  REQUIRE_FALSE(wrong.ok());
  CHECK(client::krbErrorCode(wrong.error()) == core::iana::ErrorCode::KDC_ERR_PREAUTH_FAILED);

  REQUIRE(c.getTgt("alice", "pw").ok());
  auto unknown = c.getServiceTicket("HTTP/nope.kerbpool.test");
  REQUIRE_FALSE(unknown.ok());
  CHECK(client::krbErrorCode(unknown.error()) == core::iana::ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN);
  auto ctx = c.initiateContext("HTTP/nope.kerbpool.test");
  REQUIRE_FALSE(ctx.ok());
  CHECK(ctx.error().code == "kdc_err_s_principal_unknown");
  CHECK(c.stats().kdcErrors == 3);

  auto badName = c.getServiceTicket("HTTP/x@");
  REQUIRE_FALSE(badName.ok());
  CHECK(badName.error().category == core::ErrorCategory::Decoding);
}

TEST_CASE("Kerberos client: the clock offset learned at logon is used for TGS requests", "[client]") {
  World w;
  core::OffsetClock fast(w.clock, std::chrono::minutes(10));
  KerberosClient c(w.kdc, fast, w.rng, config());
  auto tgt = c.getTgt("alice", "pw");
  REQUIRE(tgt.ok());
  CHECK(tgt->skewCorrected);
  CHECK(c.clockOffset() == -std::chrono::minutes(10));
  // The fake KDC refuses TGS authenticators outside its 5-minute skew: this works only with the offset.
  auto ticket = c.getServiceTicket("HTTP/pool.kerbpool.test");
  INFO((ticket.ok() ? "" : ticket.error().message()));
  CHECK(ticket.ok());
}

TEST_CASE("Kerberos client: a TGT near its end is renewed before use", "[client]") {
  World w;
  KerberosClient c(w.kdc, w.clock, w.rng, config());
  auto tgt = c.getTgt("alice", "pw");
  REQUIRE(tgt.ok());
  REQUIRE(tgt->credential.renewable());
  w.clock.advance(std::chrono::hours(10) - std::chrono::minutes(3));
  auto ticket = c.getServiceTicket("HTTP/pool.kerbpool.test");
  INFO((ticket.ok() ? "" : ticket.error().message()));
  REQUIRE(ticket.ok());
  CHECK(c.stats().renewals == 1);
  CHECK(w.kdc.tgsRequests == 2);  // the renewal, then the service ticket
  auto renewed = c.cache().tgt();
  REQUIRE(renewed.has_value());
  CHECK(renewed->credential.endtime > tgt->credential.endtime);
  CHECK_FALSE(renewed->needsRenewal);

  // Past its end the TGT is gone: a new logon is needed.
  w.clock.advance(std::chrono::hours(24 * 8));
  auto late = c.getServiceTicket("HTTP/other.kerbpool.test");
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == "no_tgt");
}
