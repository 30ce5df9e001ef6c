#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/crypto/enctype.hpp"

namespace kerbpool::core::keytab {

// The only keytab version we read and write (MIT doc/formats/keytab_file_format.rst): 0x05 0x02, all
// integers big-endian, the realm not counted in the component count, with a name type.
inline constexpr std::uint16_t kKeytabVersion = 0x0502;

// One key of one principal, as stored in a keytab record.
struct KeytabEntry {
  std::vector<std::string> components;
  std::string realm;
  std::uint32_t nameType = 1;   // KRB5_NT_PRINCIPAL
  std::uint32_t timestamp = 0;  // seconds since the epoch, when the key was written
  std::uint32_t kvno = 0;       // the 32-bit kvno when present and non-zero, else the 8-bit one
  crypto::Key key;

  // MIT text form, "HTTP/pool.contoso.test@CONTOSO.TEST".
  std::string principal() const;

  friend bool operator==(const KeytabEntry& a, const KeytabEntry& b) {
    return a.components == b.components && a.realm == b.realm && a.nameType == b.nameType &&
           a.timestamp == b.timestamp && a.kvno == b.kvno && a.key.enctype == b.key.enctype &&
           a.key.value == b.key.value;
  }
};

// Where an entry sat in the file it was parsed from, and how its kvno was stored. For diagnostics and
// byte-level tests; the entries themselves are all a caller normally needs.
struct KeytabRecordLayout {
  std::size_t recordNumber = 0;         // 1-based count of records, holes included
  std::size_t offset = 0;               // of the record's 4-byte length field
  std::uint32_t length = 0;             // the record length field (the slot, may exceed the entry)
  std::uint8_t kvno8 = 0;               // the 8-bit kvno field
  std::optional<std::uint32_t> kvno32;  // the trailing 32-bit kvno when the record has room for it
};

// How principal names are compared when looking keys up. MIT compares exactly; Active Directory
// treats SPNs case-insensitively, so a front-end serving AD-issued tickets asks for IgnoreComponentCase.
enum class PrincipalMatch {
  Exact,                // components and realm byte for byte (MIT)
  IgnoreComponentCase,  // components ASCII case-insensitive, realm exact
  IgnoreCase,           // components and realm ASCII case-insensitive
};

bool principalMatches(const KeytabEntry& entry, const std::vector<std::string>& components,
                      std::string_view realm, PrincipalMatch match);

// An MIT keytab (format 0x0502) held in memory.
class Keytab {
 public:
  // Parses a keytab image. Never throws: errors are ErrorCategory::Decoding with codes
  // unsupported_version (0x0501), bad_version (not a keytab), truncated (a record, hole or field runs past
  // the end of its record or of the file), bad_component_count (0, or more than the record can hold); the
  // detail names the record number, its offset and the field. When layout is given it receives one row per entry, in the same order.
  static Result<Keytab> parse(BytesView image, std::vector<KeytabRecordLayout>* layout = nullptr);
  // The file image: 0x0502, then one record per entry, each with the 8-bit kvno (low byte) and the
  // 32-bit kvno, no holes, no terminator (as MIT writes). Throws std::length_error when an entry does
  // not fit the format (see validate()); writeFile checks first and returns an error instead.
  Bytes serialize() const;
  // Encoding errors (field_too_long, too_many_components, no_components) when an entry cannot be stored.
  Status validate() const;

  // readFile: Io/NotFound errors for the file, then parse() errors prefixed with the path.
  static Result<Keytab> readFile(const std::filesystem::path& path);
  // Writes atomically with mode 0600 from the start: a temp file created O_CREAT|O_EXCL 0600 in the same
  // folder, written, fsync'd, renamed over path.
  Status writeFile(const std::filesystem::path& path) const;

  // The key for (principal, kvno, enctype); kvno 0 asks for the highest kvno present for that principal
  // and enctype. nullptr when none matches.
  const KeytabEntry* find(const std::vector<std::string>& components, std::string_view realm,
                          std::uint32_t kvno, std::int32_t enctype,
                          PrincipalMatch match = PrincipalMatch::Exact) const;
  // Every entry of one principal, in file order.
  std::vector<const KeytabEntry*> entriesFor(const std::vector<std::string>& components,
                                             std::string_view realm,
                                             PrincipalMatch match = PrincipalMatch::Exact) const;

  void add(KeytabEntry entry) { entries_.push_back(std::move(entry)); }
  const std::vector<KeytabEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<KeytabEntry> entries_;
};

}  // namespace kerbpool::core::keytab
