#include "frontend/request_handler.hpp"

#include <nlohmann/json.hpp>

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
  // Names and paths are untrusted bytes: anything that is not UTF-8 becomes U+FFFD instead of throwing.
  nlohmann::ordered_json body{{"node", node},
                              {"user", allow.identity.user},
                              {"groups", allow.identity.groups},
                              {"mechanism", allow.identity.mechanism},
                              {"path", requestPath(request.target)},
                              {"persisted", allow.fromConnection}};
  if (!allow.identity.ticketIssuer.empty()) {
    body["webticket_issued_by"] = allow.identity.ticketIssuer;
    body["webticket_signed_in_with"] = allow.identity.ticketMechanism;
  }
  r.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
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
