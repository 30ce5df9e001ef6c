#include "tests/support/reference.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "core/common/hex.hpp"

namespace kerbpool::test {

std::filesystem::path referenceDir() {
  return std::filesystem::path(KERBPOOL_REFERENCE_DIR);
}

core::Bytes readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  INFO("reading " << p.string());
  REQUIRE(in.good());
  return core::Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

nlohmann::json loadVectors(const std::string& name) {
  const auto path = referenceDir() / "vectors" / name;
  INFO("vector file " << path.string() << " (set -DKERBPOOL_REFERENCE_DIR)");
  REQUIRE(std::filesystem::exists(path));
  const core::Bytes raw = readFile(path);
  return nlohmann::json::parse(raw.begin(), raw.end());
}

core::Bytes hexBytes(const std::string& hex) {
  auto b = core::fromHex(hex);
  INFO("hex: " << hex);
  REQUIRE(b.has_value());
  return *b;
}

}  // namespace kerbpool::test
