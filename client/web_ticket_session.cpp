#include "client/web_ticket_session.hpp"

#include <cctype>
#include <nlohmann/json.hpp>
#include <utility>

#include "client/json_field.hpp"
#include "core/common/base64.hpp"
#include "core/crypto/client_certificate.hpp"
#include "core/webticket/web_ticket.hpp"

namespace kerbpool::client {

namespace {

constexpr std::string_view kDiscoverRoot = "/autodiscover/autodiscoverservice.svc/root";
constexpr std::string_view kWindowsGrant = "grant_type=urn%3Amicrosoft.rtc%3Awindows";
constexpr std::string_view kCertProv = "/CertProv/CertProvisioningService.svc";
constexpr std::string_view kCertificateTicket = "/WebTicket/WebTicketService.svc/Cert";

// Percent-encodes a form value (RFC 3986 unreserved characters stay).
std::string formValue(std::string_view v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : v) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The scheme and authority of an absolute URL ("https://pool.contoso.test:4443/x" -> "https://pool...:4443").
std::string originOf(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = scheme == std::string::npos ? std::string::npos : url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

// What the client signs a certificate grant for: "https://" + the host of the ticket service's URL, no port
// (the pool's name inside, an external web services name outside; a node takes either).
std::string audienceOf(const std::string& url) {
  std::string host = originOf(url);
  const auto scheme = host.find("://");
  host = scheme == std::string::npos ? host : host.substr(scheme + 3);
  if (const auto colon = host.rfind(':'); colon != std::string::npos && host.find(']') == std::string::npos) {
    host.resize(colon);
  }
  return "https://" + host;
}

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

// When a certificate (DER) expires, read from it.
std::optional<core::TimePoint> certificateNotAfter(core::BytesView der) {
  const std::string b64 = core::base64Encode(der);
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    pem += b64.substr(i, 64) + "\n";
  }
  pem += "-----END CERTIFICATE-----\n";
  const auto info = core::crypto::inspectCertificate(pem);
  if (!info.ok()) {
    return std::nullopt;
  }
  return core::fromUnixSeconds(info->notAfter);
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
  if (!certificate_.empty()) {
    if (clock_.now() < certificateExpires_ && certificateSignIn(r)) {
      return true;
    }
    certificate_.clear();  // lapsed or refused: a Windows sign-in, then a new certificate
    certificateKey_.clear();
  }
  RequestOutcome token;
  if (options_.passwordGrant) {
    const WorkstationUser& u = http_.user();
    token = http_.bearer(oauthHref_, "",
                         "grant_type=password&username=" + formValue(u.domain + "\\" + u.user) +
                             "&password=" + formValue(u.password),
                         "application/x-www-form-urlencoded");
    if (token.status == 200) {
      // The node logged the user on with NTLM through its pass-through: an NTLM logon at the DC.
      token.kind = OutcomeKind::Ntlm;
      token.reason = "password sign-in: the node checked the password with the DC (NTLM pass-through)";
    } else if (token.kind == OutcomeKind::Failed && token.status == 400) {
      token.kind = OutcomeKind::Prompt;  // the forms page asks again
      token.reason = "password sign-in refused by " +
                     (token.node.empty() ? std::string("the pool") : token.node) + ": " +
                     topLevelJsonString(token.body, "error_description").value_or("400").substr(0, 200);
    }
  } else {
    token = http_.post(oauthHref_, std::string(kWindowsGrant), "application/x-www-form-urlencoded");
  }
  const bool authenticated = token.kind == OutcomeKind::Kerberos || token.kind == OutcomeKind::Ntlm;
  if (authenticated && takeTicket(token)) {
    r.signIns.push_back(std::move(token));
    if (options_.clientCertificate && certificate_.empty()) {
      provisionCertificate(r);
    }
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

bool WebTicketSession::takeTicket(const RequestOutcome& token) {
  const auto accessToken = topLevelJsonString(token.body, "access_token");
  const auto lifetime = expiresIn(token.body);
  if (token.status != 200 || !accessToken || !lifetime) {
    return false;
  }
  ticket_ = *accessToken;
  expires_ = clock_.now() + std::chrono::seconds(*lifetime);
  return true;
}

bool WebTicketSession::certificateSignIn(WebTicketRequest& r) {
  const std::int64_t now = core::toUnixSeconds(clock_.now());
  const std::string data = core::webticket::certificateGrantSignedData(audienceOf(oauthHref_), now);
  auto signature = core::crypto::signWithKey(certificateKey_, core::asBytes(data));
  if (!signature.ok()) {
    return false;
  }
  const std::string body = "grant_type=" + formValue(core::webticket::kCertificateGrant) +
                           "&certificate=" + formValue(core::base64Encode(certificate_)) +
                           "&timestamp=" + std::to_string(now) +
                           "&signature=" + formValue(core::base64Encode(*signature));
  RequestOutcome token = http_.bearer(originOf(oauthHref_) + std::string(kCertificateTicket), "", body,
                                      "application/x-www-form-urlencoded");
  if (takeTicket(token)) {
    ++r.certificateSignIns;
    return true;
  }
  const std::string why =
      topLevelJsonString(token.body, "error_description").value_or(std::to_string(token.status));
  r.certificateRefusals.push_back((token.node.empty() ? std::string("?") : token.node) + ": " +
                                  why.substr(0, std::min(why.find(':'), std::size_t{100})));
  return false;
}

void WebTicketSession::provisionCertificate(WebTicketRequest& r) {
  auto key = core::crypto::generateClientKey();
  if (!key.ok()) {
    return;
  }
  auto request = core::crypto::makeCertificateRequest(*key, "lync client");
  if (!request.ok()) {
    return;
  }
  const RequestOutcome answer = http_.bearer(originOf(oauthHref_) + std::string(kCertProv), ticket_,
                                             core::base64Encode(*request), "application/pkcs10");
  if (answer.status != 200) {
    return;
  }
  std::string text;
  for (const char c : answer.body) {
    if (c != '\r' && c != '\n') {
      text += c;
    }
  }
  auto pkcs7 = core::base64Decode(text, 65536);
  if (!pkcs7.ok()) {
    return;
  }
  auto certificates = core::crypto::certificatesFromPkcs7(*pkcs7);
  if (!certificates.ok() || certificates->empty()) {
    return;
  }
  const auto info = certificateNotAfter(certificates->front());
  if (!info) {
    return;
  }
  certificateKey_ = std::move(*key);
  certificate_ = std::move(certificates->front());
  certificateExpires_ = *info;
  r.certificateProvisioned = true;
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
