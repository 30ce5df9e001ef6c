// `kerbpool bench ...`: micro-benchmarks reported as medians over several rounds.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/bench_harness.hpp"
#include "cli/commands.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "core/iana/ad_type.hpp"
#include "core/iana/ap_options.hpp"
#include "core/iana/key_usage.hpp"
#include "core/iana/name_type.hpp"
#include "core/iana/ticket_flags.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/messages/ticket.hpp"

namespace kerbpool::cli {
namespace {

// A realistic AP-REQ, as a front-end receives it inside `Authorization: Negotiate`: a service ticket whose
// enc-part is about 1 KiB (an EncTicketPart carrying PAC-sized authorization data, sealed with the service
// key, usage 2) and an authenticator with a GSS 0x8003 checksum, subkey and sequence number (session key,
// usage 11). Real encryption, so the ciphertext sizes are the ones on the wire.
core::Result<core::Bytes> sampleApReq(core::Rng& rng) {
  namespace crypto = core::crypto;
  namespace messages = core::messages;
  namespace iana = core::iana;
  KP_TRY(crypto::Key serviceKey, crypto::generateKey(18, rng));
  KP_TRY(crypto::Key sessionKey, crypto::generateKey(18, rng));
  KP_TRY(crypto::Key subkey, crypto::generateKey(18, rng));
  const messages::PrincipalName alice{iana::NameType::KRB_NT_PRINCIPAL, {"alice"}};
  const messages::KerberosTime now = 1795000000;

  messages::EncTicketPart part;
  part.flags = iana::ticket_flags::forwardable | iana::ticket_flags::pre_authent;
  part.key = messages::EncryptionKey{sessionKey.enctype, sessionKey.value};
  part.crealm = "CONTOSO.TEST";
  part.cname = alice;
  part.authtime = now;
  part.starttime = now;
  part.endtime = now + 36000;
  part.authorizationData = messages::AuthorizationData{{iana::AdType::AD_IF_RELEVANT, rng.bytes(860)}};
  KP_TRY(core::Bytes ticketCipher, crypto::encrypt(serviceKey, iana::toUsage(iana::KeyUsage::KDC_REP_TICKET),
                                                   messages::encode(part), rng));

  messages::Authenticator auth;
  auth.crealm = "CONTOSO.TEST";
  auth.cname = alice;
  core::Bytes gss(24, 0);  // RFC 4121 4.1.1: Lgth 16, zero Bnd, flags mutual|replay|sequence|integ
  gss[0] = 16;
  gss[20] = 0x2e;
  auth.cksum = messages::Checksum{0x8003, gss};
  auth.cusec = 123456;
  auth.ctime = now + 5;
  auth.subkey = messages::EncryptionKey{subkey.enctype, subkey.value};
  auth.seqNumber = 0x1234567;
  KP_TRY(core::Bytes authCipher,
         crypto::encrypt(sessionKey, iana::toUsage(iana::KeyUsage::AP_REQ_AUTHENTICATOR),
                         messages::encode(auth), rng));

  messages::ApReq req;
  req.apOptions = iana::ap_options::mutual_required;
  req.ticket.realm = "CONTOSO.TEST";
  req.ticket.sname = messages::PrincipalName{iana::NameType::KRB_NT_SRV_INST, {"HTTP", "pool.contoso.test"}};
  req.ticket.encPart = messages::EncryptedData{18, 2u, std::move(ticketCipher)};
  req.authenticator = messages::EncryptedData{18, std::nullopt, std::move(authCipher)};
  return messages::encode(req);
}

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
  auto apReq = sampleApReq(rng);
  if (!apReq.ok() || !core::messages::decode<core::messages::ApReq>(*apReq).ok()) {
    std::fprintf(stderr, "cannot build a sample AP-REQ: %s\n",
                 apReq.ok() ? "it does not decode" : apReq.error().message().c_str());
    return 1;
  }
  printBench(runBench("AP-REQ decode (capture-sized)", 2000, rounds, [&] {
    auto r = core::messages::decode<core::messages::ApReq>(*apReq);
    (void)r;
  }));
  return 0;
}

}  // namespace

void registerBench(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Micro-benchmarks (medians over several rounds)");
  cmd->require_subcommand(1);
  cmd->footer("Example: kerbpool bench crypto");
  auto* crypto = cmd->add_subcommand("crypto", "RFC 3962 crypto: encrypt/decrypt, string-to-key, checksums");
  static int rounds = 7;
  crypto->add_option("--rounds", rounds, "timed rounds (the median is reported)")->check(CLI::Range(1, 1000));
  crypto->footer("Example: kerbpool bench crypto --rounds 5");
  crypto->callback([] { setExitCode(benchCrypto(rounds)); });
}

}  // namespace kerbpool::cli
