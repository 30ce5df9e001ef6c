#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/acceptor/channel_bindings.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/ntlm/ntlm_challenge.hpp"
#include "frontend/auth_filter.hpp"
#include "frontend/secure_channel.hpp"

// The front-end's NTLM module (MS-NLMP server side, MS-NTHT over HTTP): NEGOTIATE -> 401 with a CHALLENGE
// kept in the connection's state; AUTHENTICATE -> Netlogon pass-through over the node's secure channel
// (the node never sees a password) -> Allow as user@REALM or Deny. Raw (`NTLM <b64>`), raw NTLMSSP under
// Negotiate, and NTLMSSP inside SPNEGO (accept-incomplete + CHALLENGE, accept-completed + mechListMIC).
//
// The CHALLENGE is bound to the connection that carried it: an AUTHENTICATE on another connection, or at
// another node, finds no pending CHALLENGE and is refused with ntlm_no_challenge_on_connection. That is
// what breaks NTLM behind a load balancer that spreads one handshake's requests.
namespace kerbpool::frontend {

// Codes of the NTLM module's refusals (Deny::code). Windows tells the client nothing more than 401; the
// node's log line and counters carry the NTSTATUS name.
namespace ntlm_codes {
// AUTHENTICATE on a connection where this node issued no CHALLENGE.
inline constexpr std::string_view kNoChallengeOnConnection = "ntlm_no_challenge_on_connection";
// The DC could not be asked: STATUS_NO_LOGON_SERVERS (MaxConcurrentApi wait timeout, DC unreachable).
inline constexpr std::string_view kDcUnavailable = "ntlm_dc_unavailable";
// The DC refused the logon (wrong password, unknown user, disabled...), or the MIC did not verify.
inline constexpr std::string_view kLogonFailure = "ntlm_logon_failure";
// NTLMSSP bytes that do not decode (bad signature, truncated, buffers outside the message, bad AV pairs).
inline constexpr std::string_view kMalformedMessage = "ntlm_malformed_message";
// A well-formed NTLM message out of place: a CHALLENGE from a client, a NEGOTIATE where an AUTHENTICATE
// was due in SPNEGO, an unknown MessageType.
inline constexpr std::string_view kUnexpectedMessage = "ntlm_unexpected_message";
}  // namespace ntlm_codes

struct NtlmHandlerConfig {
  std::string node = "fe01";               // tags pending CHALLENGEs, names the node in reasons
  std::string realm = "CONTOSO.TEST";      // identity user@REALM
  std::string channel = "FE01$";           // the secure channel's owner (the node's machine account)
  core::ntlm::ChallengeOptions challenge;  // target info names of the CHALLENGE
  std::size_t maxMessageBytes = core::ntlm::kDefaultMaxMessageBytes;
  // IIS's Extended Protection: the AUTHENTICATE's MsvAvChannelBindings against this connection's TLS channel
  // (core::acceptor::checkChannelBindings), checked before the pass-through, so a refusal costs the DC
  // nothing.
  core::acceptor::ExtendedProtection extendedProtection = core::acceptor::ExtendedProtection::Off;
};

// Names for a node in a domain: NetBIOS domain "CONTOSO" (default: first label of the realm), computer
// FE01 / fe01.contoso.test, channel FE01$.
NtlmHandlerConfig ntlmConfigFor(const std::string& node, const std::string& realm,
                                const std::string& netbiosDomain = "");

// Counters of one NTLM module. byOutcome: what ended each AUTHENTICATE, by NTSTATUS name from the DC
// ("STATUS_SUCCESS", "STATUS_WRONG_PASSWORD"...; a secure channel that fails counts as
// STATUS_NO_LOGON_SERVERS) or by the local check's code ("mic_mismatch", "bad_mech_list_mic"...).
struct NtlmStats {
  std::uint64_t negotiates = 0;                         // NEGOTIATE answered with a CHALLENGE
  std::uint64_t authenticates = 0;                      // AUTHENTICATE messages received
  std::uint64_t passThroughs = 0;                       // validations sent over the secure channel
  std::uint64_t authenticated = 0;                      // Allow
  std::map<std::string, std::uint64_t> deniedByReason;  // ntlm_* code -> count
  std::map<std::string, std::uint64_t> byOutcome;

  std::uint64_t outcome(const std::string& name) const {
    auto it = byOutcome.find(name);
    return it == byOutcome.end() ? 0 : it->second;
  }
  std::uint64_t deniedFor(std::string_view code) const {
    auto it = deniedByReason.find(std::string(code));
    return it == deniedByReason.end() ? 0 : it->second;
  }
};

// Thread-safe (different connections concurrently). handle() blocks for the secure channel's round trip.
class NtlmPassThroughHandler final : public NtlmHandler {
 public:
  // channel, clock and rng must outlive the handler.
  NtlmPassThroughHandler(NtlmHandlerConfig config, SecureChannel& channel, const core::Clock& clock,
                         core::Rng& rng);

  Decision handle(const core::acceptor::NegotiateNtlm& message, const HttpRequest& request,
                  ConnectionContext& connection, ConnectionAuthState& state) override;
  Decision handleSpnegoContinuation(const core::spnego::NegTokenResp& token, const HttpRequest& request,
                                    ConnectionContext& connection, ConnectionAuthState& state) override;

  NtlmStats stats() const;
  const NtlmHandlerConfig& config() const { return config_; }

 private:
  struct Leg;  // one NTLM message and how it arrived (ntlm_handler.cpp)

  Decision dispatch(const Leg& leg, ConnectionContext& connection, ConnectionAuthState& state);
  Decision challenge(const Leg& leg, ConnectionContext& connection, ConnectionAuthState& state);
  Decision authenticate(const Leg& leg, NtlmHandshake handshake, const ConnectionContext& connection,
                        ConnectionAuthState& state);
  Decision selectNtlmssp(const Leg& leg, ConnectionContext& connection, ConnectionAuthState& state);
  Deny deny(std::string_view code, std::string detail, std::string outcome = "");

  NtlmHandlerConfig config_;
  SecureChannel& channel_;
  const core::Clock& clock_;
  core::Rng& rng_;
  mutable std::mutex mu_;
  NtlmStats stats_;
};

// For scenario runners and `kerbpool frontend`: an NTLM module over a secure channel (in process or
// network).
std::unique_ptr<NtlmPassThroughHandler> makeNtlmHandler(NtlmHandlerConfig config, SecureChannel& channel,
                                                        const core::Clock& clock, core::Rng& rng);

}  // namespace kerbpool::frontend
