// Client certificates on OpenSSL 3: PKCS#10 requests, issuance by the pool's CA, certs-only PKCS#7, and the
// check of a certificate plus a signature by its key.
#include "core/crypto/client_certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>

#include "core/crypto/openssl_handles.hpp"

namespace kerbpool::core::crypto {
namespace {

using namespace openssl_handles;

// Untrusted DER is refused above this size before OpenSSL sees it.
constexpr std::size_t kMaxDerSize = 64 * 1024;
constexpr std::chrono::seconds kMaxValidity = std::chrono::hours(24 * 366 * 100);

// An error for untrusted input: OpenSSL's queue is dropped, the detail is ours alone.
Error refusal(ErrorCategory category, std::string_view code, std::string detail) {
  ERR_clear_error();
  return makeError(category, std::string(code), std::move(detail));
}

// OpenSSL wants a non-null pointer even for zero bytes.
const unsigned char* bytesOf(BytesView b) {
  static const unsigned char kNone = 0;
  return b.empty() ? &kNone : b.data();
}

// One whole DER object: no empty or oversized input, no trailing bytes. Null when it is not.
template <typename Ptr, typename T>
Ptr parseWholeDer(T* (*d2i)(T**, const unsigned char**, long), BytesView der) {
  if (der.empty() || der.size() > kMaxDerSize) {
    return Ptr();
  }
  const unsigned char* p = der.data();
  Ptr obj(d2i(nullptr, &p, static_cast<long>(der.size())));
  if (!obj || p != der.data() + der.size()) {
    ERR_clear_error();
    return Ptr();
  }
  return obj;
}

template <typename T>
Result<Bytes> toDer(int (*i2d)(const T*, unsigned char**), const T* obj, const char* what) {
  const int n = i2d(obj, nullptr);
  Bytes out(n > 0 ? static_cast<std::size_t>(n) : 0);
  unsigned char* p = out.data();
  if (n <= 0 || i2d(obj, &p) != n) {
    return makeError(ErrorCategory::Encoding, "der_encode_failed",
                     std::string("encoding the ") + what + " as DER: " + opensslError());
  }
  return out;
}

// Non-printable bytes of untrusted text become '?', and long text is cut, before it goes into a detail.
std::string printable(std::string_view s) {
  std::string out(s.substr(0, 128));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    c = (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return s.size() > out.size() ? out + "..." : out;
}

std::string utcText(std::int64_t unixSeconds) {
  const auto t = static_cast<time_t>(unixSeconds);
  std::tm tm{};
  char buf[40];
  if (gmtime_r(&t, &tm) == nullptr || std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return std::to_string(unixSeconds);
  }
  return buf;
}

// The first CN of a name as UTF-8; nullopt when absent, not convertible, or holding a NUL.
std::optional<std::string> commonName(const X509_NAME* name) {
  const int i = name == nullptr ? -1 : X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  const ASN1_STRING* s = i < 0 ? nullptr : X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  unsigned char* utf8 = nullptr;
  const int n = s == nullptr ? -1 : ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) {
    ERR_clear_error();
    return std::nullopt;
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  if (out.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::int64_t> unixTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::optional<std::string> serialHex(const ASN1_INTEGER* serial) {
  BnPtr bn(serial == nullptr ? nullptr : ASN1_INTEGER_to_BN(serial, nullptr));
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  if (hex == nullptr) {
    ERR_clear_error();
    return std::nullopt;
  }
  std::string out(hex);
  OPENSSL_free(hex);
  // BN_bn2hex writes whole bytes ("01"): drop the leading zeros, keep one digit (and a sign).
  const std::size_t digits = out.starts_with('-') ? 1 : 0;
  const std::size_t first = std::min(out.find_first_not_of('0', digits), out.size() - 1);
  out.erase(digits, first - digits);
  return out;
}

Result<PkeyPtr> readPrivateKey(std::string_view pem, ErrorCategory category, const char* code) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassword, nullptr) : nullptr);
  if (!key) {
    return refusal(category, code, "no unencrypted PEM PRIVATE KEY could be read");
  }
  return key;
}

Result<X509Ptr> readCaCertificate(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, noPassword, nullptr) : nullptr);
  if (!cert) {
    return refusal(ErrorCategory::Config, "bad_ca_certificate",
                   "no PEM CERTIFICATE could be read for the CA");
  }
  return cert;
}

