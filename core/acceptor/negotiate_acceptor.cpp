#include "core/acceptor/negotiate_acceptor.hpp"

#include <algorithm>
#include <string>

#include "core/acceptor/acceptor_error.hpp"
#include "core/der/der_oid.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/krb_error.hpp"
#include "core/spnego/gss_framing.hpp"
#include "core/spnego/gss_tokens.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/oids.hpp"

namespace kerbpool::core::acceptor {

namespace {

using spnego::NegState;
using spnego::NegTokenResp;

// The injected dependencies of one call.
struct Env {
  const AcceptorKeys& keys;
  ReplayCache& cache;
  const Clock& clock;
  Rng& rng;
  const NegotiateOptions& options;
};

Bytes copyOf(BytesView v) {
  return Bytes(v.begin(), v.end());
}

std::string mechText(BytesView oid) {
  if (auto name = spnego::mechName(oid)) {
    return std::string(*name);
  }
  return der::oidToString(oid).value_or("an undecodable OID");
}

Bytes spnegoResp(std::optional<NegState> state, std::optional<Bytes> supportedMech,
                 std::optional<Bytes> token, std::optional<Bytes> mic) {
  NegTokenResp r;
  r.negState = state;
  r.supportedMech = std::move(supportedMech);
  r.responseToken = std::move(token);
  r.mechListMic = std::move(mic);
  return spnego::encodeNegTokenResp(r);
}

NegotiateRejected spnegoReject(Error error, std::optional<Bytes> mechToken = std::nullopt) {
  return NegotiateRejected{std::move(error),
                           spnegoResp(NegState::Reject, std::nullopt, std::move(mechToken), std::nullopt)};
}

// The KRB-ERROR token for a refused AP-REQ, when the AP-REQ decodes (its ticket names the service).
std::optional<Bytes> krbErrorToken(const Error& error, BytesView apReqDer, BytesView mechOid,
                                   const Clock& clock) {
  auto apReq = messages::decode<messages::ApReq>(apReqDer);
  if (!apReq.ok()) {
    return std::nullopt;
  }
  const messages::KrbError krbError =
      makeKrbError(error, clock.now(), apReq->ticket.realm, apReq->ticket.sname);
  return spnego::wrapKrb5Token(spnego::TokId::KrbError, messages::encode(krbError), mechOid);
}

// A krb5 context token carrying an AP-REQ, verified. Accepted: responseToken is the bare AP-REP token when
// mutual authentication was requested. Rejected: responseToken is the bare KRB-ERROR token when possible.
std::variant<NegotiateAccepted, NegotiateRejected> acceptKrb5Token(BytesView token, const Env& env) {
  auto krb5 = spnego::unwrapKrb5Token(token);
  if (!krb5.ok()) {
    return NegotiateRejected{acceptorError(codes::kMalformedToken, "krb5 token: " + krb5.error().message()),
                             std::nullopt};
  }
  if (krb5->tokId != spnego::TokId::ApReq) {
    return NegotiateRejected{
        acceptorError(
            codes::kMalformedToken,
            "krb5 token carries a " + std::string(spnego::toString(krb5->tokId)) + ", not an AP-REQ"),
        std::nullopt};
  }
  auto context = verifyApReq(krb5->message, env.keys, env.cache, env.clock, env.options.verify);
  if (!context.ok()) {
    Error error = std::move(context).error();
    auto errorToken = krbErrorToken(error, krb5->message, krb5->mechOid, env.clock);
    return NegotiateRejected{std::move(error), std::move(errorToken)};
  }
  NegotiateAccepted out;
  out.context = std::move(context).value();
  out.mechOid = krb5->mechOid;
  if (out.context.mutualRequested) {
    auto apRep = buildApRep(out.context, env.rng, env.options.apRep, krb5->mechOid);
    if (!apRep.ok()) {
      return NegotiateRejected{
          acceptorError(codes::kMalformedToken, "the session key of the ticket of " +
                                                    out.context.clientPrincipal +
                                                    " cannot make an AP-REP: " + apRep.error().message()),
          std::nullopt};
    }
    out.responseToken = std::move(apRep->token);
    out.contextKey = std::move(apRep->contextKey);
    out.contextKeyIsAcceptorSubkey = apRep->contextKeyIsAcceptorSubkey;
    out.acceptorSeqNumber = apRep->seqNumber;
  } else {
    // Without an AP-REP the acceptor's sequence starts at the initiator's (RFC 4121 4.2.1 via MIT).
    out.contextKey = out.context.initiatorContextKey();
    out.acceptorSeqNumber = out.context.initiatorSeqNumber.value_or(0);
  }
  return out;
}

// The client's mechListMIC over the DER of its MechTypeList, under the key RFC 4121 2 gives it: our acceptor
// subkey once the client has had our AP-REP carrying one (the token then has the AcceptorSubkey flag), else
// its own subkey or the ticket session key.
Status verifyClientMic(BytesView mic, BytesView mechTypesDer, const NegotiateAccepted& accepted,
                       bool clientHasApRep) {
  auto parsed = spnego::parseMicToken(mic);
  if (!parsed.ok()) {
    return acceptorError(codes::kBadMechListMic, "mechListMIC of " + accepted.context.clientPrincipal +
                                                     " is not a MIC token: " + parsed.error().message());
  }
  const bool expectAcceptorSubkey = clientHasApRep && accepted.contextKeyIsAcceptorSubkey;
  const bool flagged = (parsed->flags & spnego::token_flags::kAcceptorSubkey) != 0;
  if (flagged != expectAcceptorSubkey) {
    return acceptorError(
        codes::kBadMechListMic,
        "mechListMIC of " + accepted.context.clientPrincipal +
            (expectAcceptorSubkey ? " is not under the acceptor subkey sent in the AP-REP"
                                  : " claims an acceptor subkey the client has not received"));
  }
  const crypto::Key& key =
      expectAcceptorSubkey ? accepted.contextKey : accepted.context.initiatorContextKey();
  auto verified = spnego::verifyMicToken(key, spnego::GssRole::Initiator, mechTypesDer, mic);
  if (!verified.ok()) {
    return acceptorError(codes::kBadMechListMic, "mechListMIC of " + accepted.context.clientPrincipal +
                                                     " does not verify over the offered mechanism list: " +
                                                     verified.error().message());
  }
  return okStatus();
}

Result<Bytes> acceptorMic(BytesView mechTypesDer, const NegotiateAccepted& accepted) {
  spnego::TokenParams params;
  params.sender = spnego::GssRole::Acceptor;
  params.acceptorSubkey = accepted.contextKeyIsAcceptorSubkey;
  params.sndSeq = accepted.acceptorSeqNumber;
  auto mic = spnego::makeMicToken(accepted.contextKey, params, mechTypesDer);
  if (!mic.ok()) {
    return acceptorError(codes::kBadMechListMic,
                         "cannot make the acceptor's mechListMIC: " + mic.error().message());
  }
  return mic;
}

// The Kerberos leg inside SPNEGO (first leg optimistic, or second leg after a Continue). `supportedMech` is
// set on the first leg only.
NegotiateOutcome spnegoKrb5(BytesView krb5Token, BytesView mechTypesDer,
                            const std::optional<Bytes>& clientMic, bool micRequired,
                            std::optional<Bytes> supportedMech, const NegotiateState* state, const Env& env) {
  auto step = acceptKrb5Token(krb5Token, env);
  if (auto* rejected = std::get_if<NegotiateRejected>(&step)) {
    return spnegoReject(std::move(rejected->error), std::move(rejected->responseToken));
  }
  NegotiateAccepted accepted = std::get<NegotiateAccepted>(std::move(step));
  accepted.spnego = true;
  if (supportedMech) {
    accepted.mechOid = *supportedMech;
  } else if (state != nullptr) {
    accepted.mechOid = state->selectedMech;
  }
  if (clientMic) {
    if (auto s = verifyClientMic(*clientMic, mechTypesDer, accepted, false); !s.ok()) {
      return spnegoReject(std::move(s).error());
    }
  }
  std::optional<Bytes> ourMic;
  if (micRequired || clientMic) {
    auto mic = acceptorMic(mechTypesDer, accepted);
    if (!mic.ok()) {
      return spnegoReject(std::move(mic).error());
    }
    ourMic = std::move(mic).value();
  }
  std::optional<Bytes> apRepToken = std::move(accepted.responseToken);
  accepted.responseToken.reset();
  if (micRequired && !clientMic) {
    // RFC 4178 5: the client's MIC is still due; it comes with the next token.
    NegotiateContinue more;
    more.responseToken = spnegoResp(NegState::AcceptIncomplete, std::move(supportedMech),
                                    std::move(apRepToken), std::move(ourMic));
    more.state.mechTypesDer = copyOf(mechTypesDer);
    more.state.selectedMech = accepted.mechOid;
    more.state.micRequired = true;
    more.state.pending = std::move(accepted);
    return more;
  }
  if (apRepToken || ourMic) {
    accepted.responseToken = spnegoResp(NegState::AcceptCompleted, std::move(supportedMech),
                                        std::move(apRepToken), std::move(ourMic));
  }
  return accepted;
}

NegotiateContinue selectMech(const spnego::NegTokenInit& init, BytesView mech, bool micRequired) {
  NegotiateContinue more;
  more.responseToken = spnegoResp(NegState::AcceptIncomplete, copyOf(mech), std::nullopt, std::nullopt);
  more.state.mechTypesDer = init.mechTypesDer;
  more.state.selectedMech = copyOf(mech);
  more.state.micRequired = micRequired;
  return more;
}

NegotiateOutcome firstSpnegoLeg(const spnego::NegTokenInit& init, const Env& env) {
  if (init.mechTypes.empty()) {
    return spnegoReject(acceptorError(codes::kMalformedToken, "SPNEGO NegTokenInit lists no mechanism"));
  }
  const Bytes& first = init.mechTypes.front();
  if (spnego::isKerberosMech(first)) {
    if (!init.mechToken) {
      return selectMech(init, first, false);
    }
    return spnegoKrb5(*init.mechToken, init.mechTypesDer, init.mechListMic, false, first, nullptr, env);
  }
  if (spnego::isNtlmMech(first) && env.options.acceptNtlm) {
    return NegotiateNtlm{init.mechToken.value_or(Bytes{}), true, spnego::AuthScheme::Negotiate,
                         init.mechTypesDer};
  }
  const auto krb5 = std::find_if(init.mechTypes.begin() + 1, init.mechTypes.end(),
                                 [](const Bytes& m) { return spnego::isKerberosMech(m); });
  if (krb5 != init.mechTypes.end()) {
    return selectMech(init, *krb5, true);
  }
  const bool ntlmListed = std::any_of(init.mechTypes.begin(), init.mechTypes.end(),
                                      [](const Bytes& m) { return spnego::isNtlmMech(m); });
  if (ntlmListed && env.options.acceptNtlm) {
    return NegotiateNtlm{Bytes{}, true, spnego::AuthScheme::Negotiate, init.mechTypesDer};
  }
  std::string offered;
  for (const Bytes& m : init.mechTypes) {
    offered += (offered.empty() ? "" : ", ") + mechText(m);
  }
  return spnegoReject(acceptorError(codes::kNoCommonMech, "the client offers " + offered +
                                                              "; this acceptor takes Kerberos" +
                                                              (env.options.acceptNtlm ? " and NTLM" : "")));
}

NegotiateOutcome laterSpnegoLeg(BytesView token, const NegotiateState& state, const Env& env) {
  auto decoded = spnego::decodeNegotiationToken(token);
  if (!decoded.ok() || !std::holds_alternative<NegTokenResp>(*decoded)) {
    return spnegoReject(
        acceptorError(codes::kMalformedToken,
                      "expected the client's SPNEGO NegTokenResp: " +
                          (decoded.ok() ? std::string("got a NegTokenInit") : decoded.error().message())));
  }
  const NegTokenResp& resp = std::get<NegTokenResp>(*decoded);
  if (state.pending) {
    const NegotiateAccepted& pending = *state.pending;
    if (!resp.mechListMic) {
      return spnegoReject(acceptorError(
          codes::kBadMechListMic, "the client " + pending.context.clientPrincipal +
                                      " did not send the mechListMIC that RFC 4178 requires when Kerberos "
                                      "was not its first choice"));
    }
    if (auto s = verifyClientMic(*resp.mechListMic, state.mechTypesDer, pending, true); !s.ok()) {
      return spnegoReject(std::move(s).error());
    }
    NegotiateAccepted done = pending;
    done.responseToken = spnegoResp(NegState::AcceptCompleted, std::nullopt, std::nullopt, std::nullopt);
    return done;
  }
  if (!resp.responseToken) {
    return spnegoReject(acceptorError(codes::kMalformedToken,
                                      "the client's NegTokenResp carries no krb5 token after the acceptor "
                                      "selected " +
                                          mechText(state.selectedMech)));
  }
  return spnegoKrb5(*resp.responseToken, state.mechTypesDer, resp.mechListMic, state.micRequired,
                    std::nullopt, &state, env);
}

}  // namespace

NegotiateOutcome acceptNegotiate(BytesView token, const AcceptorKeys& keys, ReplayCache& replayCache,
                                 const Clock& clock, Rng& rng, const NegotiateOptions& options,
                                 const NegotiateState* state) {
  const Env env{keys, replayCache, clock, rng, options};
  if (state != nullptr) {
    return laterSpnegoLeg(token, *state, env);
  }
  auto initial = spnego::decodeInitialToken(token);
  if (!initial.ok()) {
    return NegotiateRejected{
        acceptorError(codes::kMalformedToken, "Negotiate token: " + initial.error().message()), std::nullopt};
  }
  switch (initial->kind) {
    case spnego::InitialTokenKind::RawNtlmssp:
      if (!options.acceptNtlm) {
        return NegotiateRejected{
            acceptorError(codes::kNoCommonMech,
                          "the client sent raw NTLMSSP; this acceptor takes Kerberos only"),
            std::nullopt};
      }
      return NegotiateNtlm{std::move(initial->ntlmssp), false, spnego::AuthScheme::Negotiate, {}};
    case spnego::InitialTokenKind::Krb5: {
      auto step = acceptKrb5Token(token, env);
      if (auto* accepted = std::get_if<NegotiateAccepted>(&step)) {
        accepted->spnego = false;
        return std::move(*accepted);
      }
      return std::get<NegotiateRejected>(std::move(step));
    }
    case spnego::InitialTokenKind::Spnego:
      break;
  }
  return firstSpnegoLeg(*initial->negTokenInit, env);
}

NegotiateOutcome acceptNegotiateHeader(std::string_view authorizationValue, const AcceptorKeys& keys,
                                       ReplayCache& replayCache, const Clock& clock, Rng& rng,
                                       const NegotiateOptions& options, const NegotiateState* state) {
  auto header = spnego::parseAuthorization(authorizationValue);
  if (!header.ok()) {
    return NegotiateRejected{
        acceptorError(codes::kMalformedToken, "Authorization header: " + header.error().message()),
        std::nullopt};
  }
  if (header->scheme == spnego::AuthScheme::Ntlm) {
    return NegotiateNtlm{std::move(*header->token), false, spnego::AuthScheme::Ntlm, {}};
  }
  return acceptNegotiate(*header->token, keys, replayCache, clock, rng, options, state);
}

}  // namespace kerbpool::core::acceptor
