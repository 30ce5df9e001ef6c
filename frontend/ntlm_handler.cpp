#include "frontend/ntlm_handler.hpp"

#include <cctype>

#include "core/acceptor/acceptor_error.hpp"
#include "core/common/http_text.hpp"
#include "core/der/der_reader.hpp"
#include "core/ntlm/ntlm_session.hpp"
#include "core/spnego/oids.hpp"
#include "netlogon/nt_status.hpp"

namespace kerbpool::frontend {

using core::Bytes;
using core::BytesView;
using core::ErrorCategory;
using core::ntlm::MessageType;
using core::spnego::AuthScheme;
using core::spnego::NegState;
using core::spnego::NegTokenResp;
using netlogon::NtStatus;

namespace {

using net::kWwwAuthenticate;
constexpr std::string_view kMechanism = "ntlm";
constexpr std::size_t kMaxNameShown = 64;

// A client-chosen name (user, domain, workstation) for a log line: printable and short.
std::string shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxNameShown)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u != 0x7f) ? c : '?';
  }
  return text.size() > kMaxNameShown ? out + "..." : out;
}

std::string lower(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// RFC 4178 5: the mechListMIC is required unless the selected mech is the client's first choice.
bool ntlmsspIsFirst(BytesView mechTypesDer) {
  core::der::Reader top(mechTypesDer);
  auto list = top.enterSequence("MechTypeList");
  if (!list.ok()) {
    return false;
  }
  auto first = list->readOid("MechType");
  return first.ok() && core::spnego::isNtlmMech(*first);
}

Bytes ntlmsspOid() {
  const auto oid = core::spnego::ntlmsspOid();
  return Bytes(oid.begin(), oid.end());
}

std::string messageName(std::uint32_t type) {
  switch (type) {
    case static_cast<std::uint32_t>(MessageType::Negotiate):
      return "NEGOTIATE";
    case static_cast<std::uint32_t>(MessageType::Challenge):
      return "CHALLENGE";
    case static_cast<std::uint32_t>(MessageType::Authenticate):
      return "AUTHENTICATE";
    default:
      return "MessageType " + std::to_string(type);
  }
}

}  // namespace

// One NTLM message and how it arrived.
struct NtlmPassThroughHandler::Leg {
  BytesView message;  // NTLMSSP
  AuthScheme scheme = AuthScheme::Ntlm;
  bool spnego = false;
  bool firstSpnegoLeg = false;  // the reply names supportedMech
  Bytes mechTypesDer;           // first SPNEGO leg: the client's MechTypeList
  std::optional<Bytes> clientMic;
  const HttpRequest* request = nullptr;
};

NtlmHandlerConfig ntlmConfigFor(const std::string& node, const std::string& realm,
                                const std::string& netbiosDomain) {
  NtlmHandlerConfig c;
  c.node = node;
  c.realm = core::toUpperAscii(realm);
  c.channel = core::toUpperAscii(node) + "$";
  const std::string dnsDomain = lower(realm);
  c.challenge.nbDomainName = netbiosDomain.empty()
                                 ? core::toUpperAscii(dnsDomain.substr(0, dnsDomain.find('.')))
                                 : core::toUpperAscii(netbiosDomain);
  c.challenge.nbComputerName = core::toUpperAscii(node);
  c.challenge.dnsDomainName = dnsDomain;
  c.challenge.dnsComputerName = lower(node) + "." + dnsDomain;
  c.challenge.dnsTreeName = dnsDomain;
  return c;
}

NtlmPassThroughHandler::NtlmPassThroughHandler(NtlmHandlerConfig config, SecureChannel& channel,
                                               const core::Clock& clock, core::Rng& rng)
    : config_(std::move(config)), channel_(channel), clock_(clock), rng_(rng) {}

std::unique_ptr<NtlmPassThroughHandler> makeNtlmHandler(NtlmHandlerConfig config, SecureChannel& channel,
                                                        const core::Clock& clock, core::Rng& rng) {
  return std::make_unique<NtlmPassThroughHandler>(std::move(config), channel, clock, rng);
}

NtlmStats NtlmPassThroughHandler::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

Deny NtlmPassThroughHandler::deny(std::string_view code, std::string detail, std::string outcome) {
  {
    std::lock_guard lock(mu_);
    ++stats_.deniedByReason[std::string(code)];
    if (!outcome.empty()) {
      ++stats_.byOutcome[outcome];
    }
  }
  return Deny{std::string(code), std::move(detail), offeredChallenges(true)};
}

