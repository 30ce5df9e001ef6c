#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "client/credential.hpp"
#include "core/acceptor/channel_bindings.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "core/spnego/gss_checksum.hpp"

// The GSS-API krb5 initiator (RFC 4121) as a protocol step: the AP-REQ context token for a service ticket,
// wrapped in SPNEGO for HTTP Negotiate (RFC 4559), and the check of the acceptor's AP-REP.
namespace kerbpool::client {

// gss_channel_bindings_struct (RFC 2744 3.11) and its MD5, the Bnd (RFC 4121 4.1.1.2): the acceptor's own,
// so that both sides flatten the bindings one way.
using core::acceptor::ChannelBindings;
using core::acceptor::channelBindingsHash;

enum class SpnegoMechList {
  Krb5,         // {krb5}: MIT, curl
  MsKrb5First,  // {MS-krb5, krb5}: what Windows sends (the mech token keeps the krb5 OID framing)
};

struct InitiatorOptions {
  // RFC 4121 context flags in the 0x8003 checksum: curl's GSSAPI request as MIT completes it.
  std::uint32_t gssFlags = core::spnego::gss_flags::kMutual | core::spnego::gss_flags::kReplay |
                           core::spnego::gss_flags::kSequence | core::spnego::gss_flags::kConf |
                           core::spnego::gss_flags::kInteg;
  std::optional<ChannelBindings> channelBindings;  // none: Bnd all zero
  bool spnego = true;                              // false: the bare krb5 token
  SpnegoMechList mechList = SpnegoMechList::Krb5;
};

// What the initiator remembers to check the AP-REP and to protect messages afterwards.
struct InitiatorContext {
  Principal server;
  core::crypto::Key sessionKey;  // the ticket's session key (AP-REP enc-part, usage 12)
  core::crypto::Key subkey;      // the authenticator's subkey
  core::messages::KerberosTime ctime = 0;
  core::messages::Microseconds cusec = 0;
  std::uint32_t seqNumber = 0;
  std::uint32_t gssFlags = 0;
  bool mutual = false;
};

struct InitiatorToken {
  core::Bytes token;      // what goes after "Negotiate ": SPNEGO NegTokenInit, or the krb5 token
  core::Bytes krb5Token;  // 60 .. <mech OID> 01 00 AP-REQ
  core::Bytes apReq;      // the AP-REQ alone
  InitiatorContext context;
};

// Builds the AP-REQ: authenticator (usage 11) with ctime/cusec from the clock, a random subkey of the
// session key's enctype, a random seq-number and the 0x8003 checksum; ap-options mutual-required when
// the flags ask for mutual authentication.
core::Result<InitiatorToken> buildInitiatorToken(const Credential& service, const core::Clock& clock,
                                                 core::Rng& rng, const InitiatorOptions& options = {});

// The result of mutual authentication.
struct MutualAuthResult {
  std::optional<core::crypto::Key> acceptorSubkey;
  std::optional<std::uint32_t> acceptorSeqNumber;
  // The key for per-message tokens (RFC 4121 2): the acceptor subkey, else the initiator subkey.
  core::crypto::Key contextKey;
};

// Verifies the acceptor's answer: a bare NegTokenResp (a1 ..) carrying the krb5 AP-REP token, or the krb5
// token itself (60 .. 02 00 AP-REP). Decrypts the AP-REP with the session key (usage 12) and requires the
// authenticator's ctime/cusec. Errors: Protocol spnego_reject, no_response_token, unexpected_mech,
// mutual_auth_failed (ctime/cusec differ); a KRB-ERROR token becomes its typed error (kdc_error.hpp);
// Integrity bad_integrity; Decoding.
core::Result<MutualAuthResult> verifyAcceptorToken(const InitiatorContext& context, core::BytesView token);

}  // namespace kerbpool::client
