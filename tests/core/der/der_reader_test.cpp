#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/der/der_reader.hpp"
#include "core/der/der_writer.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::der;
using kerbpool::test::hexBytes;

namespace {

// Reads one INTEGER from the hex and returns the error code, or "" on success.
std::string integerError(const std::string& hex) {
  Bytes b = hexBytes(hex);
  Reader r(b, "T");
  auto v = r.readInteger("n");
  return v.ok() ? "" : v.error().code;
}

// `inner` wrapped in n SEQUENCEs, built from the inside out.
Bytes nestInSequences(Bytes inner, int n) {
  for (int i = 0; i < n; ++i) {
    Bytes outer;
    appendTag(outer, Tag::sequence());
    appendLength(outer, inner.size());
    append(outer, inner);
    inner.swap(outer);
  }
  return inner;
}

}  // namespace

TEST_CASE("der reader: integers in minimal two's complement", "[der]") {
  struct Case {
    const char* hex;
    std::int64_t value;
  };
  const Case cases[] = {
      {"020100", 0},
      {"02017f", 127},
      {"02020080", 128},
      {"0201ff", -1},
      {"020180", -128},
      {"0202ff7f", -129},
      {"02050080000000", 0x80000000LL},
      {"0203fedcba", -0x012346},
  };
  for (const auto& c : cases) {
    Bytes b = hexBytes(c.hex);
    Reader r(b);
    auto v = r.readInteger("n");
    INFO(c.hex);
    REQUIRE(v.ok());
    CHECK(*v == c.value);
    CHECK(r.atEnd());
    Writer w;
    w.integer(c.value);
    CHECK(toHex(w.bytes()) == c.hex);
  }
}

TEST_CASE("der reader: refuses non-minimal and malformed integers", "[der]") {
  CHECK(integerError("0200") == "bad_integer");
  CHECK(integerError("0202007f") == "non_minimal_integer");
  CHECK(integerError("0202ff80") == "non_minimal_integer");
  CHECK(integerError("0209010000000000000000") == "integer_overflow");
  CHECK(integerError("2201ff") == "constructed_primitive");
  CHECK(integerError("0401ff") == "bad_tag");
}

TEST_CASE("der reader: lengths must be definite and minimal and inside the buffer", "[der]") {
  CHECK(integerError("0281") == "truncated");
  CHECK(integerError("028180") == "truncated");
  CHECK(integerError("02810100") == "non_minimal_length");
  CHECK(integerError("0282000100") == "non_minimal_length");
  CHECK(integerError("028000") == "indefinite_length");
  CHECK(integerError("0285010000000000") == "length_too_large");
  CHECK(integerError("0204ffff") == "truncated");
  CHECK(integerError("02") == "truncated");
  CHECK(integerError("") == "missing_field");
}

TEST_CASE("der reader: the error names the field path", "[der]") {
  Writer w;
  w.application(10, [](Writer& a) {
    a.sequence([](Writer& s) { s.context(1, [](Writer& c) { c.octetString(asBytes("x")); }); });
  });
  Reader r(w.bytes(), "AS-REQ");
  auto app = r.enterApplication(10, "");
  REQUIRE(app.ok());
  auto seq = app->enterSequence("");
  REQUIRE(seq.ok());
  auto pvno = seq->enterContext(1, "pvno");
  REQUIRE(pvno.ok());
  auto v = pvno->readInteger("");
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().category == ErrorCategory::Decoding);
  CHECK(v.error().code == "bad_tag");
  CHECK(v.error().detail == "expected INTEGER at AS-REQ.pvno, found OCTET STRING");
}

TEST_CASE("der reader: a path longer than the reader keeps its last fields after ...", "[der]") {
  // 20 nested SEQUENCEs named field00..field19 around an OCTET STRING read as an INTEGER.
  const Bytes b = nestInSequences(hexBytes("040178"), 20);
  std::vector<std::string> names;
  std::string full = "root";
  for (int i = 0; i < 20; ++i) {
    names.push_back("field" + std::string(i < 10 ? "0" : "") + std::to_string(i));
    full += "." + names.back();
  }
  REQUIRE(full.size() > 120);
  Reader r(b, "root");
  std::optional<Reader> cur = r;
  for (const auto& name : names) {
    auto next = cur->enterSequence(name);
    REQUIRE(next.ok());
    cur.emplace(std::move(*next));
  }
  CHECK(cur->path() == "..." + full.substr(full.size() - 117));
  auto v = cur->readInteger("n");
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().detail ==
        "expected INTEGER at ..." + full.substr(full.size() - 117) + ".n, found OCTET STRING");

  // A short path is whole.
  Reader shallow(b, "root");
  auto one = shallow.enterSequence("field00");
  REQUIRE(one.ok());
  CHECK(one->path() == "root.field00");
}

TEST_CASE("der reader: wrong application tag and trailing bytes", "[der]") {
  Bytes ticket = hexBytes("6103020105");
  Reader r1(ticket, "AP-REQ");
  auto e1 = r1.enterApplication(14, "");
  REQUIRE_FALSE(e1.ok());
  CHECK(e1.error().code == "bad_tag");
  CHECK(e1.error().detail.find("[APPLICATION 14]") != std::string::npos);
  CHECK(e1.error().detail.find("[APPLICATION 1]") != std::string::npos);

  Bytes trailing = hexBytes("02010500");
  Reader r2(trailing, "X");
  REQUIRE(r2.readInteger("n").ok());
  auto end = r2.expectEnd();
  REQUIRE_FALSE(end.ok());
  CHECK(end.error().code == "trailing_bytes");

  auto single = readSingle(trailing, "X");
  REQUIRE_FALSE(single.ok());
  CHECK(single.error().code == "trailing_bytes");
}

