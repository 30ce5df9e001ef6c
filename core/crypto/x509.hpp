#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"

struct x509_store_st;  // OpenSSL's X509_STORE

namespace kerbpool::core::crypto {

// Throwaway X.509 material for the lab's TLS listeners (front-ends, load balancer): a self-signed CA and
// server certificates it issues, all as PEM text. Keys are fresh from OpenSSL's DRBG; the validity period
// starts at an injected time so that tests do not depend on the wall clock. SHA-256 signatures throughout.

enum class KeyAlgorithm {
  EcP256,   // prime256v1 / secp256r1
  Rsa2048,  // RSA, 2048-bit modulus, e = 65537
};

// A certificate and its private key (PKCS#8, unencrypted), both PEM.
struct PemCertificate {
  std::string certificate;
  std::string privateKey;
};

struct CaSpec {
  std::string commonName = "kerbpool throwaway CA";
  TimePoint notBefore;
  unsigned validDays = 365;
  KeyAlgorithm key = KeyAlgorithm::EcP256;
};

struct ServerCertSpec {
  // subjectAltName dNSName entries, in order; the first is also the subject CN. Letters, digits, '-', '.',
  // and an optional leading "*." label.
  std::vector<std::string> dnsNames;
  TimePoint notBefore;
  unsigned validDays = 365;
  KeyAlgorithm key = KeyAlgorithm::EcP256;
};

// A CA certificate: basicConstraints CA:TRUE (critical), keyUsage keyCertSign+cRLSign (critical), SKI.
Result<PemCertificate> generateCa(const CaSpec& spec);
// A TLS server certificate signed by `ca`: CA:FALSE, keyUsage digitalSignature (+keyEncipherment for RSA),
// extendedKeyUsage serverAuth, subjectAltName, SKI and AKI.
Result<PemCertificate> issueServerCertificate(const PemCertificate& ca, const ServerCertSpec& spec);

struct PemFilePaths {
  std::filesystem::path caCertificate;      // ca.pem          0644
  std::filesystem::path caPrivateKey;       // ca-key.pem      0600
  std::filesystem::path serverCertificate;  // server.pem      0644 (leaf, then the CA: a full chain)
  std::filesystem::path serverPrivateKey;   // server-key.pem  0600
};

// A CA and one server certificate issued by it.
struct TlsBundle {
  PemCertificate ca;
  PemCertificate server;

  // The server certificate followed by the CA certificate (what a TLS server presents).
  std::string serverChain() const;
  // Writes the four files into `dir` (created if missing; existing files are replaced). Keys are 0600.
  Result<PemFilePaths> writePemFiles(const std::filesystem::path& dir) const;
};

// "A certificate for the pool name": a fresh CA plus a server certificate for `dnsNames`, both valid from
// `notBefore` for `validDays` days.
Result<TlsBundle> generateTlsBundle(const std::vector<std::string>& dnsNames, TimePoint notBefore,
                                    unsigned validDays = 365, KeyAlgorithm key = KeyAlgorithm::EcP256);

// What the tests and the load balancer read back from a certificate.
struct CertificateInfo {
  std::string subjectCommonName;
  std::string issuerCommonName;
  std::vector<std::string> dnsNames;  // subjectAltName dNSName entries
  std::int64_t notBefore = 0;         // Unix seconds
  std::int64_t notAfter = 0;
  bool isCa = false;
  KeyAlgorithm key = KeyAlgorithm::EcP256;
};

// Parses the first certificate of a PEM text. Untrusted input: errors, never throws.
Result<CertificateInfo> inspectCertificate(std::string_view pem);

// RFC 5929 4.1 tls-server-end-point: the hash of a certificate (DER), with its signature's hash algorithm,
// SHA-256 where that is MD5 or SHA-1 (and for signatures without a separate hash, such as Ed25519). What a
// TLS client binds an authentication to (Windows' Extended Protection, GSS channel bindings).
Result<Bytes> tlsServerEndPoint(BytesView certificateDer);
// The same for the first certificate of a PEM text.
Result<Bytes> tlsServerEndPointOfPem(std::string_view pem);

// Verifies that the first certificate of `certificatePem` chains to `caPem` at time `at` and names
// `hostname` (RFC 6125 matching as OpenSSL's X509_check_host does it).
Status verifyServerCertificate(std::string_view certificatePem, std::string_view caPem,
                               std::string_view hostname, TimePoint at);

// Readies a trust store for threads that share it (one SSL_CTX, many concurrent handshakes): OpenSSL 3.0
// fills a certificate's cached extensions (its key identifiers, purpose flags) the first time it looks at
// them, and two handshakes that look at the same trust anchor at once can both fill them, one replacing the
// subject key identifier the other is comparing (ThreadSanitizer saw it in the scenarios' TLS clients). Every
// certificate now in `store` is looked at here, once, before the threads start. Null: nothing to do.
void cacheTrustStoreExtensions(x509_store_st* store);

}  // namespace kerbpool::core::crypto