Decision NtlmPassThroughHandler::handle(const core::acceptor::NegotiateNtlm& message,
                                        const HttpRequest& request, ConnectionContext& connection,
                                        ConnectionAuthState& state) {
  Leg leg;
  leg.message = message.ntlmMessage;
  leg.scheme = message.scheme;
  leg.spnego = message.wrappedInSpnego;
  leg.firstSpnegoLeg = message.wrappedInSpnego;
  leg.mechTypesDer = message.mechTypesDer;
  leg.request = &request;
  if (leg.spnego) {
    state.ntlm.reset();  // a NegTokenInit starts a new negotiation
    if (message.ntlmMessage.empty()) {
      return selectNtlmssp(leg, connection, state);
    }
  }
  return dispatch(leg, connection, state);
}

Decision NtlmPassThroughHandler::handleSpnegoContinuation(const NegTokenResp& token,
                                                          const HttpRequest& request,
                                                          ConnectionContext& connection,
                                                          ConnectionAuthState& state) {
  if (token.negState == NegState::Reject) {
    state.ntlm.reset();
    return deny(ntlm_codes::kUnexpectedMessage, "the client's NegTokenResp rejects the negotiation");
  }
  if (!token.responseToken) {
    state.ntlm.reset();
    return deny(ntlm_codes::kMalformedMessage, "the client's NegTokenResp carries no NTLM token");
  }
  Leg leg;
  leg.message = *token.responseToken;
  leg.scheme = AuthScheme::Negotiate;
  leg.spnego = true;
  leg.clientMic = token.mechListMic;
  leg.request = &request;
  return dispatch(leg, connection, state);
}

Decision NtlmPassThroughHandler::selectNtlmssp(const Leg& leg, ConnectionContext& connection,
                                               ConnectionAuthState& state) {
  // NTLMSSP listed after mechanisms this node does not take, without a token: select it (RFC 4178 3.2);
  // the client's NEGOTIATE follows in a NegTokenResp.
  NtlmHandshake hs;
  hs.awaitingNegotiate = true;
  hs.connectionId = connection.id;
  hs.node = config_.node;
  hs.scheme = leg.scheme;
  hs.spnego = true;
  hs.mechTypesDer = leg.mechTypesDer;
  hs.micRequired = !ntlmsspIsFirst(leg.mechTypesDer);
  state.ntlm = std::move(hs);
  NegTokenResp resp;
  resp.negState = NegState::AcceptIncomplete;
  resp.supportedMech = ntlmsspOid();
  const Bytes token = core::spnego::encodeNegTokenResp(resp);
  return Challenge{
      {{std::string(kWwwAuthenticate), formatAuthHeader(AuthScheme::Negotiate, BytesView(token))}},
      "ntlm_select"};
}

Decision NtlmPassThroughHandler::dispatch(const Leg& leg, ConnectionContext& connection,
                                          ConnectionAuthState& state) {
  auto type = core::ntlm::peekMessageType(leg.message, config_.maxMessageBytes);
  if (!type.ok()) {
    state.ntlm.reset();
    return deny(ntlm_codes::kMalformedMessage, "NTLM token: " + type.error().message());
  }
  if (*type == static_cast<std::uint32_t>(MessageType::Negotiate)) {
    return challenge(leg, connection, state);
  }
  if (*type != static_cast<std::uint32_t>(MessageType::Authenticate)) {
    state.ntlm.reset();
    return deny(ntlm_codes::kUnexpectedMessage, "the client sent an NTLM " + messageName(*type) +
                                                    "; a client sends NEGOTIATE or AUTHENTICATE");
  }
  {
    std::lock_guard lock(mu_);
    ++stats_.authenticates;
  }
  std::optional<NtlmHandshake> hs = std::move(state.ntlm);
  state.ntlm.reset();
  if (!hs || hs->awaitingNegotiate || hs->connectionId != connection.id || hs->node != config_.node) {
    std::string detail = "AUTHENTICATE without a CHALLENGE from " + config_.node +
                         " on this connection: the load balancer probably sent the handshake's legs to "
                         "different nodes or connections";
    if (hs && !hs->awaitingNegotiate) {
      detail += " (the pending CHALLENGE is from " + hs->node + " on connection " +
                std::to_string(hs->connectionId) + ")";
    }
    return deny(ntlm_codes::kNoChallengeOnConnection, std::move(detail));
  }
  return authenticate(leg, std::move(*hs), connection, state);
}

