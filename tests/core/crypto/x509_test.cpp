#include "core/crypto/x509.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/common/hex.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using core::crypto::KeyAlgorithm;

namespace {

const core::TimePoint kStart = core::fromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

std::string readText(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned modeOf(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("x509: a bundle for the pool name carries the SANs, validity and CA flags", "[x509]") {
  const auto alg = GENERATE(KeyAlgorithm::EcP256, KeyAlgorithm::Rsa2048);
  auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test", "fe01.contoso.test"}, kStart, 30, alg);
  REQUIRE(bundle.ok());
  CHECK(bundle->server.certificate.starts_with("-----BEGIN CERTIFICATE-----"));
  CHECK(bundle->server.privateKey.starts_with("-----BEGIN PRIVATE KEY-----"));

  auto server = core::crypto::inspectCertificate(bundle->server.certificate);
  REQUIRE(server.ok());
  CHECK(server->dnsNames == std::vector<std::string>{"pool.contoso.test", "fe01.contoso.test"});
  CHECK(server->subjectCommonName == "pool.contoso.test");
  CHECK(server->issuerCommonName == "kerbpool throwaway CA");
  CHECK(server->notBefore == 1767225600);
  CHECK(server->notAfter == 1767225600 + 30 * 86400);
  CHECK_FALSE(server->isCa);
  CHECK(server->key == alg);

  auto ca = core::crypto::inspectCertificate(bundle->ca.certificate);
  REQUIRE(ca.ok());
  CHECK(ca->isCa);
  CHECK(ca->dnsNames.empty());
  CHECK(ca->subjectCommonName == ca->issuerCommonName);

  const auto inside = kStart + std::chrono::hours(24);
  CHECK(core::crypto::verifyServerCertificate(bundle->server.certificate, bundle->ca.certificate,
                                              "pool.contoso.test", inside)
            .ok());
  CHECK(core::crypto::verifyServerCertificate(bundle->server.certificate, bundle->ca.certificate,
                                              "fe01.contoso.test", inside)
            .ok());
  auto wrongName = core::crypto::verifyServerCertificate(bundle->server.certificate, bundle->ca.certificate,
                                                         "fe02.contoso.test", inside);
  REQUIRE_FALSE(wrongName.ok());
  CHECK(wrongName.error().code == "certificate_name_mismatch");
  auto expired =
      core::crypto::verifyServerCertificate(bundle->server.certificate, bundle->ca.certificate,
                                            "pool.contoso.test", kStart + std::chrono::hours(24 * 31));
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().code == "certificate_untrusted");
}

TEST_CASE("x509: a certificate does not verify against another CA", "[x509]") {
  auto a = core::crypto::generateTlsBundle({"pool.contoso.test"}, kStart);
  auto b = core::crypto::generateTlsBundle({"pool.contoso.test"}, kStart);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto r = core::crypto::verifyServerCertificate(a->server.certificate, b->ca.certificate,
                                                 "pool.contoso.test", kStart + std::chrono::hours(1));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "certificate_untrusted");
}

TEST_CASE("x509: one CA issues several server certificates", "[x509]") {
  core::crypto::CaSpec caSpec;
  caSpec.commonName = "lb test CA";
  caSpec.notBefore = kStart;
  auto ca = core::crypto::generateCa(caSpec);
  REQUIRE(ca.ok());
  for (const std::string host : {"fe01.contoso.test", "fe02.contoso.test"}) {
    auto leaf = core::crypto::issueServerCertificate(*ca, core::crypto::ServerCertSpec{{host}, kStart, 10});
    REQUIRE(leaf.ok());
    CHECK(core::crypto::verifyServerCertificate(leaf->certificate, ca->certificate, host,
                                                kStart + std::chrono::hours(1))
              .ok());
  }
}

TEST_CASE("x509: bad names, validity and PEM are typed errors", "[x509]") {
  for (const std::string bad :
       {"", "pool contoso", "pool..test", ".pool", "a,DNS:evil.test", "p\xc3\xa4.test"}) {
    auto r = core::crypto::generateTlsBundle({bad}, kStart);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "bad_dns_name");
  }
  auto none = core::crypto::generateTlsBundle({}, kStart);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == "no_dns_names");
  auto zero = core::crypto::generateTlsBundle({"pool.contoso.test"}, kStart, 0);
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error().code == "bad_validity");
  CHECK(core::crypto::generateTlsBundle({"*.contoso.test"}, kStart).ok());

  auto garbage =
      core::crypto::inspectCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().category == core::ErrorCategory::Decoding);
  CHECK_FALSE(core::crypto::inspectCertificate("").ok());

  auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test"}, kStart);
  REQUIRE(bundle.ok());
  core::crypto::PemCertificate mismatched{bundle->ca.certificate, bundle->server.privateKey};
  auto r = core::crypto::issueServerCertificate(mismatched, {{"x.test"}, kStart, 1});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "ca_key_mismatch");
}

