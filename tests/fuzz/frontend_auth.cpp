// Fuzz target: a front-end node's authentication decision over the life of its connections. FrontendNode
// (auth filter + request handler) holds FE01$'s keys from examples/contoso.realm.json and sees the
// requests of http_auth_input.hpp (Negotiate, NTLM or raw Authorization values, repeated fields, new
// connections). First octet, bit 0: authPersistNonNTLM (per-connection persistence).
//
// Random bytes never get past ticket decryption, so a record whose kind has bit 4 set is a minted token
// instead: kerbpool's initiator builds a real Negotiate token (ticket sealed with the node's key) steered by
// the payload: [0] GSS flags (bit 7: DCE style), [1] bit 0 bare krb5, bit 1 MS-krb5 first, bit 2 channel
// bindings, bits 4-5 ticket (pool, HOST/fe01, expired, unknown kvno), [2] client clock offset in minutes
// (signed), [3-4] offset and [5] xor mask of one corrupted octet.
//
// Checks: every answer is a 200 or a 401, and every 401 challenges with WWW-Authenticate: Negotiate.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "client/ap_req_builder.hpp"
#include "client/credential.hpp"
#include "core/common/base64.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "core/iana/name_type.hpp"
#include "core/iana/ticket_flags.hpp"
#include "core/messages/group_authdata.hpp"
#include "core/messages/ticket.hpp"
#include "frontend/node.hpp"
#include "frontend/node_credentials.hpp"
#include "kdc/event_log.hpp"
#include "kdc/realm_file.hpp"
#include "scenarios/directory_key_source.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/http_auth_input.hpp"

using namespace kerbpool;
namespace messages = core::messages;

