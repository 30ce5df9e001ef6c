#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "core/acceptor/acceptor_keys.hpp"
#include "core/acceptor/ap_rep_builder.hpp"
#include "core/acceptor/ap_req_verifier.hpp"
#include "core/acceptor/replay_cache.hpp"
#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "core/spnego/negotiate_header.hpp"

// The server side of RFC 4559 HTTP Negotiate for one `Authorization: Negotiate <b64>` token: SPNEGO
// (RFC 4178, MS-SPNG) around krb5 (RFC 4121), a bare krb5 token, or NTLMSSP handed to the NTLM module.
// Pure: no sockets, no HTTP; keys, replay cache, clock and rng are passed in.
namespace kerbpool::core::acceptor {

struct NegotiateOptions {
  VerifyOptions verify;
  ApRepOptions apRep;
  // Hand NTLMSSP (raw, or SPNEGO with NTLMSSP first) to the NTLM module. When false, a SPNEGO offer with
  // NTLMSSP first but Kerberos listed selects Kerberos, and raw NTLMSSP is refused (no_common_mech).
  bool acceptNtlm = true;
};

// The client is authenticated.
struct NegotiateAccepted {
  AcceptedContext context;
  // The token for `WWW-Authenticate: Negotiate <b64>` on the success response, present when mutual
  // authentication was requested or a mechListMIC is due: for SPNEGO a NegTokenResp { accept-completed,
  // supportedMech (first leg only), responseToken = krb5 AP-REP token, mechListMIC? }, for a bare krb5 token
  // the bare AP-REP token.
  std::optional<Bytes> responseToken;
  bool spnego = true;  // false: the client sent a bare krb5 token
  Bytes mechOid;       // the Kerberos OID negotiated (MS-krb5 when the client listed it first)
  // The per-message key of the established context (RFC 4121 2) and the acceptor's sequence number.
  crypto::Key contextKey;
  bool contextKeyIsAcceptorSubkey = false;
  std::uint32_t acceptorSeqNumber = 0;
};

// State a connection keeps between the legs of one SPNEGO negotiation (RFC 4559 4.2: the server answers
// 401 with the continuation token; the next request on that connection carries the client's answer).
struct NegotiateState {
  Bytes mechTypesDer;        // the client's MechTypeList, input of both mechListMICs
  Bytes selectedMech;        // the Kerberos OID announced in supportedMech
  bool micRequired = false;  // Kerberos was not the client's first choice (RFC 4178 5)
  // The Kerberos context is established but the client's mechListMIC is still due.
  std::optional<NegotiateAccepted> pending;
};

// Another leg is needed: send `401` + `WWW-Authenticate: Negotiate <b64 responseToken>` and pass `state` with
// the client's next token.
struct NegotiateContinue {
  Bytes responseToken;  // NegTokenResp { accept-incomplete, supportedMech?, responseToken?, mechListMIC? }
  NegotiateState state;
};

struct NegotiateRejected {
  Error error;  // code from acceptor_error.hpp
  // NegTokenResp { reject, responseToken = krb5 KRB-ERROR token when the AP-REQ decoded } for SPNEGO, the
  // bare KRB-ERROR token for a bare krb5 AP-REQ; absent when nothing sensible can be said (bytes that are
  // not a token at all).
  std::optional<Bytes> responseToken;
};

// NTLM: not handled here (core/ntlm). `ntlmMessage` is the NTLMSSP message ("NTLMSSP\0..."), empty when
// the client's SPNEGO offer lists NTLMSSP but carries no NTLM token for it (NTLMSSP listed but not first:
// the NTLM module answers with accept-incomplete selecting NTLMSSP).
struct NegotiateNtlm {
  Bytes ntlmMessage;
  bool wrappedInSpnego = false;  // answer with a NegTokenResp around the CHALLENGE
  spnego::AuthScheme scheme = spnego::AuthScheme::Negotiate;  // Ntlm when the header said "NTLM"
  Bytes mechTypesDer;                                         // SPNEGO only: for NTLM's own mechListMIC
};

using NegotiateOutcome = std::variant<NegotiateAccepted, NegotiateContinue, NegotiateRejected, NegotiateNtlm>;

// One token, already base64-decoded. First leg (state == nullptr): a SPNEGO NegTokenInit (or
// NegTokenInit2), a bare krb5 AP-REQ token or raw NTLMSSP. Later legs: the bare NegTokenResp the client sent
// in answer to a NegotiateContinue, with that continue's state.
//   - SPNEGO, first mech Kerberos (krb5, MS-krb5, old krb5) with a mechToken: the AP-REQ is verified now.
//     If the client sent a mechListMIC it is verified (bad_mech_list_mic) and answered with ours.
//   - SPNEGO, first mech Kerberos without mechToken, or Kerberos listed later (the first mech being one we
//     do not take): NegotiateContinue selecting that Kerberos OID (accept-incomplete, RFC 4178 3.2).
//     Both mechListMICs are then required; the context completes when the client's MIC has verified.
//   - SPNEGO with NTLMSSP first, or raw NTLMSSP: NegotiateNtlm (when options.acceptNtlm).
//   - Nothing usable: NegotiateRejected no_common_mech; undecodable bytes: malformed_token.
NegotiateOutcome acceptNegotiate(BytesView token, const AcceptorKeys& keys, ReplayCache& replayCache,
                                 const Clock& clock, Rng& rng, const NegotiateOptions& options = {},
                                 const NegotiateState* state = nullptr);

// The same from an `Authorization` header value ("Negotiate <b64>" or "NTLM <b64>"). A value that does not
// parse (bad base64, no token, another scheme, too large) is NegotiateRejected malformed_token; the NTLM
// scheme gives NegotiateNtlm { scheme = Ntlm }.
NegotiateOutcome acceptNegotiateHeader(std::string_view authorizationValue, const AcceptorKeys& keys,
                                       ReplayCache& replayCache, const Clock& clock, Rng& rng,
                                       const NegotiateOptions& options = {},
                                       const NegotiateState* state = nullptr);

}  // namespace kerbpool::core::acceptor
