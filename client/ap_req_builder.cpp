#include "client/ap_req_builder.hpp"

#include <algorithm>
#include <variant>

#include "client/kdc_error.hpp"
#include "core/crypto/primitives.hpp"
#include "core/iana/ap_options.hpp"
#include "core/iana/key_usage.hpp"
#include "core/messages/ap_rep.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/spnego/gss_framing.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/oids.hpp"

namespace kerbpool::client {
namespace {

namespace msg = core::messages;
namespace spnego = core::spnego;
using core::ErrorCategory;
using core::iana::KeyUsage;
using core::iana::toUsage;

// MIT krb5_generate_seq_number keeps the initial sequence number below 2^30 for old peers.
std::uint32_t freshSeqNumber(core::Rng& rng) {
  const auto n = static_cast<std::uint32_t>(rng.next64() & 0x3fffffffu);
  return n == 0 ? 1 : n;
}

}  // namespace

core::Result<InitiatorToken> buildInitiatorToken(const Credential& service, const core::Clock& clock,
                                                 core::Rng& rng, const InitiatorOptions& options) {
  spnego::GssChecksum gss;
  gss.flags = options.gssFlags & ~spnego::gss_flags::kDeleg;  // no delegation: no KRB-CRED to send
  if (options.channelBindings) {
    KP_TRY(gss.bnd, channelBindingsHash(*options.channelBindings));
  }
  KP_TRY(core::Bytes gssChecksum, spnego::encodeGssChecksum(gss));

  InitiatorToken out;
  InitiatorContext& ctx = out.context;
  ctx.server = service.server;
  ctx.sessionKey = service.sessionKey;
  KP_TRY(ctx.subkey, core::crypto::generateKey(service.sessionKey.enctype, rng));
  const auto now = toKerberosTimestamp(clock.now());
  ctx.ctime = now.seconds;
  ctx.cusec = now.micros;
  ctx.seqNumber = freshSeqNumber(rng);
  ctx.gssFlags = gss.flags;
  ctx.mutual = (gss.flags & spnego::gss_flags::kMutual) != 0;

  msg::Authenticator auth;
  auth.crealm = service.client.realm;
  auth.cname = service.client.name;
  auth.cksum = msg::Checksum{spnego::kGssChecksumType, std::move(gssChecksum)};
  auth.ctime = ctx.ctime;
  auth.cusec = ctx.cusec;
  auth.subkey = msg::EncryptionKey{ctx.subkey.enctype, ctx.subkey.value};
  auth.seqNumber = ctx.seqNumber;
  KP_TRY(core::Bytes encAuth,
         core::crypto::encrypt(service.sessionKey, toUsage(KeyUsage::AP_REQ_AUTHENTICATOR), msg::encode(auth),
                               rng));

  msg::ApReq apReq;
  apReq.apOptions = ctx.mutual ? core::iana::ap_options::mutual_required : 0;
  apReq.ticket = service.ticket;
  apReq.authenticator = msg::EncryptedData{service.sessionKey.enctype, std::nullopt, std::move(encAuth)};
  out.apReq = msg::encode(apReq);

  // Windows lists MS-krb5 first but still frames the mech token with the krb5 OID.
  const bool msFirst = options.mechList == SpnegoMechList::MsKrb5First;
  out.krb5Token = spnego::wrapKrb5Token(spnego::TokId::ApReq, out.apReq, spnego::krb5Oid());
  if (!options.spnego) {
    out.token = out.krb5Token;
    return out;
  }
  spnego::NegTokenInit init;
  if (msFirst) {
    init.mechTypes.emplace_back(spnego::msKrb5Oid().begin(), spnego::msKrb5Oid().end());
  }
  init.mechTypes.emplace_back(spnego::krb5Oid().begin(), spnego::krb5Oid().end());
  init.mechToken = out.krb5Token;
  out.token = spnego::encodeInitialToken(init);
  return out;
}

core::Result<MutualAuthResult> verifyAcceptorToken(const InitiatorContext& context, core::BytesView token) {
  if (token.empty()) {
    return core::makeError(ErrorCategory::Decoding, "empty_token", "the acceptor's token is empty");
  }
  core::Bytes krb5Token;
  if (token[0] == 0x60) {
    krb5Token.assign(token.begin(), token.end());
  } else {
    KP_TRY(spnego::NegTokenResp resp, spnego::decodeNegTokenResp(token));
    if (resp.negState == spnego::NegState::Reject) {
      return core::makeError(ErrorCategory::Protocol, "spnego_reject",
                             "the acceptor rejected the context for " + context.server.text());
    }
    if (resp.supportedMech && !spnego::isKerberosMech(*resp.supportedMech)) {
      return core::makeError(ErrorCategory::Protocol, "unexpected_mech",
                             "the acceptor chose a mechanism other than Kerberos");
    }
    if (!resp.responseToken) {
      return core::makeError(ErrorCategory::Protocol, "no_response_token",
                             "NegTokenResp for " + context.server.text() + " carries no AP-REP");
    }
    krb5Token = std::move(*resp.responseToken);
  }
  KP_TRY(spnego::Krb5Token framed, spnego::unwrapKrb5Token(krb5Token));
  if (framed.tokId == spnego::TokId::KrbError) {
    KP_TRY(auto krbError, msg::decode<msg::KrbError>(framed.message));
    return krbErrorToError(krbError, context.server.text());
  }
  if (framed.tokId != spnego::TokId::ApRep) {
    return core::makeError(
        ErrorCategory::Protocol, "unexpected_token",
        std::string("expected an AP-REP token, got ") + std::string(spnego::toString(framed.tokId)));
  }
  KP_TRY(msg::ApRep apRep, msg::decode<msg::ApRep>(framed.message));
  auto plain =
      core::crypto::decrypt(context.sessionKey, toUsage(KeyUsage::AP_REP_ENCPART), apRep.encPart.cipher);
  if (!plain.ok()) {
    return std::move(plain).error().within("AP-REP.enc-part from " + context.server.text());
  }
  KP_TRY(msg::EncApRepPart part, msg::decode<msg::EncApRepPart>(*plain));
  core::secureWipe(*plain);
  if (part.ctime != context.ctime || part.cusec != context.cusec) {
    return core::makeError(ErrorCategory::Protocol, "mutual_auth_failed",
                           "AP-REP ctime/cusec " + std::to_string(part.ctime) + "." +
                               std::to_string(part.cusec) + " do not repeat the authenticator's " +
                               std::to_string(context.ctime) + "." + std::to_string(context.cusec));
  }
  MutualAuthResult result;
  if (part.subkey) {
    result.acceptorSubkey = core::crypto::Key{part.subkey->keytype, part.subkey->keyvalue};
  }
  result.acceptorSeqNumber = part.seqNumber;
  result.contextKey = result.acceptorSubkey ? *result.acceptorSubkey : context.subkey;
  return result;
}

}  // namespace kerbpool::client
