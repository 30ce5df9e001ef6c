#include "core/keytab/keytab.hpp"

#include <sys/stat.h>
#include <catch2/catch.hpp>
#include <fstream>

#include "core/common/hex.hpp"
#include "tests/support/reference.hpp"
#include "tests/support/tools.hpp"

using kerbpool::core::Bytes;
using kerbpool::core::ErrorCategory;
using kerbpool::core::keytab::Keytab;
using kerbpool::core::keytab::KeytabEntry;
using kerbpool::core::keytab::KeytabRecordLayout;
using kerbpool::core::keytab::PrincipalMatch;

namespace {

KeytabEntry makeEntry(std::vector<std::string> components, std::string realm, std::uint32_t kvno,
                      std::int32_t enctype, std::uint8_t fill = 0x11) {
  KeytabEntry e;
  e.components = std::move(components);
  e.realm = std::move(realm);
  e.nameType = 1;
  e.timestamp = 1700000000;
  e.kvno = kvno;
  e.key.enctype = enctype;
  e.key.value.assign(enctype == 18 ? 32 : 16, fill);
  return e;
}

void putU16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void putU32(Bytes& b, std::uint32_t v) {
  putU16(b, v >> 16);
  putU16(b, v & 0xffff);
}

// The body of a record (no length field) for user@R, etype 17, 16-byte key, 8-bit kvno 5.
Bytes entryBody(std::uint8_t kvno8 = 5) {
  Bytes b;
  putU16(b, 1);
  putU16(b, 1);
  b.push_back('R');
  putU16(b, 4);
  for (char c : std::string("user")) {
    b.push_back(static_cast<std::uint8_t>(c));
  }
  putU32(b, 1);
  putU32(b, 1234);
  b.push_back(kvno8);
  putU16(b, 17);
  putU16(b, 16);
  b.insert(b.end(), 16, 0xab);
  return b;
}

Bytes withRecord(Bytes image, const Bytes& body, std::size_t slot) {
  putU32(image, static_cast<std::uint32_t>(slot));
  image.insert(image.end(), body.begin(), body.end());
  image.insert(image.end(), slot - body.size(), 0);
  return image;
}

const Bytes kHeader = {0x05, 0x02};

}  // namespace

TEST_CASE("keytab vectors parse to exactly the listed entries", "[keytab]") {
  const auto doc = kerbpool::test::loadVectors("keytab-0502.json");
  REQUIRE(doc.at("vectors").size() >= 3);
  for (const auto& v : doc.at("vectors")) {
    INFO(v.at("name").get<std::string>());
    const Bytes image = kerbpool::test::hexBytes(v.at("keytab_hex"));
    std::vector<KeytabRecordLayout> layout;
    auto kt = Keytab::parse(image, &layout);
    REQUIRE(kt.ok());
    const auto& expected = v.at("entries");
    REQUIRE(kt->size() == expected.size());
    REQUIRE(layout.size() == expected.size());
    bool allHaveKvno32 = true;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      INFO("entry " << i);
      const auto& x = expected[i];
      const KeytabEntry& e = kt->entries()[i];
      CHECK(layout[i].length == x.at("record_length").get<std::uint32_t>());
      CHECK(e.realm == x.at("realm").get<std::string>());
      CHECK(e.components == x.at("components").get<std::vector<std::string>>());
      CHECK(e.nameType == x.at("name_type").get<std::uint32_t>());
      CHECK(e.timestamp == x.at("timestamp").get<std::uint32_t>());
      CHECK(layout[i].kvno8 == x.at("kvno8").get<std::uint32_t>());
      CHECK(e.key.enctype == x.at("enctype").get<std::int32_t>());
      CHECK(kerbpool::core::toHex(e.key.value) == x.at("key_hex").get<std::string>());
      CHECK(e.kvno == x.at("effective_kvno").get<std::uint32_t>());
      if (x.contains("kvno32")) {
        REQUIRE(layout[i].kvno32.has_value());
        CHECK(*layout[i].kvno32 == x.at("kvno32").get<std::uint32_t>());
      } else {
        CHECK_FALSE(layout[i].kvno32.has_value());
        allHaveKvno32 = false;
      }
    }
    // Semantic round trip always; byte for byte when the source wrote the 32-bit kvno (as we do).
    const Bytes out = kt->serialize();
    auto again = Keytab::parse(out);
    REQUIRE(again.ok());
    CHECK(again->entries() == kt->entries());
    if (allHaveKvno32) {
      CHECK(kerbpool::core::toHex(out) == kerbpool::core::toHex(image));
    }
  }
}

