#include "net/request_framing.hpp"

#include <catch2/catch.hpp>

using kerbpool::net::checkRequestFraming;
using kerbpool::net::RequestFraming;

namespace {

RequestFraming framing(unsigned version, std::size_t hosts, std::vector<std::string_view> te, bool cl) {
  RequestFraming f;
  f.version = version;
  f.hostFields = hosts;
  f.transferEncodings = std::move(te);
  f.contentLength = cl;
  f.contentLengthFields = cl ? 1 : 0;
  return f;
}

std::string reason(const RequestFraming& f) {
  const auto r = checkRequestFraming(f);
  return r ? std::to_string(r->status) + " " + std::string(r->reason) : "ok";
}

}  // namespace

TEST_CASE("request framing: RFC 9112 rules Beast does not apply", "[net]") {
  CHECK(reason(framing(11, 1, {}, false)) == "ok");
  CHECK(reason(framing(11, 1, {}, true)) == "ok");
  CHECK(reason(framing(10, 0, {}, false)) == "ok");
  CHECK(reason(framing(11, 0, {}, false)) == "400 missing_host");
  CHECK(reason(framing(11, 2, {}, false)) == "400 multiple_host");
  CHECK(reason(framing(10, 2, {}, false)) == "400 multiple_host");
  CHECK(reason(framing(11, 1, {"chunked"}, false)) == "ok");
  CHECK(reason(framing(11, 1, {" CHUNKED "}, false)) == "ok");
  CHECK(reason(framing(11, 1, {"chunked"}, true)) == "400 transfer_encoding_and_content_length");
  CHECK(reason(framing(11, 1, {"xchunked"}, true)) == "400 transfer_encoding_and_content_length");
  CHECK(reason(framing(11, 1, {"xchunked"}, false)) == "400 transfer_encoding_not_chunked");
  CHECK(reason(framing(11, 1, {"chunked, gzip"}, false)) == "400 transfer_encoding_not_chunked");
  CHECK(reason(framing(11, 1, {""}, false)) == "400 transfer_encoding_not_chunked");
  CHECK(reason(framing(11, 1, {"gzip, chunked"}, false)) == "501 unsupported_transfer_coding");
  CHECK(reason(framing(11, 1, {"gzip", "chunked"}, false)) == "501 unsupported_transfer_coding");
  CHECK(reason(framing(10, 1, {"chunked"}, false)) == "400 transfer_encoding_in_http10");
  auto twoLengths = framing(11, 1, {}, true);
  twoLengths.contentLengthFields = 2;
  CHECK(reason(twoLengths) == "400 multiple_content_length");
}
