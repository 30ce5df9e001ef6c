#pragma once

#include "core/messages/codec.hpp"
#include "core/messages/ticket.hpp"
#include "core/messages/types.hpp"

// AP-REQ (RFC 4120 5.5.1).
namespace kerbpool::core::messages {

// AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0] INTEGER (5), msg-type [1] INTEGER (14),
//   ap-options [2] APOptions, ticket [3] Ticket, authenticator [4] EncryptedData -- Authenticator -- }
// pvno and msg-type are implied by the type and checked on decode. ticket.raw keeps the ticket's bytes.
struct ApReq {
  KerberosFlags apOptions = 0;  // iana::ap_options
  Ticket ticket;
  EncryptedData authenticator;  // usage 11 (7 inside PA-TGS-REQ), session key
  bool operator==(const ApReq&) const = default;
};

void encodeTo(der::Writer& w, const ApReq& v);
Bytes encode(const ApReq& v);
template <>
Result<ApReq> decodeFrom<ApReq>(der::Reader& r, std::string_view field);
template <>
Result<ApReq> decode<ApReq>(BytesView data);

}  // namespace kerbpool::core::messages
