#include "client/tgs_exchange.hpp"

#include "client/kdc_error.hpp"
#include "core/iana/key_usage.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/kdc_req.hpp"

namespace kerbpool::client {
namespace {

namespace msg = core::messages;
using core::ErrorCategory;
using core::iana::KeyUsage;
using core::iana::toUsage;

core::Result<TgsRequest> build(const Credential& tgt, const Principal& server, bool renewal,
                               const core::Clock& clock, core::Rng& rng, const TgsRequestOptions& options) {
  TgsRequest out;
  out.server = server;
  out.renewal = renewal;
  out.nonce = freshNonce(rng);

  msg::KdcReqBody body;
  body.kdcOptions = options.kdcOptions;
  if (renewal) {
    body.kdcOptions |= core::iana::kdc_options::renew;
  }
  body.realm = server.realm;
  body.sname = server.name;
  body.till = renewal && tgt.renewTill ? *tgt.renewTill : tgt.endtime;
  if ((body.kdcOptions & core::iana::kdc_options::renewable) != 0 && tgt.renewTill) {
    body.rtime = *tgt.renewTill;
  }
  body.nonce = out.nonce;
  body.etype = options.etypes;
  out.bodyDer = msg::encode(body);

  const auto* info = core::crypto::findEnctype(tgt.sessionKey.enctype);
  if (info == nullptr) {
    return core::makeError(ErrorCategory::Crypto, "unsupported_enctype",
                           "TGT session key enctype " + std::to_string(tgt.sessionKey.enctype));
  }
  const auto now = toKerberosTimestamp(clock.now());
  msg::Authenticator auth;
  auth.crealm = tgt.client.realm;
  auth.cname = tgt.client.name;
  if (options.bodyChecksum) {
    KP_TRY(
        core::Bytes cksum,
        core::crypto::makeChecksum(
            tgt.sessionKey, toUsage(KeyUsage::TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR_CHKSUM), out.bodyDer));
    auth.cksum = msg::Checksum{info->checksumType, std::move(cksum)};
  }
  auth.ctime = now.seconds;
  auth.cusec = now.micros;
  if (options.useSubkey) {
    KP_TRY(core::crypto::Key subkey, core::crypto::generateKey(tgt.sessionKey.enctype, rng));
    auth.subkey = msg::EncryptionKey{subkey.enctype, subkey.value};
    out.subkey = std::move(subkey);
  }
  KP_TRY(core::Bytes encAuth,
         core::crypto::encrypt(tgt.sessionKey, toUsage(KeyUsage::TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR),
                               msg::encode(auth), rng));

  msg::ApReq apReq;
  apReq.apOptions = 0;
  apReq.ticket = tgt.ticket;
  apReq.authenticator = msg::EncryptedData{tgt.sessionKey.enctype, std::nullopt, std::move(encAuth)};

  msg::TgsReq req;
  req.padata = msg::MethodData{msg::PaData{core::iana::PaType::PA_TGS_REQ, msg::encode(apReq)}};
  req.reqBody = std::move(body);
  out.bytes = msg::encode(req);

  // The checksum must cover the req-body exactly as it goes on the wire: check what the encoder produced.
  KP_TRY(auto sent, msg::decode<msg::TgsReq>(out.bytes));
  if (sent.reqBody.raw != out.bodyDer) {
    return core::makeError(ErrorCategory::Internal, "req_body_mismatch",
                           "TGS-REQ.req-body on the wire differs from the bytes the checksum covers");
  }
  return out;
}

}  // namespace

core::Result<TgsRequest> buildTgsRequest(const Credential& tgt, const Principal& server,
                                         const core::Clock& clock, core::Rng& rng,
                                         const TgsRequestOptions& options) {
  return build(tgt, server, false, clock, rng, options);
}

core::Result<TgsRequest> buildRenewalRequest(const Credential& ticket, const core::Clock& clock,
                                             core::Rng& rng, const TgsRequestOptions& options) {
  if (!ticket.renewable()) {
    return core::makeError(ErrorCategory::Protocol, "not_renewable",
                           "the ticket for " + ticket.server.text() + " is not renewable");
  }
  return build(ticket, ticket.server, true, clock, rng, options);
}

core::Result<Credential> processTgsReply(const TgsRequest& request, const Credential& tgt,
                                         core::BytesView reply) {
  KP_TRY(auto krbError, asKrbError(reply));
  if (krbError) {
    return krbErrorToError(*krbError, request.server.text());
  }
  if (msg::peekMsgType(reply) != core::iana::MsgType::KRB_TGS_REP) {
    return core::makeError(ErrorCategory::Protocol, "unexpected_reply",
                           "the KDC answered a TGS-REQ with neither TGS-REP nor KRB-ERROR");
  }
  KP_TRY(msg::TgsRep rep, msg::decode<msg::TgsRep>(reply));

  const core::crypto::Key& key = request.subkey ? *request.subkey : tgt.sessionKey;
  const auto usage = request.subkey ? toUsage(KeyUsage::TGS_REP_ENCPART_AUTHENTICATOR_SUB_KEY)
                                    : toUsage(KeyUsage::TGS_REP_ENCPART_SESSION_KEY);
  auto plain = core::crypto::decrypt(key, usage, rep.encPart.cipher);
  if (!plain.ok()) {
    return std::move(plain).error().within("TGS-REP.enc-part for " + request.server.text());
  }
  auto part = msg::decode<msg::EncKdcRepPart>(*plain);
  core::secureWipe(*plain);
  if (!part.ok()) {
    return std::move(part).error();
  }

  if (part->nonce != request.nonce) {
    return core::makeError(ErrorCategory::Protocol, "nonce_mismatch",
                           "TGS-REP.enc-part.nonce " + std::to_string(part->nonce) + " is not the nonce " +
                               std::to_string(request.nonce) + " sent");
  }
  if (!sameNameIgnoreCase(rep.cname, tgt.client.name) || !equalsIgnoreCase(rep.crealm, tgt.client.realm)) {
    return core::makeError(ErrorCategory::Protocol, "cname_mismatch",
                           "TGS-REP names client " + Principal{rep.cname, rep.crealm}.text() +
                               ", the TGT is for " + tgt.client.text());
  }
  const Principal got{part->sname, part->srealm};
  if (!isTgsPrincipal(request.server.name) && isTgsPrincipal(part->sname)) {
    return core::makeError(ErrorCategory::Protocol, "referral_not_followed",
                           "the KDC referred " + request.server.text() + " to " + got.text() +
                               " (cross-realm referrals are not followed)");
  }
  if (!sameNameIgnoreCase(part->sname, request.server.name) ||
      !equalsIgnoreCase(part->srealm, request.server.realm) || !sameName(part->sname, rep.ticket.sname)) {
    return core::makeError(ErrorCategory::Protocol, "sname_mismatch",
                           "TGS-REP.enc-part.sname " + got.text() + " is not " + request.server.text() +
                               " or differs from the ticket's");
  }
  return makeCredential(rep, *part);
}

}  // namespace kerbpool::client