TEST_CASE("x509: writePemFiles writes the chain and keeps keys 0600", "[x509]") {
  auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test"}, kStart);
  REQUIRE(bundle.ok());
  test::TempDir dir;
  const auto target = dir / "tls";
  // A key file that already exists with a loose mode is tightened, not left as it was.
  std::filesystem::create_directories(target);
  std::ofstream(target / "server-key.pem") << "old";
  std::filesystem::permissions(target / "server-key.pem", std::filesystem::perms(0644));

  auto paths = bundle->writePemFiles(target);
  REQUIRE(paths.ok());
  CHECK(modeOf(paths->serverPrivateKey) == 0600);
  CHECK(modeOf(paths->caPrivateKey) == 0600);
  CHECK(modeOf(paths->serverCertificate) == 0644);
  CHECK(readText(paths->serverPrivateKey) == bundle->server.privateKey);
  CHECK(readText(paths->caCertificate) == bundle->ca.certificate);
  CHECK(readText(paths->serverCertificate) == bundle->server.certificate + bundle->ca.certificate);

  auto blocked = bundle->writePemFiles(paths->caCertificate / "sub");  // a file where a folder should be
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.error().category == core::ErrorCategory::Io);
}

TEST_CASE("x509: tls-server-end-point is the certificate's hash as openssl computes it (RFC 5929)",
          "[x509][interop]") {
  const std::string openssl = test::requireTool("openssl");
  test::TempDir dir;
  // The fingerprint openssl prints, as lowercase hex without colons.
  auto fingerprint = [&](const std::filesystem::path& pem, const std::string& digest) {
    auto r = test::runCommand(openssl + " x509 -noout -fingerprint -" + digest + " -in " + pem.string());
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
    std::string hex;
    for (char c : r.output.substr(r.output.find('=') + 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c))) {
        hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    return hex;
  };
  SECTION("kerbpool's own certificates are signed with SHA-256: the hash is SHA-256") {
    auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test"}, kStart);
    REQUIRE(bundle.ok());
    auto files = bundle->writePemFiles(dir.path());
    REQUIRE(files.ok());
    auto hash = core::crypto::tlsServerEndPointOfPem(bundle->server.certificate);
    REQUIRE(hash.ok());
    CHECK(core::toHex(*hash) == fingerprint(files->serverCertificate, "sha256"));
  }
  // Certificates made by openssl: signed with SHA-384 (its own hash), and with SHA-1 (SHA-256 instead).
  for (const auto& [sign, expected] :
       {std::pair<std::string, std::string>{"sha384", "sha384"}, {"sha1", "sha256"}}) {
    const auto key = dir / (sign + ".key");
    const auto cert = dir / (sign + ".pem");
    auto made = test::runCommand(openssl + " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -" +
                                 sign + " -days 1 -subj /CN=pool.contoso.test -keyout " + key.string() +
                                 " -out " + cert.string());
    INFO(made.output);
    REQUIRE(made.exitCode == 0);
    auto hash = core::crypto::tlsServerEndPointOfPem(readText(cert));
    REQUIRE(hash.ok());
    CHECK(core::toHex(*hash) == fingerprint(cert, expected));
    auto der = test::runCommand(openssl + " x509 -outform DER -in " + cert.string() + " -out " +
                                (dir / (sign + ".der")).string());
    REQUIRE(der.exitCode == 0);
    std::ifstream in(dir / (sign + ".der"), std::ios::binary);
    core::Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto fromDer = core::crypto::tlsServerEndPoint(bytes);
    REQUIRE(fromDer.ok());
    CHECK(*fromDer == *hash);
    bytes.push_back(0);
    CHECK(core::crypto::tlsServerEndPoint(bytes).error().code == "bad_certificate_der");
  }
}
