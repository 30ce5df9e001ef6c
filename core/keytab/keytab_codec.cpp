// MIT keytab 0x0502 wire format (krb5 doc/formats/keytab_file_format.rst): parse and serialize.
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "core/keytab/keytab.hpp"

namespace kerbpool::core::keytab {
namespace {

constexpr std::size_t kU16Max = std::numeric_limits<std::uint16_t>::max();

std::string hexOffset(std::size_t offset) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%zx", offset);
  return buf;
}

// Bounded big-endian reader over one record; every read names the field it is for.
class RecordReader {
 public:
  RecordReader(BytesView record, std::size_t recordNumber, std::size_t fileOffset)
      : data_(record), recordNumber_(recordNumber), fileOffset_(fileOffset) {}

  std::size_t remaining() const { return data_.size() - pos_; }

  Result<std::uint32_t> u32(std::string_view field) { return readInt(field, 4); }
  Result<std::uint16_t> u16(std::string_view field) {
    KP_TRY(auto v, readInt(field, 2));
    return static_cast<std::uint16_t>(v);
  }
  Result<std::uint8_t> u8(std::string_view field) {
    KP_TRY(auto v, readInt(field, 1));
    return static_cast<std::uint8_t>(v);
  }
  // counted_octet_string: u16 length then that many bytes.
  Result<BytesView> counted(const std::string& field) {
    KP_TRY(auto n, u16(field + " length"));
    KP_CHECK(need(field, n));
    BytesView out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

  Error fail(std::string code, std::string_view what) const {
    return makeError(ErrorCategory::Decoding, std::move(code),
                     "keytab record " + std::to_string(recordNumber_) + " at offset " +
                         hexOffset(fileOffset_) + ": " + std::string(what));
  }

 private:
  Status need(std::string_view field, std::size_t n) const {
    if (n > remaining()) {
      return fail("truncated", std::string(field) + " needs " + std::to_string(n) + " bytes but only " +
                                   std::to_string(remaining()) + " are left in the record");
    }
    return okStatus();
  }

  Result<std::uint32_t> readInt(std::string_view field, std::size_t n) {
    KP_CHECK(need(field, n));
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      v = (v << 8) | data_[pos_ + i];
    }
    pos_ += n;
    return v;
  }

  BytesView data_;
  std::size_t pos_ = 0;
  std::size_t recordNumber_;
  std::size_t fileOffset_;
};

Result<KeytabEntry> parseEntry(RecordReader& r, KeytabRecordLayout& layout) {
  KeytabEntry e;
  KP_TRY(const std::uint16_t count, r.u16("component count"));
  // Each component needs at least its 2-byte length, after the realm's 2-byte length: refuse a count
  // the record cannot hold before allocating anything for it.
  if (count == 0) {
    return r.fail("bad_component_count", "component count is 0");
  }
  if (2 + 2 * static_cast<std::size_t>(count) > r.remaining()) {
    return r.fail("bad_component_count", "component count " + std::to_string(count) + " cannot fit in the " +
                                             std::to_string(r.remaining()) + " bytes left in the record");
  }
  KP_TRY(BytesView realm, r.counted("realm"));
  e.realm = toString(realm);
  e.components.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    KP_TRY(BytesView c, r.counted("component " + std::to_string(i + 1)));
    e.components.push_back(toString(c));
  }
  KP_TRY(e.nameType, r.u32("name_type"));
  KP_TRY(e.timestamp, r.u32("timestamp"));
  KP_TRY(layout.kvno8, r.u8("kvno (8-bit)"));
  KP_TRY(const std::uint16_t enctype, r.u16("enctype"));
  // MIT stores the enctype as a signed 16-bit number.
  e.key.enctype = static_cast<std::int16_t>(enctype);
  KP_TRY(BytesView key, r.counted("key"));
  e.key.value.assign(key.begin(), key.end());
  e.kvno = layout.kvno8;
  // The 32-bit kvno is optional; it counts only if the record has room for it and it is non-zero.
  if (r.remaining() >= 4) {
    KP_TRY(const std::uint32_t kvno32, r.u32("kvno (32-bit)"));
    layout.kvno32 = kvno32;
    if (kvno32 != 0) {
      e.kvno = kvno32;
    }
  }
  return e;
}

Error fileError(std::string code, std::string detail) {
  return makeError(ErrorCategory::Decoding, std::move(code), "keytab: " + std::move(detail));
}