TEST_CASE("keytab: truncation at every length is a typed error or a record-boundary prefix", "[keytab]") {
  const auto doc = kerbpool::test::loadVectors("keytab-0502.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(v.at("name").get<std::string>());
    const Bytes image = kerbpool::test::hexBytes(v.at("keytab_hex"));
    std::vector<KeytabRecordLayout> layout;
    auto full = Keytab::parse(image, &layout);
    REQUIRE(full.ok());
    for (std::size_t len = 0; len < image.size(); ++len) {
      INFO("length " << len);
      auto kt = Keytab::parse(kerbpool::core::BytesView(image).first(len));
      std::size_t boundaryEntries = 0;
      bool atBoundary = len == 2;
      for (const auto& row : layout) {
        if (len == row.offset + 4 + row.length) {
          atBoundary = true;
          boundaryEntries = &row - layout.data() + 1;
        }
      }
      if (atBoundary) {
        REQUIRE(kt.ok());
        CHECK(kt->size() == boundaryEntries);
      } else {
        REQUIRE_FALSE(kt.ok());
        CHECK(kt.error().category == ErrorCategory::Decoding);
        CHECK(kt.error().code == "truncated");
      }
    }
  }
}

TEST_CASE("keytab: versions other than 0x0502 are refused", "[keytab]") {
  const std::vector<std::pair<Bytes, std::string>> cases = {
      {{}, "truncated"},
      {{0x05}, "truncated"},
      {{0x05, 0x01, 0, 0, 0, 0}, "unsupported_version"},
      {{0x05, 0x03}, "bad_version"},
      {{0x04, 0x02}, "bad_version"},
      {{0x00, 0x00}, "bad_version"},
      {{'P', 'K', 3, 4}, "bad_version"},
  };
  for (const auto& [image, code] : cases) {
    INFO(kerbpool::core::toHex(image));
    auto kt = Keytab::parse(image);
    REQUIRE_FALSE(kt.ok());
    CHECK(kt.error().code == code);
    CHECK(kt.error().category == ErrorCategory::Decoding);
  }
}

TEST_CASE("keytab: holes are skipped, a zero length ends the file, an entry may be shorter than its slot",
          "[keytab]") {
  Bytes image = kHeader;
  putU32(image, static_cast<std::uint32_t>(-8));
  image.insert(image.end(), 8, 0);
  image = withRecord(image, entryBody(5), entryBody().size());  // exact slot, no kvno32: kvno 5
  putU32(image, static_cast<std::uint32_t>(-3));
  image.insert(image.end(), 3, 0);
  image = withRecord(image, entryBody(6), entryBody().size() + 3);  // 3 spare bytes: no room for kvno32
  Bytes zeroKvno = entryBody(7);
  putU32(zeroKvno, 0);
  image = withRecord(image, zeroKvno, zeroKvno.size() + 5);  // kvno32 = 0: the 8-bit kvno counts
  Bytes bigKvno = entryBody(0x2c);
  putU32(bigKvno, 300);
  image = withRecord(image, bigKvno, bigKvno.size() + 2);
  putU32(image, 0);
  image.insert(image.end(), {0xde, 0xad});  // anything after the end marker is ignored

  std::vector<KeytabRecordLayout> layout;
  auto kt = Keytab::parse(image, &layout);
  REQUIRE(kt.ok());
  REQUIRE(kt->size() == 4);
  CHECK(kt->entries()[0].kvno == 5);
  CHECK(kt->entries()[1].kvno == 6);
  CHECK(kt->entries()[2].kvno == 7);
  CHECK(kt->entries()[3].kvno == 300);
  CHECK(layout[0].recordNumber == 2);
  CHECK(layout[1].recordNumber == 4);
  CHECK(layout[0].offset == 2 + 4 + 8);
  CHECK_FALSE(layout[1].kvno32.has_value());
  REQUIRE(layout[2].kvno32.has_value());
  CHECK(*layout[2].kvno32 == 0);
  CHECK(layout[3].kvno8 == 0x2c);
  for (const auto& e : kt->entries()) {
    CHECK(e.principal() == "user@R");
    CHECK(e.timestamp == 1234);
    CHECK(e.key.value == Bytes(16, 0xab));
  }
}

