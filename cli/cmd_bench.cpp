// `kerbpool bench ...`: micro-benchmarks reported as medians over several rounds.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/bench_harness.hpp"
#include "cli/commands.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"

namespace kerbpool::cli {
namespace {

int benchCrypto(int rounds) {
  namespace crypto = core::crypto;
  core::SeededRng rng(1);
  auto key = crypto::generateKey(18, rng);
  if (!key.ok()) {
    std::fprintf(stderr, "cannot make an aes256 key: %s\n", key.error().message().c_str());
    return 1;
  }
  const core::Bytes ticket = rng.bytes(1024);
  auto sealed = crypto::encrypt(*key, 2, ticket, rng);
  if (!sealed.ok()) {
    std::fprintf(stderr, "encrypt failed: %s\n", sealed.error().message().c_str());
    return 1;
  }
  std::printf("kerbpool bench crypto (%d rounds, median per operation)\n", rounds);
  printBench(runBench("aes256-cts-hmac-sha1-96 encrypt 1 KiB", 2000, rounds, [&] {
    auto c = crypto::encrypt(*key, 2, ticket, rng);
    (void)c;
  }));
  printBench(runBench("aes256-cts-hmac-sha1-96 decrypt 1 KiB", 2000, rounds, [&] {
    auto p = crypto::decrypt(*key, 2, *sealed);
    (void)p;
  }));
  printBench(runBench("aes256 encrypt+decrypt 1 KiB ticket", 2000, rounds, [&] {
    auto c = crypto::encrypt(*key, 2, ticket, rng);
    auto p = crypto::decrypt(*key, 2, *c);
    (void)p;
  }));
  printBench(runBench("string-to-key aes256 (4096 iterations)", 20, rounds, [&] {
    auto k = crypto::stringToKey(18, "Passw0rd!", "CONTOSO.TESTalice");
    (void)k;
  }));
  printBench(runBench("hmac-sha1-96-aes256 checksum 1 KiB", 2000, rounds, [&] {
    auto c = crypto::makeChecksum(*key, 6, ticket);
    (void)c;
  }));
  return 0;
}

}  // namespace

void registerBench(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Micro-benchmarks (medians over several rounds)");
  cmd->require_subcommand(1);
  auto* crypto = cmd->add_subcommand("crypto", "RFC 3962 crypto: encrypt/decrypt, string-to-key, checksums");
  static int rounds = 7;
  crypto->add_option("--rounds", rounds, "timed rounds (the median is reported)")->check(CLI::Range(1, 1000));
  crypto->callback([] { setExitCode(benchCrypto(rounds)); });
}

}  // namespace kerbpool::cli
