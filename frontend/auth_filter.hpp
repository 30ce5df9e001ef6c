#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/acceptor/acceptor_keys.hpp"
#include "core/acceptor/negotiate_acceptor.hpp"
#include "core/acceptor/replay_cache.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/ntlm/ntlm_challenge.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/negotiate_header.hpp"
#include "net/http_message.hpp"

// The front-end's authentication step (Envoy's filter shape): request headers in, a Decision out, no I/O.
// HTTP Negotiate (RFC 4559) through core/acceptor; the decision is the only way to a 200 on a protected path.
namespace kerbpool::frontend {

// The HTTP exchange types a node works with come from the shared I/O library (net/http_message.hpp).
using net::ConnectionContext;
using net::HeaderList;
using net::HttpHandler;
using net::HttpRequest;
using net::HttpResponse;

// IIS's authPersistNonNTLM: whether a connection that authenticated stays authenticated.
enum class Persistence {
  PerRequest,     // every request must carry its own Negotiate token (authPersistNonNTLM=false)
  PerConnection,  // later requests without Authorization are the same user (authPersistNonNTLM=true)
};
std::string_view toString(Persistence p);
// "per-request" / "per-connection"; Config bad_persistence otherwise.
core::Result<Persistence> parsePersistence(std::string_view text);

// Codes the filter adds to the acceptor's (core/acceptor/acceptor_error.hpp, used as they are).
namespace filter_codes {
// An NTLM token (the NTLM scheme, raw NTLMSSP, or SPNEGO with NTLMSSP and no Kerberos) while this node has
// no NTLM module.
inline constexpr std::string_view kNtlmNotEnabled = "ntlm_not_enabled";
// An Authorization scheme other than Negotiate/NTLM (Basic, Bearer...).
inline constexpr std::string_view kUnsupportedScheme = "unsupported_scheme";
// Two or more Authorization fields in one request.
inline constexpr std::string_view kMultipleAuthorization = "multiple_authorization";
}  // namespace filter_codes

// Who the client is.
struct Identity {
  std::string user;                 // "alice@CONTOSO.TEST"
  std::vector<std::string> groups;  // from the ticket's group authdata; empty when it carries none
  std::string mechanism = "kerberos";
  std::string servicePrincipal;  // the ticket's service, "HTTP/pool.contoso.test"
  std::uint32_t kvno = 0;        // of the key that opened the ticket
  // mechanism "webticket": the node that issued the web ticket, and how the user signed in for it.
  std::string ticketIssuer;
  std::string ticketMechanism;
};

// Authenticated: serve the request. `headers` go on the response (the mutual-authentication token,
// `WWW-Authenticate: Negotiate <b64>`, when the client asked for it).
struct Allow {
  Identity identity;
  HeaderList headers;
  bool fromConnection = false;  // PerConnection: no token on this request, the connection's identity
};

// 401 inviting (another leg of) authentication: `WWW-Authenticate: Negotiate` (+ NTLM when offered) for an
// anonymous request, `WWW-Authenticate: Negotiate <b64>` for a SPNEGO continuation.
struct Challenge {
  HeaderList headers;
  std::string reason;  // "no_credentials" or "negotiate_continue"
};

// 401 refusing the credentials the client sent. `code` is an acceptor code or a filter code; `detail` a
// plain sentence for the node's log (key names and kvnos, never key material). `headers` challenge again
// (`WWW-Authenticate: Negotiate`, with the SPNEGO reject / KRB-ERROR token when the acceptor made one).
struct Deny {
  std::string code;
  std::string detail;
  HeaderList headers;
};

using Decision = std::variant<Allow, Challenge, Deny>;

// One NTLM handshake between the node's answer to NEGOTIATE and the client's AUTHENTICATE. The CHALLENGE
// is only good on the connection of the node that issued it (IIS keeps it in the connection's context), so
// it is tagged with both.
struct NtlmHandshake {
  // NEGOTIATE and CHALLENGE as sent (for the MIC); empty while a SPNEGO exchange that selected NTLMSSP
  // waits for the client's NEGOTIATE.
  core::ntlm::PendingChallenge pending;
  bool awaitingNegotiate = false;
  std::uint64_t connectionId = 0;
  std::string node;
  core::spnego::AuthScheme scheme = core::spnego::AuthScheme::Ntlm;
  bool spnego = false;       // the CHALLENGE went out in a NegTokenResp
  core::Bytes mechTypesDer;  // SPNEGO: the client's MechTypeList, input of both mechListMICs
  bool micRequired = false;  // SPNEGO: NTLMSSP was not the client's first mech (RFC 4178 5)
};

// What the filter keeps in ConnectionContext::authState (the only type stored there): a pending SPNEGO
// negotiation, a pending NTLM handshake, and the identity of a connection that authenticated (PerConnection,
// or NTLM: IIS keeps an NTLM-authenticated connection authenticated whatever authPersistNonNTLM says).
struct ConnectionAuthState {
  std::optional<core::acceptor::NegotiateState> negotiate;
  std::optional<NtlmHandshake> ntlm;
  std::optional<Identity> identity;
};

// The NTLM module's seam (frontend/ntlm_handler.hpp implements it). With a handler, anonymous challenges
// also offer `WWW-Authenticate: NTLM` and NTLM tokens are handed to it; without one they are refused with
// ntlm_not_enabled. Its Allow should also set state.identity (NTLM persistence).
class NtlmHandler {
 public:
  virtual ~NtlmHandler() = default;
  // A first NTLM token: `Authorization: NTLM <b64>`, raw NTLMSSP under Negotiate, or SPNEGO offering
  // NTLMSSP (first, or listed without Kerberos).
  virtual Decision handle(const core::acceptor::NegotiateNtlm& message, const HttpRequest& request,
                          ConnectionContext& connection, ConnectionAuthState& state) = 0;
  // A later SPNEGO leg (`Authorization: Negotiate <b64 NegTokenResp>`) while no Kerberos negotiation is
  // pending on the connection: NTLM's AUTHENTICATE (or its NEGOTIATE after a NTLMSSP selection) in
  // responseToken, with the client's mechListMIC.
  virtual Decision handleSpnegoContinuation(const core::spnego::NegTokenResp& token,
                                            const HttpRequest& request, ConnectionContext& connection,
                                            ConnectionAuthState& state) = 0;
};

struct AuthFilterOptions {
  Persistence persistence = Persistence::PerRequest;
  core::acceptor::VerifyOptions verify;
  core::acceptor::ApRepOptions apRep;
  // Put the acceptor's SPNEGO reject (with its KRB-ERROR) in the 401 of a refused token, as an RFC 4559
  // final token; false: a bare `WWW-Authenticate: Negotiate`.
  bool sendRejectToken = true;
  NtlmHandler* ntlm = nullptr;  // not owned; null: NTLM not enabled
};

// The filter of one node. decide() may run concurrently for different connections (the replay cache and
// rng are thread-safe); one connection's state is touched only by its own requests.
class AuthFilter {
 public:
  // replayCache, clock and rng must outlive the filter.
  AuthFilter(AuthFilterOptions options, core::acceptor::ReplayCache& replayCache, const core::Clock& clock,
             core::Rng& rng);

