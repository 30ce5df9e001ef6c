#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

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

// IIS's Extended Protection for Authentication (extendedProtection tokenChecking), for Kerberos (the Bnd of
// the 0x8003 checksum) and NTLM (MsvAvChannelBindings) alike. Off: bindings are not looked at. Allow: a
// client that bound nothing (all zero, or no MsvAvChannelBindings) passes; one that bound its token to a
// channel must have bound it to this connection's. Require: as Allow, but a client that bound nothing is
// refused on a TLS connection. A connection with no TLS channel of its own (plain HTTP behind a balancer that
// ended TLS) has nothing to match: any binding there is to a channel this node never saw.
enum class ExtendedProtection { Off, Allow, Require };

std::string_view toString(ExtendedProtection mode);  // off | allow | require
std::optional<ExtendedProtection> parseExtendedProtection(std::string_view text);

// The bindings of a TLS connection as Windows and curl send them for HTTPS: no addresses, application data
// "tls-server-end-point:" + the server certificate's hash (RFC 5929 4.1; core::crypto::tlsServerEndPoint).
ChannelBindings tlsServerEndPointBindings(BytesView certificateHash);

// The Extended Protection decision for one token. `expected`: this connection's channel-bindings hash,
// nullopt on a connection without TLS. `sent`: the client's 16-octet hash (all zero or empty: bound to
// nothing). Errors: Integrity, code "channel_bindings_mismatch" or "channel_bindings_missing" (the acceptor
// codes), the detail saying which channel the client bound and which the node has.
Status checkChannelBindings(ExtendedProtection mode,
                            const std::optional<std::array<std::uint8_t, 16>>& expected, BytesView sent);

// Bnd = MD5 over the bindings laid out as MIT does (kg_checksum_channel_bindings): le32 initiator addrtype,
// le32 length + initiator address, le32 acceptor addrtype, le32 length + acceptor address, le32 length +
// application data. Fails only if MD5 cannot run (Crypto).
Result<std::array<std::uint8_t, 16>> channelBindingsHash(const ChannelBindings& bindings);

}  // namespace kerbpool::core::acceptor
