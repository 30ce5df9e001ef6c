#include "frontend/request_handler.hpp"

#include <cstdio>

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
  std::string groups;
  for (const auto& g : allow.identity.groups) {
    groups += (groups.empty() ? "" : ",") + jsonString(g);
  }
  r.body = "{\"node\":" + jsonString(node) + ",\"user\":" + jsonString(allow.identity.user) +
           ",\"groups\":[" + groups + "],\"mechanism\":" + jsonString(allow.identity.mechanism) +
           ",\"path\":" + jsonString(requestPath(request.target)) +
           ",\"persisted\":" + (allow.fromConnection ? "true" : "false") + "}\n";
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

std::string jsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace kerbpool::frontend
