// n-fold, RFC 3961 section 5.1.
#include <cstdint>
#include <numeric>

#include "core/crypto/enctype.hpp"

namespace kerbpool::core::crypto {

namespace {

// Appends the input rotated right by `bits` bits, as one big-endian bit string, to `out`.
void appendRotatedRight(Bytes& out, BytesView in, std::size_t bits) {
  const std::size_t n = in.size();
  const std::size_t q = (bits / 8) % n;
  const unsigned s = static_cast<unsigned>(bits % 8);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned hi = in[(i + n - q) % n];          // supplies the low 8-s bits of out[i]
    const unsigned lo = in[(i + 2 * n - q - 1) % n];  // supplies the high s bits of out[i]
    out.push_back(static_cast<std::uint8_t>(((lo << (8 - s)) | (hi >> s)) & 0xff));
  }
}

// out += chunk as big-endian numbers in ones'-complement arithmetic (the carry wraps to the low end).
void onesComplementAdd(Bytes& out, BytesView chunk) {
  unsigned carry = 0;
  for (std::size_t i = out.size(); i-- > 0;) {
    const unsigned sum = out[i] + chunk[i] + carry;
    out[i] = static_cast<std::uint8_t>(sum & 0xff);
    carry = sum >> 8;
  }
  while (carry != 0) {
    for (std::size_t i = out.size(); i-- > 0 && carry != 0;) {
      const unsigned sum = out[i] + carry;
      out[i] = static_cast<std::uint8_t>(sum & 0xff);
      carry = sum >> 8;
    }
  }
}

}  // namespace

// Copies of the input, each rotated 13 bits further right than the previous one, are concatenated up to
// lcm(input, output) bytes, and the output-sized chunks of that string are summed. An empty input or output
// yields outBytes zero bytes.
Bytes nfold(BytesView input, std::size_t outBytes) {
  Bytes out(outBytes, 0);
  if (input.empty() || outBytes == 0) {
    return out;
  }
  const std::size_t lcm = std::lcm(input.size(), outBytes);
  Bytes stream;
  stream.reserve(lcm);
  for (std::size_t copy = 0; stream.size() < lcm; ++copy) {
    appendRotatedRight(stream, input, 13 * copy);
  }
  for (std::size_t off = 0; off < lcm; off += outBytes) {
    onesComplementAdd(out, BytesView(stream).subspan(off, outBytes));
  }
  return out;
}

}  // namespace kerbpool::core::crypto
