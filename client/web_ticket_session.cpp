#include "client/web_ticket_session.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "client/json_field.hpp"

namespace kerbpool::client {

namespace {

constexpr std::string_view kDiscoverRoot = "/autodiscover/autodiscoverservice.svc/root";
constexpr std::string_view kWindowsGrant = "grant_type=urn%3Amicrosoft.rtc%3Awindows";

// The user resource's link in the discovery root's JSON ({"_links":{"user":{"href":"..."}}}); nullopt when
// the body is not that (never throws: the body is untrusted).
std::optional<std::string> userLink(const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  const nlohmann::json::json_pointer at("/_links/user/href");
  if (!doc.is_object() || !doc.contains(at) || !doc.at(at).is_string()) {
    return std::nullopt;
  }
  return doc.at(at).get<std::string>();
}

// The token answer's expires_in, in seconds, when it is a positive integer.
std::optional<std::int64_t> expiresIn(const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("expires_in") || !doc["expires_in"].is_number_integer() ||
      doc["expires_in"].get<std::int64_t>() <= 0) {
    return std::nullopt;
  }
  return doc["expires_in"].get<std::int64_t>();
}

// The server's refusal code from a 401 body "401 Unauthorized: unknown_pool_key".
std::string refusalCode(const RequestOutcome& o) {
  const std::string_view prefix = "401 Unauthorized: ";
  std::string_view b = o.body;
  if (b.rfind(prefix, 0) == 0) {
    b.remove_prefix(prefix.size());
    return std::string(b.substr(0, std::min(b.find_first_of("\r\n"), std::size_t{100})));
  }
  return std::to_string(o.status);
}

}  // namespace

std::optional<std::string> msRtcOAuthHref(const std::vector<std::string>& challenges) {
  for (const auto& c : challenges) {
    if (c.size() < 11 || c.compare(0, 11, "MsRtcOAuth ") != 0) {
      continue;
    }
    const auto at = c.find("href=\"");
    if (at == std::string::npos) {
      continue;
    }
    const auto end = c.find('"', at + 6);
    if (end == std::string::npos || end == at + 6) {
      continue;
    }
    return c.substr(at + 6, end - at - 6);
  }
  return std::nullopt;
}

WebTicketSession::WebTicketSession(NegotiateHttpClient& http, const core::Clock& clock, std::string origin,
                                   WebTicketSessionOptions options)
    : http_(http), clock_(clock), origin_(std::move(origin)), options_(options) {}

bool WebTicketSession::signIn(WebTicketRequest& r) {
  if (userHref_.empty()) {
    // Lync discover: the open root names the user resource.
    const RequestOutcome root = http_.get(origin_ + std::string(kDiscoverRoot));
    const auto link = root.status == 200 ? userLink(root.body) : std::nullopt;
    if (!link) {
      r.outcome = root;
      r.outcome.kind = OutcomeKind::Failed;
      r.outcome.reason = "Lync discover: no user link from " + root.url + " (" + root.reason + ")";
      return false;
    }
    userHref_ = *link;
  }
  if (oauthHref_.empty()) {
    // The user resource without a ticket: the MsRtcOAuth challenge names the WebTicket service.
    const RequestOutcome user = http_.get(userHref_);
    const auto href = msRtcOAuthHref(user.challenges);
    if (!href) {
      r.outcome = user;
      r.outcome.kind = OutcomeKind::Failed;
      r.outcome.reason = "the user resource " + userHref_ + " answered " + std::to_string(user.status) +
                         " without an MsRtcOAuth challenge (" + user.reason + ")";
      return false;
    }
    oauthHref_ = *href;
  }
  RequestOutcome token =
      http_.post(oauthHref_, std::string(kWindowsGrant), "application/x-www-form-urlencoded");
  const bool authenticated = token.kind == OutcomeKind::Kerberos || token.kind == OutcomeKind::Ntlm;
  const auto accessToken = topLevelJsonString(token.body, "access_token");
  const auto lifetime = expiresIn(token.body);
  if (token.status == 200 && authenticated && accessToken && lifetime) {
    ticket_ = *accessToken;
    expires_ = clock_.now() + std::chrono::seconds(*lifetime);
    r.signIns.push_back(std::move(token));
    return true;
  }
  ticket_.clear();
  r.outcome = token;
  if (token.kind != OutcomeKind::Prompt && token.kind != OutcomeKind::Failed) {
    // Authenticated, yet no ticket: the service's OAuth error says why.
    const std::string why = topLevelJsonString(token.body, "error_description")
                                .value_or("no web ticket in the answer")
                                .substr(0, 200);
    r.outcome.kind = OutcomeKind::Failed;
    r.outcome.reason = "the WebTicket service on " + (token.node.empty() ? "?" : token.node) + " answered " +
                       std::to_string(token.status) + " after " + std::string(toString(token.kind)) + ": " +
                       why;
  }
  r.signIns.push_back(r.outcome);  // a sign-in that bought no ticket counts as failed
  return false;
}

WebTicketRequest WebTicketSession::get(const std::string& path) {
  WebTicketRequest r;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (ticket_.empty() || clock_.now() + options_.renewBefore >= expires_) {
      ticket_.clear();
      if (!signIn(r)) {
        return r;
      }
    }
    r.outcome = http_.bearer(origin_ + path, ticket_);
    if (r.outcome.kind != OutcomeKind::Prompt) {
      return r;
    }
    // Refused (a node without the key that sealed it, a revoked ticket): drop it and sign in again, once.
    r.refusals.push_back((r.outcome.node.empty() ? std::string("?") : r.outcome.node) + ": " +
                         refusalCode(r.outcome));
    ticket_.clear();
  }
  return r;
}

}  // namespace kerbpool::client
