// Real bytes from a real KDC: the MIT krb5 1.20 capture (captures/README.md: kinit, kvno, curl --negotiate to
// Apache) decoded, re-encoded byte for byte and decrypted with the keys of its keytab, every encrypted part
// with the key and usage RFC 4120 7.5.1 assigns it, then cross-checked across messages. The capture and
// keytab are read from the reference folder at test time.
#include <catch2/catch.hpp>

#include <array>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/common/base64.hpp"
#include "core/common/hex.hpp"
#include "core/crypto/enctype.hpp"
#include "core/crypto/prf.hpp"
#include "core/iana/ap_options.hpp"
#include "core/iana/key_usage.hpp"
#include "core/iana/msg_type.hpp"
#include "core/iana/pa_type.hpp"
#include "core/iana/ticket_flags.hpp"
#include "core/keytab/keytab.hpp"
#include "core/messages/ap_rep.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/messages/codec.hpp"
#include "core/messages/fast.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/krb_error.hpp"
#include "core/messages/padata.hpp"
#include "core/messages/ticket.hpp"
#include "core/spnego/gss_checksum.hpp"
#include "core/spnego/gss_framing.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/negotiate_header.hpp"
#include "tests/core/messages/test_helpers.hpp"
#include "tests/support/mit_capture.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::messages;
using iana::KeyUsage;
using iana::toUsage;
using kerbpool::test::failureText;

