// Fuzz target: opening a web ticket (core/webticket), what a node does with every `Authorization: Bearer`.
// First octet, bit 0 clear: the rest is the token text as a client sends it. Bit 0 set: the rest is sealed
// as the claims with the pool's key first (random bytes never pass the integrity check, so this reaches the
// claims' parser), with bits 1-2 choosing the key version sealed with (1: held; others: not held).
// Checks: an opened ticket names a user, is for this pool and is within its validity window.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common/base64.hpp"
#include "core/crypto/enctype.hpp"
#include "core/webticket/web_ticket.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;
using namespace kerbpool::core::webticket;

namespace {

const core::TimePoint kNow = core::fromUnixSeconds(1796385600);

const PoolKey& poolKey() {
  static const PoolKey key = [] {
    core::SeededRng rng(11);
    auto k = generatePoolKey(1, rng);
    fuzz::check(k.ok(), "webticket: no pool key");
    return *k;
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string token;
  if ((data[0] & 1) == 0) {
    token.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    core::SeededRng rng(12);
    PoolKey key = poolKey();
    key.version = 1 + ((data[0] >> 1) & 3);
    auto sealed = core::crypto::encrypt(key.key, kKeyUsage, fuzz::bytesOf(data + 1, size - 1), rng);
    fuzz::check(sealed.ok(), "webticket: cannot seal");
    core::Bytes raw{0, 0, 0, static_cast<std::uint8_t>(key.version)};
    raw.insert(raw.end(), sealed->begin(), sealed->end());
    token = std::string(kPrefix) + core::base64Encode(raw);
  }
  OpenOptions options;
  options.audience = "https://pool.contoso.test";
  auto opened = openWebTicket(token, {poolKey()}, kNow, options);
  if (!opened.ok()) {
    fuzz::check(!opened.error().code.empty() && !opened.error().detail.empty(),
                "webticket: an empty refusal");
    return 0;
  }
  fuzz::check(!opened->user.empty(), "webticket: an opened ticket names no user");
  fuzz::check(opened->audience == options.audience, "webticket: opened for another audience");
  fuzz::check(kNow - options.skew < opened->expires && opened->issued <= kNow + options.skew,
              "webticket: opened outside its validity window");
  return 0;
}