TEST_CASE("keytab: absurd lengths and component bombs are typed errors", "[keytab]") {
  struct Case {
    std::string name;
    Bytes image;
    std::string code;
    std::string detailPart;
  };
  std::vector<Case> cases;
  {
    Bytes b = kHeader;
    putU32(b, 0x7fffffff);
    b.insert(b.end(), 10, 0);
    cases.push_back({"huge record length", b, "truncated", "record 1"});
  }
  {
    Bytes b = kHeader;
    putU32(b, 0x80000000u);  // INT32_MIN: a 2 GiB hole
    cases.push_back({"INT32_MIN hole", b, "truncated", "hole"});
  }
  {
    Bytes b = kHeader;
    putU32(b, static_cast<std::uint32_t>(-100));
    b.insert(b.end(), 99, 0);
    cases.push_back({"hole past the end", b, "truncated", "hole"});
  }
  {
    Bytes body;
    putU16(body, 0xffff);
    body.insert(body.end(), 40, 0);
    cases.push_back(
        {"component count bomb", withRecord(kHeader, body, body.size()), "bad_component_count", "65535"});
  }
  {
    Bytes body = entryBody();
    body[0] = 0;
    body[1] = 0;
    cases.push_back({"zero components", withRecord(kHeader, body, body.size()), "bad_component_count", ""});
  }
  {
    Bytes body = entryBody();
    body[2] = 0xff;  // realm length 0xff01
    cases.push_back({"realm length", withRecord(kHeader, body, body.size()), "truncated", "realm"});
  }
  {
    Bytes body = entryBody();
    body[5] = 0x7f;  // component 1 length 0x7f04
    cases.push_back({"component length", withRecord(kHeader, body, body.size()), "truncated", "component 1"});
  }
  {
    Bytes body = entryBody();
    body.resize(body.size() - 20);  // cut inside the key length / key
    cases.push_back({"record too short for key", withRecord(kHeader, body, body.size()), "truncated", "key"});
  }
  {
    Bytes body = entryBody();
    body.resize(12);  // ends inside name_type
    cases.push_back(
        {"record too short for name_type", withRecord(kHeader, body, body.size()), "truncated", "name_type"});
  }
  {
    Bytes b = withRecord(kHeader, entryBody(), entryBody().size());
    b.insert(b.end(), {0, 0, 1});
    cases.push_back({"dangling length bytes", b, "truncated", "record 2"});
  }
  for (const auto& c : cases) {
    INFO(c.name);
    auto kt = Keytab::parse(c.image);
    REQUIRE_FALSE(kt.ok());
    CHECK(kt.error().category == ErrorCategory::Decoding);
    CHECK(kt.error().code == c.code);
    CHECK_THAT(kt.error().detail, Catch::Contains(c.detailPart));
  }
}

TEST_CASE("keytab: corrupting any byte never crashes", "[keytab]") {
  const auto doc = kerbpool::test::loadVectors("keytab-0502.json");
  const Bytes image = kerbpool::test::hexBytes(doc.at("vectors").at(1).at("keytab_hex"));
  std::size_t failures = 0;
  for (std::size_t i = 0; i < image.size(); ++i) {
    for (std::uint8_t value : {0x00, 0x7f, 0x80, 0xff}) {
      Bytes mutated = image;
      mutated[i] = value;
      auto kt = Keytab::parse(mutated);
      if (!kt.ok()) {
        ++failures;
        CHECK(kt.error().category == ErrorCategory::Decoding);
        CHECK_FALSE(kt.error().code.empty());
      }
    }
  }
  CHECK(failures > 0);
}

