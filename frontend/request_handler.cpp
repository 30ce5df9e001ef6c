#include "frontend/request_handler.hpp"

#include "core/common/json_text.hpp"

namespace kerbpool::frontend {

namespace {

HttpResponse withNode(HttpResponse r, std::string_view node) {
  r.add(std::string(kNodeHeader), std::string(node));
  return r;
}

HttpResponse allowed(const HttpRequest& request, const Allow& allow, std::string_view node) {
  HttpResponse r;
  r.status = 200;
  r.headers = allow.headers;
  r.add("Content-Type", "application/json");
  r.add("Cache-Control", "no-store");
  // Names and paths are untrusted bytes: anything that is not UTF-8 becomes U+FFFD (as nlohmann::json's
  // dump with error_handler_t::replace writes it, without building a json value on every request).
  std::string& body = r.body;
  body.reserve(160);
  const auto field = [&body](std::string_view name, std::string_view value) {
    body.append(",\"").append(name).append("\":");
    core::appendJsonString(body, value);
  };
  body.append("{\"node\":");
  core::appendJsonString(body, node);
  field("user", allow.identity.user);
  body.append(",\"groups\":[");
  for (std::size_t i = 0; i < allow.identity.groups.size(); ++i) {
    if (i != 0) {
      body.push_back(',');
    }
    core::appendJsonString(body, allow.identity.groups[i]);
  }
  body.push_back(']');
  field("mechanism", allow.identity.mechanism);
  field("path", requestPath(request.target));
  body.append(",\"persisted\":").append(allow.fromConnection ? "true" : "false");
  if (!allow.identity.ticketIssuer.empty()) {
    field("webticket_issued_by", allow.identity.ticketIssuer);
    field("webticket_signed_in_with", allow.identity.ticketMechanism);
  }
  body.append("}\n");
  return r;
}

HttpResponse unauthorized(const HeaderList& headers, std::string_view reason) {
  HttpResponse r;
  r.status = 401;
  r.headers = headers;
  r.add("Content-Type", "text/plain");
  r.add("Cache-Control", "no-store");
  r.body = "401 Unauthorized: " + std::string(reason) + "\n";
  return r;
}

}  // namespace

std::string_view requestPath(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

bool isProtected(const HttpRequest& request) {
  return requestPath(request.target) != kHealthPath;
}

HttpResponse healthResponse(std::string_view node) {
  HttpResponse r;
  r.add("Content-Type", "text/plain");
  r.add("Cache-Control", "no-store");
  r.body = "ok node " + std::string(node) + "\n";
  return withNode(std::move(r), node);
}

HttpResponse protectedResponse(const HttpRequest& request, const Decision& decision, std::string_view node) {
  if (const auto* allow = std::get_if<Allow>(&decision)) {
    return withNode(allowed(request, *allow, node), node);
  }
  if (const auto* challenge = std::get_if<Challenge>(&decision)) {
    return withNode(unauthorized(challenge->headers, challenge->reason), node);
  }
  const auto& deny = std::get<Deny>(decision);
  return withNode(unauthorized(deny.headers, deny.code), node);
}

}  // namespace kerbpool::frontend