Decision NtlmPassThroughHandler::challenge(const Leg& leg, ConnectionContext& connection,
                                           ConnectionAuthState& state) {
  std::optional<NtlmHandshake> previous = std::move(state.ntlm);
  state.ntlm.reset();
  NtlmHandshake hs;
  hs.connectionId = connection.id;
  hs.node = config_.node;
  hs.scheme = leg.scheme;
  hs.spnego = leg.spnego;
  if (leg.spnego && !leg.firstSpnegoLeg) {
    // A NEGOTIATE in a NegTokenResp: only after this node selected NTLMSSP on this connection.
    if (!previous || !previous->awaitingNegotiate || previous->connectionId != connection.id) {
      return deny(ntlm_codes::kUnexpectedMessage, "NEGOTIATE in a SPNEGO continuation, but " + config_.node +
                                                      " selected no NTLMSSP on this connection");
    }
    hs.mechTypesDer = previous->mechTypesDer;
    hs.micRequired = previous->micRequired;
  } else if (leg.spnego) {
    hs.mechTypesDer = leg.mechTypesDer;
    hs.micRequired = !ntlmsspIsFirst(leg.mechTypesDer);
  }
  auto pending =
      core::ntlm::buildChallenge(leg.message, config_.challenge, rng_, clock_, config_.maxMessageBytes);
  if (!pending.ok()) {
    const auto code = pending.error().category == ErrorCategory::Decoding ? ntlm_codes::kMalformedMessage
                                                                          : ntlm_codes::kUnexpectedMessage;
    return deny(code, "NEGOTIATE: " + pending.error().message());
  }
  hs.pending = std::move(*pending);
  Bytes token = hs.pending.challenge;
  if (leg.spnego) {
    NegTokenResp resp;
    resp.negState = NegState::AcceptIncomplete;
    if (leg.firstSpnegoLeg) {
      resp.supportedMech = ntlmsspOid();
    }
    resp.responseToken = std::move(token);
    token = core::spnego::encodeNegTokenResp(resp);
  }
  state.ntlm = std::move(hs);
  {
    std::lock_guard lock(mu_);
    ++stats_.negotiates;
  }
  return Challenge{{{std::string(kWwwAuthenticate), formatAuthHeader(leg.scheme, BytesView(token))}},
                   "ntlm_challenge"};
}