Status setCommonName(X509_NAME* name, std::string_view cn, const char* what) {
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0) != 1) {
    return refusal(ErrorCategory::Encoding, "bad_common_name",
                   std::string(what) + " '" + printable(cn) + "' cannot be a subject CN (UTF-8, at most 64)");
  }
  return okStatus();
}

Status checkSpec(const ClientCertSpec& spec) {
  if (spec.user.empty() || spec.user.find('\0') != std::string::npos) {
    return makeError(ErrorCategory::Encoding, "bad_client_user",
                     "a client certificate needs a user name without NUL for its subject CN");
  }
  if (spec.serial == 0) {
    return makeError(ErrorCategory::Encoding, "bad_serial",
                     "the client certificate for '" + printable(spec.user) + "' needs a serial above 0");
  }
  if (spec.validity <= std::chrono::seconds(0) || spec.validity > kMaxValidity) {
    return makeError(ErrorCategory::Encoding, "bad_validity",
                     "client certificate validity of " + std::to_string(spec.validity.count()) + " s for '" +
                         printable(spec.user) + "' is out of range");
  }
  return okStatus();
}

// What verifyClientCertificate reads from a certificate before it trusts it (for its answer and details).
struct Facts {
  std::string user;
  std::string serialHex;
  std::int64_t notBefore = 0;
  std::int64_t notAfter = 0;

  std::string describe() const {
    return "client certificate '" + printable(user) + "' (serial " + serialHex + ", valid " +
           utcText(notBefore) + " to " + utcText(notAfter) + ")";
  }
};

Result<Facts> readFacts(X509* cert) {
  auto user = commonName(X509_get_subject_name(cert));
  auto serial = serialHex(X509_get0_serialNumber(cert));
  auto notBefore = unixTime(X509_get0_notBefore(cert));
  auto notAfter = unixTime(X509_get0_notAfter(cert));
  if (!serial || !notBefore || !notAfter) {
    return refusal(ErrorCategory::Decoding, cert_codes::kMalformed,
                   "client certificate has an unreadable serial number or validity");
  }
  if (!user || user->empty()) {
    return refusal(ErrorCategory::Decoding, cert_codes::kMalformed,
                   "client certificate with serial " + *serial + " has no usable subject CN");
  }
  return Facts{std::move(*user), std::move(*serial), *notBefore, *notAfter};
}

}  // namespace

Result<std::string> generateClientKey() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!key || !bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return cryptoError("keygen_failed", "generating an EC P-256 client key");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Result<Bytes> makeCertificateRequest(std::string_view keyPem, std::string_view commonName) {
  if (commonName.empty()) {
    return makeError(ErrorCategory::Encoding, "bad_common_name", "a certificate request needs a common name");
  }
  KP_TRY(PkeyPtr key, readPrivateKey(keyPem, ErrorCategory::Decoding, "bad_private_key_pem"));
  ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) {
    return cryptoError("request_failed", "allocating the certificate request");
  }
  KP_CHECK(setCommonName(X509_REQ_get_subject_name(req.get()), commonName, "the request's common name"));
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
    return cryptoError("request_failed",
                       "signing the certificate request for '" + printable(commonName) + "' with SHA-256");
  }
  return toDer(i2d_X509_REQ, req.get(), "certificate request");
}

