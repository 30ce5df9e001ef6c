#include "frontend/node.hpp"

#include <algorithm>
#include <cctype>

#include "core/common/log.hpp"
#include "frontend/request_handler.hpp"

namespace kerbpool::frontend {

FrontendNode::FrontendNode(FrontendNodeConfig config, std::unique_ptr<NodeCredentials> credentials,
                           const core::Clock& clock, core::Rng& rng)
    : config_(std::move(config)),
      credentials_(std::move(credentials)),
      replayCache_(clock, config_.replay),
      filter_(config_.auth, replayCache_, clock, rng),
      clock_(clock) {
  if (config_.webServices) {
    webTickets_ =
        std::make_unique<WebTicketService>(*config_.webServices, config_.name, webTicketKeys_, clock, rng);
  }
}

bool FrontendNode::mayBlock(const HttpRequest& request) const {
  if (config_.auth.ntlm == nullptr) {
    return false;
  }
  if (webTickets_ && WebTicketService::isPasswordGrant(request)) {
    return true;  // the node's own NTLM logon for a password sign-in
  }
  const auto auth = request.header("Authorization");
  if (!auth) {
    return false;
  }
  constexpr std::string_view kNegotiate = "Negotiate ";
  if (auth->size() <= kNegotiate.size() ||
      !std::equal(kNegotiate.begin(), kNegotiate.end(), auth->begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      })) {
    return true;  // the NTLM scheme, or anything else: let the blocking pool take it
  }
  // A GSS initial-context token ([APPLICATION 0], 0x60, base64 "Y...") is a Kerberos AP-REQ or a SPNEGO
  // init (an NTLM NEGOTIATE at most): no DC. A negTokenResp or raw NTLMSSP may carry an AUTHENTICATE.
  const std::string_view token = auth->substr(kNegotiate.size());
  const std::size_t start = token.find_first_not_of(' ');
  return start == std::string_view::npos || token[start] != 'Y';
}

HttpResponse FrontendNode::handleWebServices(const HttpRequest& request, ConnectionContext& connection) {
  const std::string node = config_.name;
  if (WebTicketService::isDiscoveryRoot(request) || WebTicketService::isMetadata(request)) {
    // Anonymous: they only say where and how to sign in.
    std::lock_guard lock(mu_);
    ++stats_.requests;
    ++stats_.health;
    HttpResponse r = WebTicketService::isMetadata(request) ? webTickets_->metadata(request)
                                                           : webTickets_->discoverRoot(request);
    r.add(std::string(kNodeHeader), node);
    return r;
  }
  if (WebTicketService::isPasswordGrant(request)) {
    // The Lync Web App's forms sign-in: the node checks the password with the DC itself (blocking: an NTLM
    // pass-through).
    auto [decision, response] = webTickets_->issueForPassword(request, config_.auth.ntlm);
    response.add(std::string(kNodeHeader), node);
    count(request, decision, response.status);
    return response;
  }
  if (WebTicketService::isCertificateGrant(request)) {
    // The client certificate is the credential: no integrated authentication, no directory.
    auto [decision, response] = webTickets_->issueForCertificate(request);
    response.add(std::string(kNodeHeader), node);
    count(request, decision, response.status);
    return response;
  }
  if (WebTicketService::takesWebTicket(request)) {
    const Decision decision = checkWebTicket(request, webTickets_->config(), webTicketKeys_, clock_.now());
    HttpResponse response = std::holds_alternative<Allow>(decision)
                                ? webTickets_->webTicketResource(request, std::get<Allow>(decision))
                                : protectedResponse(request, decision, node);
    if (std::holds_alternative<Allow>(decision) &&
        response.headers.end() == std::find_if(response.headers.begin(), response.headers.end(),
                                               [](const auto& h) { return h.first == kNodeHeader; })) {
      response.add(std::string(kNodeHeader), node);
    }
    count(request, decision, response.status);
    return response;
  }
  // The WebTicket service: integrated Windows authentication buys the ticket.
  const AcceptorKeysConstSharedPtr keys = credentials_->current();
  const Decision decision = filter_.decide(request, connection, *keys);
  connection.handshakePending = ntlmHandshakePending(connection);
  HttpResponse response = std::holds_alternative<Allow>(decision)
                              ? webTickets_->issue(request, std::get<Allow>(decision))
                              : protectedResponse(request, decision, node);
  if (std::holds_alternative<Allow>(decision)) {
    response.add(std::string(kNodeHeader), node);
  }
  count(request, decision, response.status);
  return response;
}

HttpResponse FrontendNode::handle(const HttpRequest& request, ConnectionContext& connection) {
  if (webTickets_ && WebTicketService::handles(request)) {
    return handleWebServices(request, connection);
  }
  if (!isProtected(request)) {
    std::lock_guard lock(mu_);
    ++stats_.requests;
    ++stats_.health;
    return healthResponse(config_.name);
  }
  const AcceptorKeysConstSharedPtr keys = credentials_->current();
  const Decision decision = filter_.decide(request, connection, *keys);
  connection.handshakePending = ntlmHandshakePending(connection);
  HttpResponse response = protectedResponse(request, decision, config_.name);
  count(request, decision, response.status);
  return response;
}

namespace {

constexpr std::size_t kMaxLoggedPath = 200;

// The request's path for a log line: the client chose it, so it is cut short.
std::string loggedPath(const HttpRequest& request) {
  const std::string_view path = requestPath(request.target);
  return path.size() <= kMaxLoggedPath ? std::string(path)
                                       : std::string(path.substr(0, kMaxLoggedPath)) + "...";
}

}  // namespace

void FrontendNode::count(const HttpRequest& request, const Decision& decision, unsigned status) {
  const std::string what =
      std::to_string(status) + " for " + request.peer + " " + request.method + " " + loggedPath(request);
  if (const auto* allow = std::get_if<Allow>(&decision)) {
    core::logInfo(config_.name, what + ": " + allow->identity.user + " (" + allow->identity.mechanism +
                                    (allow->fromConnection ? ", authenticated connection)" : ")"));
  } else if (const auto* challenge = std::get_if<Challenge>(&decision)) {
    core::logDebug(config_.name, what + ": " + challenge->reason);
  } else {
    const auto& deny = std::get<Deny>(decision);
    core::logWarn(config_.name, what + ": " + deny.code + ": " + deny.detail);
  }
  std::lock_guard lock(mu_);
  ++stats_.requests;
  if (const auto* allow = std::get_if<Allow>(&decision)) {
    ++stats_.allowed;
    stats_.allowedByConnection += allow->fromConnection ? 1 : 0;
    ++stats_.allowedByUser[allow->identity.user];
    ++stats_.allowedByMechanism[allow->identity.mechanism];
  } else if (std::holds_alternative<Challenge>(decision)) {
    ++stats_.challenged;
  } else {
    ++stats_.denied;
    ++stats_.deniedByReason[std::get<Deny>(decision).code];
  }
}

NodeStats FrontendNode::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace kerbpool::frontend