TEST_CASE("keytab: lookup by principal, kvno and enctype", "[keytab]") {
  Keytab kt;
  kt.add(makeEntry({"HTTP", "pool.contoso.test"}, "CONTOSO.TEST", 2, 18, 0x02));
  kt.add(makeEntry({"HTTP", "pool.contoso.test"}, "CONTOSO.TEST", 3, 18, 0x03));
  kt.add(makeEntry({"HTTP", "pool.contoso.test"}, "CONTOSO.TEST", 3, 17, 0x13));
  kt.add(makeEntry({"HTTP", "pool.contoso.test"}, "CONTOSO.TEST", 1, 18, 0x01));
  kt.add(makeEntry({"host", "pool.contoso.test"}, "CONTOSO.TEST", 9, 18, 0x09));
  const std::vector<std::string> spn = {"HTTP", "pool.contoso.test"};

  const KeytabEntry* e = kt.find(spn, "CONTOSO.TEST", 2, 18);
  REQUIRE(e != nullptr);
  CHECK(e->key.value[0] == 0x02);
  e = kt.find(spn, "CONTOSO.TEST", 0, 18);  // highest kvno
  REQUIRE(e != nullptr);
  CHECK(e->kvno == 3);
  CHECK(e->key.value[0] == 0x03);
  CHECK(kt.find(spn, "CONTOSO.TEST", 3, 17)->key.value[0] == 0x13);
  CHECK(kt.find(spn, "CONTOSO.TEST", 2, 17) == nullptr);
  CHECK(kt.find(spn, "CONTOSO.TEST", 4, 18) == nullptr);
  CHECK(kt.find(spn, "CONTOSO.TEST", 0, 23) == nullptr);
  CHECK(kt.find({"HTTP"}, "CONTOSO.TEST", 0, 18) == nullptr);

  // MIT compares exactly; AD SPNs are case-insensitive when asked for.
  const std::vector<std::string> lower = {"http", "POOL.contoso.test"};
  CHECK(kt.find(lower, "CONTOSO.TEST", 3, 18) == nullptr);
  CHECK(kt.find(lower, "CONTOSO.TEST", 3, 18, PrincipalMatch::IgnoreComponentCase) != nullptr);
  CHECK(kt.find(lower, "contoso.test", 3, 18, PrincipalMatch::IgnoreComponentCase) == nullptr);
  CHECK(kt.find(lower, "contoso.test", 3, 18, PrincipalMatch::IgnoreCase) != nullptr);

  CHECK(kt.entriesFor(spn, "CONTOSO.TEST").size() == 4);
  CHECK(kt.entriesFor({"host", "pool.contoso.test"}, "CONTOSO.TEST").size() == 1);
  CHECK(kt.entriesFor(lower, "CONTOSO.TEST").empty());
  CHECK(kt.entriesFor(lower, "CONTOSO.TEST", PrincipalMatch::IgnoreComponentCase).size() == 4);
}

TEST_CASE("keytab: serialize writes the low byte and the full 32-bit kvno", "[keytab]") {
  Keytab kt;
  kt.add(makeEntry({"alice"}, "R", 300, 17));
  std::vector<KeytabRecordLayout> layout;
  auto back = Keytab::parse(kt.serialize(), &layout);
  REQUIRE(back.ok());
  CHECK(back->entries() == kt.entries());
  CHECK(layout.at(0).kvno8 == 0x2c);
  CHECK(layout.at(0).kvno32 == std::optional<std::uint32_t>(300));
}

