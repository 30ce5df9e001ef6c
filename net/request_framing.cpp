#include "net/request_framing.hpp"

#include <string>

#include "core/common/http_text.hpp"

namespace kerbpool::net {
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
      const auto coding = core::trimOws(field.substr(0, comma));
      if (!coding.empty()) {
        codings.push_back(coding);
      }
      if (comma == std::string_view::npos) {
        break;
      }
      field.remove_prefix(comma + 1);
    }
  }
  if (codings.empty() || !core::equalsIgnoreAsciiCase(codings.back(), "chunked")) {
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
