#pragma once

// A tiny KDC + client for acceptor tests: issues a service ticket with a given key and builds the client's
// AP-REQ (with its 0x8003 checksum), framed as a bare krb5 token or a SPNEGO NegTokenInit. Everything is
// deterministic (SeededRng), so a test can build the same token twice or vary one field.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "core/iana/ap_options.hpp"
#include "core/iana/key_usage.hpp"
#include "core/iana/ticket_flags.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/messages/group_authdata.hpp"
#include "core/messages/ticket.hpp"
#include "core/spnego/gss_checksum.hpp"
#include "core/spnego/gss_framing.hpp"
#include "core/spnego/neg_token.hpp"

namespace kerbpool::test {

using core::Bytes;

// 2026-11-23T00:10:23Z, the time of the MIT capture; the default "now" of these tests.
inline constexpr std::int64_t kTestEpoch = 1795392623;

inline core::crypto::Key makeKey(std::int32_t enctype, std::uint64_t seed) {
  core::SeededRng rng(seed);
  auto k = core::crypto::generateKey(enctype, rng);
  REQUIRE(k.ok());
  return *k;
}

struct TicketSpec {
  std::vector<std::string> sname{"HTTP", "pool.contoso.test"};
  std::string realm = "CONTOSO.TEST";
  std::vector<std::string> cname{"alice"};
  std::string crealm = "CONTOSO.TEST";
  core::crypto::Key serviceKey;
  std::optional<std::uint32_t> kvno = 3;
  std::int32_t sessionEnctype = 18;
  std::int64_t authtime = kTestEpoch - 60;
  std::optional<std::int64_t> starttime = kTestEpoch - 60;
  std::int64_t endtime = kTestEpoch + 10 * 3600;
  std::optional<std::vector<std::string>> groups;
};

struct ClientSpec {
  std::int64_t ctime = kTestEpoch;
  std::int32_t cusec = 123456;
  bool subkey = true;
  std::optional<std::uint32_t> seqNumber = 0x1234567;
  std::uint32_t apOptions = core::iana::ap_options::mutual_required;
  std::uint32_t gssFlags = core::spnego::gss_flags::kMutual | core::spnego::gss_flags::kReplay |
                           core::spnego::gss_flags::kSequence | core::spnego::gss_flags::kConf |
                           core::spnego::gss_flags::kInteg;
  std::array<std::uint8_t, 16> bnd{};
  // Replaces the 0x8003 checksum (nullopt inside: no checksum at all).
  std::optional<std::optional<core::messages::Checksum>> checksum;
  // The authenticator's client name (the test KDC issues to TicketSpec::cname, "alice" by default).
  std::vector<std::string> cname{"alice"};
  std::uint64_t seed = 7;  // confounders and subkey
};

struct IssuedTicket {
  core::messages::Ticket ticket;
  core::crypto::Key sessionKey;
};

inline IssuedTicket issueTicket(const TicketSpec& spec, std::uint64_t seed = 11) {
  using namespace core::messages;
  core::SeededRng rng(seed);
  auto session = core::crypto::generateKey(spec.sessionEnctype, rng);
  REQUIRE(session.ok());
  EncTicketPart part;
  part.flags = core::iana::ticket_flags::forwardable | core::iana::ticket_flags::pre_authent;
  part.key = EncryptionKey{session->enctype, session->value};
  part.crealm = spec.crealm;
  part.cname = PrincipalName{core::iana::NameType::KRB_NT_PRINCIPAL, spec.cname};
  part.authtime = spec.authtime;
  part.starttime = spec.starttime;
  part.endtime = spec.endtime;
  if (spec.groups) {
    addGroupAuthData(part.authorizationData, *spec.groups);
  }
  auto cipher = core::crypto::encrypt(
      spec.serviceKey, core::iana::toUsage(core::iana::KeyUsage::KDC_REP_TICKET), encode(part), rng);
  REQUIRE(cipher.ok());
  IssuedTicket out;
  out.ticket.realm = spec.realm;
  out.ticket.sname = PrincipalName{core::iana::NameType::KRB_NT_SRV_HST, spec.sname};
  out.ticket.encPart = EncryptedData{spec.serviceKey.enctype, spec.kvno, *cipher};
  out.sessionKey = *session;
  return out;
}

struct ClientRequest {
  Bytes apReq;        // DER 6e ..
  Bytes krb5Token;    // 60 .. krb5 OID 01 00 AP-REQ
  Bytes spnegoToken;  // 60 .. SPNEGO NegTokenInit { krb5 ; mechToken }
  core::crypto::Key sessionKey;
  std::optional<core::crypto::Key> subkey;
  core::messages::Authenticator authenticator;
};

inline Bytes spnegoInit(const std::vector<Bytes>& mechTypes, std::optional<Bytes> mechToken,
                        std::optional<Bytes> mic = std::nullopt) {
  core::spnego::NegTokenInit init;
  init.mechTypes = mechTypes;
  init.mechToken = std::move(mechToken);
  init.mechListMic = std::move(mic);
  return core::spnego::encodeInitialToken(init);
}

inline Bytes oidBytes(core::BytesView oid) {
  return Bytes(oid.begin(), oid.end());
}

inline ClientRequest makeRequest(const IssuedTicket& issued, const ClientSpec& spec = {}) {
  using namespace core::messages;
  core::SeededRng rng(spec.seed);
  core::spnego::GssChecksum gss;
  gss.bnd = spec.bnd;
  gss.flags = spec.gssFlags & ~core::spnego::gss_flags::kDeleg;
  auto gssBytes = core::spnego::encodeGssChecksum(gss);
  REQUIRE(gssBytes.ok());

  ClientRequest out;
  out.sessionKey = issued.sessionKey;
  Authenticator& a = out.authenticator;
  a.crealm = issued.ticket.realm;
  a.cname = PrincipalName{core::iana::NameType::KRB_NT_PRINCIPAL, spec.cname};
  a.cksum = Checksum{core::spnego::kGssChecksumType, *gssBytes};
  if (spec.checksum) {
    a.cksum = *spec.checksum;
  }
  a.ctime = spec.ctime;
  a.cusec = spec.cusec;
  if (spec.subkey) {
    auto sk = core::crypto::generateKey(issued.sessionKey.enctype, rng);
    REQUIRE(sk.ok());
    a.subkey = EncryptionKey{sk->enctype, sk->value};
    out.subkey = *sk;
  }
  a.seqNumber = spec.seqNumber;
  auto cipher = core::crypto::encrypt(
      issued.sessionKey, core::iana::toUsage(core::iana::KeyUsage::AP_REQ_AUTHENTICATOR), encode(a), rng);
  REQUIRE(cipher.ok());
  ApReq req;
  req.apOptions = spec.apOptions;
  req.ticket = issued.ticket;
  req.authenticator = EncryptedData{issued.sessionKey.enctype, std::nullopt, *cipher};
  out.apReq = encode(req);
  out.krb5Token = core::spnego::wrapKrb5Token(core::spnego::TokId::ApReq, out.apReq);
  out.spnegoToken = spnegoInit({oidBytes(core::spnego::krb5Oid())}, out.krb5Token);
  return out;
}

}  // namespace kerbpool::test
