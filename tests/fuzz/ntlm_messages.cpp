// Fuzz target: the three NTLMSSP messages (MS-NLMP 2.2.1) as a front-end receives them: the decoders, the
// server's CHALLENGE built from a client NEGOTIATE, and the AUTHENTICATE reader (NTLMv2 blob included).
// A decoded message must encode, and decode back to the same value (the payload layout may differ:
// encode uses Windows order).
#include <cstddef>
#include <cstdint>

#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/ntlm/ntlm_challenge.hpp"
#include "core/ntlm/ntlm_messages.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;
namespace ntlm = core::ntlm;

namespace {

template <class M, class Encode, class Decode>
void semanticRoundTrip(core::BytesView in, Encode encode, Decode decode, std::string_view name) {
  auto message = decode(in, ntlm::kDefaultMaxMessageBytes);
  if (!message.ok()) {
    return;
  }
  auto encoded = encode(*message);
  fuzz::check(encoded.ok(), std::string(name) + ": a decoded message does not encode: " +
                                (encoded.ok() ? std::string() : encoded.error().message()));
  auto again = decode(*encoded, ntlm::kDefaultMaxMessageBytes);
  fuzz::check(again.ok(), std::string(name) + ": its own encoding does not decode: " +
                              (again.ok() ? std::string() : again.error().message()));
  fuzz::check(*again == *message, std::string(name) + ": decode(encode(m)) != m");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const core::BytesView in = fuzz::bytesOf(data, size);
  (void)ntlm::peekMessageType(in);
  semanticRoundTrip<ntlm::NegotiateMessage>(in, ntlm::encodeNegotiate, ntlm::decodeNegotiate, "NEGOTIATE");
  semanticRoundTrip<ntlm::ChallengeMessage>(in, ntlm::encodeChallenge, ntlm::decodeChallenge, "CHALLENGE");
  semanticRoundTrip<ntlm::AuthenticateMessage>(in, ntlm::encodeAuthenticate, ntlm::decodeAuthenticate,
                                               "AUTHENTICATE");
  (void)ntlm::readAuthenticate(in);

  // The server side of a NEGOTIATE: the CHALLENGE it answers with must be one it can read back.
  core::ManualClock clock(core::fromUnixSeconds(1700000000));
  core::SeededRng rng(1);
  ntlm::ChallengeOptions options;
  options.nbDomainName = "CONTOSO";
  options.nbComputerName = "FE01";
  options.dnsDomainName = "contoso.test";
  options.dnsComputerName = "fe01.contoso.test";
  if (auto pending = ntlm::buildChallenge(in, options, rng, clock); pending.ok()) {
    auto challenge = ntlm::decodeChallenge(pending->challenge);
    fuzz::check(challenge.ok(), "buildChallenge: its CHALLENGE does not decode");
  }
  return 0;
}
