#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

#include "core/common/bytes.hpp"
#include "core/der/der_tags.hpp"

namespace kerbpool::core::der {

void appendTag(Bytes& out, Tag tag);

// Builds DER. Constructed values take a callable that appends their content (to this writer):
//   w.application(10, [&](Writer& w) { w.context(1, [&](Writer& w) { w.integer(5); }); });
// Lengths are always definite and minimal; INTEGERs minimal two's complement.
class Writer {
 public:
  Writer& integer(std::int64_t v);
  Writer& boolean(bool v);
  Writer& enumerated(std::int64_t v);
  Writer& octetString(BytesView v);
  Writer& generalString(std::string_view v);
  Writer& ia5String(std::string_view v);
  Writer& kerberosTime(std::int64_t unixSeconds);  // GeneralizedTime YYYYMMDDHHMMSSZ
  Writer& bitString(BytesView bits, std::uint8_t unusedBits = 0);
  Writer& oid(BytesView content);
  Writer& null();
  Writer& raw(BytesView encodedTlv);  // an already-encoded element, copied as is

  // tag + length + content
  Writer& wrap(Tag tag, BytesView content);

  // The content is written in place, after the tag and a one-octet length placeholder that finishLength()
  // fills (and widens when the content needs a long-form length): no buffer per element and no copy of the
  // content into its parent at every level. `fill` must only append (it is given this writer).
  template <typename F>
  Writer& constructed(Tag tag, F&& fill) {
    if (tag.number < 31) {  // the usual case: one identifier octet
      std::uint8_t* p = extend(2);
      p[0] = static_cast<std::uint8_t>(static_cast<std::uint8_t>(tag.cls) | (tag.constructed ? 0x20 : 0x00) |
                                       tag.number);
      p[1] = 0;
    } else {
      appendLongTag(tag);
      *extend(1) = 0;
    }
    const std::size_t lengthAt = size_ - 1;
    std::forward<F>(fill)(*this);
    finishLength(lengthAt);
    return *this;
  }
  template <typename F>
  Writer& sequence(F&& fill) {
    return constructed(Tag::sequence(), std::forward<F>(fill));
  }
  template <typename F>
  Writer& context(std::uint32_t n, F&& fill) {
    return constructed(Tag::context(n), std::forward<F>(fill));
  }
  template <typename F>
  Writer& application(std::uint32_t n, F&& fill) {
    return constructed(Tag::application(n), std::forward<F>(fill));
  }

  // Room for `octets` before the first write: a whole message then grows its one buffer a few times instead
  // of doubling from empty (an EncTicketPart with a PAC is over a kilobyte).
  void reserve(std::size_t octets) {
    if (octets > buf_.size()) {
      buf_.resize(octets);
    }
  }
  // What has been written so far.
  BytesView bytes() const { return BytesView(buf_.data(), size_); }
  Bytes take() {
    buf_.resize(size_);
    size_ = 0;
    return std::move(buf_);
  }

 private:
  // `n` more octets at the end, to be written by the caller. The buffer's size is its capacity (grown by
  // doubling, out of line); only its first size_ octets are written: no vector check or zero fill per octet.
  std::uint8_t* extend(std::size_t n) {
    if (buf_.size() - size_ < n) {
      grow(n);
    }
    std::uint8_t* p = buf_.data() + size_;
    size_ += n;
    return p;
  }
  void grow(std::size_t n);
  void appendLongTag(Tag tag);
  void finishLength(std::size_t lengthAt);

  Bytes buf_;
  std::size_t size_ = 0;
};

void appendLength(Bytes& out, std::size_t length);
Bytes encodeInteger(std::int64_t v);  // content octets only

}  // namespace kerbpool::core::der