Decision NtlmPassThroughHandler::authenticate(const Leg& leg, NtlmHandshake hs,
                                              const ConnectionContext& connection,
                                              ConnectionAuthState& state) {
  auto read = core::ntlm::readAuthenticate(leg.message, config_.maxMessageBytes);
  if (!read.ok()) {
    if (read.error().category == ErrorCategory::Decoding) {
      return deny(ntlm_codes::kMalformedMessage, "AUTHENTICATE: " + read.error().message());
    }
    return deny(ntlm_codes::kLogonFailure,
                "AUTHENTICATE refused before pass-through: " + read.error().message(), read.error().code);
  }
  const auto& m = read->message;
  const std::string who =
      shown(m.domainName) + "\\" + shown(m.userName) + " (workstation " + shown(m.workstation) + ")";
  if (config_.extendedProtection != core::acceptor::ExtendedProtection::Off) {
    std::optional<std::array<std::uint8_t, 16>> expected;
    if (const auto bindings = connectionBindings(connection)) {
      auto hash = core::acceptor::channelBindingsHash(*bindings);
      if (!hash.ok()) {
        return deny(ntlm_codes::kLogonFailure, who + ": " + hash.error().message(), hash.error().code);
      }
      expected = *hash;
    }
    const auto* sent = read->clientBlob.avPairs.find(core::ntlm::AvId::MsvAvChannelBindings);
    auto bound = core::acceptor::checkChannelBindings(
        config_.extendedProtection, expected,
        sent != nullptr ? core::BytesView(sent->value) : core::BytesView());
    if (!bound.ok()) {
      return deny(bound.error().code, who + ": " + bound.error().detail, "SEC_E_BAD_BINDINGS");
    }
  }
  PassThroughRequest request;
  request.user = m.userName;
  request.domain = m.domainName;
  request.workstation = m.workstation;
  request.serverChallenge.assign(hs.pending.serverChallenge.begin(), hs.pending.serverChallenge.end());
  request.ntChallengeResponse = m.ntChallengeResponse;
  request.lmChallengeResponse = m.lmChallengeResponse;
  request.channel = config_.channel;
  {
    std::lock_guard lock(mu_);
    ++stats_.passThroughs;
  }
  auto response = channel_.validate(request);
  const std::string noServers = netlogon::toString(NtStatus::STATUS_NO_LOGON_SERVERS);
  if (!response.ok()) {
    return deny(ntlm_codes::kDcUnavailable,
                who + ": " + noServers + ": the secure channel " + config_.channel +
                    " could not reach the DC: " + response.error().message(),
                noServers);
  }
  if (response->status == NtStatus::STATUS_NO_LOGON_SERVERS) {
    return deny(ntlm_codes::kDcUnavailable,
                who + ": " + noServers + " from the secure channel " + config_.channel +
                    (response->detail.empty() ? "" : " (" + response->detail + ")"),
                noServers);
  }
  const std::string status = netlogon::toString(response->status);
  if (response->status != NtStatus::STATUS_SUCCESS) {
    return deny(
        ntlm_codes::kLogonFailure,
        who + ": the DC answered " + status + (response->detail.empty() ? "" : " (" + response->detail + ")"),
        status);
  }
  auto context = core::ntlm::completeAuthenticate(hs.pending, leg.message, response->sessionBaseKey,
                                                  config_.maxMessageBytes);
  if (!context.ok()) {
    return deny(ntlm_codes::kLogonFailure,
                who + ": the DC accepted the response but " + context.error().message(),
                context.error().code);
  }
  HeaderList headers;
  if (leg.spnego) {
    const bool answerMic = leg.clientMic.has_value() || hs.micRequired;
    std::optional<Bytes> ourMic;
    if (answerMic) {
      auto session = core::ntlm::NtlmSession::create(context->exportedSessionKey, context->negotiateFlags,
                                                     core::ntlm::NtlmSession::Role::Server);
      if (!session.ok()) {
        return deny(core::acceptor::codes::kBadMechListMic,
                    who + ": no NTLM session for the mechListMIC: " + session.error().message(),
                    "bad_mech_list_mic");
      }
      if (!leg.clientMic) {
        return deny(
            core::acceptor::codes::kBadMechListMic,
            who + ": NTLMSSP was not the client's first mechanism but it sent no mechListMIC (RFC 4178 5)",
            "bad_mech_list_mic");
      }
      if (auto verified = session->verify(hs.mechTypesDer, *leg.clientMic); !verified.ok()) {
        return deny(core::acceptor::codes::kBadMechListMic,
                    who + ": the client's mechListMIC does not verify: " + verified.error().message(),
                    "bad_mech_list_mic");
      }
      auto mic = session->sign(hs.mechTypesDer);
      if (!mic.ok()) {
        return deny(core::acceptor::codes::kBadMechListMic,
                    who + ": signing our mechListMIC: " + mic.error().message(), "bad_mech_list_mic");
      }
      ourMic = std::move(*mic);
    }
    NegTokenResp resp;
    resp.negState = NegState::AcceptCompleted;
    resp.mechListMic = std::move(ourMic);
    const Bytes token = core::spnego::encodeNegTokenResp(resp);
    headers.emplace_back(std::string(kWwwAuthenticate),
                         formatAuthHeader(AuthScheme::Negotiate, BytesView(token)));
  }
  Identity identity;
  if (!response->accountName.empty()) {
    identity.user = response->accountName + "@" + config_.realm;
  } else if (!response->userPrincipalName.empty()) {
    identity.user = response->userPrincipalName;
  } else {
    identity.user = context->user + "@" + config_.realm;
  }
  identity.groups = response->groups;
  identity.mechanism = std::string(kMechanism);
  state.identity = identity;  // IIS keeps an NTLM-authenticated connection authenticated
  {
    std::lock_guard lock(mu_);
    ++stats_.authenticated;
    ++stats_.byOutcome[status];
  }
  return Allow{std::move(identity), std::move(headers), false};
}

}  // namespace kerbpool::frontend