namespace {

const std::string kRealm = "CONTOSO.TEST";
const std::vector<std::string> kAlice = {"alice"};
const std::vector<std::string> kKrbtgt = {"krbtgt", "CONTOSO.TEST"};
const std::vector<std::string> kHttp = {"HTTP", "pool.contoso.test"};
// RFC 4120 default clock skew: client and KDC ran on the same host, so their clocks agree within it.
constexpr KerberosTime kSkew = 300;

// Every Kerberos message of the capture, decoded (each one also re-encoded and compared on load).
struct MitCapture {
  keytab::Keytab keytab;
  Bytes asReqDer;  // the second AS-REQ, the one with PA-ENC-TIMESTAMP
  AsReq asReq;
  AsRep asRep;
  TgsReq tgsReq;
  ApReq tgsApReq;  // PA-TGS-REQ
  TgsRep tgsRep;
  ApReq httpApReq;  // Authorization: Negotiate -> SPNEGO NegTokenInit -> krb5 token
  ApRep httpApRep;  // WWW-Authenticate: Negotiate -> SPNEGO NegTokenResp -> krb5 token
};

// decode<T>, requiring success and a byte-exact re-encoding; `what` names the message in failures.
template <class T>
T roundTrip(const Bytes& der, std::string_view what) {
  INFO(what);
  return kerbpool::test::requireRoundTrip<T>(der);
}

// The krb5 AP-REQ inside the SPNEGO NegTokenInit of the request's Authorization header.
Bytes httpApReqBytes() {
  const std::string value = kerbpool::test::mitCaptureHttpHeader("Authorization: ");
  auto header = spnego::parseAuthorization(value);
  INFO("HTTP Authorization header: " << failureText(header));
  REQUIRE(header.ok());
  CHECK(header->scheme == spnego::AuthScheme::Negotiate);
  CHECK(spnego::formatAuthHeader(*header) == value);
  auto initial = spnego::decodeInitialToken(*header->token);
  INFO("HTTP Authorization SPNEGO token: " << failureText(initial));
  REQUIRE(initial.ok());
  REQUIRE(initial->kind == spnego::InitialTokenKind::Spnego);
  CHECK(spnego::encodeInitialToken(*initial->negTokenInit) == *header->token);
  REQUIRE(initial->negTokenInit->mechToken.has_value());
  auto krb5 = spnego::unwrapKrb5Token(*initial->negTokenInit->mechToken);
  INFO("HTTP Authorization krb5 mechToken: " << failureText(krb5));
  REQUIRE(krb5.ok());
  CHECK(krb5->tokId == spnego::TokId::ApReq);
  CHECK(spnego::wrapKrb5Token(krb5->tokId, krb5->message, krb5->mechOid) ==
        *initial->negTokenInit->mechToken);
  return krb5->message;
}

// The krb5 AP-REP inside the SPNEGO NegTokenResp of Apache's WWW-Authenticate header.
Bytes httpApRepBytes() {
  const std::string value = kerbpool::test::mitCaptureHttpHeader("WWW-Authenticate: ");
  auto header = spnego::parseAuthHeader(value);
  INFO("HTTP WWW-Authenticate header: " << failureText(header));
  REQUIRE(header.ok());
  REQUIRE(header->token.has_value());
  CHECK(spnego::formatAuthHeader(*header) == value);
  auto neg = spnego::decodeNegotiationToken(*header->token);
  INFO("HTTP WWW-Authenticate SPNEGO token: " << failureText(neg));
  REQUIRE(neg.ok());
  REQUIRE(std::holds_alternative<spnego::NegTokenResp>(*neg));
  CHECK(spnego::encodeNegotiationToken(*neg) == *header->token);
  const auto& resp = std::get<spnego::NegTokenResp>(*neg);
  REQUIRE(resp.responseToken.has_value());
  auto krb5 = spnego::unwrapKrb5Token(*resp.responseToken);
  INFO("HTTP WWW-Authenticate krb5 responseToken: " << failureText(krb5));
  REQUIRE(krb5.ok());
  CHECK(krb5->tokId == spnego::TokId::ApRep);
  CHECK(spnego::wrapKrb5Token(krb5->tokId, krb5->message, krb5->mechOid) == *resp.responseToken);
  return krb5->message;
}

MitCapture loadCapture() {
  const auto d = kerbpool::test::mitCaptureKdcDatagrams();
  MitCapture c;
  c.keytab = kerbpool::test::mitCaptureKeytab();
  roundTrip<AsReq>(d[0], "datagram 1: AS-REQ without pre-auth");
  roundTrip<KrbError>(d[1], "datagram 2: KRB-ERROR PREAUTH_REQUIRED");
  c.asReqDer = d[2];
  c.asReq = roundTrip<AsReq>(d[2], "datagram 3: AS-REQ with PA-ENC-TIMESTAMP");
  c.asRep = roundTrip<AsRep>(d[3], "datagram 4: AS-REP");
  c.tgsReq = roundTrip<TgsReq>(d[4], "datagram 5: TGS-REQ");
  c.tgsRep = roundTrip<TgsRep>(d[5], "datagram 6: TGS-REP");
  {
    INFO("datagram 5: TGS-REQ padata");
    REQUIRE(c.tgsReq.padata.has_value());
    const PaData* pa = findPaData(*c.tgsReq.padata, iana::PaType::PA_TGS_REQ);
    REQUIRE(pa != nullptr);
    c.tgsApReq = roundTrip<ApReq>(pa->padataValue, "datagram 5: TGS-REQ PA-TGS-REQ AP-REQ");
  }
  c.httpApReq = roundTrip<ApReq>(httpApReqBytes(), "HTTP Authorization: Negotiate AP-REQ");
  c.httpApRep = roundTrip<ApRep>(httpApRepBytes(), "HTTP WWW-Authenticate: Negotiate AP-REP");
  return c;
}

// The long-term key of `principal` for this EncryptedData (its etype, its kvno or the highest one).
crypto::Key keytabKey(const MitCapture& c, const std::vector<std::string>& principal,
                      const EncryptedData& enc, std::string_view what) {
  const auto* entry = c.keytab.find(principal, kRealm, enc.kvno.value_or(0), enc.etype);
  INFO(what << ": no key in the capture keytab for " << principal.front() << " etype " << enc.etype
            << " kvno " << enc.kvno.value_or(0));
  REQUIRE(entry != nullptr);
  return entry->key;
}

crypto::Key toKey(const EncryptionKey& k) {
  return crypto::Key{k.keytype, k.keyvalue};
}

// Decrypts `enc` with key/usage, decodes the plaintext as T and requires that it re-encodes byte for byte.
template <class T>
T openPart(const crypto::Key& key, KeyUsage usage, const EncryptedData& enc, std::string_view what) {
  INFO(what << " (etype " << enc.etype << ", key usage " << toUsage(usage) << ")");
  REQUIRE(enc.etype == key.enctype);
  auto plain = crypto::decrypt(key, toUsage(usage), enc.cipher);
  INFO("decrypt: " << failureText(plain));
  REQUIRE(plain.ok());
  auto value = decode<T>(*plain);
  INFO("decode of the plaintext: " << failureText(value));
  REQUIRE(value.ok());
  CHECK(toHex(encode(*value)) == toHex(*plain));
  return std::move(value).value();
}

EncKdcRepPart openAsRep(const MitCapture& c) {
  const auto key = keytabKey(c, kAlice, c.asRep.encPart, "AS-REP enc-part");
  return openPart<EncKdcRepPart>(key, KeyUsage::AS_REP_ENCPART, c.asRep.encPart, "AS-REP enc-part");
}

EncTicketPart openTgt(const MitCapture& c) {
  const auto key = keytabKey(c, kKrbtgt, c.asRep.ticket.encPart, "AS-REP TGT enc-part");
  return openPart<EncTicketPart>(key, KeyUsage::KDC_REP_TICKET, c.asRep.ticket.encPart,
                                 "AS-REP TGT EncTicketPart");
}

Authenticator openTgsAuthenticator(const MitCapture& c, const EncKdcRepPart& asPart) {
  return openPart<Authenticator>(toKey(asPart.key), KeyUsage::TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR,
                                 c.tgsApReq.authenticator, "TGS-REQ PA-TGS-REQ authenticator");
}

// MIT kvno armors its TGS-REQ with FAST (RFC 6113 5.4.1.1: no explicit armor, the PA-TGS-REQ is the
// armor) because the KDC announced FAST in the AS-REP. Both PA-FX-FAST parts decrypted, and the reply key
// the KDC sealed the TGS-REP enc-part with.
struct TgsFast {
  crypto::Key armorKey;  // cf2(authenticator subkey, TGT session key, "subkeyarmor", "ticketarmor")
  PaFxFastRequest request;
  KrbFastReq inner;  // enc-fast-req, armor key usage 51
  PaFxFastReply reply;
  KrbFastResponse response;  // enc-fast-rep, armor key usage 52
  crypto::Key replyKey;      // cf2(strengthen-key, subkey, "strengthenkey", "replykey")
};

TgsFast openTgsFast(const MitCapture& c, const EncKdcRepPart& asPart, const Authenticator& auth) {
  TgsFast f;
  {
    INFO("TGS-REQ PA-TGS-REQ authenticator subkey (the FAST armor subkey)");
    REQUIRE(auth.subkey.has_value());
  }
  const crypto::Key subkey = toKey(*auth.subkey);
  {
    auto armor = crypto::cf2(subkey, toKey(asPart.key), "subkeyarmor", "ticketarmor");
    INFO("TGS FAST armor key cf2(subkey, TGT session key): " << failureText(armor));
    REQUIRE(armor.ok());
    f.armorKey = *armor;
  }
  {
    INFO("datagram 5: TGS-REQ PA-FX-FAST");
    const PaData* pa = findPaData(*c.tgsReq.padata, iana::PaType::PA_FX_FAST);
    REQUIRE(pa != nullptr);
    f.request = roundTrip<PaFxFastRequest>(pa->padataValue, "datagram 5: TGS-REQ PA-FX-FAST-REQUEST");
  }
  f.inner = openPart<KrbFastReq>(f.armorKey, KeyUsage::FAST_ENC, f.request.encFastReq,
                                 "TGS-REQ PA-FX-FAST enc-fast-req KrbFastReq");
  {
    INFO("datagram 6: TGS-REP PA-FX-FAST");
    REQUIRE(c.tgsRep.padata.has_value());
    const PaData* pa = findPaData(*c.tgsRep.padata, iana::PaType::PA_FX_FAST);
    REQUIRE(pa != nullptr);
    f.reply = roundTrip<PaFxFastReply>(pa->padataValue, "datagram 6: TGS-REP PA-FX-FAST-REPLY");
  }
  f.response = openPart<KrbFastResponse>(f.armorKey, KeyUsage::FAST_REP, f.reply.encFastRep,
                                         "TGS-REP PA-FX-FAST enc-fast-rep KrbFastResponse");
  INFO("TGS-REP KrbFastResponse strengthen-key");
  REQUIRE(f.response.strengthenKey.has_value());
  auto reply = crypto::cf2(toKey(*f.response.strengthenKey), subkey, "strengthenkey", "replykey");
  INFO("TGS-REP strengthened reply key cf2(strengthen-key, subkey): " << failureText(reply));
  REQUIRE(reply.ok());
  f.replyKey = *reply;
  return f;
}

// RFC 4120 7.5.1 usage 9 (the client sent a subkey), with the subkey strengthened by FAST (RFC 6113 5.4.3).
EncKdcRepPart openTgsRep(const MitCapture& c, const TgsFast& fast) {
  return openPart<EncKdcRepPart>(fast.replyKey, KeyUsage::TGS_REP_ENCPART_AUTHENTICATOR_SUB_KEY,
                                 c.tgsRep.encPart, "TGS-REP enc-part (FAST-strengthened subkey)");
}

EncTicketPart openServiceTicket(const MitCapture& c) {
  const auto key = keytabKey(c, kHttp, c.tgsRep.ticket.encPart, "TGS-REP service ticket enc-part");
  return openPart<EncTicketPart>(key, KeyUsage::KDC_REP_TICKET, c.tgsRep.ticket.encPart,
                                 "TGS-REP service ticket EncTicketPart");
}

const MitCapture& capture() {
  static const MitCapture c = loadCapture();
  return c;
}

}  // namespace

