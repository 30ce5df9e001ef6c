#include "core/acceptor/channel_bindings.hpp"

#include <algorithm>

#include "core/crypto/primitives.hpp"

namespace kerbpool::core::acceptor {

namespace {

void appendLe32(Bytes& out, std::uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) {
    out.push_back(static_cast<std::uint8_t>((v >> shift) & 0xff));
  }
}

void appendCounted(Bytes& out, BytesView data) {
  appendLe32(out, static_cast<std::uint32_t>(data.size()));
  append(out, data);
}

}  // namespace

Result<std::array<std::uint8_t, 16>> channelBindingsHash(const ChannelBindings& b) {
  Bytes flat;
  appendLe32(flat, b.initiatorAddrType);
  appendCounted(flat, b.initiatorAddress);
  appendLe32(flat, b.acceptorAddrType);
  appendCounted(flat, b.acceptorAddress);
  appendCounted(flat, b.applicationData);
  KP_TRY(Bytes digest, crypto::md5(flat));
  std::array<std::uint8_t, 16> out{};
  std::copy_n(digest.begin(), std::min<std::size_t>(digest.size(), out.size()), out.begin());
  return out;
}

}  // namespace kerbpool::core::acceptor
