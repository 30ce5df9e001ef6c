#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/socket_client.hpp"

namespace kerbpool::test {

// A parsed HTTP/1.x response as a test sees it.
struct HttpTestResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // First value of a field (case-insensitive name), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
  std::vector<std::string> headerValues(std::string_view name) const;
};

// A plain-HTTP client over TcpClient for tests of kerbpool's servers: raw bytes out, responses parsed with
// Content-Length framing. Every read is bounded by a timeout.
class HttpTestClient {
 public:
  explicit HttpTestClient(std::uint16_t port) : tcp_(port) {}

  bool connected() const { return tcp_.connected(); }
  bool send(std::string_view raw);
  // "GET <target> HTTP/1.1" with Host and the extra fields, then the response.
  std::optional<HttpTestResponse> get(const std::string& target,
                                      const std::vector<std::pair<std::string, std::string>>& extra = {},
                                      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  // Reads one response; `head`: it answers a HEAD request, so no body follows its Content-Length.
  std::optional<HttpTestResponse> readResponse(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000), bool head = false);
  bool waitForClose(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    return tcp_.waitForClose(timeout);
  }
  void close() { tcp_.close(); }

 private:
  TcpClient tcp_;
};

// "GET <target> HTTP/1.1\r\nHost: test\r\n<extra>\r\n"
std::string httpGetText(const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& extra = {});

}  // namespace kerbpool::test
