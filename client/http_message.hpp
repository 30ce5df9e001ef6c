#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.hpp"

// An HTTP/1.1 request and response as the workstation's connection sends and receives them, without Beast
// types, and the request's wire text (logic without sockets; http_connection.cpp does the I/O).
namespace kerbpool::client {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpClientRequest {
  std::string method = "GET";
  std::string target = "/";
  HttpHeaders headers;  // Host, Content-Length and Connection are the connection's own and are added by it
  std::string body;
};

struct HttpClientResponse {
  unsigned status = 0;
  std::string reason;
  unsigned version = 11;  // 10 or 11
  HttpHeaders headers;    // in arrival order, repeated fields kept apart
  std::string body;
  bool keepAlive = true;               // the connection stays open for the next request
  std::uint64_t connectionSerial = 0;  // the TCP connection that carried it: 1, 2, ... per HttpConnection
  bool reusedConnection = false;       // that connection had carried an earlier request

  // The first field with this name (ASCII case-insensitive); the view points into `headers`.
  std::optional<std::string_view> header(std::string_view name) const;
  std::vector<std::string_view> headerValues(std::string_view name) const;
};

// "GET /target HTTP/1.1", Host, the caller's fields, Content-Length when there is a body (or for POST/PUT),
// "Connection: close" unless keepAlive, then the body. Errors (Encoding bad_request): a method that is not a
// token, a target with spaces or control octets, a field name that is not a token or a value with CR, LF or
// NUL (no header injection), a field the connection owns (Host, Content-Length, Connection,
// Transfer-Encoding).
core::Result<std::string> formatRequest(const HttpClientRequest& request, std::string_view hostHeader,
                                        bool keepAlive);

}  // namespace kerbpool::client
