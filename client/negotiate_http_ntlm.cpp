// NegotiateHttpClient's NTLM handshake (MS-NLMP over HTTP, MS-NTHT): NEGOTIATE, CHALLENGE, AUTHENTICATE on
// one connection, bare (`Authorization: NTLM`) or inside SPNEGO with a mechListMIC.
#include <vector>

#include "client/auth_challenge.hpp"
#include "client/negotiate_http_attempt.hpp"
#include "client/negotiate_http_client.hpp"
#include "core/ntlm/ntlm_client.hpp"
#include "core/ntlm/ntlm_session.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/negotiate_header.hpp"
#include "core/spnego/oids.hpp"

namespace kerbpool::client {

using core::spnego::AuthScheme;
using core::spnego::formatAuthHeader;

namespace {

core::Bytes ntlmsspMech() {
  const auto oid = core::spnego::ntlmsspOid();
  return core::Bytes(oid.begin(), oid.end());
}

}  // namespace

void NegotiateHttpClient::runNtlm(Attempt& a, bool spnego, const std::string& why) {
  const std::string how = why + (profile_.tryKerberos ? ": fell back to NTLM" : ": NTLM");
  auto credentials = core::ntlm::credentialsFromPassword(user_.user, user_.domain, user_.password);
  if (!credentials.ok()) {
    a.fail(how + ", but: " + credentials.error().message(), credentials.error());
    return;
  }
  core::ntlm::ClientOptions ntlmOptions;
  ntlmOptions.workstation = user_.workstation;
  ntlmOptions.targetSpn = a.spn.spn;
  if (auto bindings = channelBindingsOf(*a.origin)) {
    auto hash = channelBindingsHash(*bindings);
    if (!hash.ok()) {
      a.fail(how + ", but hashing the channel bindings: " + hash.error().message(), hash.error());
      return;
    }
    ntlmOptions.channelBindings = *hash;
  }
  core::ntlm::NtlmClient ntlm(std::move(ntlmOptions), std::move(*credentials), clock_, rng_);
  auto negotiate = ntlm.negotiate();
  if (!negotiate.ok()) {
    a.fail(how + ", but the NEGOTIATE: " + negotiate.error().message(), negotiate.error());
    return;
  }

  const AuthScheme scheme = spnego ? AuthScheme::Negotiate : AuthScheme::Ntlm;
  const std::vector<core::Bytes> mechTypes{ntlmsspMech()};
  core::Bytes leg1 = *negotiate;
  if (spnego) {
    core::spnego::NegTokenInit init;
    init.mechTypes = mechTypes;
    init.mechToken = *negotiate;
    leg1 = core::spnego::encodeInitialToken(init);
  }
  auto r1 =
      send(a, formatAuthHeader(scheme, core::BytesView(leg1)),
           spnego ? "Negotiate: SPNEGO NegTokenInit with an NTLMSSP NEGOTIATE" : "NTLM: NTLMSSP NEGOTIATE");
  if (!r1.ok()) {
    a.fail(how + ", but sending the NEGOTIATE: " + r1.error().message(), r1.error());
    return;
  }
  if (r1->status != 401) {
    finish(a, OutcomeKind::Failed, *r1,
           how + ", but the server answered the NEGOTIATE with HTTP " + std::to_string(r1->status));
    return;
  }
  const ServerChallenges second = parseChallenges(r1->headerValues("WWW-Authenticate"));
  std::optional<core::Bytes> challenge;
  std::string missing;
  if (spnego && second.negotiateToken) {
    auto resp = core::spnego::decodeNegTokenResp(*second.negotiateToken);
    if (!resp.ok()) {
      missing = "its NegTokenResp: " + resp.error().message();
    } else if (resp->negState == core::spnego::NegState::Reject) {
      missing = "it rejected NTLMSSP";
    } else if (resp->supportedMech && !core::spnego::isNtlmMech(*resp->supportedMech)) {
      missing = "it selected another mechanism than NTLMSSP";
    } else {
      challenge = resp->responseToken;
    }
  } else if (!spnego) {
    challenge = second.ntlmToken;
  }
  if (!challenge) {
    finish(a, OutcomeKind::Failed, *r1,
           how + ", but the server sent no CHALLENGE" + (missing.empty() ? "" : " (" + missing + ")"));
    return;
  }
  const std::uint64_t serial = r1->connectionSerial;
  auto auth = ntlm.authenticate(*challenge);
  if (!auth.ok()) {
    finish(a, OutcomeKind::Failed, *r1, how + ", but the CHALLENGE: " + auth.error().message());
    a.out.error = auth.error();
    return;
  }
  core::Bytes leg3 = auth->message;
  std::optional<core::ntlm::NtlmSession> session;
  const core::Bytes mechTypesDer = core::spnego::encodeMechTypeList(mechTypes);
  if (spnego) {
    core::spnego::NegTokenResp resp;
    resp.responseToken = auth->message;
    auto created = core::ntlm::NtlmSession::create(auth->exportedSessionKey, auth->negotiateFlags,
                                                   core::ntlm::NtlmSession::Role::Client);
    if (created.ok()) {
      session.emplace(std::move(*created));
      if (options_.ntlmMechListMic) {
        auto mic = session->sign(mechTypesDer);
        if (mic.ok()) {
          resp.mechListMic = std::move(*mic);
        }
      }
    }
    leg3 = core::spnego::encodeNegTokenResp(resp);
  }
  const std::string authenticate =
      "NTLMSSP AUTHENTICATE (NTLMv2) for " + user_.domain + "\\" + user_.user + " from " + user_.workstation;
  auto r3 = send(a, formatAuthHeader(scheme, core::BytesView(leg3)),
                 spnego ? "Negotiate: SPNEGO NegTokenResp with an " + authenticate : "NTLM: " + authenticate);
  if (!r3.ok()) {
    a.fail(how + ", but sending the AUTHENTICATE: " + r3.error().message(), r3.error());
    return;
  }
  if (r3->connectionSerial != serial) {
    finish(a, OutcomeKind::Failed, *r3,
           how + ", but the connection closed during the NTLM handshake (CHALLENGE on connection " +
               std::to_string(serial) + ", AUTHENTICATE on connection " +
               std::to_string(r3->connectionSerial) + ")");
    return;
  }
  if (r3->status == 401) {
    const bool prompt = profile_.promptOnKerberosFailure;
    finish(a, prompt ? OutcomeKind::Prompt : OutcomeKind::Failed, *r3,
           how + ", but the server refused the NTLM credentials of " + user_.domain + "\\" + user_.user +
               (prompt ? ": credential prompt" : ""));
    return;
  }
  if (spnego) {
    const ServerChallenges last = parseChallenges(r3->headerValues("WWW-Authenticate"));
    if (last.negotiateToken) {
      auto resp = core::spnego::decodeNegTokenResp(*last.negotiateToken);
      if (!resp.ok() || resp->negState == core::spnego::NegState::Reject) {
        finish(a, OutcomeKind::Failed, *r3,
               how + ", but the server's final NegTokenResp is a reject or malformed");
        return;
      }
      if (resp->mechListMic && session) {
        auto verified = session->verify(mechTypesDer, *resp->mechListMic);
        if (!verified.ok()) {
          finish(a, OutcomeKind::Failed, *r3, how + ", but the server's mechListMIC did not verify");
          a.out.error = verified.error();
          return;
        }
      }
    }
  }
  finish(a, OutcomeKind::Ntlm, *r3, how);
  a.origin->authenticatedSerial = r3->connectionSerial;
  a.origin->authenticatedAs = OutcomeKind::Ntlm;
}

}  // namespace kerbpool::client
