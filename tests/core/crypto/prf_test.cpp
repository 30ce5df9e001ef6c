// PRF, PRF+ and KRB-FX-CF2 (RFC 3961/3962/4757, RFC 6113 5.1). Their known-answer check against a real KDC
// is tests/core/capture/mit_capture_decrypt_test.cpp (the MIT TGS FAST armor and strengthened reply key
// only decrypt when cf2 matches MIT's); here: structure, symmetry and typed errors.
#include <catch2/catch.hpp>

#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "core/crypto/prf.hpp"

using namespace kerbpool::core;

TEST_CASE("prf output sizes follow the enctype", "[crypto][prf]") {
  SeededRng rng(7);
  for (const auto& [etype, size] :
       std::vector<std::pair<std::int32_t, std::size_t>>{{17, 16}, {18, 16}, {23, 20}}) {
    INFO("etype " << etype);
    auto key = crypto::generateKey(etype, rng);
    REQUIRE(key.ok());
    auto out = crypto::prf(*key, Bytes{'a', 'b'});
    REQUIRE(out.ok());
    CHECK(out->size() == size);
    auto again = crypto::prf(*key, Bytes{'a', 'b'});
    CHECK(*again == *out);
    CHECK(*crypto::prf(*key, Bytes{'a', 'c'}) != *out);
  }
}

TEST_CASE("prfPlus concatenates counter-prefixed prf blocks and truncates", "[crypto][prf]") {
  SeededRng rng(8);
  auto key = crypto::generateKey(18, rng);
  REQUIRE(key.ok());
  const Bytes input{'p', 'e', 'p'};
  auto plus = crypto::prfPlus(*key, input, 40);
  REQUIRE(plus.ok());
  REQUIRE(plus->size() == 40);
  Bytes expected;
  for (std::uint8_t counter = 1; counter <= 3; ++counter) {
    Bytes block{counter};
    block.insert(block.end(), input.begin(), input.end());
    auto p = crypto::prf(*key, block);
    REQUIRE(p.ok());
    expected.insert(expected.end(), p->begin(), p->end());
  }
  expected.resize(40);
  CHECK(*plus == expected);
  auto tooLong = crypto::prfPlus(*key, input, 256 * 16);
  REQUIRE_FALSE(tooLong.ok());
  CHECK(tooLong.error().code == "prf_output_too_long");
}

TEST_CASE("cf2 gives a key of the first key's enctype and depends on order and peppers", "[crypto][prf]") {
  SeededRng rng(9);
  auto a = crypto::generateKey(18, rng);
  auto b = crypto::generateKey(18, rng);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto k = crypto::cf2(*a, *b, "subkeyarmor", "ticketarmor");
  REQUIRE(k.ok());
  CHECK(k->enctype == 18);
  CHECK(k->value.size() == 32);
  CHECK(crypto::cf2(*b, *a, "subkeyarmor", "ticketarmor")->value != k->value);
  CHECK(crypto::cf2(*a, *b, "strengthenkey", "replykey")->value != k->value);
  // cf2(a, b, p1, p2) == cf2(b, a, p2, p1): the XOR is symmetric.
  CHECK(crypto::cf2(*b, *a, "ticketarmor", "subkeyarmor")->value == k->value);
}

TEST_CASE("prf and cf2 refuse bad keys with typed errors", "[crypto][prf]") {
  const crypto::Key shortKey{18, Bytes(5, 0)};
  const crypto::Key unknown{99, Bytes(32, 0)};
  const crypto::Key good{18, Bytes(32, 1)};
  auto r1 = crypto::prf(shortKey, Bytes{1});
  REQUIRE_FALSE(r1.ok());
  CHECK(r1.error().category == ErrorCategory::Crypto);
  CHECK(r1.error().code == "bad_key_length");
  auto r2 = crypto::prf(unknown, Bytes{1});
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().code == "unsupported_enctype");
  auto r3 = crypto::cf2(good, shortKey, "a", "b");
  REQUIRE_FALSE(r3.ok());
  CHECK(r3.error().code == "bad_key_length");
}
