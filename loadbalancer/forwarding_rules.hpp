#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kerbpool::loadbalancer {

// Header rules of a layer 7 proxy (RFC 9110 7.6), without Beast types: the session applies them.

// Fields that describe one connection and are never forwarded: Connection, Keep-Alive, Proxy-Connection, TE,
// Trailer, Transfer-Encoding (the proxy re-frames the body), Upgrade. ASCII case-insensitive.
bool isHopByHopField(std::string_view name);
// The field names a Connection field lists ("close, X-Foo" -> {"close", "X-Foo"}); they go too.
std::vector<std::string> connectionTokens(std::string_view connectionField);

// X-Forwarded-For after this hop: "client" or "earlier, client".
std::string appendForwardedFor(std::optional<std::string_view> existing, std::string_view clientAddress);

// The address part of an endpoint text: "127.0.0.1:5000" -> "127.0.0.1", "[::1]:5000" -> "::1".
std::string_view addressOf(std::string_view endpoint);

// Idempotent methods (RFC 9110 9.2.2): a failed attempt may be repeated on another connection or node.
bool isIdempotentMethod(std::string_view method);

// HAProxy's rule for a connection-bound authentication: a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate)
// whose value starts with "NTLM" or "Nego", case-insensitively ("Negotiate", "Nego2", a token after a blank).
// `challenges` are the values of that status's field.
bool isConnectionAuthChallenge(unsigned status, const std::vector<std::string_view>& challenges);

// Bodies of the balancer's own answers (text/plain, one line).
std::string badGatewayBody(std::string_view backend, std::string_view what, std::string_view detail);
std::string serviceUnavailableBody(std::string_view reason);

}  // namespace kerbpool::loadbalancer