TEST_CASE("MIT capture: every Kerberos message decodes and re-encodes byte for byte", "[capture]") {
  const MitCapture c = loadCapture();  // each message is round-tripped while loading
  {
    INFO("AS-REP ticket (TGT) and the TGS-REQ's PA-TGS-REQ ticket");
    CHECK(toHex(encode(c.asRep.ticket)) == toHex(c.asRep.ticket.raw));
    CHECK(c.tgsApReq.ticket.raw == c.asRep.ticket.raw);
  }
  {
    INFO("TGS-REP service ticket and the HTTP AP-REQ's ticket");
    CHECK(toHex(encode(c.tgsRep.ticket)) == toHex(c.tgsRep.ticket.raw));
    CHECK(c.httpApReq.ticket.raw == c.tgsRep.ticket.raw);
  }
  {
    INFO("AS-REQ PA-ENC-TIMESTAMP EncryptedData");
    REQUIRE(c.asReq.padata.has_value());
    const PaData* ts = findPaData(*c.asReq.padata, iana::PaType::PA_ENC_TIMESTAMP);
    REQUIRE(ts != nullptr);
    kerbpool::test::requireRoundTrip<EncryptedData>(ts->padataValue);
  }
  CHECK(c.httpApReq.apOptions == iana::ap_options::mutual_required);
  CHECK(c.tgsApReq.apOptions == 0u);
}