TEST_CASE("keytab: entries that do not fit the format are refused, not truncated", "[keytab]") {
  const std::vector<std::pair<KeytabEntry, std::string>> cases = {
      {makeEntry({}, "R", 1, 17), "no_components"},
      {makeEntry({std::string(70000, 'x')}, "R", 1, 17), "field_too_long"},
      {makeEntry({"a"}, std::string(70000, 'R'), 1, 17), "field_too_long"},
      {makeEntry({"a"}, "R", 1, 40000), "bad_enctype"},
  };
  kerbpool::test::TempDir dir;
  for (const auto& [entry, code] : cases) {
    INFO(code);
    Keytab kt;
    kt.add(entry);
    auto st = kt.validate();
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == code);
    auto written = kt.writeFile(dir / "bad.keytab");
    REQUIRE_FALSE(written.ok());
    CHECK(written.error().code == code);
    CHECK_FALSE(std::filesystem::exists(dir / "bad.keytab"));
  }
}

TEST_CASE("keytab: writeFile creates mode 0600, replaces atomically, and readFile reads it back",
          "[keytab]") {
  kerbpool::test::TempDir dir;
  const auto path = dir / "http.keytab";
  {
    std::ofstream old(path);
    old << "old";
  }
  std::filesystem::permissions(path, std::filesystem::perms(0644));
  const mode_t oldMask = ::umask(0);  // even with a permissive umask
  Keytab kt;
  kt.add(makeEntry({"HTTP", "pool.contoso.test"}, "CONTOSO.TEST", 2, 18));
  kt.add(makeEntry({"HTTP", "pool.contoso.test"}, "CONTOSO.TEST", 2, 17));
  auto st = kt.writeFile(path);
  ::umask(oldMask);
  REQUIRE(st.ok());
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0600);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& f : std::filesystem::directory_iterator(dir.path())) {
    ++files;
  }
  CHECK(files == 1);  // no temporary file left behind
  auto back = Keytab::readFile(path);
  REQUIRE(back.ok());
  CHECK(back->entries() == kt.entries());
  CHECK(kerbpool::test::readFile(path) == kt.serialize());
}

TEST_CASE("keytab: readFile errors name the file and the record", "[keytab]") {
  kerbpool::test::TempDir dir;
  auto missing = Keytab::readFile(dir / "missing.keytab");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().category == ErrorCategory::NotFound);
  CHECK_THAT(missing.error().detail, Catch::Contains("missing.keytab"));

  const auto path = dir / "corrupt.keytab";
  Bytes image = withRecord(kHeader, entryBody(), entryBody().size());
  image.resize(image.size() - 3);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  }
  auto corrupt = Keytab::readFile(path);
  REQUIRE_FALSE(corrupt.ok());
  CHECK(corrupt.error().code == "truncated");
  CHECK_THAT(corrupt.error().detail, Catch::Contains("corrupt.keytab"));
  CHECK_THAT(corrupt.error().detail, Catch::Contains("record 1 at offset 0x2"));

  auto notFile = Keytab::readFile(dir.path());
  REQUIRE_FALSE(notFile.ok());
  CHECK(notFile.error().code == "not_a_file");
}

TEST_CASE("keytab vectors: keys re-derive from the password with string-to-key", "[keytab]") {
  const auto doc = kerbpool::test::loadVectors("keytab-0502.json");
  std::size_t derived = 0;
  for (const auto& v : doc.at("vectors")) {
    if (!v.contains("password")) {
      continue;
    }
    INFO(v.at("name").get<std::string>());
    const std::string password = v.at("password");
    const std::string salt = v.at("salt");
    auto kt = Keytab::parse(kerbpool::test::hexBytes(v.at("keytab_hex")));
    REQUIRE(kt.ok());
    for (const auto& e : kt->entries()) {
      CHECK(kerbpool::core::crypto::mitDefaultSalt(e.realm, e.components) == salt);
      if (kerbpool::core::crypto::findEnctype(e.key.enctype) == nullptr) {
        continue;  // 16, 19, 20: listed in the vector but not implemented by kerbpool
      }
      INFO("enctype " << e.key.enctype << " kvno " << e.kvno);
      auto key = kerbpool::core::crypto::stringToKey(e.key.enctype, password, salt);
      REQUIRE(key.ok());
      CHECK(kerbpool::core::toHex(key->value) == kerbpool::core::toHex(e.key.value));
      ++derived;
    }
  }
  CHECK(derived == 6);  // etypes 17, 18 and 23 at kvno 1 and 2
}
