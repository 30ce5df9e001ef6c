#include "net/request_framing.hpp"

#include <string>

namespace kerbpool::net {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool isChunked(std::string_view coding) {
  // A coding may carry parameters ("chunked;x=1" is not valid for chunked, so only the bare token counts).
  constexpr std::string_view kChunked = "chunked";
  if (coding.size() != kChunked.size()) {
    return false;
  }
  for (std::size_t i = 0; i < coding.size(); ++i) {
    const char c = coding[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kChunked[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<FramingRefusal> checkRequestFraming(const RequestFraming& f) {
  if (f.version >= 11 && f.hostFields == 0) {
    return FramingRefusal{400, "missing_host", "an HTTP/1.1 request must carry a Host field"};
  }
  if (f.hostFields > 1) {
    return FramingRefusal{400, "multiple_host", "a request must carry exactly one Host field"};
  }
  if (f.contentLengthFields > 1) {
    return FramingRefusal{400, "multiple_content_length", "a request must carry at most one Content-Length"};
  }
  if (f.transferEncodings.empty()) {
    return std::nullopt;
  }
  if (f.version < 11) {
    return FramingRefusal{400, "transfer_encoding_in_http10",
                          "Transfer-Encoding is not defined for HTTP/1.0 requests"};
  }
  if (f.contentLength) {
    return FramingRefusal{400, "transfer_encoding_and_content_length",
                          "a request must not carry both Transfer-Encoding and Content-Length"};
  }
  std::vector<std::string_view> codings;
  for (std::string_view field : f.transferEncodings) {
    while (true) {
      const auto comma = field.find(',');
      const auto coding = trim(field.substr(0, comma));
      if (!coding.empty()) {
        codings.push_back(coding);
      }
      if (comma == std::string_view::npos) {
        break;
      }
      field.remove_prefix(comma + 1);
    }
  }
  if (codings.empty() || !isChunked(codings.back())) {
    return FramingRefusal{400, "transfer_encoding_not_chunked",
                          "the final transfer coding of a request must be chunked"};
  }
  if (codings.size() > 1) {
    return FramingRefusal{501, "unsupported_transfer_coding",
                          "only the chunked transfer coding is implemented"};
  }
  return std::nullopt;
}

}  // namespace kerbpool::net
