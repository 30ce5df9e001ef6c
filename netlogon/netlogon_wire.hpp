#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "netlogon/pass_through.hpp"

// kerbpool's stand-in for MS-NRPC NetrLogonSamLogonEx between a front-end and the DC: NOT MS-NRPC (no
// DCE/RPC, no secure-channel session key, no encryption). Frames are a 4-octet big-endian length followed by
// one DER value; docs/netlogon-wire.md gives the ASN.1. Codec only: bytes <-> structs, no policy.
namespace kerbpool::netlogon {

inline constexpr std::size_t kNetlogonMaxFrameBytes = 64 * 1024;
inline constexpr std::int64_t kNetlogonWireVersion = 1;

struct NetlogonWireRequest {
  std::uint32_t requestId = 0;
  PassThroughRequest request;
};

struct NetlogonWireReply {
  std::uint32_t requestId = 0;
  PassThroughResponse response;
};

core::Bytes encodeNetlogonRequest(const NetlogonWireRequest& request);
core::Bytes encodeNetlogonReply(const NetlogonWireReply& reply);
// Strict DER; errors are Decoding with the field path ("NetlogonRequest.server-challenge"). A version other
// than 1 is "unsupported_version"; strings over 1024 octets are "field_too_long".
core::Result<NetlogonWireRequest> decodeNetlogonRequest(core::BytesView der);
core::Result<NetlogonWireReply> decodeNetlogonReply(core::BytesView der);

// Length prefix || body.
core::Bytes frameNetlogon(core::BytesView body);
// The body length a 4-octet header announces; Decoding "bad_frame_length" for 0 or more than
// kNetlogonMaxFrameBytes.
core::Result<std::size_t> netlogonFrameLength(core::BytesView header);

}  // namespace kerbpool::netlogon
