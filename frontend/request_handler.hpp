#pragma once

#include <string>
#include <string_view>

#include "frontend/auth_filter.hpp"
#include "net/http_message.hpp"

// The front-end's request logic as pure functions (Beast's handle_request idea): a request and its
// authentication decision in, the response out. A 200 on a protected path is built in exactly one place,
// from an Allow.
namespace kerbpool::frontend {

// The HTTP exchange types a node works with come from the shared I/O library (net/http_message.hpp).
using net::ConnectionContext;
using net::HeaderList;
using net::HttpHandler;
using net::HttpRequest;
using net::HttpResponse;

inline constexpr std::string_view kHealthPath = "/health";
inline constexpr std::string_view kNodeHeader = "X-Kerbpool-Node";

// The path of a request target: "/a/b?x=1" -> "/a/b".
std::string_view requestPath(std::string_view target);
// Only the exact path /health is open; every other target (other paths, absolute-form, '*') is protected.
bool isProtected(const HttpRequest& request);

// 200 "ok node fe01\n", text/plain.
HttpResponse healthResponse(std::string_view node);
// Allow: 200 application/json {"node","user","groups","mechanism","path","persisted"} (in that order; bytes
// that are not UTF-8 become U+FFFD) plus the decision's headers (mutual authentication). Challenge/Deny: 401
// text/plain naming the reason code only (the detail goes to the log), with the decision's WWW-Authenticate
// fields.
HttpResponse protectedResponse(const HttpRequest& request, const Decision& decision, std::string_view node);

}  // namespace kerbpool::frontend
