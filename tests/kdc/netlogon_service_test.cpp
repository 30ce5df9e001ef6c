// NetlogonService with NTLMv2 messages built by kerbpool's client: NTSTATUS, event 4776, counters, and the
// SessionBaseKey checked by the front-end's MIC verification.
#include <catch2/catch.hpp>

#include "core/ntlm/ntlm_challenge.hpp"
#include "kdc/netlogon.hpp"
#include "tests/kdc/pool_fixture.hpp"
#include "tests/netlogon/ntlm_pass_through.hpp"

using namespace kerbpool;
using namespace kerbpool::kdc;
using kerbpool::kdc::pooltest::PoolFixture;
using kerbpool::netlogon::test::ntlmExchange;

namespace {

EventRecord last4776(const EventLog& log) {
  auto records = log.query(event_id::kNtlmCredentialValidation);
  REQUIRE(!records.empty());
  return records.back();
}

}  // namespace

TEST_CASE("netlogon: the right password validates and its key verifies the client's MIC", "[kdc][netlogon]") {
  PoolFixture f;
  NetlogonService service(f.dir, f.events);
  auto x = ntlmExchange("alice", "CONTOSO", "Passw0rd!");
  PassThroughResponse r = service.validate(x.request);
  CHECK(r.status == NtStatus::STATUS_SUCCESS);
  CHECK(r.sessionBaseKey.size() == 16);
  CHECK(r.accountName == "alice");
  CHECK(r.logonDomain == "CONTOSO");
  CHECK(r.userPrincipalName == "alice@contoso.test");
  CHECK(r.groups == std::vector<std::string>{"Domain Users", "Pool Users"});
  // The front-end finishes the exchange with the DC's key: MIC and exported session key must match.
  auto done = core::ntlm::completeAuthenticate(x.pending, x.auth.message, r.sessionBaseKey);
  REQUIRE(done.ok());
  CHECK(done->micVerified);
  CHECK(done->exportedSessionKey == x.auth.exportedSessionKey);

  const EventRecord e = last4776(f.events);
  CHECK(e.source == event_source::kSecurityAuditing);
  CHECK(e.fields.at("TargetUserName") == "alice");
  CHECK(e.fields.at("Workstation") == "WS01");
  CHECK(e.fields.at("Status") == "0x0");
}

TEST_CASE("netlogon: outcomes map to NTSTATUS and event 4776 status as Windows writes them",
          "[kdc][netlogon]") {
  struct Case {
    const char* name;
    std::string user;
    std::string domain;
    std::string password;
    bool disable;
    NtStatus status;
    const char* eventHex;
  };
  const Case cases[] = {
      {"right password", "alice", "CONTOSO", "Passw0rd!", false, NtStatus::STATUS_SUCCESS, "0x0"},
      {"DNS domain name", "alice", "contoso.test", "Passw0rd!", false, NtStatus::STATUS_SUCCESS, "0x0"},
      {"UPN and no domain", "alice@contoso.test", "", "Passw0rd!", false, NtStatus::STATUS_SUCCESS, "0x0"},
      {"user name case", "ALICE", "CONTOSO", "Passw0rd!", false, NtStatus::STATUS_SUCCESS, "0x0"},
      {"wrong password", "alice", "CONTOSO", "wrong", false, NtStatus::STATUS_WRONG_PASSWORD, "0xc000006a"},
      {"unknown user", "mallory", "CONTOSO", "Passw0rd!", false, NtStatus::STATUS_NO_SUCH_USER, "0xc0000064"},
      {"foreign domain", "alice", "FABRIKAM", "Passw0rd!", false, NtStatus::STATUS_NO_SUCH_USER,
       "0xc0000064"},
      {"disabled, right password", "alice", "CONTOSO", "Passw0rd!", true, NtStatus::STATUS_ACCOUNT_DISABLED,
       "0xc0000072"},
      {"disabled, wrong password", "alice", "CONTOSO", "nope", true, NtStatus::STATUS_WRONG_PASSWORD,
       "0xc000006a"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    PoolFixture f;
    if (c.disable) {
      PoolFixture::ok(f.dir.setEnabled("alice", false));
    }
    NetlogonService service(f.dir, f.events);
    PassThroughResponse r = service.validate(ntlmExchange(c.user, c.domain, c.password).request);
    CHECK(r.status == c.status);
    CHECK(r.sessionBaseKey.empty() == (c.status != NtStatus::STATUS_SUCCESS));
    CHECK(!r.detail.empty());
    const EventRecord e = last4776(f.events);
    CHECK(e.fields.at("Status") == c.eventHex);
    CHECK(e.fields.at("TargetUserName") == c.user);
    CHECK(service.counters().count(c.status) == 1);
  }
}

TEST_CASE("netlogon: malformed requests are refused with a status and never validate", "[kdc][netlogon]") {
  PoolFixture f;
  NetlogonService service(f.dir, f.events);
  auto good = ntlmExchange("alice", "CONTOSO", "Passw0rd!").request;

  auto shortChallenge = good;
  shortChallenge.serverChallenge.resize(7);
  CHECK(service.validate(shortChallenge).status == NtStatus::STATUS_INVALID_PARAMETER);

  auto otherChallenge = good;
  otherChallenge.serverChallenge[0] ^= 1;  // a reply to another CHALLENGE
  CHECK(service.validate(otherChallenge).status == NtStatus::STATUS_WRONG_PASSWORD);

  auto tampered = good;
  tampered.ntChallengeResponse.back() ^= 1;  // the client blob is covered by NTProofStr
  CHECK(service.validate(tampered).status == NtStatus::STATUS_WRONG_PASSWORD);

  auto ntlmv1 = good;
  ntlmv1.ntChallengeResponse.resize(24);
  auto r = service.validate(ntlmv1);
  CHECK(r.status == NtStatus::STATUS_LOGON_FAILURE);
  CHECK(r.detail == "not_ntlmv2_response");

  auto anonymous = good;
  anonymous.ntChallengeResponse.clear();
  CHECK(service.validate(anonymous).detail == "anonymous_refused");

  for (std::size_t n = 0; n < good.ntChallengeResponse.size(); n += 7) {
    auto cut = good;
    cut.ntChallengeResponse.resize(n);
    CHECK(service.validate(cut).status != NtStatus::STATUS_SUCCESS);
  }
  CHECK(service.counters().count(NtStatus::STATUS_SUCCESS) == 0);
  CHECK(f.events.count(event_id::kNtlmCredentialValidation) == service.counters().requests);
}