TEST_CASE("MIT capture: alice's keytab key is string-to-key of her password", "[capture]") {
  const auto& c = capture();
  const auto* entry = c.keytab.find(kAlice, kRealm, 0, 18);
  REQUIRE(entry != nullptr);
  auto derived = crypto::stringToKey(18, "Passw0rd!", crypto::mitDefaultSalt(kRealm, kAlice));
  INFO("alice aes256 key from Passw0rd! and salt CONTOSO.TESTalice: " << failureText(derived));
  REQUIRE(derived.ok());
  CHECK(derived->value == entry->key.value);
}

TEST_CASE("MIT capture: PA-ENC-TIMESTAMP decrypts with alice's key (usage 1)", "[capture]") {
  const auto& c = capture();
  const PaData* ts = findPaData(*c.asReq.padata, iana::PaType::PA_ENC_TIMESTAMP);
  REQUIRE(ts != nullptr);
  const auto enc = kerbpool::test::requireRoundTrip<EncryptedData>(ts->padataValue);
  const auto key = keytabKey(c, kAlice, enc, "AS-REQ PA-ENC-TIMESTAMP");
  const auto pa = openPart<PaEncTsEnc>(key, KeyUsage::AS_REQ_PA_ENC_TIMESTAMP, enc, "AS-REQ PA-ENC-TS-ENC");
  const auto asPart = openAsRep(c);
  INFO("AS-REQ PA-ENC-TS-ENC patimestamp " << pa.patimestamp << " vs AS-REP authtime " << asPart.authtime);
  CHECK(std::llabs(pa.patimestamp - asPart.authtime) <= kSkew);
  REQUIRE(pa.pausec.has_value());
  CHECK(*pa.pausec >= 0);
  CHECK(*pa.pausec <= 999999);
}

