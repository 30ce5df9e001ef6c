#include <catch2/catch.hpp>

#include "core/der/der_reader.hpp"
#include "core/der/der_writer.hpp"

TEST_CASE("der writer output reads back", "[der]") {
  kerbpool::core::der::Writer w;
  w.sequence([](auto& s) { s.context(0, [](auto& c) { c.integer(5); }); });
  kerbpool::core::der::Reader r(w.bytes(), "T");
  auto seq = r.enterSequence("seq");
  REQUIRE(seq.ok());
  auto c0 = seq->enterContext(0, "pvno");
  REQUIRE(c0.ok());
  auto v = c0->readInteger("");
  REQUIRE(v.ok());
  CHECK(*v == 5);
}
