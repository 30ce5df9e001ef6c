#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/ntlm/ntlm_challenge.hpp"
#include "core/ntlm/ntlm_client.hpp"
#include "netlogon/pass_through.hpp"

namespace kerbpool::netlogon::test {

// One NTLMv2 exchange between kerbpool's client and a front-end, up to the point where the front-end hands
// the AUTHENTICATE's fields to its secure channel.
struct PassThroughExchange {
  core::ntlm::PendingChallenge pending;
  core::ntlm::ClientAuthenticate auth;
  PassThroughRequest request;
};

inline PassThroughExchange ntlmExchange(const std::string& user, const std::string& domain,
                                        const std::string& password, std::uint64_t seed = 7) {
  core::ManualClock clock(core::fromUnixSeconds(1700000000));
  core::SeededRng clientRng(seed);
  core::SeededRng serverRng(seed + 1000);
  auto creds = core::ntlm::credentialsFromPassword(user, domain, password);
  REQUIRE(creds.ok());
  core::ntlm::ClientOptions options;
  options.workstation = "WS01";
  options.targetSpn = "HTTP/pool.contoso.test";
  core::ntlm::NtlmClient client(options, *creds, clock, clientRng);
  auto negotiate = client.negotiate();
  REQUIRE(negotiate.ok());
  core::ntlm::ChallengeOptions server;
  server.nbDomainName = "CONTOSO";
  server.nbComputerName = "FE01";
  server.dnsDomainName = "contoso.test";
  server.dnsComputerName = "fe01.contoso.test";
  auto pending = core::ntlm::buildChallenge(*negotiate, server, serverRng, clock);
  REQUIRE(pending.ok());
  auto auth = client.authenticate(pending->challenge);
  REQUIRE(auth.ok());
  auto read = core::ntlm::readAuthenticate(auth->message);
  REQUIRE(read.ok());
  PassThroughExchange x{*pending, *auth, {}};
  x.request.user = read->message.userName;
  x.request.domain = read->message.domainName;
  x.request.workstation = read->message.workstation;
  x.request.serverChallenge.assign(pending->serverChallenge.begin(), pending->serverChallenge.end());
  x.request.ntChallengeResponse = read->message.ntChallengeResponse;
  x.request.lmChallengeResponse = read->message.lmChallengeResponse;
  x.request.channel = "FE01$";
  return x;
}

}  // namespace kerbpool::netlogon::test
