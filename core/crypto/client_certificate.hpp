#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/crypto/x509.hpp"

// The client certificates of Lync's certificate provisioning service (CertProv): a signed-in user sends a
// PKCS#10 request, the pool's CA answers a certificate for that user, and the user later proves who they are
// with it (a signature by its key) to get web tickets with no check against the directory. The lab's forms
// follow RFC 7030 (EST) where a standard exists: the request is DER PKCS#10, the answer a certs-only PKCS#7.
// Keys are EC P-256 (Lync's are RSA 2048; the lab makes thousands of them), signatures ECDSA with SHA-256.
// Everything read here is untrusted input: errors, never throws, never crashes.
namespace kerbpool::core::crypto {

// Refusal codes of verifyClientCertificate and issueClientCertificate.
namespace cert_codes {
inline constexpr std::string_view kMalformed = "client_certificate_malformed";              // [Decoding]
inline constexpr std::string_view kUntrusted = "client_certificate_untrusted";              // [Integrity]
inline constexpr std::string_view kExpired = "client_certificate_expired";                  // [Protocol]
inline constexpr std::string_view kNotYetValid = "client_certificate_not_yet_valid";        // [Protocol]
inline constexpr std::string_view kWrongUsage = "client_certificate_wrong_usage";           // [Protocol]
inline constexpr std::string_view kBadSignature = "client_certificate_bad_signature";       // [Integrity]
inline constexpr std::string_view kBadRequest = "certificate_request_malformed";            // [Decoding]
inline constexpr std::string_view kRequestSignature = "certificate_request_bad_signature";  // [Integrity]
}  // namespace cert_codes

// A fresh EC P-256 key pair: its private key, PKCS#8 PEM.
Result<std::string> generateClientKey();

// A PKCS#10 certificate request (DER) for subject CN=commonName with the public key of keyPem, signed with
// it (SHA-256).
Result<Bytes> makeCertificateRequest(std::string_view keyPem, std::string_view commonName);

struct ClientCertSpec {
  std::string user;  // subject CN: the signed-in user ("user001@CONTOSO.TEST"), never the request's CN
  TimePoint notBefore;
  std::chrono::seconds validity{std::chrono::hours(4320)};
  std::uint64_t serial = 1;  // > 0
};

// Checks the request (DER PKCS#10: its form, then its self-signature: the sender holds the key) and issues
// a certificate for spec.user with the request's public key, signed by `ca` (SHA-256): CA:FALSE,
// keyUsage digitalSignature (critical), extendedKeyUsage clientAuth, AKI. Returns the certificate's DER.
// Errors: cert_codes::kBadRequest, kRequestSignature; Config for a `ca` that cannot be read.
Result<Bytes> issueClientCertificate(const PemCertificate& ca, BytesView requestDer,
                                     const ClientCertSpec& spec);

// A PKCS#7 SignedData with no signers holding `certificatesDer` (DER; RFC 7030 4.2.3's simpleenroll answer).
Result<Bytes> certsOnlyPkcs7(const std::vector<Bytes>& certificatesDer);
// The certificates (DER) of such a PKCS#7, in order. Errors: Decoding "pkcs7_malformed".
Result<std::vector<Bytes>> certificatesFromPkcs7(BytesView pkcs7Der);

// A signature (DER) over `data` with the private key keyPem (ECDSA or RSA PKCS#1 v1.5, SHA-256).
Result<Bytes> signWithKey(std::string_view keyPem, BytesView data);

struct VerifiedClientCertificate {
  std::string user;       // subject CN
  std::string serialHex;  // upper-case hex, no leading zeros
  TimePoint notBefore;
  TimePoint notAfter;
};

// Verifies that certificateDer was issued by caPem (the CA's certificate, PEM) and is valid at `at`, that it
// is a client certificate (extendedKeyUsage clientAuth, not a CA), and that `signature` is its key's over
// `data`. Errors, in that order of checks: cert_codes::kMalformed, kUntrusted, kExpired, kNotYetValid,
// kWrongUsage, kBadSignature; the detail names the subject, the serial and the times, never key material.
Result<VerifiedClientCertificate> verifyClientCertificate(BytesView certificateDer, std::string_view caPem,
                                                          TimePoint at, BytesView data, BytesView signature);

}  // namespace kerbpool::core::crypto