TEST_CASE("MIT capture: AS-REP enc-part (alice usage 3) agrees with the TGT (krbtgt usage 2)", "[capture]") {
  const auto& c = capture();
  const auto asPart = openAsRep(c);
  const auto tgt = openTgt(c);
  {
    INFO("AS-REP EncKDCRepPart");
    CHECK(asPart.tag == EncKdcRepPartTag::EncTGSRepPart);  // MIT tags AS replies 26 too
    CHECK(asPart.nonce == c.asReq.reqBody.nonce);
    CHECK(asPart.srealm == kRealm);
    CHECK(asPart.sname.nameString == kKrbtgt);
    CHECK(asPart.key.keytype == 18);
    CHECK(asPart.key.keyvalue.size() == 32);
    CHECK(asPart.endtime > asPart.authtime);
  }
  {
    INFO("AS-REP TGT EncTicketPart vs AS-REP EncKDCRepPart");
    CHECK(tgt.key == asPart.key);
    CHECK(tgt.crealm == kRealm);
    CHECK(tgt.cname.nameString == kAlice);
    CHECK(tgt.cname == c.asRep.cname);
    CHECK(tgt.authtime == asPart.authtime);
    CHECK(tgt.starttime == asPart.starttime);
    CHECK(tgt.endtime == asPart.endtime);
    CHECK(tgt.renewTill == asPart.renewTill);
    CHECK((tgt.flags & iana::ticket_flags::initial) != 0);
    CHECK((tgt.flags & iana::ticket_flags::pre_authent) != 0);
    // The reply repeats the ticket flags, enc-pa-rep included (MIT sets it in both, RFC 6806 11).
    CHECK(asPart.flags == tgt.flags);
  }
  {
    INFO("AS-REP encrypted-pa-data PA-REQ-ENC-PA-REP: checksum over the AS-REQ bytes, usage 56");
    REQUIRE(asPart.encryptedPaData.has_value());
    const PaData* pa = findPaData(*asPart.encryptedPaData, iana::PaType::PA_REQ_ENC_PA_REP);
    REQUIRE(pa != nullptr);
    const auto cksum = kerbpool::test::requireRoundTrip<Checksum>(pa->padataValue);
    const auto key = keytabKey(c, kAlice, c.asRep.encPart, "AS-REP PA-REQ-ENC-PA-REP");
    auto ok =
        crypto::verifyChecksum(key, toUsage(KeyUsage::AS_REQ), cksum.cksumtype, c.asReqDer, cksum.checksum);
    INFO("verifyChecksum: " << failureText(ok));
    CHECK(ok.ok());
    CHECK((asPart.flags & iana::ticket_flags::enc_pa_rep) != 0);
    // The KDC also announces FAST there, which is why kvno armors its TGS-REQ.
    CHECK(findPaData(*asPart.encryptedPaData, iana::PaType::PA_FX_FAST) != nullptr);
  }
}

TEST_CASE("MIT capture: TGS-REQ authenticator (usage 7) and its req-body checksum (usage 6)", "[capture]") {
  const auto& c = capture();
  const auto asPart = openAsRep(c);
  const auto tgt = openTgt(c);
  const auto auth = openTgsAuthenticator(c, asPart);
  INFO("TGS-REQ PA-TGS-REQ Authenticator");
  CHECK(auth.crealm == kRealm);
  CHECK(auth.cname.nameString == kAlice);
  CHECK(auth.ctime >= tgt.authtime);
  CHECK(auth.ctime <= tgt.endtime);
  CHECK(auth.cusec >= 0);
  CHECK(auth.cusec <= 999999);
  REQUIRE(auth.cksum.has_value());
  CHECK(auth.cksum->cksumtype == 16);  // hmac-sha1-96-aes256, the TGT session key's checksum
  const crypto::Key session = toKey(asPart.key);
  auto ok = crypto::verifyChecksum(session, toUsage(KeyUsage::TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR_CHKSUM),
                                   auth.cksum->cksumtype, c.tgsReq.reqBody.raw, auth.cksum->checksum);
  INFO("TGS-REQ authenticator checksum over req-body: " << failureText(ok));
  CHECK(ok.ok());
  // The checksum covers exactly the req-body as sent: one flipped octet breaks it.
  Bytes tampered = c.tgsReq.reqBody.raw;
  tampered.back() ^= 0x01;
  auto bad =
      crypto::verifyChecksum(session, toUsage(KeyUsage::TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR_CHKSUM),
                             auth.cksum->cksumtype, tampered, auth.cksum->checksum);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().category == ErrorCategory::Integrity);
}

