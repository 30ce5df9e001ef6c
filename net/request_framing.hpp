#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

// RFC 9112 checks on a request's header that Beast 1.74's parser does not make, shared by the front-end and
// the load balancer (a balancer that forwards an ambiguous request is how requests get smuggled). Pure
// logic: the I/O files fill RequestFraming from the parsed header.
namespace kerbpool::net {

struct RequestFraming {
  unsigned version = 11;                            // 10 or 11
  std::size_t hostFields = 0;                       // how many Host fields
  std::vector<std::string_view> transferEncodings;  // each Transfer-Encoding field's value, in order
  bool contentLength = false;                       // a Content-Length field is present
  std::size_t contentLengthFields = 0;  // how many
};

struct FramingRefusal {
  unsigned status;          // 400 or 501
  std::string_view reason;  // snake_case, for the log and the counters
  std::string_view detail;  // one sentence for the response body
};

// nullopt: the request may be read and served. Otherwise the answer, after which the connection closes:
// - HTTP/1.1 without Host, or with more than one Host: 400 (RFC 9112 3.2);
// - more than one Content-Length, even with equal values: 400 (RFC 9110 8.6 allows either refusing or
//   merging; refusing leaves nothing for a node behind the balancer to read differently);
// - Transfer-Encoding together with Content-Length: 400 (RFC 9112 6.1, 6.3: never forwarded);
// - Transfer-Encoding whose final coding is not chunked: 400 (RFC 9112 6.3);
// - a transfer coding other than chunked before it (gzip, chunked): 501 (RFC 9112 6.1, not implemented);
// - Transfer-Encoding in an HTTP/1.0 request: 400 (RFC 9112 6.1: faulty framing).
std::optional<FramingRefusal> checkRequestFraming(const RequestFraming& framing);

}  // namespace kerbpool::net
