// The client against a real MIT krb5kdc: logon with pre-authentication, typed KDC errors, service tickets
// that decrypt with the keys kadmin wrote to a keytab, skew recovery, renewal, and the GSS AP-REQ checked the
// way an acceptor would.
#include <catch2/catch.hpp>

#include <memory>

#include "client/kdc_error.hpp"
#include "client/kdc_network.hpp"
#include "client/kerberos_client.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "core/iana/ap_options.hpp"
#include "core/iana/ticket_flags.hpp"
#include "core/keytab/keytab.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/spnego/gss_checksum.hpp"
#include "core/spnego/gss_framing.hpp"
#include "core/spnego/neg_token.hpp"
#include "tests/support/mit_realm.hpp"

using namespace kerbpool;
using client::KerberosClient;
namespace msg = core::messages;
namespace spnego = core::spnego;

namespace {

const std::string kAlicePassword = "Al1ce-kerbpool!";
const std::string kSpn = "HTTP/pool.kerbpool.test";

// One MIT realm for every test here (creating a database and starting krb5kdc once).
struct MitWorld {
  test::MitRealm realm{[] {
    test::MitRealmOptions o;
    o.extraKdcRealmConfig = "    max_life = 10h 0m 0s\n    max_renewable_life = 7d 0h 0m 0s";
    return o;
  }()};
  std::filesystem::path keytabPath = realm.dir() / "http.keytab";
  core::keytab::Keytab keytab;

  MitWorld() {
    realm.addPrincipal("alice", kAlicePassword);
    realm.kadmin("modprinc +requires_preauth -maxrenewlife \"7 days\" alice@" + realm.realm());
    realm.kadmin("modprinc -maxrenewlife \"7 days\" krbtgt/" + realm.realm() + "@" + realm.realm());
    realm.addRandomKeyPrincipal(kSpn);
    realm.ktadd(kSpn, keytabPath);
    auto kt = core::keytab::Keytab::readFile(keytabPath);
    REQUIRE(kt.ok());
    keytab = std::move(*kt);
    realm.startKdc();
  }

  client::KdcNetworkOptions network() const {
    client::KdcNetworkOptions o;
    o.kdcs = {client::KdcAddress{"127.0.0.1", static_cast<std::uint16_t>(realm.kdcPort())}};
    return o;
  }

  // The service key for a ticket, found as an acceptor finds it: principal, kvno and etype.
  core::crypto::Key serviceKey(const msg::Ticket& ticket) const {
    REQUIRE(ticket.encPart.kvno.has_value());
    const auto* entry =
        keytab.find(ticket.sname.nameString, ticket.realm, *ticket.encPart.kvno, ticket.encPart.etype);
    REQUIRE(entry != nullptr);
    return entry->key;
  }
};

MitWorld& world() {
  static std::unique_ptr<MitWorld> w = std::make_unique<MitWorld>();
  return *w;
}

struct Client {
  core::SystemClock systemClock;
  core::crypto::CryptoRng rng;
  client::KdcNetwork network{world().network()};
  std::unique_ptr<core::OffsetClock> offsetClock;
  std::unique_ptr<KerberosClient> client;

  explicit Client(core::Micros clockError = core::Micros(0)) {
    offsetClock = std::make_unique<core::OffsetClock>(systemClock, clockError);
    client::KerberosClientConfig config;
    config.realm = world().realm.realm();
    client = std::make_unique<KerberosClient>(network, *offsetClock, rng, config);
  }
  KerberosClient* operator->() { return client.get(); }
};

std::string why(const core::Error& e) {
  return e.message();
}

}  // namespace