  // `keys`: the node's keys in force for this request.
  //   no Authorization: Allow from the connection (PerConnection, already authenticated), else Challenge;
  //   Authorization: Negotiate <b64>: the acceptor's outcome (Allow, Challenge for another leg, Deny);
  //   anything unreadable or refused: Deny with its code.
  Decision decide(const HttpRequest& request, ConnectionContext& connection,
                  const core::acceptor::AcceptorKeys& keys) const;

  const AuthFilterOptions& options() const { return options_; }

 private:
  Decision fromOutcome(core::acceptor::NegotiateOutcome outcome, const HttpRequest& request,
                       ConnectionContext& connection, ConnectionAuthState& state) const;
  Decision anonymous(ConnectionAuthState& state) const;
  HeaderList challengeHeaders() const;
  Deny deny(std::string_view code, std::string detail, std::optional<core::BytesView> token = {}) const;

  AuthFilterOptions options_;
  core::acceptor::ReplayCache& replayCache_;
  const core::Clock& clock_;
  core::Rng& rng_;
};

// The WWW-Authenticate fields of an anonymous 401: `Negotiate`, then `NTLM` when NTLM is offered (IIS order).
HeaderList offeredChallenges(bool ntlm);

// The channel bindings of a TLS connection (tls-server-end-point of the certificate this server presents), or
// nullopt on plain HTTP: what Extended Protection compares a client's bindings with.
std::optional<core::acceptor::ChannelBindings> connectionBindings(const ConnectionContext& connection);

// The state in a connection's authState (created empty on first use).
ConnectionAuthState& connectionAuthState(ConnectionContext& connection);

// Whether the connection is between the legs of an NTLM handshake (creates no state).
bool ntlmHandshakePending(const ConnectionContext& connection);

// "allow", "challenge", "deny".
std::string_view decisionKind(const Decision& decision);

}  // namespace kerbpool::frontend
