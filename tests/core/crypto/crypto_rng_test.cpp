#include <catch2/catch.hpp>

#include <set>
#include <thread>
#include <vector>

#include "core/crypto/crypto_rng.hpp"

using namespace kerbpool::core;

TEST_CASE("CryptoRng: draws never repeat across sizes and block boundaries", "[crypto][rng]") {
  crypto::CryptoRng rng;
  std::set<Bytes> seen;
  // 16-octet draws cross the 4 KiB per-thread block boundary many times; 2000-octet draws bypass it.
  for (int i = 0; i < 1000; ++i) {
    CHECK(seen.insert(rng.bytes(16)).second);
  }
  for (int i = 0; i < 4; ++i) {
    const Bytes big = rng.bytes(2000);
    CHECK(seen.insert(big).second);
    CHECK(seen.insert(Bytes(big.begin(), big.begin() + 16)).second);
  }
  rng.fill(std::span<std::uint8_t>());  // empty: nothing to do
}

TEST_CASE("CryptoRng: threads draw from separate blocks", "[crypto][rng]") {
  crypto::CryptoRng rng;
  std::vector<Bytes> a;
  std::vector<Bytes> b;
  std::thread t1([&] {
    for (int i = 0; i < 300; ++i) {
      a.push_back(rng.bytes(32));
    }
  });
  std::thread t2([&] {
    for (int i = 0; i < 300; ++i) {
      b.push_back(rng.bytes(32));
    }
  });
  t1.join();
  t2.join();
  std::set<Bytes> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  CHECK(all.size() == 600);
}