TEST_CASE("MIT capture: TGS FAST armor (req-checksum 50 enc-fast-req 51 enc-fast-rep 52 finished 53)",
          "[capture]") {
  const auto& c = capture();
  const auto asPart = openAsRep(c);
  const auto auth = openTgsAuthenticator(c, asPart);
  const auto fast = openTgsFast(c, asPart, auth);
  {
    INFO("TGS-REQ PA-FX-FAST-REQUEST req-checksum (armor key, usage 50) over the PA-TGS-REQ AP-REQ");
    CHECK_FALSE(fast.request.armor.has_value());  // TGS: the PA-TGS-REQ is the armor
    const PaData* apReq = findPaData(*c.tgsReq.padata, iana::PaType::PA_TGS_REQ);
    REQUIRE(apReq != nullptr);
    auto ok = crypto::verifyChecksum(fast.armorKey, toUsage(KeyUsage::FAST_REQ_CHKSUM),
                                     fast.request.reqChecksum.cksumtype, apReq->padataValue,
                                     fast.request.reqChecksum.checksum);
    INFO("verifyChecksum: " << failureText(ok));
    CHECK(ok.ok());
  }
  {
    INFO("TGS-REQ KrbFastReq (inner request) vs the outer req-body");
    CHECK(fast.inner.reqBody == c.tgsReq.reqBody);
    CHECK(fast.inner.reqBody.nonce == c.tgsReq.reqBody.nonce);
    CHECK(fast.inner.reqBody.sname == c.tgsReq.reqBody.sname);
  }
  {
    INFO("TGS-REP KrbFastResponse");
    CHECK(fast.response.nonce == c.tgsReq.reqBody.nonce);
    CHECK(fast.response.strengthenKey->keytype == 18);
    REQUIRE(fast.response.finished.has_value());
    const KrbFastFinished& fin = *fast.response.finished;
    CHECK(fin.crealm == kRealm);
    CHECK(fin.cname.nameString == kAlice);
    auto ok =
        crypto::verifyChecksum(fast.armorKey, toUsage(KeyUsage::FAST_FINISHED), fin.ticketChecksum.cksumtype,
                               c.tgsRep.ticket.raw, fin.ticketChecksum.checksum);
    INFO(
        "KrbFastFinished ticket-checksum (armor key, usage 53) over the service ticket: " << failureText(ok));
    CHECK(ok.ok());
  }
  {
    INFO("TGS-REP enc-part is sealed with the strengthened key only, not the plain subkey or session key");
    auto bySubkey =
        crypto::decrypt(toKey(*auth.subkey), toUsage(KeyUsage::TGS_REP_ENCPART_AUTHENTICATOR_SUB_KEY),
                        c.tgsRep.encPart.cipher);
    auto bySession = crypto::decrypt(toKey(asPart.key), toUsage(KeyUsage::TGS_REP_ENCPART_SESSION_KEY),
                                     c.tgsRep.encPart.cipher);
    CHECK_FALSE(bySubkey.ok());
    CHECK_FALSE(bySession.ok());
    CHECK(crypto::decrypt(fast.replyKey, toUsage(KeyUsage::TGS_REP_ENCPART_AUTHENTICATOR_SUB_KEY),
                          c.tgsRep.encPart.cipher)
              .ok());
  }
}

TEST_CASE("MIT capture: TGS-REP enc-part agrees with the service ticket (HTTP key usage 2)", "[capture]") {
  const auto& c = capture();
  const auto asPart = openAsRep(c);
  const auto tgt = openTgt(c);
  const auto auth = openTgsAuthenticator(c, asPart);
  const auto tgsPart = openTgsRep(c, openTgsFast(c, asPart, auth));
  const auto service = openServiceTicket(c);
  {
    INFO("TGS-REP EncKDCRepPart");
    CHECK(tgsPart.tag == EncKdcRepPartTag::EncTGSRepPart);
    CHECK(tgsPart.nonce == c.tgsReq.reqBody.nonce);
    CHECK(tgsPart.srealm == kRealm);
    CHECK(tgsPart.sname.nameString == kHttp);
    CHECK(tgsPart.key.keytype == 18);
    CHECK(tgsPart.key != asPart.key);
    CHECK(tgsPart.authtime == tgt.authtime);
  }
  {
    INFO("TGS-REP service ticket EncTicketPart vs TGS-REP EncKDCRepPart");
    CHECK(c.tgsRep.ticket.encPart.kvno == 2u);
    CHECK(service.key == tgsPart.key);
    CHECK(service.crealm == kRealm);
    CHECK(service.cname.nameString == kAlice);
    CHECK(service.cname == c.tgsRep.cname);
    CHECK(service.authtime == tgt.authtime);
    CHECK(service.endtime == tgsPart.endtime);
    CHECK(service.flags == tgsPart.flags);
    CHECK((service.flags & iana::ticket_flags::initial) == 0);
    CHECK((service.flags & iana::ticket_flags::pre_authent) != 0);
  }
}

