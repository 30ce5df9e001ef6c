// Fuzz target: what a node reads of a Lync client certificate (core/crypto/client_certificate), from
// CertProv's PKCS#10 requests and the certificate grant's certificate. First octet mod 3: 0, the rest is a
// PKCS#10 request the pool's CA is asked to sign; 1, the rest is a certificate presented with a signature;
// 2, the rest is a certs-only PKCS#7 (what the client reads back).
// Checks: every refusal has a code and a detail; an issued certificate chains to the CA and names the user
// it was issued for; a verified certificate names a user; a PKCS#7 read back holds a certificate.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/crypto/client_certificate.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;
namespace crypto = kerbpool::core::crypto;

namespace {

const core::TimePoint kNow = core::fromUnixSeconds(1796385600);

const crypto::PemCertificate& ca() {
  static const crypto::PemCertificate c = [] {
    crypto::CaSpec spec;
    spec.notBefore = kNow - std::chrono::hours(24);
    auto generated = crypto::generateCa(spec);
    fuzz::check(generated.ok(), "client_certificate: no CA");
    return *generated;
  }();
  return c;
}

void refusal(const core::Error& e, const char* what) {
  fuzz::check(!e.code.empty() && !e.detail.empty(), what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const core::BytesView rest = fuzz::bytesOf(data + 1, size - 1);
  const core::Bytes signedData{'x'};
  const core::Bytes signature{0x30, 0x00};
  switch (data[0] % 3) {
    case 0: {
      crypto::ClientCertSpec spec;
      spec.user = "user001@CONTOSO.TEST";
      spec.notBefore = kNow;
      auto issued = crypto::issueClientCertificate(ca(), rest, spec);
      if (!issued.ok()) {
        refusal(issued.error(), "client_certificate: an empty refusal of a request");
        return 0;
      }
      // Issued: it chains to the CA, so only the (empty) signature can be wrong.
      auto verified = crypto::verifyClientCertificate(*issued, ca().certificate, kNow, signedData, signature);
      fuzz::check(!verified.ok() && verified.error().code == crypto::cert_codes::kBadSignature,
                  "client_certificate: an issued certificate does not chain to its CA");
      break;
    }
    case 1: {
      auto verified = crypto::verifyClientCertificate(rest, ca().certificate, kNow, signedData, signature);
      if (!verified.ok()) {
        refusal(verified.error(), "client_certificate: an empty refusal of a certificate");
        return 0;
      }
      fuzz::check(!verified->user.empty(), "client_certificate: a verified certificate names no user");
      break;
    }
    default: {
      auto certificates = crypto::certificatesFromPkcs7(rest);
      if (!certificates.ok()) {
        refusal(certificates.error(), "client_certificate: an empty refusal of a PKCS#7");
        return 0;
      }
      fuzz::check(!certificates->empty(), "client_certificate: a PKCS#7 read back with no certificate");
      break;
    }
  }
  return 0;
}
