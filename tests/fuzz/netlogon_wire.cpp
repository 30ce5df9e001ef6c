// Fuzz target: the Netlogon pass-through wire decoder (docs/netlogon-wire.md): the frame header and both
// messages, as `kerbpool kdc` reads requests and a front-end reads replies. Strict DER: an accepted message
// re-encodes to the same bytes.
// The Netlogon wire codec (netlogon/), shared by the member server and the DC.
#include <cstddef>
#include <cstdint>

#include "netlogon/netlogon_wire.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const core::BytesView in = fuzz::bytesOf(data, size);
  if (size >= 4) {
    if (auto length = netlogon::netlogonFrameLength(in.first(4)); length.ok()) {
      fuzz::check(*length >= 1 && *length <= netlogon::kNetlogonMaxFrameBytes,
                  "netlogon: frame length out of range");
    }
  }
  if (auto request = netlogon::decodeNetlogonRequest(in); request.ok()) {
    fuzz::checkSame(in, netlogon::encodeNetlogonRequest(*request), "NetlogonRequest: encode(decode(x)) != x");
  }
  if (auto reply = netlogon::decodeNetlogonReply(in); reply.ok()) {
    fuzz::checkSame(in, netlogon::encodeNetlogonReply(*reply), "NetlogonReply: encode(decode(x)) != x");
  }
  return 0;
}
