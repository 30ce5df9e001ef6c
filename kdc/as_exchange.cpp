#include "kdc/as_exchange.hpp"

#include <algorithm>

#include "core/common/log.hpp"
#include "core/crypto/enctype.hpp"
#include "core/iana/kdc_options.hpp"
#include "core/iana/key_usage.hpp"
#include "core/iana/name_type.hpp"
#include "core/iana/ticket_flags.hpp"
#include "core/messages/group_authdata.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/krb_error.hpp"
#include "core/messages/padata.hpp"
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

// Per-request state (MIT's reqstate.h): filled by gather, read by check and issue.
struct AsState {
  explicit AsState(const messages::AsReq& r) : req(r) {}
  const messages::AsReq& req;
  std::string peer;
  std::int64_t now = 0;
  messages::PrincipalName cname;
  std::string clientText;  // "alice@CONTOSO.TEST"
  Resolution client;
  Resolution service;
  std::int32_t replyEnctype = 0;
  bool preauthenticated = false;
};

std::string enctypeName(std::int32_t etype) {
  const auto* info = crypto::findEnctype(etype);
  return info ? std::string(info->name) : "etype " + std::to_string(etype);
}

KdcFailure asFailure(const AsState& s, ErrorCode code, std::string status) {
  KdcFailure f = makeFailure(code, std::move(status));
  f.cname = s.cname;
  f.crealm = s.req.reqBody.realm;
  f.sname = s.req.reqBody.sname;
  return f;
}

void logTgtEvent(const KdcContext& ctx, const AsState& s, ErrorCode code, std::int32_t ticketEtype) {
  ctx.events.append(event_id::kTgtRequested, event_source::kSecurityAuditing,
                    {{"TargetUserName", s.cname.nameString.empty() ? "" : s.cname.nameString.front()},
                     {"TargetDomainName", s.req.reqBody.realm},
                     {"ServiceName", s.req.reqBody.sname ? messages::displayName(*s.req.reqBody.sname) : ""},
                     {"Status", windowsHex(static_cast<std::int32_t>(code))},
                     {"TicketEncryptionType", ticketEtype != 0 ? windowsHex(ticketEtype) : "0xffffffff"},
                     {"PreAuthType", s.preauthenticated ? "2" : "0"},
                     {"IpAddress", s.peer}},
                    code == ErrorCode::KDC_ERR_NONE
                        ? "A Kerberos authentication ticket (TGT) was requested."
                        : "A Kerberos authentication ticket (TGT) request failed: " +
                              std::string(iana::rfcName(code)) + ".");
}

void logPreauthFailure(const KdcContext& ctx, const AsState& s, ErrorCode code) {
  ctx.events.append(event_id::kPreAuthFailed, event_source::kSecurityAuditing,
                    {{"TargetUserName", s.client.samAccountName},
                     {"ServiceName", s.req.reqBody.sname ? messages::displayName(*s.req.reqBody.sname) : ""},
                     {"Status", windowsHex(static_cast<std::int32_t>(code))},
                     {"PreAuthType", "2"},
                     {"IpAddress", s.peer}},
                    "Kerberos pre-authentication failed.");
}

// --- gather: who is asking, for what, with which enctypes ---
std::optional<KdcFailure> gather(AsState& s, const KdcContext& ctx) {
  const auto& body = s.req.reqBody;
  if (!body.cname || body.cname->nameString.empty()) {
    return asFailure(s, ErrorCode::KDC_ERR_C_PRINCIPAL_UNKNOWN, "AS-REQ without a client name");
  }
  s.cname = *body.cname;
  s.clientText = messages::displayName(s.cname) + "@" + body.realm;
  if (!equalsIgnoreCase(body.realm, ctx.config.realm)) {
    return asFailure(
        s, ErrorCode::KDC_ERR_WRONG_REALM,
        "realm " + body.realm + " is not served here (this KDC serves " + ctx.config.realm + ")");
  }
  if (!body.sname || body.sname->nameString.empty()) {
    return asFailure(s, ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN, "AS-REQ without a service name");
  }
  auto client = ctx.directory.lookupClient(s.cname.nameString, body.etype);
  if (!client.ok()) {
    if (client.error().code == directory_error::kMissingKey) {
      logMissingKey(ctx, false, s.clientText, s.clientText, client.error().detail);
    }
    return asFailure(s, static_cast<ErrorCode>(krbErrorCode(client.error())),
                     "client " + s.clientText + ": " + client.error().detail);
  }
  s.client = std::move(*client);
  // AD finds the account whatever the case typed or the name form (sAMAccountName, UPN, an enterprise name
  // alice@contoso.com) and, asked to canonicalize (RFC 6806; MIT's kinit -C, Windows always), names it in
  // the reply and the ticket {NT-PRINCIPAL, sAMAccountName}, an enterprise request included. Without the
  // option the name type and string sent are repeated (MIT's client refuses another name then). Either way
  // the ticket says which account it is (KERBPOOL_LOGON_NAME, as the PAC does for a Windows service).
  if (s.cname.nameString.size() == 1 && (body.kdcOptions & iana::kdc_options::canonicalize) != 0) {
    s.cname = messages::PrincipalName{iana::NameType::KRB_NT_PRINCIPAL, {s.client.samAccountName}};
  }
  if (!s.client.enabled) {
    return asFailure(s, ErrorCode::KDC_ERR_CLIENT_REVOKED,
                     "account " + s.client.samAccountName + " is disabled");
  }
  auto service = ctx.directory.resolveService(body.sname->nameString, body.etype);
  if (!service.ok()) {
    if (service.error().code == directory_error::kNoCommonEnctype) {
      logNoSuitableKey(ctx, false, messages::displayName(*body.sname), s.clientText, service.error().detail);
    }
    if (service.error().code == directory_error::kMissingKey) {
      logMissingKey(ctx, false, messages::displayName(*body.sname), s.clientText, service.error().detail);
    }
    KdcFailure f = asFailure(s, static_cast<ErrorCode>(krbErrorCode(service.error())),
                             messages::displayName(*body.sname) + ": " + service.error().detail);
    return f;
  }
  s.service = std::move(*service);
  // The reply is sealed with the client's key in the first enctype of the client's list that this KDC
  // supports and the client has a key for.
  s.replyEnctype = firstCommonEnctype(body.etype, ctx.config, s.client);
  if (s.replyEnctype == 0) {
    return asFailure(s, ErrorCode::KDC_ERR_ETYPE_NOSUPP,
                     "none of the client's enctypes is supported for " + s.client.samAccountName);
  }
  return std::nullopt;
}

