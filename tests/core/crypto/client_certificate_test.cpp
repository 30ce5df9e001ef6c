#include "core/crypto/client_certificate.hpp"

#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>

#include "core/common/base64.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
namespace crypto = core::crypto;
namespace codes = core::crypto::cert_codes;
using core::ErrorCategory;

namespace {

const core::TimePoint kStart = core::fromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
const std::string kUser = "user001@CONTOSO.TEST";

crypto::PemCertificate makeCa(const std::string& name) {
  crypto::CaSpec spec;
  spec.commonName = name;
  spec.notBefore = kStart;
  auto ca = crypto::generateCa(spec);
  REQUIRE(ca.ok());
  return *ca;
}

struct Holder {
  std::string keyPem;
  core::Bytes certificate;
};

// A fresh key, its request for CN=requestCn, and the certificate `ca` issues for it.
Holder enroll(const crypto::PemCertificate& ca, const crypto::ClientCertSpec& spec,
              const std::string& requestCn = kUser) {
  auto key = crypto::generateClientKey();
  REQUIRE(key.ok());
  auto request = crypto::makeCertificateRequest(*key, requestCn);
  REQUIRE(request.ok());
  auto cert = crypto::issueClientCertificate(ca, *request, spec);
  INFO((cert.ok() ? "" : cert.error().message()));
  REQUIRE(cert.ok());
  return {*key, *cert};
}

crypto::ClientCertSpec specFor(const std::string& user, core::TimePoint notBefore = kStart,
                               std::chrono::seconds validity = std::chrono::hours(24 * 30),
                               std::uint64_t serial = 1) {
  crypto::ClientCertSpec spec;
  spec.user = user;
  spec.notBefore = notBefore;
  spec.validity = validity;
  spec.serial = serial;
  return spec;
}

core::Bytes derOfPem(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                   X509_free);
  REQUIRE(cert);
  unsigned char* out = nullptr;
  const int n = i2d_X509(cert.get(), &out);
  REQUIRE(n > 0);
  core::Bytes der(out, out + n);
  OPENSSL_free(out);
  return der;
}

std::string pemOfDer(const core::Bytes& der) {
  const std::string b64 = core::base64Encode(der);
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    pem += b64.substr(i, 64) + "\n";
  }
  return pem + "-----END CERTIFICATE-----\n";
}

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

X509Ptr parse(const core::Bytes& der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
  REQUIRE(cert);
  return cert;
}

bool criticalExtension(X509* cert, int nid) {
  const int i = X509_get_ext_by_NID(cert, nid, -1);
  return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, i)) == 1;
}

void writeFile(const std::filesystem::path& path, core::BytesView bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

const core::BytesView kData = core::asBytes("POST /WebTicket/WebTicketService.svc/Cert nonce=42");

}  // namespace

TEST_CASE("client certificate: request, issue, PKCS#7, sign and verify round trip", "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  auto key = crypto::generateClientKey();
  REQUIRE(key.ok());
  CHECK(key->starts_with("-----BEGIN PRIVATE KEY-----"));
  auto request = crypto::makeCertificateRequest(*key, kUser);
  REQUIRE(request.ok());
  auto spec = specFor(kUser, kStart, std::chrono::hours(4320), 0x0ABCDEF);
  auto cert = crypto::issueClientCertificate(ca, *request, spec);
  REQUIRE(cert.ok());

  auto p7 = crypto::certsOnlyPkcs7({*cert});
  REQUIRE(p7.ok());
  auto certs = crypto::certificatesFromPkcs7(*p7);
  REQUIRE(certs.ok());
  REQUIRE(certs->size() == 1);
  CHECK(certs->front() == *cert);

  auto signature = crypto::signWithKey(*key, kData);
  REQUIRE(signature.ok());
  auto verified = crypto::verifyClientCertificate(certs->front(), ca.certificate,
                                                  kStart + std::chrono::hours(1), kData, *signature);
  INFO((verified.ok() ? "" : verified.error().message()));
  REQUIRE(verified.ok());
  CHECK(verified->user == kUser);
  CHECK(verified->serialHex == "ABCDEF");
  CHECK(verified->notBefore == kStart);
  CHECK(verified->notAfter == kStart + std::chrono::hours(4320));

  // The certificate's form: names, validity, v3 and the client extensions.
  auto info = crypto::inspectCertificate(pemOfDer(*cert));
  REQUIRE(info.ok());
  CHECK(info->subjectCommonName == kUser);
  CHECK(info->issuerCommonName == "pool CA");
  CHECK(info->notBefore == 1767225600);
  CHECK(info->notAfter == 1767225600 + 4320 * 3600);
  CHECK_FALSE(info->isCa);
  CHECK(info->key == crypto::KeyAlgorithm::EcP256);
  auto x = parse(*cert);
  CHECK(X509_get_version(x.get()) == X509_VERSION_3);
  CHECK((X509_get_extension_flags(x.get()) & EXFLAG_XKUSAGE) != 0);
  CHECK(X509_get_extended_key_usage(x.get()) == XKU_SSL_CLIENT);
  CHECK(X509_get_key_usage(x.get()) == KU_DIGITAL_SIGNATURE);
  CHECK(criticalExtension(x.get(), NID_basic_constraints));
  CHECK(criticalExtension(x.get(), NID_key_usage));
  CHECK_FALSE(criticalExtension(x.get(), NID_ext_key_usage));
  CHECK(X509_get0_authority_key_id(x.get()) != nullptr);
  CHECK(X509_get0_subject_key_id(x.get()) != nullptr);
  auto caCert = parse(derOfPem(ca.certificate));
  REQUIRE(X509_get0_subject_key_id(caCert.get()) != nullptr);
  CHECK(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x.get()), X509_get0_subject_key_id(caCert.get())) ==
        0);
  const int mdNid = X509_get_signature_nid(x.get());
  CHECK(mdNid == NID_ecdsa_with_SHA256);
}

