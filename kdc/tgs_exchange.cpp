#include "kdc/tgs_exchange.hpp"

#include <algorithm>

#include "core/crypto/enctype.hpp"
#include "core/iana/kdc_options.hpp"
#include "core/iana/key_usage.hpp"
#include "core/iana/ticket_flags.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/ticket.hpp"
#include "kdc/directory_error.hpp"
#include "kdc/name_case.hpp"
#include "kdc/ticket_times.hpp"

namespace kerbpool::kdc {

namespace crypto = core::crypto;
namespace iana = core::iana;
namespace messages = core::messages;
using iana::ErrorCode;

namespace {

struct TgsState {
  explicit TgsState(const messages::TgsReq& r) : req(r) {}
  const messages::TgsReq& req;
  std::string peer;
  std::int64_t now = 0;
  messages::ApReq apReq;
  messages::EncTicketPart tgt;
  crypto::Key tgtSessionKey;
  messages::Authenticator authenticator;
  std::string clientText;  // "alice@CONTOSO.TEST"
  std::string serviceText;
  bool renew = false;
  Resolution service;
};

KdcFailure fail(const TgsState& s, ErrorCode code, std::string status) {
  KdcFailure f = makeFailure(code, std::move(status));
  if (!s.tgt.cname.nameString.empty()) {
    f.cname = s.tgt.cname;
    f.crealm = s.tgt.crealm;
  }
  f.sname = s.req.reqBody.sname;
  return f;
}

void logServiceTicketEvent(const KdcContext& ctx, const TgsState& s, ErrorCode code, std::int32_t etype) {
  ctx.events.append(
      event_id::kServiceTicketRequested, event_source::kSecurityAuditing,
      {{"TargetUserName", s.clientText},
       {"ServiceName", code == ErrorCode::KDC_ERR_NONE ? s.service.samAccountName : s.serviceText},
       {"Status", windowsHex(static_cast<std::int32_t>(code))},
       {"TicketEncryptionType", etype != 0 ? windowsHex(etype) : "0xffffffff"},
       {"IpAddress", s.peer}},
      code == ErrorCode::KDC_ERR_NONE ? "A Kerberos service ticket was requested for " + s.serviceText + "."
                                      : "A Kerberos service ticket request for " + s.serviceText +
                                            " failed: " + std::string(iana::rfcName(code)) + ".");
}

bool isKrbtgtFor(const messages::PrincipalName& name, const std::string& realm) {
  return name.nameString.size() == 2 && equalsIgnoreCase(name.nameString[0], "krbtgt") &&
         equalsIgnoreCase(name.nameString[1], realm);
}

// --- gather: the TGT and authenticator from PA-TGS-REQ ---
std::optional<KdcFailure> gather(TgsState& s, const KdcContext& ctx) {
  const auto& body = s.req.reqBody;
  s.serviceText = body.sname ? messages::displayName(*body.sname) : std::string("(no sname)");
  const messages::PaData* pa =
      s.req.padata ? messages::findPaData(*s.req.padata, iana::PaType::PA_TGS_REQ) : nullptr;
  if (pa == nullptr) {
    return fail(s, ErrorCode::KDC_ERR_PADATA_TYPE_NOSUPP, "TGS-REQ without PA-TGS-REQ");
  }
  auto ap = messages::decode<messages::ApReq>(pa->padataValue);
  if (!ap.ok()) {
    return fail(s, ErrorCode::KRB_ERR_GENERIC, "malformed PA-TGS-REQ: " + ap.error().detail);
  }
  s.apReq = std::move(*ap);
  const messages::Ticket& ticket = s.apReq.ticket;
  if (!isKrbtgtFor(ticket.sname, ctx.config.realm) || !equalsIgnoreCase(ticket.realm, ctx.config.realm)) {
    return fail(s, ErrorCode::KRB_AP_ERR_NOT_US,
                "the ticket in PA-TGS-REQ is for " + messages::displayName(ticket.sname) + "@" +
                    ticket.realm + ", not krbtgt/" + ctx.config.realm);
  }
  std::uint32_t kvno = 0;
  if (ticket.encPart.kvno) {
    kvno = *ticket.encPart.kvno;
  } else if (auto krbtgt = ctx.directory.account("krbtgt")) {
    kvno = krbtgt->keyVersionNumber;  // a copy of the account: only for TGTs that carry no kvno
  }
  auto key = ctx.directory.key("krbtgt", kvno, ticket.encPart.etype);
  if (!key.ok()) {
    return fail(s, ErrorCode::KRB_AP_ERR_BADKEYVER,
                "no krbtgt key with kvno " + std::to_string(kvno) + " for the TGT: " + key.error().detail);
  }
  auto plain = crypto::decrypt(*key, iana::toUsage(iana::KeyUsage::KDC_REP_TICKET), ticket.encPart.cipher);
  if (!plain.ok()) {
    return fail(s, ErrorCode::KRB_AP_ERR_BAD_INTEGRITY,
                "the TGT failed its integrity check (tampered or forged)");
  }
  auto etp = messages::decode<messages::EncTicketPart>(*plain);
  if (!etp.ok()) {
    return fail(s, ErrorCode::KRB_AP_ERR_BAD_INTEGRITY, "the TGT's EncTicketPart does not decode");
  }
  s.tgt = std::move(*etp);
  s.clientText = messages::displayName(s.tgt.cname) + "@" + s.tgt.crealm;
  s.tgtSessionKey = crypto::Key{s.tgt.key.keytype, s.tgt.key.keyvalue};
  auto authPlain =
      crypto::decrypt(s.tgtSessionKey, iana::toUsage(iana::KeyUsage::TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR),
                      s.apReq.authenticator.cipher);
  if (!authPlain.ok()) {
    return fail(s, ErrorCode::KRB_AP_ERR_BAD_INTEGRITY,
                "the authenticator of " + s.clientText + " did not decrypt with the TGT session key");
  }
  auto auth = messages::decode<messages::Authenticator>(*authPlain);
  if (!auth.ok()) {
    return fail(s, ErrorCode::KRB_AP_ERR_BAD_INTEGRITY, "the authenticator does not decode");
  }
  s.authenticator = std::move(*auth);
  s.renew = (body.kdcOptions & iana::kdc_options::renew) != 0;
  return std::nullopt;
}

std::optional<KdcFailure> checkBodyChecksum(TgsState& s);
std::optional<KdcFailure> checkService(TgsState& s, const KdcContext& ctx);

// --- check: identity, skew, TGT times, request checksum, then the service ---
std::optional<KdcFailure> check(TgsState& s, const KdcContext& ctx) {
  if (s.authenticator.cname.nameString != s.tgt.cname.nameString ||
      !equalsIgnoreCase(s.authenticator.crealm, s.tgt.crealm)) {
    return fail(s, ErrorCode::KRB_AP_ERR_BADMATCH,
                "the authenticator names " + messages::displayName(s.authenticator.cname) +
                    " but the TGT belongs to " + s.clientText);
  }
  const std::int64_t skew = s.authenticator.ctime - s.now;
  if (std::abs(skew) > ctx.config.maxSkew.count()) {
    return fail(s, ErrorCode::KRB_AP_ERR_SKEW,
                "clock skew: " + s.clientText + "'s clock is " + std::to_string(skew) + " s from the KDC's");
  }
  const std::int64_t start = s.tgt.starttime.value_or(s.tgt.authtime);
  if (start - ctx.config.maxSkew.count() > s.now) {
    return fail(s, ErrorCode::KRB_AP_ERR_TKT_NYV, "the TGT of " + s.clientText + " is not yet valid");
  }
  if (s.renew) {
    if ((s.tgt.flags & iana::ticket_flags::renewable) == 0) {
      return fail(s, ErrorCode::KDC_ERR_BADOPTION, "renewal asked for a ticket that is not renewable");
    }
    if (!s.tgt.renewTill || *s.tgt.renewTill < s.now) {
      return fail(s, ErrorCode::KRB_AP_ERR_TKT_EXPIRED,
                  "the TGT of " + s.clientText + " is past its renew-till");
    }
  }
  // A ticket is renewed before it expires, never after (RFC 4120 2.3).
  if (s.tgt.endtime < s.now) {
    return fail(s, ErrorCode::KRB_AP_ERR_TKT_EXPIRED, "the TGT of " + s.clientText + " has expired");
  }
  // MS-KILE 3.3.5.7.1: the KDC of the account's domain checks the account again once its TGT is older than 20
  // minutes (Windows' value): a TGT of an account disabled since buys no more service tickets.
  constexpr std::int64_t kAccountCheckAgeS = 20 * 60;
  if (s.now - s.tgt.authtime > kAccountCheckAgeS && s.tgt.crealm == ctx.directory.realm() &&
      s.tgt.cname.nameString.size() == 1) {
    if (const auto account = ctx.directory.account(s.tgt.cname.nameString.front());
        account && !account->enabled) {
      return fail(s, ErrorCode::KDC_ERR_CLIENT_REVOKED,
                  "account " + account->samAccountName + " is disabled (its TGT is " +
                      std::to_string((s.now - s.tgt.authtime) / 60) +
                      " minutes old: the account is checked again after 20, MS-KILE 3.3.5.7.1)");
    }
  }
  if (!s.authenticator.cksum) {
    // RFC 4120 makes the authenticator's checksum OPTIONAL. MIT's and Samba's KDCs refuse a TGS-REQ without
    // it; AD answers it (Impacket's getST sends none), trusting the authenticator sealed with the TGT
    // session key and the TGT itself. The body (sname, etypes, till) is then not bound to the authenticator.
    if (ctx.config.requireTgsBodyChecksum) {
      return fail(s, ErrorCode::KRB_AP_ERR_INAPP_CKSUM,
                  "the TGS-REQ authenticator carries no checksum of the request body (this KDC requires one, "
                  "as MIT's does; AD accepts it)");
    }
    ctx.stats.countRequest("TGS-REQ without a body checksum");
  } else if (auto f = checkBodyChecksum(s)) {
    return f;
  }
  return checkService(s, ctx);
}

// The checksum of KDC-REQ-BODY in the authenticator (usage 6), keyed with the TGT session key.
std::optional<KdcFailure> checkBodyChecksum(TgsState& s) {
  const auto& body = s.req.reqBody;
  const auto& ck = *s.authenticator.cksum;
  const auto* cinfo = crypto::findEnctypeByChecksum(ck.cksumtype);
  if (cinfo == nullptr || cinfo->id != s.tgtSessionKey.enctype) {
    return fail(s, ErrorCode::KRB_AP_ERR_INAPP_CKSUM,
                "checksum type " + std::to_string(ck.cksumtype) + " does not go with the session key");
  }
  const core::Bytes bodyBytes = body.raw.empty() ? messages::encode(body) : body.raw;
  auto verified = crypto::verifyChecksum(
      s.tgtSessionKey, iana::toUsage(iana::KeyUsage::TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR_CHKSUM),
      ck.cksumtype, bodyBytes, ck.checksum);
  if (!verified.ok()) {
    return fail(s, ErrorCode::KRB_AP_ERR_MODIFIED, "the TGS-REQ body was modified (checksum mismatch)");
  }
  return std::nullopt;
}

std::optional<KdcFailure> checkService(TgsState& s, const KdcContext& ctx) {
  const auto& body = s.req.reqBody;
  if (!body.sname || body.sname->nameString.empty()) {
    return fail(s, ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN, "TGS-REQ without a service name");
  }
  if (!equalsIgnoreCase(body.realm, ctx.config.realm)) {
    return fail(s, ErrorCode::KDC_ERR_WRONG_REALM, "service realm " + body.realm + " is not served here");
  }
  auto service = ctx.directory.resolveService(body.sname->nameString, body.etype);
  if (!service.ok()) {
    if (service.error().code == directory_error::kNoCommonEnctype) {
      logNoSuitableKey(ctx, true, s.serviceText, s.clientText, service.error().detail);
    }
    if (service.error().code == directory_error::kMissingKey) {
      logMissingKey(ctx, true, s.serviceText, s.clientText, service.error().detail);
    }
    KdcFailure f = fail(s, static_cast<ErrorCode>(krbErrorCode(service.error())),
                        s.serviceText + ": " + service.error().detail);
    return f;
  }
  s.service = std::move(*service);
  if (s.service.keys.empty()) {
    return fail(s, ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN, s.serviceText + ": the account has no keys");
  }
  return std::nullopt;
}

// --- issue: the service ticket and the reply ---
ExchangeResult issue(TgsState& s, const KdcContext& ctx) {
  const auto& body = s.req.reqBody;
  const std::int32_t sessionEnctype = firstCommonEnctype(body.etype, ctx.config, s.service);
  if (sessionEnctype == 0) {
    return fail(s, ErrorCode::KDC_ERR_ETYPE_NOSUPP,
                "no enctype of the request is supported by " + s.service.samAccountName);
  }
  auto sessionKey = crypto::generateKey(sessionEnctype, ctx.rng);
  if (!sessionKey.ok()) {
    return fail(s, ErrorCode::KDC_ERR_ETYPE_NOSUPP, sessionKey.error().detail);
  }
  const crypto::Key& ticketKey = s.service.keys.front();

  const bool tgtRenewable = (s.tgt.flags & iana::ticket_flags::renewable) != 0;
  TicketTimeRequest tr;
  tr.now = s.now;
  tr.authtime = s.tgt.authtime;
  tr.till = body.till;
  tr.rtime = body.rtime;
  tr.renewable = (body.kdcOptions & iana::kdc_options::renewable) != 0 || s.renew;
  tr.renewableOk = (body.kdcOptions & iana::kdc_options::renewable_ok) != 0;
  tr.maxLife =
      (s.service.form == MatchForm::Krbtgt ? ctx.config.ticketLifetime : ctx.config.serviceLifetime).count();
  tr.maxRenew = ctx.config.renewLifetime.count();
  tr.capEnd = s.renew ? s.tgt.renewTill : std::optional<std::int64_t>(s.tgt.endtime);
  tr.capRenew = s.tgt.renewTill;
  tr.allowRenew = tgtRenewable;
  const TicketTimes times = computeTicketTimes(tr);

  std::uint32_t flags = s.tgt.flags & iana::ticket_flags::pre_authent;
  if ((body.kdcOptions & iana::kdc_options::forwardable) != 0 &&
      (s.tgt.flags & iana::ticket_flags::forwardable) != 0) {
    flags |= iana::ticket_flags::forwardable;
  }
  if (times.renewTill) {
    flags |= iana::ticket_flags::renewable;
  }

  messages::EncTicketPart etp;
  etp.flags = flags;
  etp.key = messages::EncryptionKey{sessionKey->enctype, sessionKey->value};
  etp.crealm = s.tgt.crealm;
  etp.cname = s.tgt.cname;
  etp.transited = s.tgt.transited;
  etp.authtime = times.authtime;
  etp.starttime = times.starttime;
  etp.endtime = times.endtime;
  etp.renewTill = times.renewTill;
  etp.caddr = s.tgt.caddr;
  etp.authorizationData = s.tgt.authorizationData;  // the client's groups travel on
  auto ticketCipher = crypto::encrypt(ticketKey, iana::toUsage(iana::KeyUsage::KDC_REP_TICKET),
                                      messages::encode(etp), ctx.rng);
  if (!ticketCipher.ok()) {
    return fail(s, ErrorCode::KRB_ERR_GENERIC, "cannot seal the ticket: " + ticketCipher.error().detail);
  }
  messages::Ticket ticket;
  ticket.realm = ctx.config.realm;
  ticket.sname = *body.sname;
  ticket.encPart = messages::EncryptedData{ticketKey.enctype, s.service.kvno, std::move(*ticketCipher)};

  messages::EncKdcRepPart part;
  part.tag = messages::EncKdcRepPartTag::EncTGSRepPart;
  part.key = etp.key;
  part.lastReq = {messages::LastReqEntry{0, s.now}};
  part.nonce = body.nonce;
  part.flags = flags;
  part.authtime = times.authtime;
  part.starttime = times.starttime;
  part.endtime = times.endtime;
  part.renewTill = times.renewTill;
  part.srealm = ctx.config.realm;
  part.sname = *body.sname;

  // Sealed with the authenticator's subkey when the client sent one (usage 9), else the TGT session key (8).
  crypto::Key replyKey = s.tgtSessionKey;
  std::uint32_t usage = iana::toUsage(iana::KeyUsage::TGS_REP_ENCPART_SESSION_KEY);
  if (s.authenticator.subkey) {
    replyKey = crypto::Key{s.authenticator.subkey->keytype, s.authenticator.subkey->keyvalue};
    usage = iana::toUsage(iana::KeyUsage::TGS_REP_ENCPART_AUTHENTICATOR_SUB_KEY);
  }
  auto repCipher = crypto::encrypt(replyKey, usage, messages::encode(part), ctx.rng);
  if (!repCipher.ok()) {
    return fail(s, ErrorCode::KRB_ERR_GENERIC, "cannot seal the reply: " + repCipher.error().detail);
  }
  messages::TgsRep rep;
  rep.crealm = s.tgt.crealm;
  rep.cname = s.tgt.cname;
  rep.ticket = std::move(ticket);
  rep.encPart = messages::EncryptedData{replyKey.enctype, std::nullopt, std::move(*repCipher)};
  logServiceTicketEvent(ctx, s, ErrorCode::KDC_ERR_NONE, ticketKey.enctype);
  ctx.stats.countIssued(s.renew ? "renewal" : "service ticket");
  return messages::encode(rep);
}

}  // namespace

ExchangeResult processTgsReq(const messages::TgsReq& request, const KdcContext& ctx,
                             const std::string& peer) {
  TgsState s(request);
  s.peer = peer;
  s.now = core::toUnixSeconds(ctx.clock.now());
  std::optional<KdcFailure> f = gather(s, ctx);
  if (!f) {
    f = check(s, ctx);
  }
  if (f) {
    logServiceTicketEvent(ctx, s, f->code, 0);
    return std::move(*f);
  }
  return issue(s, ctx);
}

}  // namespace kerbpool::kdc