TEST_CASE("MIT capture: HTTP AP-REQ authenticator (usage 11) GSS checksum and Apache's AP-REP (usage 12)",
          "[capture]") {
  const auto& c = capture();
  const auto service = openServiceTicket(c);
  const crypto::Key session = toKey(service.key);
  const auto auth = openPart<Authenticator>(session, KeyUsage::AP_REQ_AUTHENTICATOR,
                                            c.httpApReq.authenticator, "HTTP AP-REQ authenticator");
  {
    INFO("HTTP AP-REQ Authenticator");
    CHECK(auth.crealm == kRealm);
    CHECK(auth.cname.nameString == kAlice);
    CHECK(auth.ctime >= service.authtime);
    CHECK(auth.ctime <= service.endtime);
    CHECK(auth.seqNumber.has_value());  // RFC 4121: the initiator's sequence number
    REQUIRE(auth.cksum.has_value());
    CHECK(auth.cksum->cksumtype == spnego::kGssChecksumType);
  }
  {
    INFO("HTTP AP-REQ Authenticator 0x8003 GSS checksum");
    auto gss = spnego::decodeGssChecksum(auth.cksum->checksum);
    INFO("decodeGssChecksum: " << failureText(gss));
    REQUIRE(gss.ok());
    // curl sends no channel bindings: Bnd is sixteen zero octets.
    CHECK(gss->bnd == std::array<std::uint8_t, 16>{});
    CHECK(gss->has(spnego::gss_flags::kMutual));  // mutual-required in ap-options
    CHECK_FALSE(gss->has(spnego::gss_flags::kDeleg));
    CHECK_FALSE(gss->krbCred.has_value());
    auto again = spnego::encodeGssChecksum(*gss);
    REQUIRE(again.ok());
    CHECK(toHex(*again) == toHex(auth.cksum->checksum));
  }
  const auto apRep =
      openPart<EncApRepPart>(session, KeyUsage::AP_REP_ENCPART, c.httpApRep.encPart, "HTTP AP-REP enc-part");
  {
    INFO("HTTP AP-REP EncAPRepPart vs the AP-REQ authenticator");
    CHECK(apRep.ctime == auth.ctime);
    CHECK(apRep.cusec == auth.cusec);
    CHECK(apRep.seqNumber.has_value());
  }
}

TEST_CASE("MIT capture: wrong keys usages and tampered ciphertexts are integrity errors", "[capture]") {
  const auto& c = capture();
  const auto alice = keytabKey(c, kAlice, c.asRep.encPart, "AS-REP enc-part");
  const auto krbtgt = keytabKey(c, kKrbtgt, c.asRep.ticket.encPart, "AS-REP TGT enc-part");
  auto expectIntegrity = [](const Result<Bytes>& r, std::string_view what) {
    INFO(what);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == ErrorCategory::Integrity);
  };
  expectIntegrity(
      crypto::decrypt(alice, toUsage(KeyUsage::TGS_REP_ENCPART_SESSION_KEY), c.asRep.encPart.cipher),
      "AS-REP enc-part with usage 8 instead of 3");
  expectIntegrity(crypto::decrypt(krbtgt, toUsage(KeyUsage::AS_REP_ENCPART), c.asRep.encPart.cipher),
                  "AS-REP enc-part with the krbtgt key instead of alice's");
  expectIntegrity(crypto::decrypt(alice, toUsage(KeyUsage::KDC_REP_TICKET), c.asRep.ticket.encPart.cipher),
                  "TGT enc-part with alice's key instead of krbtgt's");
  Bytes tampered = c.httpApReq.authenticator.cipher;
  tampered[tampered.size() / 2] ^= 0x80;
  const auto service = openServiceTicket(c);
  expectIntegrity(crypto::decrypt(toKey(service.key), toUsage(KeyUsage::AP_REQ_AUTHENTICATOR), tampered),
                  "HTTP AP-REQ authenticator with one flipped bit");
}