namespace {

const core::TimePoint kNow = core::fromUnixSeconds(1795392623);

core::acceptor::AcceptorKeys nodeKeys() {
  core::ManualClock clock(kNow);
  kdc::EventLog events(clock, 16);
  auto realm = kdc::loadRealmFile(fuzz::sourceFile("examples/contoso.realm.json"), events);
  fuzz::check(realm.ok(), "frontend_auth: cannot load the example realm");
  auto keys = scenarios::DirectoryKeySource(*realm->directory).currentKeys("FE01$");
  fuzz::check(keys.ok(), "frontend_auth: no keys for FE01$");
  return *keys;
}

// A ticket for `spn` sealed with the node's key for it, as the realm's KDC would issue it.
client::Credential mintCredential(const core::acceptor::AcceptorKeys& keys, const std::string& spn,
                                  std::uint32_t kvnoDelta, core::TimePoint authtime) {
  const core::acceptor::AcceptorKey* key = nullptr;
  for (const auto& k : keys.entries()) {
    for (const auto& name : k.principalNames) {
      key = key == nullptr && name == spn ? &k : key;
    }
  }
  fuzz::check(key != nullptr, "frontend_auth: FE01$ holds no key for " + spn);
  core::SeededRng rng(5);
  auto session = core::crypto::generateKey(18, rng);
  fuzz::check(session.ok(), "frontend_auth: no session key");
  const auto slash = spn.find('/');
  client::Credential cred;
  cred.sessionKey = *session;
  cred.client = client::Principal{{core::iana::NameType::KRB_NT_PRINCIPAL, {"alice"}}, key->realm};
  cred.server = client::Principal{
      {core::iana::NameType::KRB_NT_SRV_HST, {spn.substr(0, slash), spn.substr(slash + 1)}}, key->realm};
  messages::EncTicketPart etp;
  etp.flags = core::iana::ticket_flags::pre_authent;
  etp.key = messages::EncryptionKey{session->enctype, session->value};
  etp.crealm = key->realm;
  etp.cname = cred.client.name;
  etp.authtime = core::toUnixSeconds(authtime);
  etp.endtime = core::toUnixSeconds(authtime + std::chrono::hours(10));
  messages::addGroupAuthData(etp.authorizationData, {"Domain Users", "Pool Users"});
  auto cipher = core::crypto::encrypt(key->key, 2, messages::encode(etp), rng);
  fuzz::check(cipher.ok(), "frontend_auth: cannot seal the ticket");
  cred.ticket.realm = key->realm;
  cred.ticket.sname = cred.server.name;
  cred.ticket.encPart = messages::EncryptedData{key->key.enctype, key->kvno + kvnoDelta, *cipher};
  cred.ticketBytes = messages::encode(cred.ticket);
  cred.authtime = etp.authtime;
  cred.starttime = etp.authtime;
  cred.endtime = etp.endtime;
  return cred;
}

struct Lab {
  Lab() {
    fuzz::quietLogs();
    keys = nodeKeys();
    const auto hourAgo = kNow - std::chrono::hours(1);
    credentials = {mintCredential(keys, "HTTP/pool.contoso.test", 0, hourAgo),
                   mintCredential(keys, "HOST/fe01.contoso.test", 0, hourAgo),
                   mintCredential(keys, "HTTP/pool.contoso.test", 0, kNow - std::chrono::hours(11)),
                   mintCredential(keys, "HTTP/pool.contoso.test", 6, hourAgo)};
  }
  core::acceptor::AcceptorKeys keys;
  std::array<client::Credential, 4> credentials;
};

std::optional<std::string> mintedToken(const Lab& lab, core::BytesView p, const core::Clock& clock,
                                       core::Rng& rng) {
  std::array<std::uint8_t, 6> b{};
  std::copy_n(p.begin(), std::min(p.size(), b.size()), b.begin());
  client::InitiatorOptions options;
  options.gssFlags = (b[0] & 0x7fu) | ((b[0] & 0x80u) != 0 ? core::spnego::gss_flags::kDceStyle : 0u);
  options.spnego = (b[1] & 0x01) == 0;
  options.mechList = (b[1] & 0x02) != 0 ? client::SpnegoMechList::MsKrb5First : client::SpnegoMechList::Krb5;
  if ((b[1] & 0x04) != 0) {
    options.channelBindings =
        client::ChannelBindings{0, {}, 0, {}, core::toBytes("tls-server-end-point:fuzz")};
  }
  const core::OffsetClock clientClock(clock, std::chrono::minutes(static_cast<std::int8_t>(b[2])));
  auto token = client::buildInitiatorToken(lab.credentials[(b[1] >> 4) & 0x03], clientClock, rng, options);
  fuzz::check(token.ok(), "frontend_auth: the initiator cannot build a token");
  core::Bytes bytes = token->token;
  if (b[5] != 0) {
    bytes[static_cast<std::size_t>(b[3] << 8 | b[4]) % bytes.size()] ^= b[5];
  }
  return "Negotiate " + core::base64Encode(bytes);
}

void checkResponse(const frontend::HttpResponse& response) {
  fuzz::check(response.status == 200 || response.status == 401, "frontend_auth: neither 200 nor 401");
  if (response.status == 401) {
    bool negotiate = false;
    for (const auto& [name, value] : response.headers) {
      negotiate = negotiate || (name == "WWW-Authenticate" && value.rfind("Negotiate", 0) == 0);
    }
    fuzz::check(negotiate, "frontend_auth: a 401 without WWW-Authenticate: Negotiate");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Lab lab;
  if (size == 0) {
    return 0;
  }
  core::ManualClock clock(kNow);
  core::SeededRng rng(1);
  core::SeededRng clientRng(2);
  frontend::FrontendNodeConfig config;
  config.name = "fe01";
  config.auth.persistence =
      (data[0] & 0x01) != 0 ? frontend::Persistence::PerConnection : frontend::Persistence::PerRequest;
  frontend::FrontendNode node(config, frontend::NodeCredentials::fixed("fuzz", lab.keys), clock, rng);
  auto connection = std::make_unique<frontend::ConnectionContext>();
  connection->id = 1;
  std::optional<std::string> previous;
  for (auto& r : fuzz::authRequests(fuzz::bytesOf(data + 1, size - 1))) {
    if (r.newConnection) {
      node.connectionClosed(*connection);
      const std::uint64_t id = connection->id + 1;
      connection = std::make_unique<frontend::ConnectionContext>();
      connection->id = id;
    }
    if (r.minted) {
      r.authorization = mintedToken(lab, r.payload, clock, clientRng);
    }
    if (r.repeat) {
      r.authorization = previous;
    }
    previous = r.authorization;
    frontend::HttpRequest request;
    request.method = "GET";
    request.target = "/WebTicket/WebTicketService.svc";
    request.peer = "192.0.2.7:49152";
    for (int i = 0; r.authorization && i < (r.twice ? 2 : 1); ++i) {
      request.headers.emplace_back("Authorization", *r.authorization);
    }
    ++connection->requestsOnConnection;
    const auto response = node.handle(request, *connection);
    fuzz::debug("connection " + std::to_string(connection->id) + ": " + std::to_string(response.status) +
                " " + response.body);
    checkResponse(response);
    clock.advance(std::chrono::seconds(1));
  }
  node.connectionClosed(*connection);
  return 0;
}
