#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/der/der_reader.hpp"
#include "core/der/der_writer.hpp"
#include "core/iana/msg_type.hpp"
#include "core/messages/codec.hpp"

// Building blocks shared by the message codecs: EXPLICIT [n] fields, KerberosFlags, the lenient
// UInt32 used for kvno/nonce/seq-number, pvno/msg-type checks. Internal to core/messages.
namespace kerbpool::core::messages::wire {

template <class R>
struct ResultValue;
template <class T>
struct ResultValue<Result<T>> {
  using type = T;
};
template <class F>
using FieldValue = typename ResultValue<decltype(std::declval<F&>()(std::declval<der::Reader&>(),
                                                                    std::string_view()))>::type;

// --- reading ---------------------------------------------------------------------------------------

// Value readers have the shape `Result<X> read(der::Reader&, std::string_view field)`.

// `[n] X`: enters the context tag, reads X with `read`, and requires nothing else inside the tag.
template <class F>
Result<FieldValue<F>> readField(der::Reader& r, std::uint32_t n, std::string_view field, F&& read) {
  KP_TRY(der::Reader inner, r.enterContext(n, field));
  KP_TRY(FieldValue<F> value, read(inner, ""));
  KP_CHECK(inner.expectEnd());
  return value;
}

// `[n] X OPTIONAL`: nullopt when the next element is not [n].
template <class F>
Result<std::optional<FieldValue<F>>> readOptionalField(der::Reader& r, std::uint32_t n,
                                                       std::string_view field, F&& read) {
  if (!r.peekContext(n)) {
    return std::optional<FieldValue<F>>();
  }
  KP_TRY(FieldValue<F> value, readField(r, n, field, std::forward<F>(read)));
  return std::optional<FieldValue<F>>(std::move(value));
}

inline Result<std::int32_t> int32(der::Reader& r, std::string_view f) {
  return r.readInt32(f);
}
inline Result<std::uint32_t> uint32(der::Reader& r, std::string_view f) {
  return r.readUInt32(f);
}
inline Result<std::string> kerberosString(der::Reader& r, std::string_view f) {
  return r.readGeneralString(f);
}
inline Result<Bytes> octets(der::Reader& r, std::string_view f) {
  return r.readOctetString(f);
}
inline Result<std::int64_t> kerberosTime(der::Reader& r, std::string_view f) {
  return r.readKerberosTime(f);
}
inline Result<bool> boolean(der::Reader& r, std::string_view f) {
  return r.readBoolean(f);
}
// UInt32 that also accepts the negative encodings some implementations send (MIT encodes kvno as a
// signed 32-bit value; old MIT/Heimdal sent negative nonces and seq-numbers): any INTEGER in
// [-2^31, 2^32) is taken modulo 2^32.
Result<std::uint32_t> lenientUInt32(der::Reader& r, std::string_view field);
// KerberosFlags: a BIT STRING of any length; missing bits are 0, bits beyond 32 are ignored.
Result<std::uint32_t> kerberosFlags(der::Reader& r, std::string_view field);
// Microseconds ::= INTEGER (0..999999).
Result<std::int32_t> microseconds(der::Reader& r, std::string_view field);

template <class E>
Result<E> enumInt32(der::Reader& r, std::string_view field) {
  KP_TRY(std::int32_t v, r.readInt32(field));
  return static_cast<E>(v);
}

template <class T>
Result<T> nested(der::Reader& r, std::string_view field) {
  return decodeFrom<T>(r, field);
}

// SEQUENCE OF X, elements labelled [0], [1], ... in the path.
template <class F>
Result<std::vector<FieldValue<F>>> sequenceOf(der::Reader& r, std::string_view field, F&& read) {
  KP_TRY(der::Reader seq, r.enterSequence(field));
  std::vector<FieldValue<F>> out;
  for (std::size_t i = 0; !seq.atEnd(); ++i) {
    char label[24] = "[";  // "[i]", written without a string: a SEQUENCE OF is read element by element
    char* end = std::to_chars(label + 1, label + sizeof label - 1, i).ptr;
    *end++ = ']';
    KP_TRY(FieldValue<F> value, read(seq, std::string_view(label, static_cast<std::size_t>(end - label))));
    out.push_back(std::move(value));
  }
  return out;
}

template <class T>
Result<std::vector<T>> sequenceOfNested(der::Reader& r, std::string_view field) {
  return sequenceOf(r, field, nested<T>);
}
inline Result<std::vector<std::string>> sequenceOfStrings(der::Reader& r, std::string_view field) {
  return sequenceOf(r, field, kerberosString);
}
inline Result<std::vector<std::int32_t>> sequenceOfInt32(der::Reader& r, std::string_view field) {
  return sequenceOf(r, field, int32);
}

// [APPLICATION n] SEQUENCE { ... }: the reader over the SEQUENCE content. A different first tag is
// bad_app_tag.
Result<der::Reader> enterApplicationSequence(der::Reader& r, std::uint32_t app, std::string_view field,
                                             std::string_view what);
// The same when several application tags are acceptable (EncASRepPart/EncTGSRepPart); `found` gets
// the tag number that was present.
Result<der::Reader> enterApplicationSequenceOneOf(der::Reader& r, std::uint32_t appA, std::uint32_t appB,
                                                  std::string_view field, std::string_view what,
                                                  std::uint32_t& found);

// pvno [n] INTEGER (5) and msg-type [n] INTEGER: bad_pvno / bad_msg_type otherwise.
Status expectPvno(der::Reader& r, std::uint32_t n, std::string_view field = "pvno");
Status expectMsgType(der::Reader& r, std::uint32_t n, iana::MsgType expected);

// --- writing ---------------------------------------------------------------------------------------

template <class F>
void writeField(der::Writer& w, std::uint32_t n, F&& fill) {
  w.context(n, std::forward<F>(fill));
}
inline void putInt(der::Writer& w, std::uint32_t n, std::int64_t v) {
  w.context(n, [&](der::Writer& c) { c.integer(v); });
}
inline void putString(der::Writer& w, std::uint32_t n, std::string_view v) {
  w.context(n, [&](der::Writer& c) { c.generalString(v); });
}
inline void putOctets(der::Writer& w, std::uint32_t n, BytesView v) {
  w.context(n, [&](der::Writer& c) { c.octetString(v); });
}
inline void putTime(der::Writer& w, std::uint32_t n, std::int64_t unixSeconds) {
  w.context(n, [&](der::Writer& c) { c.kerberosTime(unixSeconds); });
}
inline void putBool(der::Writer& w, std::uint32_t n, bool v) {
  w.context(n, [&](der::Writer& c) { c.boolean(v); });
}
// Always exactly 32 bits: 03 05 00 b0 b1 b2 b3.
void writeKerberosFlags(der::Writer& w, std::uint32_t flags);
inline void putFlags(der::Writer& w, std::uint32_t n, std::uint32_t flags) {
  w.context(n, [&](der::Writer& c) { writeKerberosFlags(c, flags); });
}
template <class T>
void putNested(der::Writer& w, std::uint32_t n, const T& v) {
  w.context(n, [&](der::Writer& c) { encodeTo(c, v); });
}
template <class T, class F>
void writeSequenceOf(der::Writer& w, const std::vector<T>& items, F&& writeOne) {
  w.sequence([&](der::Writer& s) {
    for (const T& item : items) {
      writeOne(s, item);
    }
  });
}
// SEQUENCE OF T, each element through encodeTo.
template <class T>
void writeSequenceOfNested(der::Writer& w, const std::vector<T>& items) {
  writeSequenceOf(w, items, [](der::Writer& s, const T& item) { encodeTo(s, item); });
}
inline void putStrings(der::Writer& w, std::uint32_t n, const std::vector<std::string>& items) {
  w.context(n, [&](der::Writer& c) {
    writeSequenceOf(c, items, [](der::Writer& s, const std::string& v) { s.generalString(v); });
  });
}
inline void putInts(der::Writer& w, std::uint32_t n, const std::vector<std::int32_t>& items) {
  w.context(n, [&](der::Writer& c) {
    writeSequenceOf(c, items, [](der::Writer& s, std::int32_t v) { s.integer(v); });
  });
}

}  // namespace kerbpool::core::messages::wire