messages::EtypeInfo2 etypeInfo(const AsState& s, const KdcContext& ctx) {
  messages::EtypeInfo2 info;
  for (std::int32_t e : s.req.reqBody.etype) {
    if (std::find(ctx.config.enctypes.begin(), ctx.config.enctypes.end(), e) != ctx.config.enctypes.end() &&
        s.client.keyFor(e) != nullptr) {
      info.push_back(messages::EtypeInfo2Entry{e, s.client.salt, std::nullopt});
    }
  }
  return info;
}

// --- check: pre-authentication (PA-ENC-TIMESTAMP) and clock skew ---
std::optional<KdcFailure> check(AsState& s, const KdcContext& ctx) {
  const messages::PaData* pa =
      s.req.padata ? messages::findPaData(*s.req.padata, iana::PaType::PA_ENC_TIMESTAMP) : nullptr;
  if (pa == nullptr || pa->padataValue.empty()) {
    KdcFailure f =
        asFailure(s, ErrorCode::KDC_ERR_PREAUTH_REQUIRED, "pre-authentication required for " + s.clientText);
    messages::KrbError carrier;
    messages::setMethodData(
        carrier, messages::MethodData{
                     messages::PaData{iana::PaType::PA_ETYPE_INFO2, messages::encode(etypeInfo(s, ctx))},
                     messages::PaData{iana::PaType::PA_ENC_TIMESTAMP, {}}});
    f.eData = carrier.eData;
    return f;
  }
  auto enc = messages::decode<messages::EncryptedData>(pa->padataValue);
  if (!enc.ok()) {
    return asFailure(s, ErrorCode::KDC_ERR_PREAUTH_FAILED,
                     "malformed PA-ENC-TIMESTAMP: " + enc.error().detail);
  }
  const crypto::Key* key = s.client.keyFor(enc->etype);
  if (key == nullptr) {
    return asFailure(s, ErrorCode::KDC_ERR_ETYPE_NOSUPP,
                     "PA-ENC-TIMESTAMP in " + enctypeName(enc->etype) + ", which " + s.client.samAccountName +
                         " has no key for");
  }
  auto plain = crypto::decrypt(*key, iana::toUsage(iana::KeyUsage::AS_REQ_PA_ENC_TIMESTAMP), enc->cipher);
  if (!plain.ok()) {
    logPreauthFailure(ctx, s, ErrorCode::KDC_ERR_PREAUTH_FAILED);
    return asFailure(
        s, ErrorCode::KDC_ERR_PREAUTH_FAILED,
        "pre-authentication failed for " + s.clientText + ": wrong password (timestamp did not decrypt)");
  }
  auto ts = messages::decode<messages::PaEncTsEnc>(*plain);
  if (!ts.ok()) {
    logPreauthFailure(ctx, s, ErrorCode::KDC_ERR_PREAUTH_FAILED);
    return asFailure(s, ErrorCode::KDC_ERR_PREAUTH_FAILED,
                     "PA-ENC-TS-ENC does not decode: " + ts.error().detail);
  }
  const std::int64_t skew = ts->patimestamp - s.now;
  if (std::abs(skew) > ctx.config.maxSkew.count()) {
    logPreauthFailure(ctx, s, ErrorCode::KRB_AP_ERR_SKEW);
    return asFailure(s, ErrorCode::KRB_AP_ERR_SKEW,
                     "clock skew: " + s.clientText + "'s clock is " + std::to_string(skew) +
                         " s from the KDC's (limit " + std::to_string(ctx.config.maxSkew.count()) + " s)");
  }
  s.preauthenticated = true;
  return std::nullopt;
}

