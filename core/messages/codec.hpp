#pragma once

#include <optional>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/der/der_reader.hpp"
#include "core/der/der_writer.hpp"
#include "core/iana/msg_type.hpp"

// The codec contract of core/messages (RFC 4120 structures <-> DER). Every top-level type T has
//
//   Bytes encode(const T&);                          overloads, declared next to T
//   template <> Result<T> decode<T>(BytesView);      the whole buffer must be exactly one T
//
// and, for nesting inside other structures,
//
//   void encodeTo(der::Writer&, const T&);
//   template <> Result<T> decodeFrom<T>(der::Reader&, std::string_view field);
//
// decode checks the APPLICATION tag, pvno and msg-type before accepting anything, rejects trailing
// bytes and reports every failure as ErrorCategory::Decoding with the field path in the detail
// ("... at AS-REP.enc-part.cipher"). Optional fields are std::optional and omitted when absent.
// This layer never sees keys, clocks or sockets.
namespace kerbpool::core::messages {

template <class T>
Result<T> decode(BytesView data);

template <class T>
Result<T> decodeFrom(der::Reader& r, std::string_view field);

// The message type announced by the first octet ([APPLICATION n], n one of the msg-type values), without
// decoding the rest. For dispatch: AS-REQ or TGS-REQ, AP-REP or KRB-ERROR.
std::optional<iana::MsgType> peekMsgType(BytesView data);

namespace detail {

// One T filling the whole buffer; `name` roots the field paths ("AS-REP").
template <class T>
Result<T> decodeWhole(BytesView data, std::string_view name) {
  der::Reader r(data, std::string(name));
  KP_TRY(T value, decodeFrom<T>(r, ""));
  KP_CHECK(r.expectEnd());
  return value;
}

template <class T>
Bytes encodeWhole(const T& value) {
  der::Writer w;
  w.reserve(512);
  encodeTo(w, value);
  return w.take();
}

}  // namespace detail
}  // namespace kerbpool::core::messages
