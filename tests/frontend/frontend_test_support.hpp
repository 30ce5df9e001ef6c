#pragma once

// Helpers for the front-end tests: service tickets sealed with keys made in the test, Negotiate headers
// from kerbpool's own initiator (client/ap_req_builder.hpp), node key sets and requests.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "client/ap_req_builder.hpp"
#include "client/credential.hpp"
#include "core/acceptor/acceptor_keys.hpp"
#include "core/common/base64.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "core/iana/ticket_flags.hpp"
#include "core/messages/group_authdata.hpp"
#include "core/messages/ticket.hpp"
#include "net/http_message.hpp"
#include "net/http_server.hpp"
#include "tests/net/server_fixture.hpp"

namespace kerbpool::test {

// 2026-11-23T00:10:23Z: "now" of the unit tests.
// The protected path the tests ask for: Lync's web-ticket service.
inline const std::string kWebTicketPath = "/WebTicket/WebTicketService.svc";

inline const core::TimePoint kFrontendNow = core::fromUnixSeconds(1795392623);

inline core::crypto::Key testKey(std::uint64_t seed, std::int32_t enctype = 18) {
  core::SeededRng rng(seed);
  auto k = core::crypto::generateKey(enctype, rng);
  REQUIRE(k.ok());
  return *k;
}

struct TicketParams {
  std::vector<std::string> sname{"HTTP", "pool.contoso.test"};
  std::string realm = "CONTOSO.TEST";
  std::string user = "alice";
  std::uint32_t kvno = 1;
  std::optional<std::vector<std::string>> groups = std::vector<std::string>{"Domain Users", "Pool Users"};
  core::TimePoint authtime = kFrontendNow - std::chrono::minutes(1);
  core::TimePoint endtime = kFrontendNow + std::chrono::hours(10);
  std::uint64_t seed = 5;
};

// What a KDC would hand the client: a ticket sealed with `serviceKey` (usage 2) and its session key.
inline client::Credential makeCredential(const core::crypto::Key& serviceKey, const TicketParams& p = {}) {
  namespace msg = core::messages;
  core::SeededRng rng(p.seed);
  auto session = core::crypto::generateKey(18, rng);
  REQUIRE(session.ok());
  client::Credential cred;
  cred.sessionKey = *session;
  cred.client = client::Principal{{core::iana::NameType::KRB_NT_PRINCIPAL, {p.user}}, p.realm};
  cred.server = client::Principal{{core::iana::NameType::KRB_NT_SRV_HST, p.sname}, p.realm};
  msg::EncTicketPart etp;
  etp.flags = core::iana::ticket_flags::pre_authent;
  etp.key = msg::EncryptionKey{session->enctype, session->value};
  etp.crealm = p.realm;
  etp.cname = cred.client.name;
  etp.authtime = core::toUnixSeconds(p.authtime);
  etp.endtime = core::toUnixSeconds(p.endtime);
  if (p.groups) {
    msg::addGroupAuthData(etp.authorizationData, *p.groups);
  }
  auto cipher = core::crypto::encrypt(serviceKey, 2, msg::encode(etp), rng);
  REQUIRE(cipher.ok());
  cred.ticket.realm = p.realm;
  cred.ticket.sname = cred.server.name;
  cred.ticket.encPart = msg::EncryptedData{serviceKey.enctype, p.kvno, *cipher};
  cred.ticketBytes = msg::encode(cred.ticket);
  cred.authtime = etp.authtime;
  cred.starttime = etp.authtime;
  cred.endtime = etp.endtime;
  return cred;
}

struct NegotiateToken {
  std::string header;  // "Negotiate <b64>"
  client::InitiatorContext context;
};

// A fresh Negotiate header from kerbpool's initiator (a new authenticator every call).
inline NegotiateToken negotiateFor(const client::Credential& cred, const core::Clock& clock, core::Rng& rng,
                                   const client::InitiatorOptions& options = {}) {
  auto token = client::buildInitiatorToken(cred, clock, rng, options);
  INFO((token.ok() ? std::string() : token.error().message()));
  REQUIRE(token.ok());
  return NegotiateToken{"Negotiate " + core::base64Encode(token->token), token->context};
}

// CHECKs that `text` contains every needle (one CHECK each, naming the needle).
inline void checkContainsAll(const std::string& text, std::initializer_list<std::string_view> needles) {
  for (std::string_view needle : needles) {
    INFO("expected to contain: " << needle);
    CHECK(text.find(needle) != std::string::npos);
  }
}

inline core::acceptor::AcceptorKey acceptorKey(std::vector<std::string> names, const core::crypto::Key& key,
                                               std::uint32_t kvno = 1, std::string realm = "CONTOSO.TEST") {
  return core::acceptor::AcceptorKey{std::move(names), std::move(realm), kvno, key};
}

inline net::HttpRequest protectedRequest(std::optional<std::string> authorization = std::nullopt,
                                         std::string target = kWebTicketPath) {
  net::HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  r.peer = "127.0.0.1:5555";
  if (authorization) {
    r.headers.emplace_back("Authorization", *authorization);
  }
  return r;
}

}  // namespace kerbpool::test