TEST_CASE("MIT interop: alice logs on with PA-ENC-TIMESTAMP", "[client][interop]") {
  Client c;
  auto tgt = c->getTgt("alice", kAlicePassword);
  INFO((tgt.ok() ? "" : why(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(tgt->preauthUsed);
  CHECK(tgt->requests == 2);
  CHECK_FALSE(tgt->skewCorrected);
  const auto& cred = tgt->credential;
  CHECK(cred.client.text() == "alice@KERBPOOL.TEST");
  CHECK(cred.server.text() == "krbtgt/KERBPOOL.TEST@KERBPOOL.TEST");
  CHECK((cred.flags & core::iana::ticket_flags::pre_authent) != 0);
  CHECK((cred.flags & core::iana::ticket_flags::initial) != 0);
  CHECK(cred.sessionKey.enctype == 18);
  CHECK(cred.endtime > cred.authtime);
  CHECK(c.network.stats().udpExchanges == 2);
}

TEST_CASE("MIT interop: wrong password and unknown user are typed KDC errors", "[client][interop]") {
  Client c;
  auto wrong = c->getTgt("alice", "not-the-password");
  REQUIRE_FALSE(wrong.ok());
  CHECK(client::krbErrorCode(wrong.error()) == core::iana::ErrorCode::KDC_ERR_PREAUTH_FAILED);
  CHECK(wrong.error().detail.find("KDC_ERR_PREAUTH_FAILED (24") != std::string::npos);

  auto unknown = c->getTgt("nobody", "whatever");
  REQUIRE_FALSE(unknown.ok());
  CHECK(client::krbErrorCode(unknown.error()) == core::iana::ErrorCode::KDC_ERR_C_PRINCIPAL_UNKNOWN);
  CHECK(unknown.error().category == core::ErrorCategory::NotFound);
}

TEST_CASE("MIT interop: a service ticket decrypts with the key kadmin wrote to the keytab",
          "[client][interop]") {
  Client c;
  REQUIRE(c->getTgt("alice", kAlicePassword).ok());
  auto ticket = c->getServiceTicket(kSpn);
  INFO((ticket.ok() ? "" : why(ticket.error())));
  REQUIRE(ticket.ok());
  CHECK(ticket->server.name.nameString == std::vector<std::string>{"HTTP", "pool.kerbpool.test"});
  CHECK(ticket->ticket.encPart.kvno == 2u);
  auto plain = core::crypto::decrypt(world().serviceKey(ticket->ticket), 2, ticket->ticket.encPart.cipher);
  REQUIRE(plain.ok());
  auto part = msg::decode<msg::EncTicketPart>(*plain);
  REQUIRE(part.ok());
  CHECK(part->key.keyvalue == ticket->sessionKey.value);
  CHECK(part->cname.nameString == std::vector<std::string>{"alice"});
  CHECK(part->crealm == "KERBPOOL.TEST");

  auto unknown = c->getServiceTicket("HTTP/nope.kerbpool.test");
  REQUIRE_FALSE(unknown.ok());
  CHECK(client::krbErrorCode(unknown.error()) == core::iana::ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN);
  CHECK(unknown.error().detail.find("KDC_ERR_S_PRINCIPAL_UNKNOWN (7") != std::string::npos);

  // With a subkey MIT seals the reply under it (usage 9).
  client::KerberosClientConfig config;
  config.realm = "KERBPOOL.TEST";
  config.tgs.useSubkey = true;
  KerberosClient withSubkey(c.network, *c.offsetClock, c.rng, config);
  REQUIRE(withSubkey.getTgt("alice", kAlicePassword).ok());
  auto viaSubkey = withSubkey.getServiceTicket(kSpn);
  INFO((viaSubkey.ok() ? "" : why(viaSubkey.error())));
  CHECK(viaSubkey.ok());
}

TEST_CASE("MIT interop: a workstation 10 minutes fast recovers from KRB_AP_ERR_SKEW", "[client][interop]") {
  Client c(std::chrono::minutes(10));
  auto tgt = c->getTgt("alice", kAlicePassword);
  INFO((tgt.ok() ? "" : why(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(tgt->skewCorrected);
  CHECK(tgt->requests == 3);
  const auto offset = std::chrono::duration_cast<std::chrono::seconds>(c->clockOffset()).count();
  CHECK(offset <= -595);
  CHECK(offset >= -605);
  // The learned offset keeps the TGS authenticator within MIT's skew too.
  auto ticket = c->getServiceTicket(kSpn);
  INFO((ticket.ok() ? "" : why(ticket.error())));
  CHECK(ticket.ok());
}

TEST_CASE("MIT interop: the TGT is renewed by MIT", "[client][interop]") {
  Client c;
  auto tgt = c->getTgt("alice", kAlicePassword);
  REQUIRE(tgt.ok());
  REQUIRE(tgt->credential.renewable());
  auto renewed = c->renewTgt();
  INFO((renewed.ok() ? "" : why(renewed.error())));
  REQUIRE(renewed.ok());
  CHECK(renewed->isTgt());
  CHECK(renewed->authtime == tgt->credential.authtime);
  CHECK(renewed->renewTill == tgt->credential.renewTill);
  CHECK(renewed->sessionKey.value != tgt->credential.sessionKey.value);
  CHECK(c->getServiceTicket(kSpn).ok());
}

TEST_CASE("MIT interop: the SPNEGO AP-REQ opens with the keytab key like an acceptor would",
          "[client][interop]") {
  Client c;
  REQUIRE(c->getTgt("alice", kAlicePassword).ok());
  auto token = c->initiateContext(kSpn);
  INFO((token.ok() ? "" : why(token.error())));
  REQUIRE(token.ok());

  auto initial = spnego::decodeInitialToken(token->token);
  REQUIRE(initial.ok());
  REQUIRE(initial->kind == spnego::InitialTokenKind::Spnego);
  REQUIRE(initial->negTokenInit->mechToken.has_value());
  auto framed = spnego::unwrapKrb5Token(*initial->negTokenInit->mechToken);
  REQUIRE(framed.ok());
  REQUIRE(framed->tokId == spnego::TokId::ApReq);
  auto apReq = msg::decode<msg::ApReq>(framed->message);
  REQUIRE(apReq.ok());
  CHECK(apReq->apOptions == core::iana::ap_options::mutual_required);

  // Ticket (usage 2) with the keytab key, then the authenticator (usage 11) with the ticket's session key.
  auto etp = core::crypto::decrypt(world().serviceKey(apReq->ticket), 2, apReq->ticket.encPart.cipher);
  REQUIRE(etp.ok());
  auto ticketPart = msg::decode<msg::EncTicketPart>(*etp);
  REQUIRE(ticketPart.ok());
  const core::crypto::Key session{ticketPart->key.keytype, ticketPart->key.keyvalue};
  auto plain = core::crypto::decrypt(session, 11, apReq->authenticator.cipher);
  REQUIRE(plain.ok());
  auto auth = msg::decode<msg::Authenticator>(*plain);
  REQUIRE(auth.ok());
  CHECK(auth->cname == ticketPart->cname);
  CHECK(auth->crealm == ticketPart->crealm);
  const auto now = core::toUnixSeconds(core::SystemClock().now());
  CHECK(std::llabs(auth->ctime - now) < 60);
  REQUIRE(auth->subkey.has_value());
  CHECK(auth->subkey->keytype == session.enctype);
  CHECK(auth->seqNumber.has_value());
  REQUIRE(auth->cksum.has_value());
  CHECK(auth->cksum->cksumtype == 0x8003);
  auto gss = spnego::decodeGssChecksum(auth->cksum->checksum);
  REQUIRE(gss.ok());
  CHECK(gss->flags == 0x3e);
  CHECK(gss->bnd == std::array<std::uint8_t, 16>{});
  CHECK_FALSE(gss->krbCred.has_value());
}
