// Fuzz target: the Netlogon pass-through wire decoder (docs/netlogon-wire.md): the frame header and both
// messages, as `kerbpool kdc` reads requests and a front-end reads replies. Strict DER: an accepted message
// re-encodes to the same bytes.
// Kept apart from the other targets: the codec is moving from kdc/ to netlogon/, only the include changes.
#include <cstddef>
#include <cstdint>

#include "kdc/netlogon_wire.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const core::BytesView in = fuzz::bytesOf(data, size);
  if (size >= 4) {
    if (auto length = kdc::netlogonFrameLength(in.first(4)); length.ok()) {
      fuzz::check(*length >= 1 && *length <= kdc::kNetlogonMaxFrameBytes,
                  "netlogon: frame length out of range");
    }
  }
  if (auto request = kdc::decodeNetlogonRequest(in); request.ok()) {
    fuzz::checkSame(in, kdc::encodeNetlogonRequest(*request), "NetlogonRequest: encode(decode(x)) != x");
  }
  if (auto reply = kdc::decodeNetlogonReply(in); reply.ok()) {
    fuzz::checkSame(in, kdc::encodeNetlogonReply(*reply), "NetlogonReply: encode(decode(x)) != x");
  }
  return 0;
}
