#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/common/clock.hpp"
#include "core/crypto/x509.hpp"

namespace kerbpool::cli {
namespace {

struct CertOptions {
  std::string out;
  std::vector<std::string> dns;
  unsigned days = 365;
  std::string key = "ec";
};

void runCert(const CertOptions& o) {
  core::SystemClock clock;
  const auto alg = o.key == "rsa" ? core::crypto::KeyAlgorithm::Rsa2048 : core::crypto::KeyAlgorithm::EcP256;
  // Valid from an hour ago, so that peers whose clocks lag a little accept it.
  auto bundle = core::crypto::generateTlsBundle(o.dns, clock.now() - std::chrono::hours(1), o.days, alg);
  if (!bundle.ok()) {
    std::fprintf(stderr, "kerbpool cert: %s\n", bundle.error().message().c_str());
    setExitCode(1);
    return;
  }
  auto paths = bundle->writePemFiles(o.out);
  if (!paths.ok()) {
    std::fprintf(stderr, "kerbpool cert: %s\n", paths.error().message().c_str());
    setExitCode(1);
    return;
  }
  std::printf(
      "CA certificate:     %s\nCA key:             %s\nserver chain:       %s\nserver key:         %s\n",
      paths->caCertificate.c_str(), paths->caPrivateKey.c_str(), paths->serverCertificate.c_str(),
      paths->serverPrivateKey.c_str());
}

}  // namespace

void registerCert(CLI::App& app) {
  auto opts = std::make_shared<CertOptions>();
  auto* cmd = app.add_subcommand(
      "cert", "Generate a throwaway CA and a TLS server certificate for DNS names (PEM, keys 0600)");
  cmd->add_option("--out", opts->out, "Output folder (ca.pem, ca-key.pem, server.pem, server-key.pem)")
      ->required();
  cmd->add_option("--dns", opts->dns, "DNS name for subjectAltName (repeatable; the first is the CN)")
      ->required();
  cmd->add_option("--days", opts->days, "Validity in days")->check(CLI::Range(1u, 36500u));
  cmd->add_option("--key", opts->key, "Key type")->check(CLI::IsMember({"ec", "rsa"}));
  cmd->footer("Example: kerbpool cert --out /tmp/lab-tls --dns pool.contoso.test --dns fe01.contoso.test");
  cmd->callback([opts] { runCert(*opts); });
}

}  // namespace kerbpool::cli
