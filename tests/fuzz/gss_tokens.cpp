// Fuzz target: the RFC 4121 per-message tokens (MIC and Wrap) and the krb5 authenticator checksum
// (RFC 4121 4.1.1), with a fixed AES session key. The first octet steers:
//   bit 0: aes256 (else aes128)   bit 1: sent by the acceptor   bit 2: DCE-style rotation
//   bit 7 clear: the rest is a received token: parse, verify as MIC, unwrap as Wrap, decode as checksum
//   bit 7 set:   the rest is [seal, rrc (2), ec, payload...]: wrap and sign it, then unwrap and verify:
//                unwrap(wrap(p)) == p and verify(mic(p)) for every header choice
#include <cstddef>
#include <cstdint>

#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "core/spnego/gss_checksum.hpp"
#include "core/spnego/gss_tokens.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;
namespace spnego = core::spnego;

namespace {

core::crypto::Key sessionKey(bool aes256) {
  core::crypto::Key key;
  key.enctype = aes256 ? 18 : 17;
  for (std::size_t i = 0; i < (aes256 ? 32u : 16u); ++i) {
    key.value.push_back(static_cast<std::uint8_t>(0x30 + i));
  }
  return key;
}

void received(const core::crypto::Key& key, spnego::GssRole sender, bool dce, core::BytesView token) {
  (void)spnego::parseMicToken(token);
  (void)spnego::parseWrapToken(token);
  (void)spnego::verifyMicToken(key, sender, core::asBytes("kerbpool fuzz"), token);
  (void)spnego::unwrapToken(key, spnego::UnwrapParams{sender, dce}, token);
  if (auto cksum = spnego::decodeGssChecksum(token); cksum.ok()) {
    auto encoded = spnego::encodeGssChecksum(*cksum);
    fuzz::check(encoded.ok(), "GSS checksum: a decoded checksum does not encode");
    fuzz::checkSame(token, *encoded, "GSS checksum: encode(decode(x)) != x");
  }
}

void roundTrip(const core::crypto::Key& key, spnego::GssRole sender, bool dce, core::BytesView rest) {
  if (rest.size() < 4) {
    return;
  }
  spnego::WrapParams params;
  params.token.sender = sender;
  params.token.acceptorSubkey = (rest[0] & 0x02) != 0;
  params.token.sndSeq = rest.size();
  params.seal = (rest[0] & 0x01) != 0;
  params.rrc = static_cast<std::uint16_t>(rest[1] << 8 | rest[2]);
  params.ec = rest[3];
  params.dceStyle = dce;
  const core::BytesView payload = rest.subspan(4);
  core::SeededRng rng(1);
  auto wrapped = spnego::makeWrapToken(key, params, payload, rng);
  fuzz::check(wrapped.ok(), "makeWrapToken failed");
  auto unwrapped = spnego::unwrapToken(key, spnego::UnwrapParams{sender, dce}, *wrapped);
  fuzz::check(unwrapped.ok(),
              "unwrap(wrap(p)) failed: " + (unwrapped.ok() ? "" : unwrapped.error().message()));
  fuzz::checkSame(payload, unwrapped->payload, "unwrap(wrap(p)) != p");
  fuzz::check(unwrapped->sealed == params.seal && unwrapped->sndSeq == params.token.sndSeq,
              "unwrap(wrap(p)): flags or sequence number changed");
  auto mic = spnego::makeMicToken(key, params.token, payload);
  fuzz::check(mic.ok(), "makeMicToken failed");
  auto verified = spnego::verifyMicToken(key, sender, payload, *mic);
  fuzz::check(verified.ok(), "verify(mic(p)) failed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::uint8_t control = data[0];
  const core::crypto::Key key = sessionKey((control & 0x01) != 0);
  const auto sender = (control & 0x02) != 0 ? spnego::GssRole::Acceptor : spnego::GssRole::Initiator;
  const bool dce = (control & 0x04) != 0;
  const core::BytesView rest = fuzz::bytesOf(data + 1, size - 1);
  if ((control & 0x80) != 0) {
    roundTrip(key, sender, dce, rest);
  } else {
    received(key, sender, dce, rest);
  }
  return 0;
}