void putU16(Bytes& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void putU32(Bytes& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void putCounted(Bytes& out, BytesView b) {
  putU16(out, static_cast<std::uint32_t>(b.size()));
  append(out, b);
}

std::size_t entrySize(const KeytabEntry& e) {
  std::size_t n = 2 + 2 + e.realm.size();
  for (const auto& c : e.components) {
    n += 2 + c.size();
  }
  return n + 4 + 4 + 1 + 2 + 2 + e.key.value.size() + 4;
}

}  // namespace

Result<Keytab> Keytab::parse(BytesView image, std::vector<KeytabRecordLayout>* layout) {
  if (image.size() < 2) {
    return fileError("truncated",
                     "file is " + std::to_string(image.size()) + " bytes, too short for the 2-byte version");
  }
  if (image[0] == 0x05 && image[1] == 0x01) {
    return fileError("unsupported_version",
                     "version 0x0501 (host byte order, no name type) is not supported; only 0x0502");
  }
  if (image[0] != 0x05 || image[1] != 0x02) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%02x%02x", image[0], image[1]);
    return fileError("bad_version", std::string("version 0x") + buf + " is not a keytab version (0x0502)");
  }
  Keytab kt;
  std::size_t pos = 2;
  std::size_t recordNumber = 0;
  while (pos < image.size()) {
    ++recordNumber;
    const std::size_t recordOffset = pos;
    const std::size_t left = image.size() - pos;
    const std::string where =
        "record " + std::to_string(recordNumber) + " at offset " + hexOffset(recordOffset) + ": ";
    if (left < 4) {
      return fileError("truncated", where + "record length needs 4 bytes but only " + std::to_string(left) +
                                        " are left in the file");
    }
    const std::uint32_t raw = (std::uint32_t{image[pos]} << 24) | (std::uint32_t{image[pos + 1]} << 16) |
                              (std::uint32_t{image[pos + 2]} << 8) | std::uint32_t{image[pos + 3]};
    pos += 4;
    const std::int64_t length = static_cast<std::int32_t>(raw);
    if (length == 0) {
      break;  // explicit end of the keytab
    }
    const std::size_t size = static_cast<std::size_t>(length < 0 ? -length : length);
    if (size > image.size() - pos) {
      return fileError("truncated",
                       where + (length < 0 ? "hole of " : "record length ") + std::to_string(size) +
                           " runs past the end of the file (" + std::to_string(image.size() - pos) +
                           " bytes left)");
    }
    if (length < 0) {
      pos += size;  // a hole left by a deleted entry
      continue;
    }
    KeytabRecordLayout row;
    row.recordNumber = recordNumber;
    row.offset = recordOffset;
    row.length = static_cast<std::uint32_t>(size);
    RecordReader reader(image.subspan(pos, size), recordNumber, recordOffset);
    KP_TRY(KeytabEntry entry, parseEntry(reader, row));
    kt.entries_.push_back(std::move(entry));
    if (layout != nullptr) {
      layout->push_back(row);
    }
    pos += size;
  }
  return kt;
}

Status Keytab::validate() const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const KeytabEntry& e = entries_[i];
    const std::string where = "keytab entry " + std::to_string(i + 1) + ": ";
    if (e.components.empty()) {
      return makeError(ErrorCategory::Encoding, "no_components", where + "principal has no components");
    }
    if (e.components.size() > kU16Max) {
      return makeError(ErrorCategory::Encoding, "too_many_components",
                       where + std::to_string(e.components.size()) + " components (at most 65535)");
    }
    if (e.realm.size() > kU16Max) {
      return makeError(ErrorCategory::Encoding, "field_too_long", where + "realm longer than 65535 bytes");
    }
    for (const auto& c : e.components) {
      if (c.size() > kU16Max) {
        return makeError(ErrorCategory::Encoding, "field_too_long",
                         where + "a component is longer than 65535 bytes");
      }
    }
    if (e.key.value.size() > kU16Max) {
      return makeError(ErrorCategory::Encoding, "field_too_long", where + "key longer than 65535 bytes");
    }
    if (e.key.enctype < std::numeric_limits<std::int16_t>::min() ||
        e.key.enctype > std::numeric_limits<std::int16_t>::max()) {
      return makeError(ErrorCategory::Encoding, "bad_enctype",
                       where + "enctype " + std::to_string(e.key.enctype) + " does not fit 16 bits");
    }
    if (entrySize(e) > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
      return makeError(ErrorCategory::Encoding, "field_too_long", where + "record too large");
    }
  }
  return okStatus();
}

Bytes Keytab::serialize() const {
  if (auto st = validate(); !st.ok()) {
    throw std::length_error(st.error().message());
  }
  Bytes out{0x05, 0x02};
  for (const KeytabEntry& e : entries_) {
    putU32(out, static_cast<std::uint32_t>(entrySize(e)));
    putU16(out, static_cast<std::uint32_t>(e.components.size()));
    putCounted(out, asBytes(e.realm));
    for (const auto& c : e.components) {
      putCounted(out, asBytes(c));
    }
    putU32(out, e.nameType);
    putU32(out, e.timestamp);
    out.push_back(static_cast<std::uint8_t>(e.kvno));  // the low byte, as MIT writes it
    putU16(out, static_cast<std::uint16_t>(static_cast<std::int16_t>(e.key.enctype)));
    putCounted(out, e.key.value);
    putU32(out, e.kvno);
  }
  return out;
}

}  // namespace kerbpool::core::keytab