TEST_CASE("client certificate: the subject CN is the signed-in user, never the request's CN",
          "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  const auto holder = enroll(ca, specFor(kUser), "Administrator@CONTOSO.TEST");
  auto x = parse(holder.certificate);
  X509_NAME* subject = X509_get_subject_name(x.get());
  CHECK(X509_NAME_entry_count(subject) == 1);
  CHECK(X509_NAME_get_index_by_NID(subject, NID_commonName, -1) >= 0);
  auto signature = crypto::signWithKey(holder.keyPem, kData);
  REQUIRE(signature.ok());
  auto verified = crypto::verifyClientCertificate(holder.certificate, ca.certificate,
                                                  kStart + std::chrono::hours(1), kData, *signature);
  REQUIRE(verified.ok());
  CHECK(verified->user == kUser);
  CHECK(verified->serialHex == "1");
}

TEST_CASE("client certificate: several certificates come back from the PKCS#7 in order",
          "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  const auto a = enroll(ca, specFor("a@CONTOSO.TEST", kStart, std::chrono::hours(1), 2));
  const auto b = enroll(ca, specFor("b@CONTOSO.TEST", kStart, std::chrono::hours(1), UINT64_MAX));
  const auto caDer = derOfPem(ca.certificate);
  auto p7 = crypto::certsOnlyPkcs7({a.certificate, b.certificate, caDer});
  REQUIRE(p7.ok());
  auto certs = crypto::certificatesFromPkcs7(*p7);
  REQUIRE(certs.ok());
  CHECK(*certs == std::vector<core::Bytes>{a.certificate, b.certificate, caDer});
  auto signature = crypto::signWithKey(b.keyPem, kData);
  REQUIRE(signature.ok());
  auto verified = crypto::verifyClientCertificate(certs->at(1), ca.certificate, kStart, kData, *signature);
  REQUIRE(verified.ok());
  CHECK(verified->user == "b@CONTOSO.TEST");
  CHECK(verified->serialHex == "FFFFFFFFFFFFFFFF");

  auto none = crypto::certsOnlyPkcs7({});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == "no_certificates");
  auto bad = crypto::certsOnlyPkcs7({a.certificate, core::toBytes("not a certificate")});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == codes::kMalformed);
  CHECK(bad.error().detail.find("certificate 2 of 2") != std::string::npos);
}

TEST_CASE("client certificate: a request whose self-signature was tampered with is refused",
          "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  auto key = crypto::generateClientKey();
  REQUIRE(key.ok());
  auto request = crypto::makeCertificateRequest(*key, "alice@CONTOSO.TEST");
  REQUIRE(request.ok());

  SECTION("a byte of the signature") {
    request->back() ^= 0x01;
  }
  SECTION("a byte of the signed subject") {
    const std::string cn = "alice";
    auto at = std::search(request->begin(), request->end(), cn.begin(), cn.end());
    REQUIRE(at != request->end());
    *at = 'm';
  }
  auto r = crypto::issueClientCertificate(ca, *request, specFor(kUser));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == codes::kRequestSignature);
  CHECK(r.error().category == ErrorCategory::Integrity);
  CHECK(r.error().detail.find(kUser) != std::string::npos);
}

