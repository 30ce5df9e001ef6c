#include "core/acceptor/ap_req_verifier.hpp"

#include <algorithm>

#include "core/acceptor/acceptor_error.hpp"
#include "core/common/principal_text.hpp"
#include "core/der/der_time.hpp"
#include "core/iana/ap_options.hpp"
#include "core/iana/key_usage.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/messages/group_authdata.hpp"
#include "core/messages/ticket.hpp"
#include "core/spnego/gss_checksum.hpp"

namespace kerbpool::core::acceptor {

namespace {

constexpr std::uint32_t kTicketUsage = iana::toUsage(iana::KeyUsage::KDC_REP_TICKET);
constexpr std::uint32_t kAuthenticatorUsage = iana::toUsage(iana::KeyUsage::AP_REQ_AUTHENTICATOR);

// What the steps hand on to each other.
struct Verification {
  messages::ApReq apReq;
  std::string sname;  // ticket sname joined by '/'
  const AcceptorKey* key = nullptr;
  messages::EncTicketPart ticketPart;
  crypto::Key sessionKey;
  messages::Authenticator authenticator;
  std::string client;  // "alice@CONTOSO.TEST"
  std::optional<std::vector<std::string>> groups;
  std::optional<messages::LogonName> logonName;
  std::optional<spnego::GssChecksum> gssChecksum;
};

std::string timeText(std::int64_t unixSeconds) {
  return der::formatGeneralizedTime(unixSeconds);
}

std::string keyText(const std::string& sname, std::uint32_t kvno, std::int32_t enctype) {
  return sname + " (kvno " + std::to_string(kvno) + ", " + enctypeName(enctype) + ")";
}

crypto::Key toKey(const messages::EncryptionKey& k) {
  return crypto::Key{k.keytype, k.keyvalue};
}

// Step 1.
Status decodeStep(BytesView der, Verification& v) {
  auto apReq = messages::decode<messages::ApReq>(der);
  if (!apReq.ok()) {
    return acceptorError(codes::kMalformedToken, "AP-REQ did not decode: " + apReq.error().message());
  }
  v.apReq = std::move(apReq).value();
  v.sname = messages::displayName(v.apReq.ticket.sname);
  return okStatus();
}

// Steps 2 and 3: every candidate key is tried (several only when the ticket has no kvno).
Status decryptTicketStep(const AcceptorKeys& keys, Verification& v) {
  const messages::EncryptedData& enc = v.apReq.ticket.encPart;
  KP_TRY(auto candidates, keys.find(KeyQuery{v.sname, v.apReq.ticket.realm, enc.kvno, enc.etype}));
  std::optional<Bytes> plain;
  for (const AcceptorKey* key : candidates) {
    auto r = crypto::decrypt(key->key, kTicketUsage, enc.cipher);
    if (r.ok()) {
      plain = std::move(r).value();
      v.key = key;
      break;
    }
  }
  if (!plain) {
    std::string detail;
    if (enc.kvno) {
      detail = "ticket for " + keyText(v.sname, *enc.kvno, enc.etype) +
               " does not decrypt with the key this node holds for it: the ticket was altered or the "
               "node's key differs from the KDC's";
    } else {
      const std::size_t n = candidates.size();
      detail = "ticket for " + v.sname + " (no kvno, " + enctypeName(enc.etype) + ") does not decrypt with " +
               (n == 1 ? std::string("the key") : "any of the " + std::to_string(n) + " keys") +
               " this node holds for it";
    }
    return acceptorError(codes::kBadIntegrity, std::move(detail));
  }
  auto part = messages::decode<messages::EncTicketPart>(*plain);
  secureWipe(*plain);
  if (!part.ok()) {
    return acceptorError(codes::kMalformedToken, "ticket for " + v.sname + " decrypted but did not decode: " +
                                                     part.error().message());
  }
  v.ticketPart = std::move(part).value();
  v.sessionKey = toKey(v.ticketPart.key);
  v.client = formatPrincipal(v.ticketPart.cname.nameString, v.ticketPart.crealm);
  if (v.ticketPart.authorizationData) {
    auto local = messages::extractLocalAuthorizationData(*v.ticketPart.authorizationData);
    auto& groups = local.groups;
    if (!groups.ok()) {
      return acceptorError(codes::kMalformedToken,
                           "group authorization data of " + v.client + ": " + groups.error().message());
    }
    v.groups = std::move(groups).value();
    auto& logonName = local.logonName;
    if (!logonName.ok()) {
      return acceptorError(codes::kMalformedToken, "logon-name authorization data of " + v.client + ": " +
                                                       logonName.error().message());
    }
    v.logonName = std::move(logonName).value();
  }
  return okStatus();
}

// Step 4.
Status decryptAuthenticatorStep(Verification& v) {
  const messages::EncryptedData& enc = v.apReq.authenticator;
  if (enc.etype != v.sessionKey.enctype) {
    return acceptorError(codes::kBadIntegrity,
                         "authenticator of " + v.client + " is encrypted with " + enctypeName(enc.etype) +
                             " but the ticket's session key is " + enctypeName(v.sessionKey.enctype));
  }
  auto plain = crypto::decrypt(v.sessionKey, kAuthenticatorUsage, enc.cipher);
  if (!plain.ok()) {
    return acceptorError(codes::kBadIntegrity,
                         "authenticator for " + v.sname +
                             " does not decrypt with the session key of the ticket of " + v.client +
                             ": it was altered or does not belong to this ticket");
  }
  auto auth = messages::decode<messages::Authenticator>(*plain);
  secureWipe(*plain);
  if (!auth.ok()) {
    return acceptorError(codes::kMalformedToken,
                         "authenticator decrypted but did not decode: " + auth.error().message());
  }
  v.authenticator = std::move(auth).value();
  return okStatus();
}

// Step 5: MIT compares the principals exactly (krb5_principal_compare, name-type ignored).
Status checkClientStep(const Verification& v) {
  const messages::Authenticator& a = v.authenticator;
  if (a.crealm != v.ticketPart.crealm || a.cname.nameString != v.ticketPart.cname.nameString) {
    return acceptorError(codes::kClientMismatch,
                         "authenticator names " + formatPrincipal(a.cname.nameString, a.crealm) +
                             " but the ticket for " + v.sname + " was issued to " + v.client);
  }
  return okStatus();
}

// Step 6 (to the microsecond, so that it agrees exactly with the replay cache's window).
Status checkSkewStep(const Verification& v, TimePoint now, std::chrono::seconds maxSkew) {
  const TimePoint ctime = fromUnixSeconds(v.authenticator.ctime) + Micros(v.authenticator.cusec);
  const Micros diff = ctime - now;
  const Micros absDiff = diff < Micros(0) ? -diff : diff;
  if (absDiff > maxSkew) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(absDiff).count();
    return acceptorError(codes::kClockSkew, "authenticator of " + v.client + " for " + v.sname +
                                                " was made at " + timeText(v.authenticator.ctime) + ", " +
                                                std::to_string(seconds) + " s " +
                                                (diff < Micros(0) ? "behind" : "ahead of") +
                                                " this node's clock " + timeText(toUnixSeconds(now)) +
                                                " (max skew " + std::to_string(maxSkew.count()) + " s)");
  }
  return okStatus();
}

// Step 7 (MIT krb5int_validate_times: the skew is allowed on both ends).
Status checkTicketTimesStep(const Verification& v, TimePoint now, std::chrono::seconds maxSkew) {
  const messages::EncTicketPart& t = v.ticketPart;
  const std::int64_t nowS = toUnixSeconds(now);
  const std::int64_t start = t.starttime.value_or(t.authtime);
  if (start - nowS > maxSkew.count()) {
    return acceptorError(codes::kTicketNotYetValid,
                         "ticket of " + v.client + " for " + v.sname + " is valid from " + timeText(start) +
                             ", after this node's clock " + timeText(nowS) + " plus the " +
                             std::to_string(maxSkew.count()) + " s skew");
  }
  if (nowS - t.endtime > maxSkew.count()) {
    return acceptorError(codes::kTicketExpired, "ticket of " + v.client + " for " + v.sname + " expired at " +
                                                    timeText(t.endtime) + ", before this node's clock " +
                                                    timeText(nowS) + " minus the " +
                                                    std::to_string(maxSkew.count()) + " s skew");
  }
  return okStatus();
}

// Step 8.
Status checkGssChecksumStep(Verification& v, const VerifyOptions& options) {
  const auto& cksum = v.authenticator.cksum;
  if (!cksum || cksum->cksumtype != spnego::kGssChecksumType) {
    if (!options.requireGssChecksum) {
      return okStatus();
    }
    return acceptorError(codes::kBadGssChecksum,
                         cksum ? "authenticator of " + v.client + " carries checksum type " +
                                     std::to_string(cksum->cksumtype) + ", not the GSS type 0x8003"
                               : "authenticator of " + v.client + " carries no checksum (GSS type 0x8003)");
  }
  auto decoded = spnego::decodeGssChecksum(cksum->checksum);
  if (!decoded.ok()) {
    return acceptorError(codes::kBadGssChecksum, "GSS checksum (0x8003) of " + v.client +
                                                     " is malformed: " + decoded.error().message());
  }
  if (options.channelBindings || options.extendedProtection != ExtendedProtection::Off) {
    std::optional<std::array<std::uint8_t, 16>> expected;
    if (options.channelBindings) {
      KP_TRY(expected, channelBindingsHash(*options.channelBindings));
    }
    const auto mode = options.extendedProtection == ExtendedProtection::Off ? ExtendedProtection::Allow
                                                                            : options.extendedProtection;
    if (auto bound = checkChannelBindings(mode, expected, decoded->bnd); !bound.ok()) {
      return acceptorError(bound.error().code, "authenticator of " + v.client + ": " + bound.error().detail);
    }
  }
  v.gssChecksum = std::move(decoded).value();
  return okStatus();
}

// Step 9.
Status checkReplayStep(const Verification& v, ReplayCache& cache) {
  auto key =
      ReplayKey::make(v.client, v.authenticator.ctime, v.authenticator.cusec, v.apReq.authenticator.cipher);
  if (!key.ok()) {
    return std::move(key).error();
  }
  return cache.checkAndInsert(*key);
}

AcceptedContext buildContext(Verification&& v) {
  AcceptedContext c;
  const messages::EncTicketPart& t = v.ticketPart;
  c.clientName = t.cname;
  c.clientRealm = t.crealm;
  c.clientPrincipal = v.client;
  c.groups = std::move(v.groups);
  if (v.logonName) {
    c.accountPrincipal = v.logonName->accountName + "@" + v.logonName->realm;
  }
  c.serviceName = v.apReq.ticket.sname;
  c.serviceRealm = v.apReq.ticket.realm;
  c.servicePrincipal = v.sname;
  c.kvno = v.key->kvno;
  c.ticketEnctype = v.key->key.enctype;
  c.sessionKey = std::move(v.sessionKey);
  if (v.authenticator.subkey) {
    c.initiatorSubkey = toKey(*v.authenticator.subkey);
  }
  c.initiatorSeqNumber = v.authenticator.seqNumber;
  c.apOptions = v.apReq.apOptions;
  if (v.gssChecksum) {
    c.gssFlags = v.gssChecksum->flags;
    c.delegatedCredential = v.gssChecksum->krbCred;
  }
  c.mutualRequested = (c.apOptions & iana::ap_options::mutual_required) != 0 ||
                      (c.gssFlags & spnego::gss_flags::kMutual) != 0;
  c.ticketFlags = t.flags;
  c.authTime = fromUnixSeconds(t.authtime);
  c.startTime = fromUnixSeconds(t.starttime.value_or(t.authtime));
  c.endTime = fromUnixSeconds(t.endtime);
  if (t.renewTill) {
    c.renewTill = fromUnixSeconds(*t.renewTill);
  }
  c.ctime = v.authenticator.ctime;
  c.cusec = v.authenticator.cusec;
  return c;
}

}  // namespace

Result<AcceptedContext> verifyApReq(BytesView apReqDer, const AcceptorKeys& keys, ReplayCache& replayCache,
                                    const Clock& clock, const VerifyOptions& options) {
  Verification v;
  KP_CHECK(decodeStep(apReqDer, v));
  KP_CHECK(decryptTicketStep(keys, v));
  KP_CHECK(decryptAuthenticatorStep(v));
  KP_CHECK(checkClientStep(v));
  const TimePoint now = clock.now();
  KP_CHECK(checkSkewStep(v, now, options.maxSkew));
  KP_CHECK(checkTicketTimesStep(v, now, options.maxSkew));
  KP_CHECK(checkGssChecksumStep(v, options));
  KP_CHECK(checkReplayStep(v, replayCache));
  return buildContext(std::move(v));
}

}  // namespace kerbpool::core::acceptor
