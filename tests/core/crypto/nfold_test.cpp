#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/crypto/enctype.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using kerbpool::test::hexBytes;

TEST_CASE("n-fold matches RFC 3961 appendix A.1", "[crypto][nfold]") {
  const auto doc = kerbpool::test::loadVectors("rfc3961-nfold.json");
  REQUIRE(doc.at("vectors").size() == 11);
  for (const auto& v : doc.at("vectors")) {
    const auto bits = v.at("output_bits").get<std::size_t>();
    INFO(v.at("input_ascii").get<std::string>() << " -> " << bits << " bits");
    REQUIRE(bits % 8 == 0);
    CHECK(toHex(crypto::nfold(hexBytes(v.at("input_hex")), bits / 8)) ==
          v.at("output_hex").get<std::string>());
  }
}

TEST_CASE("n-fold of nothing is zeros", "[crypto][nfold]") {
  CHECK(crypto::nfold({}, 4) == Bytes(4, 0));
  CHECK(crypto::nfold(asBytes("x"), 0).empty());
}