TEST_CASE("client certificate: garbage, empty, truncated and padded requests are malformed",
          "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  auto key = crypto::generateClientKey();
  REQUIRE(key.ok());
  auto request = crypto::makeCertificateRequest(*key, kUser);
  REQUIRE(request.ok());
  const core::Bytes good = *request;
  std::vector<core::Bytes> bad = {
      {},
      core::toBytes("this is not DER"),
      core::Bytes(good.begin(), good.end() - 1),
      core::Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)),
      core::Bytes(70000, 0x30),
      derOfPem(ca.certificate),  // a certificate is not a request
  };
  bad.push_back(good);
  bad.back().push_back(0x00);  // trailing byte
  for (const auto& input : bad) {
    auto r = crypto::issueClientCertificate(ca, input, specFor(kUser));
    INFO("input of " << input.size() << " bytes");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codes::kBadRequest);
    CHECK(r.error().category == ErrorCategory::Decoding);
  }
  CHECK(crypto::issueClientCertificate(ca, good, specFor(kUser)).ok());
}

TEST_CASE("client certificate: bad specs and an unreadable CA are refused before issuing",
          "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  auto key = crypto::generateClientKey();
  REQUIRE(key.ok());
  auto request = crypto::makeCertificateRequest(*key, kUser);
  REQUIRE(request.ok());

  auto noUser = crypto::issueClientCertificate(ca, *request, specFor(""));
  REQUIRE_FALSE(noUser.ok());
  CHECK(noUser.error().category == ErrorCategory::Encoding);
  auto zeroSerial =
      crypto::issueClientCertificate(ca, *request, specFor(kUser, kStart, std::chrono::hours(1), 0));
  REQUIRE_FALSE(zeroSerial.ok());
  CHECK(zeroSerial.error().code == "bad_serial");
  CHECK(zeroSerial.error().category == ErrorCategory::Encoding);
  auto noValidity =
      crypto::issueClientCertificate(ca, *request, specFor(kUser, kStart, std::chrono::seconds(0)));
  REQUIRE_FALSE(noValidity.ok());
  CHECK(noValidity.error().code == "bad_validity");
  auto longCn = crypto::issueClientCertificate(ca, *request, specFor(std::string(65, 'u')));
  REQUIRE_FALSE(longCn.ok());
  CHECK(longCn.error().category == ErrorCategory::Encoding);

  auto badCa = crypto::issueClientCertificate({"not a PEM", ca.privateKey}, *request, specFor(kUser));
  REQUIRE_FALSE(badCa.ok());
  CHECK(badCa.error().category == ErrorCategory::Config);
  auto other = makeCa("other CA");
  auto mismatched =
      crypto::issueClientCertificate({ca.certificate, other.privateKey}, *request, specFor(kUser));
  REQUIRE_FALSE(mismatched.ok());
  CHECK(mismatched.error().code == "ca_key_mismatch");
  CHECK(mismatched.error().category == ErrorCategory::Config);
  CHECK(mismatched.error().detail.find("PRIVATE") == std::string::npos);
}

TEST_CASE("client certificate: a certificate from another CA is untrusted", "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  const auto other = makeCa("pool CA");  // the same name, another key
  const auto holder = enroll(other, specFor(kUser));
  auto signature = crypto::signWithKey(holder.keyPem, kData);
  REQUIRE(signature.ok());
  auto r = crypto::verifyClientCertificate(holder.certificate, ca.certificate, kStart + std::chrono::hours(1),
                                           kData, *signature);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == codes::kUntrusted);
  CHECK(r.error().category == ErrorCategory::Integrity);
  CHECK(r.error().detail.find(kUser) != std::string::npos);
  // The issuing CA does trust it.
  CHECK(crypto::verifyClientCertificate(holder.certificate, other.certificate, kStart + std::chrono::hours(1),
                                        kData, *signature)
            .ok());
}

