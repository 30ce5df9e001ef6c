#include "tests/support/http_client.hpp"

#include <cctype>
#include <cstdlib>

namespace kerbpool::test {
namespace {

bool sameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

}  // namespace

std::optional<std::string> HttpTestResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (sameName(n, name)) {
      return v;
    }
  }
  return std::nullopt;
}

std::vector<std::string> HttpTestResponse::headerValues(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : headers) {
    if (sameName(n, name)) {
      out.push_back(v);
    }
  }
  return out;
}

std::string httpGetText(const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& extra) {
  // A Host among `extra` replaces the default one (a request carries exactly one, RFC 9112 3.2).
  bool host = false;
  std::string fields;
  for (const auto& [n, v] : extra) {
    host = host || (n.size() == 4 && (n[0] == 'H' || n[0] == 'h') && n.substr(1) == "ost");
    fields += n + ": " + v + "\r\n";
  }
  std::string text = "GET " + target + " HTTP/1.1\r\n" + (host ? "" : "Host: test\r\n") + fields;
  return text + "\r\n";
}

bool HttpTestClient::send(std::string_view raw) {
  return tcp_.send(core::asBytes(raw));
}

std::optional<HttpTestResponse> HttpTestClient::get(
    const std::string& target, const std::vector<std::pair<std::string, std::string>>& extra,
    std::chrono::milliseconds timeout) {
  if (!send(httpGetText(target, extra))) {
    return std::nullopt;
  }
  return readResponse(timeout);
}

std::optional<HttpTestResponse> HttpTestClient::readResponse(std::chrono::milliseconds timeout, bool head) {
  std::string headText;
  while (!headText.ends_with("\r\n\r\n")) {
    if (headText.size() > 64 * 1024) {
      return std::nullopt;
    }
    auto b = tcp_.receive(1, timeout);
    if (!b) {
      return std::nullopt;
    }
    headText.push_back(static_cast<char>((*b)[0]));
  }
  HttpTestResponse r;
  std::size_t lineEnd = headText.find("\r\n");
  const std::string statusLine = headText.substr(0, lineEnd);
  if (!statusLine.starts_with("HTTP/1.") || statusLine.size() < 12) {
    return std::nullopt;
  }
  r.status = std::atoi(statusLine.substr(9, 3).c_str());
  r.reason = statusLine.size() > 13 ? statusLine.substr(13) : "";
  std::size_t pos = lineEnd + 2;
  while (pos < headText.size() - 2) {
    const std::size_t end = headText.find("\r\n", pos);
    const std::string line = headText.substr(pos, end - pos);
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) {
      return std::nullopt;
    }
    r.headers.emplace_back(line.substr(0, colon), trim(std::string_view(line).substr(colon + 1)));
    pos = end + 2;
  }
  const auto length = r.header("Content-Length");
  const std::size_t n = (head || !length) ? 0 : std::strtoull(length->c_str(), nullptr, 10);
  if (n > 0) {
    auto body = tcp_.receive(n, timeout);
    if (!body) {
      return std::nullopt;
    }
    r.body = core::toString(*body);
  }
  return r;
}

}  // namespace kerbpool::test
