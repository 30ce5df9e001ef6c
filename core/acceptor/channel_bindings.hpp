#pragma once

#include <array>
#include <cstdint>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

// GSS-API channel bindings (RFC 2744 3.11) and the Bnd field of the krb5 0x8003 checksum (RFC 4121 4.1.1.2).
namespace kerbpool::core::acceptor {

struct ChannelBindings {
  std::uint32_t initiatorAddrType = 0;
  Bytes initiatorAddress;
  std::uint32_t acceptorAddrType = 0;
  Bytes acceptorAddress;
  // For HTTPS: "tls-server-end-point:" followed by the hash of the server certificate (RFC 5929 4).
  Bytes applicationData;
};

// Bnd = MD5 over the bindings laid out as MIT does (kg_checksum_channel_bindings): le32 initiator addrtype,
// le32 length + initiator address, le32 acceptor addrtype, le32 length + acceptor address, le32 length +
// application data. Fails only if MD5 cannot run (Crypto).
Result<std::array<std::uint8_t, 16>> channelBindingsHash(const ChannelBindings& bindings);

}  // namespace kerbpool::core::acceptor