TEST_CASE("client certificate: validity is checked at the given time, not the wall clock",
          "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  const auto notBefore = kStart + std::chrono::hours(24);
  const auto notAfter = notBefore + std::chrono::hours(48);
  const auto holder = enroll(ca, specFor(kUser, notBefore, std::chrono::hours(48), 0x1F));
  auto signature = crypto::signWithKey(holder.keyPem, kData);
  REQUIRE(signature.ok());
  auto at = [&](core::TimePoint t) {
    return crypto::verifyClientCertificate(holder.certificate, ca.certificate, t, kData, *signature);
  };
  auto early = at(notBefore - std::chrono::seconds(1));
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().code == codes::kNotYetValid);
  CHECK(early.error().category == ErrorCategory::Protocol);
  CHECK(early.error().detail.find("2026-01-02T00:00:00Z") != std::string::npos);
  CHECK(early.error().detail.find("serial 1F") != std::string::npos);

  CHECK(at(notBefore).ok());
  CHECK(at(notAfter - std::chrono::seconds(1)).ok());

  auto late = at(notAfter + std::chrono::seconds(1));
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == codes::kExpired);
  CHECK(late.error().category == ErrorCategory::Protocol);
  CHECK(late.error().detail.find(kUser) != std::string::npos);
  CHECK(late.error().detail.find("2026-01-04T00:00:00Z") != std::string::npos);
}

TEST_CASE("client certificate: a signature over other data or by another key is refused",
          "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  const auto holder = enroll(ca, specFor(kUser));
  const auto when = kStart + std::chrono::hours(1);
  auto otherKey = crypto::generateClientKey();
  REQUIRE(otherKey.ok());
  auto mine = crypto::signWithKey(holder.keyPem, kData);
  REQUIRE(mine.ok());
  auto byOther = crypto::signWithKey(*otherKey, kData);
  REQUIRE(byOther.ok());
  auto otherData = crypto::signWithKey(holder.keyPem, core::asBytes("other data"));
  REQUIRE(otherData.ok());
  core::Bytes flipped = *mine;
  flipped.back() ^= 0x01;

  for (const auto& signature :
       {*byOther, *otherData, flipped, core::Bytes{}, core::toBytes("garbage"), core::Bytes(70000, 0x30)}) {
    auto r = crypto::verifyClientCertificate(holder.certificate, ca.certificate, when, kData, signature);
    INFO("signature of " << signature.size() << " bytes");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codes::kBadSignature);
    CHECK(r.error().category == ErrorCategory::Integrity);
  }
  CHECK(crypto::verifyClientCertificate(holder.certificate, ca.certificate, when, kData, *mine).ok());
  // Empty data can be signed and verified too.
  auto empty = crypto::signWithKey(holder.keyPem, {});
  REQUIRE(empty.ok());
  CHECK(crypto::verifyClientCertificate(holder.certificate, ca.certificate, when, {}, *empty).ok());
  CHECK(crypto::signWithKey("not a key", kData).error().category == ErrorCategory::Decoding);
}

TEST_CASE("client certificate: garbage, empty, truncated and padded certificates are malformed",
          "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  const auto holder = enroll(ca, specFor(kUser));
  auto signature = crypto::signWithKey(holder.keyPem, kData);
  REQUIRE(signature.ok());
  const auto& good = holder.certificate;
  std::vector<core::Bytes> bad = {
      {},
      core::toBytes("garbage"),
      core::Bytes(good.begin(), good.end() - 1),
      core::Bytes(good.begin(), good.begin() + 40),
      core::Bytes(70000, 0x30),
  };
  bad.push_back(good);
  bad.back().push_back(0x00);
  for (const auto& input : bad) {
    auto r = crypto::verifyClientCertificate(input, ca.certificate, kStart + std::chrono::hours(1), kData,
                                             *signature);
    INFO("input of " << input.size() << " bytes");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codes::kMalformed);
    CHECK(r.error().category == ErrorCategory::Decoding);
  }
  // A CA that cannot be read is a configuration error.
  auto noCa = crypto::verifyClientCertificate(good, "", kStart + std::chrono::hours(1), kData, *signature);
  REQUIRE_FALSE(noCa.ok());
  CHECK(noCa.error().category == ErrorCategory::Config);
}

