#include "frontend/auth_filter.hpp"

#include <algorithm>

#include "core/acceptor/acceptor_error.hpp"
#include "core/spnego/negotiate_header.hpp"

namespace kerbpool::frontend {

using core::ErrorCategory;
using core::makeError;
using core::acceptor::NegotiateAccepted;
using core::acceptor::NegotiateContinue;
using core::acceptor::NegotiateNtlm;
using core::acceptor::NegotiateOptions;
using core::acceptor::NegotiateOutcome;
using core::acceptor::NegotiateRejected;
using core::spnego::AuthScheme;
using core::spnego::formatAuthHeader;

namespace {

using net::kWwwAuthenticate;
constexpr std::size_t kMaxSchemeShown = 24;

// The scheme word of an Authorization value, printable and short: never the credentials after it.
std::string schemeOf(std::string_view value) {
  const auto start = value.find_first_not_of(" \t");
  if (start == std::string_view::npos) {
    return "";
  }
  value.remove_prefix(start);
  value = value.substr(0, value.find_first_of(" \t"));
  std::string out;
  for (char c : value.substr(0, kMaxSchemeShown)) {
    out += (c > 0x20 && c < 0x7f) ? c : '?';
  }
  return value.size() > kMaxSchemeShown ? out + "..." : out;
}

// A bare NegotiationToken negTokenResp ([1] constructed): every SPNEGO token after the first.
bool isNegTokenResp(core::BytesView token) {
  return !token.empty() && token.front() == 0xa1;
}

bool isRawNtlmssp(core::BytesView token) {
  static constexpr std::string_view kSignature{"NTLMSSP\0", 8};
  return token.size() >= kSignature.size() &&
         std::equal(kSignature.begin(), kSignature.end(), token.begin(),
                    [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; });
}

Identity identityOf(const core::acceptor::AcceptedContext& context) {
  Identity id;
  // The account, as NTLM's pass-through names it, when the ticket says which (the PAC's role); else the name
  // in the ticket.
  id.user = context.accountPrincipal.empty() ? context.clientPrincipal : context.accountPrincipal;
  id.groups = context.groups.value_or(std::vector<std::string>{});
  id.servicePrincipal = context.servicePrincipal;
  id.kvno = context.kvno;
  return id;
}

}  // namespace

std::string_view toString(Persistence p) {
  return p == Persistence::PerRequest ? "per-request" : "per-connection";
}

core::Result<Persistence> parsePersistence(std::string_view text) {
  if (text == "per-request") {
    return Persistence::PerRequest;
  }
  if (text == "per-connection") {
    return Persistence::PerConnection;
  }
  return makeError(ErrorCategory::Config, "bad_persistence",
                   "persistence '" + std::string(text) + "' is not per-request or per-connection");
}

std::optional<core::acceptor::ChannelBindings> connectionBindings(const ConnectionContext& connection) {
  if (connection.tlsServerEndPoint.empty()) {
    return std::nullopt;
  }
  return core::acceptor::tlsServerEndPointBindings(
      core::BytesView(connection.tlsServerEndPoint.data(), connection.tlsServerEndPoint.size()));
}

ConnectionAuthState& connectionAuthState(ConnectionContext& connection) {
  if (!connection.authState) {
    connection.authState = std::make_shared<ConnectionAuthState>();
  }
  return *std::static_pointer_cast<ConnectionAuthState>(connection.authState);
}

bool ntlmHandshakePending(const ConnectionContext& connection) {
  return connection.authState &&
         std::static_pointer_cast<ConnectionAuthState>(connection.authState)->ntlm.has_value();
}

std::string_view decisionKind(const Decision& decision) {
  switch (decision.index()) {
    case 0:
      return "allow";
    case 1:
      return "challenge";
    default:
      return "deny";
  }
}

AuthFilter::AuthFilter(AuthFilterOptions options, core::acceptor::ReplayCache& replayCache,
                       const core::Clock& clock, core::Rng& rng)
    : options_(std::move(options)), replayCache_(replayCache), clock_(clock), rng_(rng) {}

HeaderList offeredChallenges(bool ntlm) {
  HeaderList h{{std::string(kWwwAuthenticate), formatAuthHeader(AuthScheme::Negotiate)}};
  if (ntlm) {
    h.emplace_back(std::string(kWwwAuthenticate), formatAuthHeader(AuthScheme::Ntlm));
  }
  return h;
}

HeaderList AuthFilter::challengeHeaders() const {
  return offeredChallenges(options_.ntlm != nullptr);
}

Deny AuthFilter::deny(std::string_view code, std::string detail, std::optional<core::BytesView> token) const {
  Deny d{std::string(code), std::move(detail), challengeHeaders()};
  if (token && options_.sendRejectToken) {
    d.headers.front().second = formatAuthHeader(AuthScheme::Negotiate, *token);
  }
  return d;
}

Decision AuthFilter::anonymous(ConnectionAuthState& state) const {
  state.negotiate.reset();  // a negotiation the client abandoned
  state.ntlm.reset();
  // NTLM authenticates the connection whatever the persistence (IIS: authPersistNonNTLM is for the others).
  if (state.identity &&
      (options_.persistence == Persistence::PerConnection || state.identity->mechanism == "ntlm")) {
    return Allow{*state.identity, {}, true};
  }
  return Challenge{challengeHeaders(), "no_credentials"};
}

Decision AuthFilter::decide(const HttpRequest& request, ConnectionContext& connection,
                            const core::acceptor::AcceptorKeys& keys) const {
  ConnectionAuthState& state = connectionAuthState(connection);
  const auto values = request.headerValues("Authorization");
  if (values.empty()) {
    Decision decision = anonymous(state);
    if (!state.identity) {
      connection.authState.reset();  // nothing to keep: an idle anonymous connection holds no auth state
    }
    return decision;
  }
  // From here on the request carries credentials: whatever the connection had is replaced by their outcome
  // (a refused token leaves the connection unauthenticated).
  state.identity.reset();
  std::optional<core::acceptor::NegotiateState> pending = std::move(state.negotiate);
  state.negotiate.reset();
  // An NTLM handshake goes on only if this request is its next leg (restored just before the handler).
  std::optional<NtlmHandshake> pendingNtlm = std::move(state.ntlm);
  state.ntlm.reset();
  if (values.size() > 1) {
    return deny(filter_codes::kMultipleAuthorization,
                "the request carries " + std::to_string(values.size()) + " Authorization fields");
  }
  auto header = core::spnego::parseAuthorization(values.front());
  if (!header.ok()) {
    if (header.error().code == "bad_scheme" && !schemeOf(values.front()).empty()) {
      return deny(filter_codes::kUnsupportedScheme, "Authorization scheme '" + schemeOf(values.front()) +
                                                        "' is not offered; this node offers Negotiate" +
                                                        (options_.ntlm != nullptr ? " and NTLM" : ""));
    }
    return deny(core::acceptor::codes::kMalformedToken, "Authorization header: " + header.error().message());
  }
  const core::Bytes& token = *header->token;
  if (header->scheme == AuthScheme::Ntlm || isRawNtlmssp(token)) {
    state.ntlm = std::move(pendingNtlm);
    return fromOutcome(NegotiateNtlm{token, false, header->scheme, {}}, request, connection, state);
  }
  if (options_.ntlm != nullptr && !pending && isNegTokenResp(token)) {
    // A SPNEGO continuation with no Kerberos negotiation pending here: NTLM's next leg inside Negotiate.
    auto resp = core::spnego::decodeNegTokenResp(token);
    if (!resp.ok()) {
      return deny(core::acceptor::codes::kMalformedToken, "SPNEGO NegTokenResp: " + resp.error().message());
    }
    state.ntlm = std::move(pendingNtlm);
    return options_.ntlm->handleSpnegoContinuation(*resp, request, connection, state);
  }
  NegotiateOptions negotiate{options_.verify, options_.apRep, true};
  if (negotiate.verify.extendedProtection != core::acceptor::ExtendedProtection::Off) {
    // This connection's channel: none on plain HTTP, which a token bound to a TLS channel cannot match.
    negotiate.verify.channelBindings = connectionBindings(connection);
  }
  const auto* pendingState = pending ? &*pending : nullptr;
  auto outcome =
      core::acceptor::acceptNegotiate(token, keys, replayCache_, clock_, rng_, negotiate, pendingState);
  if (options_.ntlm == nullptr && std::holds_alternative<NegotiateNtlm>(outcome)) {
    // A SPNEGO offer that NTLM would take. Nothing was verified or recorded: ask again without NTLM, which
    // selects a Kerberos mechanism the client also listed, or finds none.
    negotiate.acceptNtlm = false;
    auto kerberosOnly =
        core::acceptor::acceptNegotiate(token, keys, replayCache_, clock_, rng_, negotiate, pendingState);
    const auto* rejected = std::get_if<NegotiateRejected>(&kerberosOnly);
    if (rejected == nullptr || rejected->error.code != core::acceptor::codes::kNoCommonMech) {
      outcome = std::move(kerberosOnly);
    }
  }
  return fromOutcome(std::move(outcome), request, connection, state);
}

Decision AuthFilter::fromOutcome(NegotiateOutcome outcome, const HttpRequest& request,
                                 ConnectionContext& connection, ConnectionAuthState& state) const {
  if (auto* accepted = std::get_if<NegotiateAccepted>(&outcome)) {
    Allow allow{identityOf(accepted->context), {}, false};
    if (accepted->responseToken) {
      allow.headers.emplace_back(std::string(kWwwAuthenticate),
                                 formatAuthHeader(AuthScheme::Negotiate, *accepted->responseToken));
    }
    if (options_.persistence == Persistence::PerConnection) {
      state.identity = allow.identity;
    }
    return allow;
  }
  if (auto* more = std::get_if<NegotiateContinue>(&outcome)) {
    HeaderList h{
        {std::string(kWwwAuthenticate), formatAuthHeader(AuthScheme::Negotiate, more->responseToken)}};
    state.negotiate = std::move(more->state);
    return Challenge{std::move(h), "negotiate_continue"};
  }
  if (auto* rejected = std::get_if<NegotiateRejected>(&outcome)) {
    std::optional<core::BytesView> token;
    if (rejected->responseToken) {
      token = core::BytesView(*rejected->responseToken);
    }
    return deny(rejected->error.code, rejected->error.detail, token);
  }
  auto& ntlm = std::get<NegotiateNtlm>(outcome);
  if (options_.ntlm != nullptr) {
    return options_.ntlm->handle(ntlm, request, connection, state);
  }
  std::string how = ntlm.scheme == AuthScheme::Ntlm ? "an `Authorization: NTLM` token"
                    : ntlm.wrappedInSpnego          ? "a SPNEGO offer of NTLMSSP without Kerberos"
                                                    : "raw NTLMSSP under Negotiate";
  return deny(filter_codes::kNtlmNotEnabled,
              "the client sent " + how + "; NTLM is not enabled on this node (Negotiate/Kerberos only)");
}

}  // namespace kerbpool::frontend