TEST_CASE("der reader: a nesting bomb stops at the depth limit", "[der]") {
  // 5000 nested SEQUENCEs around an INTEGER, built from the inside out.
  const Bytes b = nestInSequences(hexBytes("020100"), 5000);
  Reader r(b, "bomb");
  std::optional<Reader> cur = r;
  std::string code;
  for (int i = 0; i < 6000 && cur; ++i) {
    auto next = cur->enterSequence("s");
    if (!next.ok()) {
      code = next.error().code;
      break;
    }
    cur.emplace(std::move(*next));
  }
  CHECK(code == "nesting_too_deep");
}

TEST_CASE("der reader: strings and booleans and null and bit strings and OIDs", "[der]") {
  Writer w;
  w.generalString("CONTOSO.TEST")
      .boolean(true)
      .null()
      .bitString(hexBytes("40810010"))
      .oid(hexBytes("2a864886f712010202"))
      .octetString(hexBytes("0001ff"))
      .enumerated(2);
  Reader r(w.bytes(), "T");
  CHECK(*r.readGeneralString("realm") == "CONTOSO.TEST");
  CHECK(*r.readBoolean("b") == true);
  CHECK(r.readNull("n").ok());
  auto bits = r.readBitString("flags");
  REQUIRE(bits.ok());
  CHECK(toHex(bits->bits) == "40810010");
  CHECK(bits->unusedBits == 0);
  CHECK(toHex(*r.readOid("mech")) == "2a864886f712010202");
  CHECK(toHex(*r.readOctetString("o")) == "0001ff");
  CHECK(*r.readEnumerated("e") == 2);
  CHECK(r.expectEnd().ok());
}

TEST_CASE("der reader: refuses malformed primitive values", "[der]") {
  auto code = [](const std::string& hex, auto read) {
    Bytes b = hexBytes(hex);
    Reader r(b, "T");
    auto v = read(r);
    return v.ok() ? std::string() : v.error().code;
  };
  auto readBool = [](Reader& r) { return r.readBoolean("b"); };
  auto readBits = [](Reader& r) { return r.readBitString("f"); };
  auto readOid = [](Reader& r) { return r.readOid("o"); };
  auto readNull = [](Reader& r) { return r.readNull("n"); };
  auto readTime = [](Reader& r) { return r.readKerberosTime("t"); };
  CHECK(code("010101", readBool) == "bad_boolean");
  CHECK(code("01020000", readBool) == "bad_boolean");
  CHECK(code("0300", readBits) == "bad_bit_string");
  CHECK(code("030108", readBits) == "bad_bit_string");
  CHECK(code("030201ff", readBits) == "bad_bit_string");
  CHECK(code("0600", readOid) == "bad_oid");
  CHECK(code("06022a86", readOid) == "bad_oid");
  CHECK(code("0603808001", readOid) == "bad_oid");
  CHECK(code("050100", readNull) == "bad_null");
  // 2026-02-30 does not exist; a fraction, a missing Z and a local offset are all refused.
  CHECK(code("180f" + toHex(asBytes("20260230000000Z")), readTime) == "bad_time");
  CHECK(code("1811" + toHex(asBytes("20261123044500.5Z")), readTime) == "bad_time");
  CHECK(code("180e" + toHex(asBytes("20261123044500")), readTime) == "bad_time");
  CHECK(code("1813" + toHex(asBytes("20261123044500+0100")), readTime) == "bad_time");
}

TEST_CASE("der reader: optional context fields", "[der]") {
  Writer w;
  w.context(0, [](Writer& c) { c.integer(1); }).context(2, [](Writer& c) { c.integer(3); });
  Reader r(w.bytes(), "S");
  auto f0 = r.enterOptionalContext(0, "a");
  REQUIRE(f0.ok());
  REQUIRE(f0->has_value());
  CHECK(*(*f0)->readInteger("") == 1);
  auto f1 = r.enterOptionalContext(1, "b");
  REQUIRE(f1.ok());
  CHECK_FALSE(f1->has_value());
  auto f2 = r.enterOptionalContext(2, "c");
  REQUIRE(f2.ok());
  REQUIRE(f2->has_value());
  CHECK(r.expectEnd().ok());
}

TEST_CASE("der reader: every truncation of a nested value is a typed error", "[der]") {
  Writer w;
  w.application(1, [](Writer& a) {
    a.sequence([](Writer& s) {
      s.context(0, [](Writer& c) { c.integer(5); });
      s.context(1, [](Writer& c) { c.generalString("CONTOSO.TEST"); });
    });
  });
  const Bytes full = w.take();
  for (std::size_t n = 0; n < full.size(); ++n) {
    BytesView part(full.data(), n);
    Reader r(part, "Ticket");
    auto app = r.enterApplication(1, "");
    INFO("length " << n);
    REQUIRE_FALSE(app.ok());
    CHECK(app.error().category == ErrorCategory::Decoding);
  }
}
