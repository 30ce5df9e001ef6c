#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/der/der_oid.hpp"
#include "core/der/der_time.hpp"
#include "core/der/der_writer.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::der;

TEST_CASE("der writer: lengths use the short form below 128 and minimal long forms above", "[der]") {
  for (std::size_t len : {0u, 1u, 127u, 128u, 255u, 256u, 65535u, 65536u}) {
    Bytes out;
    appendLength(out, len);
    INFO(len);
    if (len < 128) {
      CHECK(out.size() == 1);
    } else if (len < 256) {
      CHECK(toHex(out).substr(0, 2) == "81");
      CHECK(out.size() == 2);
    } else if (len < 65536) {
      CHECK(toHex(out).substr(0, 2) == "82");
      CHECK(out.size() == 3);
    } else {
      CHECK(toHex(out).substr(0, 2) == "83");
    }
  }
}

TEST_CASE("der writer: a constructed value written in place has the length its content needs", "[der]") {
  // Content sizes around each length form's edge, nested: the placeholder widens in place.
  for (std::size_t size :
       {0u, 1u, 125u, 126u, 127u, 128u, 253u, 254u, 255u, 256u, 65533u, 65534u, 65536u, 70000u}) {
    INFO(size);
    const Bytes payload(size, 0x5a);
    Writer nested;
    nested.sequence([&](Writer& w) {
      w.integer(7);
      w.context(1, [&](Writer& w) { w.octetString(payload); });
    });
    // The same built from the outside in, with wrap() and the reference length encoder.
    Writer octets;
    octets.octetString(payload);
    Writer explicitTag;
    explicitTag.wrap(Tag::context(1), octets.bytes());
    Writer content;
    content.integer(7).raw(explicitTag.bytes());
    Writer expected;
    expected.wrap(Tag::sequence(), content.bytes());
    CHECK(toHex(nested.bytes()) == toHex(expected.bytes()));
  }
}

TEST_CASE("der writer: Kerberos flags and explicit tags", "[der]") {
  Writer w;
  const Bytes flags = *fromHex("40810010");
  w.context(0, [&](Writer& c) { c.bitString(flags); });
  CHECK(toHex(w.bytes()) == "a00703050040810010");
  Writer app;
  app.application(30, [](Writer& a) { a.sequence([](Writer&) {}); });
  CHECK(toHex(app.bytes()) == "7e023000");
}

TEST_CASE("der writer: high tag numbers use the long form", "[der]") {
  Bytes out;
  appendTag(out, Tag{TagClass::Context, true, 31});
  CHECK(toHex(out) == "bf1f");
  out.clear();
  appendTag(out, Tag{TagClass::Application, true, 200});
  CHECK(toHex(out) == "7f8148");
}

TEST_CASE("der time: KerberosTime text both ways", "[der]") {
  CHECK(formatGeneralizedTime(771228197) == "19940610060317Z");  // MIT ktest.c SAMPLE_TIME
  CHECK(formatGeneralizedTime(0) == "19700101000000Z");
  CHECK(formatGeneralizedTime(951782400) == "20000229000000Z");
  CHECK(parseGeneralizedTime("19940610060317Z") == 771228197);
  CHECK(parseGeneralizedTime("20000229000000Z") == 951782400);
  CHECK_FALSE(parseGeneralizedTime("19000229000000Z").has_value());
  CHECK_FALSE(parseGeneralizedTime("20261123246000Z").has_value());
  for (std::int64_t t = 0; t < 4102444800; t += 86399 * 37) {
    auto back = parseGeneralizedTime(formatGeneralizedTime(t));
    REQUIRE(back.has_value());
    CHECK(*back == t);
  }
}

TEST_CASE("der oid: dotted text both ways", "[der]") {
  CHECK(toHex(*oidFromString("1.2.840.113554.1.2.2")) == "2a864886f712010202");
  CHECK(toHex(*oidFromString("1.3.6.1.5.5.2")) == "2b0601050502");
  CHECK(toHex(*oidFromString("1.3.6.1.4.1.311.2.2.10")) == "2b06010401823702020a");
  CHECK(*oidToString(*fromHex("2a864882f712010202")) == "1.2.840.48018.1.2.2");
  CHECK_FALSE(oidFromString("1").has_value());
  CHECK_FALSE(oidFromString("3.1").has_value());
  CHECK_FALSE(oidFromString("1..2").has_value());
  CHECK_FALSE(oidToString(*fromHex("2a86")).has_value());
}