TEST_CASE("client certificate: a server certificate or the CA itself is the wrong usage",
          "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  const auto when = kStart + std::chrono::hours(1);
  auto server = crypto::issueServerCertificate(ca, crypto::ServerCertSpec{{"pool.contoso.test"}, kStart, 30});
  REQUIRE(server.ok());
  auto bySever = crypto::signWithKey(server->privateKey, kData);
  REQUIRE(bySever.ok());
  auto r =
      crypto::verifyClientCertificate(derOfPem(server->certificate), ca.certificate, when, kData, *bySever);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == codes::kWrongUsage);
  CHECK(r.error().category == ErrorCategory::Protocol);
  CHECK(r.error().detail.find("pool.contoso.test") != std::string::npos);

  auto byCa = crypto::signWithKey(ca.privateKey, kData);
  REQUIRE(byCa.ok());
  auto self = crypto::verifyClientCertificate(derOfPem(ca.certificate), ca.certificate, when, kData, *byCa);
  REQUIRE_FALSE(self.ok());
  CHECK(self.error().code == codes::kWrongUsage);
}

TEST_CASE("client certificate: a PKCS#7 that is not a certs-only SignedData is refused",
          "[client_certificate]") {
  const auto ca = makeCa("pool CA");
  const auto holder = enroll(ca, specFor(kUser));
  auto p7 = crypto::certsOnlyPkcs7({holder.certificate});
  REQUIRE(p7.ok());
  core::Bytes padded = *p7;
  padded.push_back(0);
  // ContentInfo { id-data, [0] OCTET STRING "x" }: well formed, but not SignedData.
  const core::Bytes data = {0x30, 0x10, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
                            0x0D, 0x01, 0x07, 0x01, 0xA0, 0x03, 0x04, 0x01, 0x78};
  // SignedData with no certificates at all.
  std::unique_ptr<PKCS7, decltype(&PKCS7_free)> empty(PKCS7_new(), PKCS7_free);
  REQUIRE(PKCS7_set_type(empty.get(), NID_pkcs7_signed) == 1);
  REQUIRE(PKCS7_content_new(empty.get(), NID_pkcs7_data) == 1);
  unsigned char* out = nullptr;
  const int n = i2d_PKCS7(empty.get(), &out);
  REQUIRE(n > 0);
  const core::Bytes noCerts(out, out + n);
  OPENSSL_free(out);

  for (const auto& input : {core::Bytes{}, core::toBytes("garbage"), core::Bytes(p7->begin(), p7->end() - 1),
                            padded, holder.certificate, data, noCerts, core::Bytes(70000, 0x30)}) {
    auto r = crypto::certificatesFromPkcs7(input);
    INFO("input of " << input.size() << " bytes");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "pkcs7_malformed");
    CHECK(r.error().category == ErrorCategory::Decoding);
  }
}

TEST_CASE("client certificate: openssl reads the request, the PKCS#7, the certificate and the signature",
          "[client_certificate][interop]") {
  const std::string openssl = test::requireTool("openssl");
  test::TempDir dir;
  const auto ca = makeCa("pool CA");
  auto key = crypto::generateClientKey();
  REQUIRE(key.ok());
  auto request = crypto::makeCertificateRequest(*key, kUser);
  REQUIRE(request.ok());
  auto cert = crypto::issueClientCertificate(ca, *request, specFor(kUser));
  REQUIRE(cert.ok());
  auto p7 = crypto::certsOnlyPkcs7({*cert});
  REQUIRE(p7.ok());
  auto signature = crypto::signWithKey(*key, kData);
  REQUIRE(signature.ok());
  writeFile(dir / "req.der", *request);
  writeFile(dir / "p7.der", *p7);
  writeFile(dir / "sig.bin", *signature);
  writeFile(dir / "data.bin", kData);
  writeFile(dir / "ca.pem", core::asBytes(ca.certificate));
  const auto d = [&](const std::string& name) { return test::shellQuote((dir / name).string()); };

  for (const std::string& command : {
           openssl + " req -inform DER -in " + d("req.der") + " -verify -noout",
           openssl + " pkcs7 -inform DER -in " + d("p7.der") + " -print_certs -out " + d("cert.pem"),
           openssl + " verify -CAfile " + d("ca.pem") + " -purpose sslclient -attime " +
               std::to_string(1767225600 + 3600) + " " + d("cert.pem"),
           openssl + " x509 -in " + d("cert.pem") + " -pubkey -noout -out " + d("pub.pem"),
           openssl + " dgst -sha256 -verify " + d("pub.pem") + " -signature " + d("sig.bin") + " " +
               d("data.bin"),
       }) {
    auto r = test::runCommand(command);
    INFO(command << "\n" << r.output);
    CHECK(r.exitCode == 0);
  }
}
