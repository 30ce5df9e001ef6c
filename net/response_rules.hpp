#pragma once

#include <string>

#include "core/common/result.hpp"
#include "net/http_message.hpp"

namespace kerbpool::net {

// The rules a handler's response must meet before it goes on the wire, without sockets: status 200..599,
// header names that are tokens and values without CR/LF/NUL (no response splitting). Fields that frame the
// message or manage the connection (Content-Length, Transfer-Encoding, Connection) belong to the server and
// are dropped; a 204 or 304 loses its body; `serverName` becomes the Server field unless the handler set one.
// An error (Internal, "bad_response_status" / "bad_response_header") means: answer 500 instead.
core::Result<HttpResponse> finalizeResponse(HttpResponse response, const std::string& serverName);

}  // namespace kerbpool::net