Result<Bytes> issueClientCertificate(const PemCertificate& ca, BytesView requestDer,
                                     const ClientCertSpec& spec) {
  KP_CHECK(checkSpec(spec));
  auto req = parseWholeDer<ReqPtr>(d2i_X509_REQ, requestDer);
  EVP_PKEY* publicKey = req ? X509_REQ_get0_pubkey(req.get()) : nullptr;
  if (publicKey == nullptr) {
    return refusal(ErrorCategory::Decoding, cert_codes::kBadRequest,
                   "the certificate request for '" + printable(spec.user) + "' (" +
                       std::to_string(requestDer.size()) +
                       " bytes) is not one DER PKCS#10 with a public key");
  }
  if (X509_REQ_verify(req.get(), publicKey) != 1) {
    const auto requestCn = commonName(X509_REQ_get_subject_name(req.get()));
    return refusal(ErrorCategory::Integrity, cert_codes::kRequestSignature,
                   "the self-signature of the certificate request for '" + printable(spec.user) +
                       "' (request CN '" + printable(requestCn.value_or("")) + "') does not verify");
  }

  KP_TRY(X509Ptr caCert, readCaCertificate(ca.certificate));
  KP_TRY(PkeyPtr caKey, readPrivateKey(ca.privateKey, ErrorCategory::Config, "bad_ca_key"));
  if (X509_check_private_key(caCert.get(), caKey.get()) != 1) {
    return refusal(ErrorCategory::Config, "ca_key_mismatch",
                   "the CA private key does not match its certificate");
  }

  const auto start = static_cast<time_t>(toUnixSeconds(spec.notBefore));
  const auto end = static_cast<time_t>(toUnixSeconds(spec.notBefore) + spec.validity.count());
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), spec.serial) != 1) {
    return cryptoError("certificate_failed", "allocating the client certificate for '" + spec.user + "'");
  }
  KP_CHECK(setCommonName(X509_get_subject_name(cert.get()), spec.user, "the user"));
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), start) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), end) == nullptr) {
    return refusal(ErrorCategory::Encoding, "bad_validity",
                   "the validity " + utcText(start) + " to " + utcText(end) +
                       " of the client certificate for '" + printable(spec.user) + "' cannot be encoded");
  }
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(caCert.get())) != 1 ||
      X509_set_pubkey(cert.get(), publicKey) != 1) {
    return cryptoError("certificate_failed",
                       "setting the issuer and key of the certificate for '" + spec.user + "'");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, caCert.get(), cert.get(), nullptr, nullptr, 0);
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_ext_key_usage, "clientAuth"));
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(cert.get(), caKey.get(), EVP_sha256()) <= 0) {
    return cryptoError("sign_failed", "signing the certificate for '" + spec.user + "' with SHA-256");
  }
  return toDer(i2d_X509, cert.get(), "client certificate");
}

Result<Bytes> certsOnlyPkcs7(const std::vector<Bytes>& certificatesDer) {
  if (certificatesDer.empty()) {
    return makeError(ErrorCategory::Encoding, "no_certificates", "a certs-only PKCS#7 needs a certificate");
  }
  Pkcs7Ptr p7(PKCS7_new());
  if (!p7 || PKCS7_set_type(p7.get(), NID_pkcs7_signed) != 1 ||
      PKCS7_content_new(p7.get(), NID_pkcs7_data) != 1 || PKCS7_set_detached(p7.get(), 1) != 1) {
    return cryptoError("pkcs7_failed", "building a certs-only PKCS#7");
  }
  for (std::size_t i = 0; i < certificatesDer.size(); ++i) {
    auto cert = parseWholeDer<X509Ptr>(d2i_X509, certificatesDer[i]);
    if (!cert) {
      return refusal(ErrorCategory::Decoding, cert_codes::kMalformed,
                     "certificate " + std::to_string(i + 1) + " of " +
                         std::to_string(certificatesDer.size()) +
                         " for the PKCS#7 is not one DER certificate");
    }
    if (PKCS7_add_certificate(p7.get(), cert.get()) != 1) {
      return cryptoError("pkcs7_failed", "adding certificate " + std::to_string(i + 1) + " to the PKCS#7");
    }
  }
  return toDer(i2d_PKCS7, p7.get(), "certs-only PKCS#7");
}

Result<std::vector<Bytes>> certificatesFromPkcs7(BytesView pkcs7Der) {
  auto p7 = parseWholeDer<Pkcs7Ptr>(d2i_PKCS7, pkcs7Der);
  if (!p7) {
    return refusal(ErrorCategory::Decoding, "pkcs7_malformed",
                   "the PKCS#7 (" + std::to_string(pkcs7Der.size()) + " bytes) is not one DER ContentInfo");
  }
  if (!PKCS7_type_is_signed(p7.get()) || p7->d.sign == nullptr) {
    return refusal(ErrorCategory::Decoding, "pkcs7_malformed", "the PKCS#7 is not SignedData");
  }
  const STACK_OF(X509)* certs = p7->d.sign->cert;
  const int n = certs == nullptr ? 0 : sk_X509_num(certs);
  if (n <= 0) {
    return refusal(ErrorCategory::Decoding, "pkcs7_malformed", "the PKCS#7 SignedData holds no certificate");
  }
  std::vector<Bytes> out;
  for (int i = 0; i < n; ++i) {
    auto der = toDer(i2d_X509, static_cast<const X509*>(sk_X509_value(certs, i)), "certificate");
    if (!der.ok()) {
      return refusal(ErrorCategory::Decoding, "pkcs7_malformed",
                     "certificate " + std::to_string(i + 1) + " of the PKCS#7 cannot be re-encoded");
    }
    out.push_back(std::move(der).value());
  }
  return out;
}

