// Fuzz target: the load balancer's request rules, pure functions over what a client sends: hop-by-hop
// fields and Connection tokens, X-Forwarded-For, endpoints, methods, the affinity cookie and the choice of
// a node (cookie, source hash, sticky table), plus the balancer's own option parsers.
// The input is cut into lines: Connection, X-Forwarded-For, peer endpoint, method, Cookie, option text.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/rng.hpp"
#include "loadbalancer/affinity.hpp"
#include "loadbalancer/backend_chooser.hpp"
#include "loadbalancer/backend_pool.hpp"
#include "loadbalancer/forwarding_rules.hpp"
#include "loadbalancer/lb_config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;
namespace lb = kerbpool::loadbalancer;

namespace {

std::string_view line(const std::vector<std::string_view>& lines, std::size_t i) {
  return i < lines.size() ? lines[i] : std::string_view();
}

void choose(lb::AffinityMode affinity, std::string_view clientAddress, std::string_view cookie) {
  static const std::vector<lb::BackendSpec> backends{
      {"fe01", "127.0.0.1", 8001}, {"fe02", "127.0.0.1", 8002}, {"fe03", "127.0.0.1", 8003}};
  lb::BackendPool pool(backends, 2, 3);
  lb::LbConfig config;
  config.backends = backends;
  config.affinity = affinity;
  config.policy = lb::PolicyKind::Random;
  config.stickyTableSize = 2;
  core::SeededRng rng(1);
  lb::BackendChooser chooser(pool, config, rng);
  const std::array<std::size_t, 1> exclude{1};
  for (int round = 0; round < 2; ++round) {
    auto pick = chooser.choose(lb::PickContext{clientAddress, cookie},
                               round == 0 ? std::span<const std::size_t>() : std::span(exclude));
    fuzz::check(pick.ok(), "chooser: no node although all are up");
    fuzz::check(pick->backend < backends.size(), "chooser: node out of range");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto lines = fuzz::splitLines(fuzz::textOf(data, size), 6);
  const std::string_view connection = line(lines, 0);
  for (const auto& token : lb::connectionTokens(connection)) {
    fuzz::check(!token.empty(), "connectionTokens: an empty token");
    (void)lb::isHopByHopField(token);
  }
  const std::string_view peer = line(lines, 2);
  const std::string_view address = lb::addressOf(peer);
  const std::string xff = lb::appendForwardedFor(
      lines.size() > 1 ? std::optional<std::string_view>(line(lines, 1)) : std::nullopt, address);
  fuzz::check(xff.size() >= address.size(), "appendForwardedFor lost the client address");
  (void)lb::isIdempotentMethod(line(lines, 3));
  const std::string_view cookie = line(lines, 4);
  if (auto value = lb::cookieValue(cookie, "KPLB")) {
    (void)lb::affinityCookie("KPLB", *value);
  }
  (void)lb::sourceHash(address);
  for (auto affinity :
       {lb::AffinityMode::Cookie, lb::AffinityMode::SourceHash, lb::AffinityMode::SourceSticky}) {
    choose(affinity, address, cookie);
  }
  const std::string_view option = line(lines, 5);
  (void)lb::parseHostPort(option);
  (void)lb::parseBackendSpec(option);
  (void)lb::parseMode(option);
  (void)lb::parsePolicy(option);
  (void)lb::parseAffinity(option);
  (void)lb::badGatewayBody(option, "connect", peer);
  (void)lb::serviceUnavailableBody(option);
  return 0;
}
