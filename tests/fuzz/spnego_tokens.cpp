// Fuzz target: what an RFC 4559 acceptor reads before any cryptography: the first token (SPNEGO
// NegTokenInit/NegTokenInit2, a bare krb5 token, raw NTLMSSP), later NegotiationTokens, the RFC 2743
// framing, the krb5 token framing and the Authorization header syntax. Accepted framing must re-wrap to the
// same bytes; a decoded NegotiationToken must re-encode to a fixed point.
#include <cstddef>
#include <cstdint>
#include <variant>

#include "core/spnego/gss_framing.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/negotiate_header.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;
namespace spnego = core::spnego;

namespace {

// y = encode(decode(x)) decodes, and re-encodes to y.
void negotiationTokenFixedPoint(core::BytesView in) {
  auto token = spnego::decodeNegotiationToken(in);
  if (!token.ok()) {
    return;
  }
  const core::Bytes once = spnego::encodeNegotiationToken(*token);
  auto again = spnego::decodeNegotiationToken(once);
  fuzz::check(again.ok(), "NegotiationToken: its own encoding does not decode: " +
                              (again.ok() ? std::string() : again.error().message()));
  fuzz::check(again->index() == token->index(), "NegotiationToken: the choice changed");
  fuzz::checkSame(once, spnego::encodeNegotiationToken(*again), "NegotiationToken: no fixed point");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const core::BytesView in = fuzz::bytesOf(data, size);
  (void)spnego::decodeInitialToken(in);
  (void)spnego::decodeNegTokenInit(in);
  (void)spnego::decodeNegTokenResp(in);
  negotiationTokenFixedPoint(in);
  if (auto framed = spnego::unwrapInitialContextToken(in); framed.ok()) {
    fuzz::checkSame(in, spnego::wrapInitialContextToken(framed->mechOid, framed->innerToken),
                    "InitialContextToken: wrap(unwrap(x)) != x");
  }
  if (auto krb5 = spnego::unwrapKrb5Token(in); krb5.ok()) {
    fuzz::checkSame(in, spnego::wrapKrb5Token(krb5->tokId, krb5->message, krb5->mechOid),
                    "krb5 token: wrap(unwrap(x)) != x");
  }
  if (auto header = spnego::parseAuthHeader(fuzz::textOf(data, size)); header.ok()) {
    auto again = spnego::parseAuthHeader(spnego::formatAuthHeader(*header));
    fuzz::check(again.ok() && again->scheme == header->scheme && again->token == header->token,
                "Authorization: parse(format(h)) != h");
  }
  return 0;
}