// --- issue: session key, ticket, reply ---
ExchangeResult issue(AsState& s, const KdcContext& ctx) {
  const auto& body = s.req.reqBody;
  // Session key: the client's first enctype that the service also supports.
  std::int32_t sessionEnctype = firstCommonEnctype(body.etype, ctx.config, s.service);
  if (sessionEnctype == 0) {
    sessionEnctype = s.replyEnctype;
  }
  auto sessionKey = crypto::generateKey(sessionEnctype, ctx.rng);
  if (!sessionKey.ok()) {
    return asFailure(s, ErrorCode::KDC_ERR_ETYPE_NOSUPP, sessionKey.error().detail);
  }
  const crypto::Key& ticketKey = s.service.keys.front();  // the service's strongest key

  const bool isTgt = s.service.form == MatchForm::Krbtgt;
  TicketTimeRequest tr;
  tr.now = s.now;
  tr.authtime = s.now;
  tr.till = body.till;
  tr.rtime = body.rtime;
  tr.renewable = (body.kdcOptions & iana::kdc_options::renewable) != 0;
  tr.renewableOk = (body.kdcOptions & iana::kdc_options::renewable_ok) != 0;
  tr.maxLife = (isTgt ? ctx.config.ticketLifetime : ctx.config.serviceLifetime).count();
  tr.maxRenew = ctx.config.renewLifetime.count();
  const TicketTimes times = computeTicketTimes(tr);

  std::uint32_t flags = iana::ticket_flags::initial | iana::ticket_flags::pre_authent;
  if ((body.kdcOptions & iana::kdc_options::forwardable) != 0) {
    flags |= iana::ticket_flags::forwardable;
  }
  if (times.renewTill) {
    flags |= iana::ticket_flags::renewable;
  }

  messages::EncTicketPart etp;
  etp.flags = flags;
  etp.key = messages::EncryptionKey{sessionKey->enctype, sessionKey->value};
  etp.crealm = ctx.config.realm;
  etp.cname = s.cname;
  etp.transited = messages::TransitedEncoding{1, {}};
  etp.authtime = times.authtime;
  etp.starttime = times.starttime;
  etp.endtime = times.endtime;
  etp.renewTill = times.renewTill;
  if (!s.client.memberOf.empty()) {
    messages::addGroupAuthData(etp.authorizationData, s.client.memberOf);
  }
  messages::addLogonNameAuthData(etp.authorizationData,
                                 messages::LogonName{s.client.samAccountName, ctx.config.realm});
  auto ticketCipher = crypto::encrypt(ticketKey, iana::toUsage(iana::KeyUsage::KDC_REP_TICKET),
                                      messages::encode(etp), ctx.rng);
  if (!ticketCipher.ok()) {
    return asFailure(s, ErrorCode::KRB_ERR_GENERIC, "cannot seal the ticket: " + ticketCipher.error().detail);
  }
  messages::Ticket ticket;
  ticket.realm = ctx.config.realm;
  ticket.sname = *body.sname;
  ticket.encPart = messages::EncryptedData{ticketKey.enctype, s.service.kvno, std::move(*ticketCipher)};

  messages::EncKdcRepPart part;
  part.tag = messages::EncKdcRepPartTag::EncASRepPart;  // 25, as Active Directory sends
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

  const crypto::Key* clientKey = s.client.keyFor(s.replyEnctype);
  auto repCipher = crypto::encrypt(*clientKey, iana::toUsage(iana::KeyUsage::AS_REP_ENCPART),
                                   messages::encode(part), ctx.rng);
  if (!repCipher.ok()) {
    return asFailure(s, ErrorCode::KRB_ERR_GENERIC, "cannot seal the reply: " + repCipher.error().detail);
  }
  messages::AsRep rep;
  rep.padata = messages::MethodData{messages::PaData{
      iana::PaType::PA_ETYPE_INFO2,
      messages::encode(messages::EtypeInfo2{messages::EtypeInfo2Entry{s.replyEnctype, s.client.salt, {}}})}};
  rep.crealm = ctx.config.realm;
  rep.cname = s.cname;
  rep.ticket = std::move(ticket);
  rep.encPart = messages::EncryptedData{s.replyEnctype, s.client.kvno, std::move(*repCipher)};
  logTgtEvent(ctx, s, ErrorCode::KDC_ERR_NONE, ticketKey.enctype);
  ctx.stats.countIssued(isTgt ? "TGT" : "AS service ticket");
  return messages::encode(rep);
}

}  // namespace

ExchangeResult processAsReq(const messages::AsReq& request, const KdcContext& ctx, const std::string& peer) {
  AsState s(request);
  s.peer = peer;
  s.now = core::toUnixSeconds(ctx.clock.now());
  if (auto f = gather(s, ctx)) {
    if (f->code != ErrorCode::KDC_ERR_PREAUTH_REQUIRED) {
      logTgtEvent(ctx, s, f->code, 0);
    }
    return std::move(*f);
  }
  if (auto f = check(s, ctx)) {
    return std::move(*f);
  }
  return issue(s, ctx);
}

}  // namespace kerbpool::kdc
