#include "core/acceptor/channel_bindings.hpp"

#include <algorithm>

#include "core/acceptor/acceptor_error.hpp"
#include "core/common/hex.hpp"

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

std::string_view toString(ExtendedProtection mode) {
  switch (mode) {
    case ExtendedProtection::Off:
      return "off";
    case ExtendedProtection::Allow:
      return "allow";
    case ExtendedProtection::Require:
      return "require";
  }
  return "?";
}

std::optional<ExtendedProtection> parseExtendedProtection(std::string_view text) {
  for (auto m : {ExtendedProtection::Off, ExtendedProtection::Allow, ExtendedProtection::Require}) {
    if (text == toString(m)) {
      return m;
    }
  }
  return std::nullopt;
}

ChannelBindings tlsServerEndPointBindings(BytesView certificateHash) {
  ChannelBindings b;
  b.applicationData = toBytes("tls-server-end-point:");
  append(b.applicationData, certificateHash);
  return b;
}

Status checkChannelBindings(ExtendedProtection mode,
                            const std::optional<std::array<std::uint8_t, 16>>& expected, BytesView sent) {
  if (mode == ExtendedProtection::Off) {
    return okStatus();
  }
  const bool unbound = std::all_of(sent.begin(), sent.end(), [](auto b) { return b == 0; });
  if (unbound) {
    if (mode == ExtendedProtection::Require && expected) {
      return acceptorError(
          codes::kChannelBindingsMissing,
          "SEC_E_BAD_BINDINGS: Extended Protection is Require and the client bound its token to "
          "no channel (a client without channel-binding support, or one told not to send them)");
    }
    return okStatus();
  }
  if (!expected) {
    return acceptorError(codes::kChannelBindingsMismatch,
                         "SEC_E_BAD_BINDINGS: the client bound its token to a TLS channel (bindings hash " +
                             toHex(sent.first(std::min<std::size_t>(sent.size(), 4))) +
                             "...) but this connection has none: TLS ended before this node (a load balancer "
                             "terminating TLS and forwarding plain HTTP); pass TLS through to the node, or "
                             "turn Extended Protection off on it");
  }
  if (sent.size() != expected->size() || !constantTimeEqual(sent, BytesView(*expected))) {
    return acceptorError(codes::kChannelBindingsMismatch,
                         "SEC_E_BAD_BINDINGS: the client bound its token to another TLS channel than this "
                         "connection's (bindings hash " +
                             toHex(sent.first(std::min<std::size_t>(sent.size(), 4))) + "... against " +
                             toHex(BytesView(*expected).first(4)) +
                             "...): it saw another server certificate, such as a load balancer's that "
                             "terminated TLS and opened its own to this node; pass TLS through, or give the "
                             "balancer the node's certificate");
  }
  return okStatus();
}

}  // namespace kerbpool::core::acceptor