Result<Bytes> signWithKey(std::string_view keyPem, BytesView data) {
  KP_TRY(PkeyPtr key, readPrivateKey(keyPem, ErrorCategory::Decoding, "bad_private_key_pem"));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, bytesOf(data), data.size()) != 1) {
    return cryptoError("sign_failed", "signing " + std::to_string(data.size()) + " bytes with SHA-256");
  }
  Bytes signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, bytesOf(data), data.size()) != 1) {
    return cryptoError("sign_failed", "signing " + std::to_string(data.size()) + " bytes with SHA-256");
  }
  signature.resize(length);
  return signature;
}

Result<VerifiedClientCertificate> verifyClientCertificate(BytesView certificateDer, std::string_view caPem,
                                                          TimePoint at, BytesView data, BytesView signature) {
  auto cert = parseWholeDer<X509Ptr>(d2i_X509, certificateDer);
  if (!cert) {
    return refusal(ErrorCategory::Decoding, cert_codes::kMalformed,
                   "the client certificate (" + std::to_string(certificateDer.size()) +
                       " bytes) is not one DER certificate");
  }
  KP_TRY(Facts facts, readFacts(cert.get()));
  KP_TRY(X509Ptr ca, readCaCertificate(caPem));

  StorePtr store(X509_STORE_new());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1) {
    return cryptoError("verify_failed", "setting up the verification of the " + facts.describe());
  }
  // set_time also sets X509_V_FLAG_USE_CHECK_TIME: `at`, never the wall clock.
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), static_cast<time_t>(toUnixSeconds(at)));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    const std::string which = X509_STORE_CTX_get_error_depth(ctx.get()) == 0 ? "" : " (its CA certificate)";
    const std::string when = " at " + utcText(toUnixSeconds(at));
    if (err == X509_V_ERR_CERT_HAS_EXPIRED) {
      return refusal(ErrorCategory::Protocol, cert_codes::kExpired,
                     facts.describe() + " has expired" + which + when);
    }
    if (err == X509_V_ERR_CERT_NOT_YET_VALID) {
      return refusal(ErrorCategory::Protocol, cert_codes::kNotYetValid,
                     facts.describe() + " is not yet valid" + which + when);
    }
    const auto caName = commonName(X509_get_subject_name(ca.get()));
    return refusal(ErrorCategory::Integrity, cert_codes::kUntrusted,
                   facts.describe() + " is not trusted by the CA '" + printable(caName.value_or("")) +
                       "': " + X509_verify_cert_error_string(err));
  }

  const std::uint32_t flags = X509_get_extension_flags(cert.get());
  const bool clientAuth =
      (flags & EXFLAG_XKUSAGE) != 0 && (X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT) != 0;
  const bool digitalSignature = (X509_get_key_usage(cert.get()) & KU_DIGITAL_SIGNATURE) != 0;
  const bool isCa = X509_check_ca(cert.get()) != 0;
  if (!clientAuth || !digitalSignature || isCa) {
    return refusal(
        ErrorCategory::Protocol, cert_codes::kWrongUsage,
        facts.describe() + " is not a client certificate:" + (clientAuth ? "" : " no clientAuth usage") +
            (digitalSignature ? "" : " no digitalSignature key usage") + (isCa ? " it is a CA" : ""));
  }

  MdCtxPtr md(EVP_MD_CTX_new());
  const bool verified =
      md && !signature.empty() && signature.size() <= kMaxDerSize &&
      EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(cert.get())) == 1 &&
      EVP_DigestVerify(md.get(), signature.data(), signature.size(), bytesOf(data), data.size()) == 1;
  if (!verified) {
    return refusal(ErrorCategory::Integrity, cert_codes::kBadSignature,
                   "the signature (" + std::to_string(signature.size()) + " bytes) over " +
                       std::to_string(data.size()) + " bytes is not by the key of the " + facts.describe());
  }
  return VerifiedClientCertificate{std::move(facts.user), std::move(facts.serialHex),
                                   fromUnixSeconds(facts.notBefore), fromUnixSeconds(facts.notAfter)};
}

}  // namespace kerbpool::core::crypto
