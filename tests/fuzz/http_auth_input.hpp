#pragma once

// The input of the HTTP authentication targets (frontend_auth, ntlm_handler): a sequence of requests on
// connections, each a record
//   kind (1 octet) | length (2 octets, big-endian; clipped to what is left) | payload
// kind bits 0-1: 0 no Authorization, 1 "Negotiate <base64(payload)>", 2 "NTLM <base64(payload)>",
//                3 the payload as the raw field value
// kind bit 2: the field is sent twice; bit 3: the request opens a new connection; bit 4: `minted` (the
// target builds the value itself from the payload, see frontend_auth.cpp); bit 5: the previous request's
// value again (a replayed token).
// Tokens are binary in the input (base64 is added here), so the fuzzer mutates SPNEGO, Kerberos and
// NTLMSSP bytes rather than their base64 text.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/base64.hpp"
#include "core/common/bytes.hpp"

namespace kerbpool::fuzz {

struct AuthRequest {
  std::optional<std::string> authorization;
  bool twice = false;
  bool newConnection = false;
  bool minted = false;
  bool repeat = false;
  core::BytesView payload;
};

inline std::vector<AuthRequest> authRequests(core::BytesView in, std::size_t maxRequests = 16) {
  std::vector<AuthRequest> out;
  while (in.size() >= 3 && out.size() < maxRequests) {
    const std::uint8_t kind = in[0];
    const std::size_t length =
        std::min<std::size_t>(static_cast<std::size_t>(in[1] << 8 | in[2]), in.size() - 3);
    const core::BytesView payload = in.subspan(3, length);
    in = in.subspan(3 + length);
    AuthRequest r;
    r.twice = (kind & 0x04) != 0;
    r.newConnection = (kind & 0x08) != 0;
    r.minted = (kind & 0x10) != 0;
    r.repeat = (kind & 0x20) != 0;
    r.payload = payload;
    switch (kind & 0x03) {
      case 1:
        r.authorization = "Negotiate " + core::base64Encode(payload);
        break;
      case 2:
        r.authorization = "NTLM " + core::base64Encode(payload);
        break;
      case 3:
        r.authorization = core::toString(payload);
        break;
      default:
        break;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kerbpool::fuzz
