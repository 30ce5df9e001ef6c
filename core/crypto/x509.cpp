// Certificate generation on OpenSSL 3: keys, X.509v3 extensions, signing, PEM files.
#include "core/crypto/x509.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

#include "core/crypto/openssl_handles.hpp"

namespace kerbpool::core::crypto {
namespace {

using namespace openssl_handles;

constexpr unsigned kMaxValidDays = 100 * 366;

bool validDnsName(std::string_view name) {
  if (name.starts_with("*.")) {
    name.remove_prefix(2);
  }
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') {
    return false;
  }
  std::size_t label = 0;
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == '.') {
      if (label == 0) {
        return false;
      }
      label = 0;
    } else if (alnum || c == '-') {
      if (++label > 63) {
        return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

Result<PkeyPtr> generateKey(KeyAlgorithm alg) {
  PkeyPtr key(alg == KeyAlgorithm::Rsa2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
  if (!key) {
    return cryptoError("keygen_failed", "generating the certificate key");
  }
  return key;
}

Result<std::string> toPem(int (*write)(BIO*, const void*), const void* obj, const char* what) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get(), obj) != 1) {
    return cryptoError("pem_write_failed", std::string("writing the ") + what + " as PEM");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

int writeCert(BIO* b, const void* x) {
  return PEM_write_bio_X509(b, static_cast<X509*>(const_cast<void*>(x)));
}

int writeKey(BIO* b, const void* k) {
  return PEM_write_bio_PrivateKey(b, static_cast<const EVP_PKEY*>(k), nullptr, nullptr, 0, nullptr, nullptr);
}

Result<PemCertificate> toPemPair(const X509* cert, const EVP_PKEY* key) {
  KP_TRY(std::string certPem, toPem(writeCert, cert, "certificate"));
  KP_TRY(std::string keyPem, toPem(writeKey, key, "private key"));
  return PemCertificate{std::move(certPem), std::move(keyPem)};
}

Status addSubjectAltNames(X509* cert, const std::vector<std::string>& dnsNames) {
  NamesPtr names(sk_GENERAL_NAME_new_null());
  for (const auto& dns : dnsNames) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    if (gn == nullptr || ia5 == nullptr ||
        ASN1_STRING_set(ia5, dns.data(), static_cast<int>(dns.size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(ia5);
      return cryptoError("extension_failed", "building subjectAltName");
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return cryptoError("extension_failed", "adding subjectAltName");
  }
  return okStatus();
}

// The parts every certificate shares: v3, random positive serial, names, validity, public key.
Result<X509Ptr> newCertificate(const std::string& subjectCn, const X509_NAME* issuer, TimePoint notBefore,
                               unsigned validDays, EVP_PKEY* publicKey) {
  if (validDays == 0 || validDays > kMaxValidDays) {
    return makeError(ErrorCategory::Config, "bad_validity",
                     "certificate validity of " + std::to_string(validDays) + " days is out of range");
  }
  X509Ptr cert(X509_new());
  BnPtr serial(BN_new());
  if (!cert || !serial || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return cryptoError("certificate_failed", "allocating the certificate");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("kerbpool lab"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(subjectCn.c_str()), -1, -1, 0) != 1) {
    return cryptoError("certificate_failed", "setting the subject name '" + subjectCn + "'");
  }
  const time_t start = static_cast<time_t>(toUnixSeconds(notBefore));
  if (X509_set_issuer_name(cert.get(), issuer != nullptr ? issuer : subject) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), start) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(cert.get()), start, static_cast<int>(validDays), 0) == nullptr ||
      X509_set_pubkey(cert.get(), publicKey) != 1) {
    return cryptoError("certificate_failed", "setting issuer, validity and key");
  }
  return cert;
}

Status sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) {
    return cryptoError("sign_failed", "signing the certificate with SHA-256");
  }
  return okStatus();
}

Result<X509Ptr> readCertificate(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, noPassword, nullptr) : nullptr);
  if (!cert) {
    ERR_clear_error();
    return makeError(ErrorCategory::Decoding, "bad_certificate_pem", "no PEM CERTIFICATE could be read");
  }
  return cert;
}

Result<PkeyPtr> readPrivateKey(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassword, nullptr) : nullptr);
  if (!key) {
    ERR_clear_error();
    return makeError(ErrorCategory::Decoding, "bad_private_key_pem",
                     "no unencrypted PEM PRIVATE KEY could be read");
  }
  return key;
}

Status writeFile(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return makeError(ErrorCategory::Io, "write_failed",
                     "cannot create " + path.string() + ": " + strerror(errno));
  }
  // An existing file keeps its old mode on open(): set it before a single key byte is written.
  bool ok = ::fchmod(fd, mode) == 0;
  std::size_t off = 0;
  while (ok && off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    ok = n > 0;
    off += ok ? static_cast<std::size_t>(n) : 0;
  }
  const int savedErrno = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    return makeError(ErrorCategory::Io, "write_failed",
                     "cannot write " + path.string() + ": " + strerror(savedErrno));
  }
  return okStatus();
}

}  // namespace

Result<PemCertificate> generateCa(const CaSpec& spec) {
  if (spec.commonName.empty()) {
    return makeError(ErrorCategory::Config, "bad_common_name", "the CA needs a common name");
  }
  KP_TRY(PkeyPtr key, generateKey(spec.key));
  KP_TRY(X509Ptr cert, newCertificate(spec.commonName, nullptr, spec.notBefore, spec.validDays, key.get()));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE"));
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  KP_CHECK(sign(cert.get(), key.get()));
  return toPemPair(cert.get(), key.get());
}

Result<PemCertificate> issueServerCertificate(const PemCertificate& ca, const ServerCertSpec& spec) {
  if (spec.dnsNames.empty()) {
    return makeError(ErrorCategory::Config, "no_dns_names",
                     "a server certificate needs at least one DNS name");
  }
  for (const auto& name : spec.dnsNames) {
    if (!validDnsName(name)) {
      return makeError(ErrorCategory::Config, "bad_dns_name", "'" + name + "' is not a DNS name");
    }
  }
  KP_TRY(X509Ptr caCert, readCertificate(ca.certificate));
  KP_TRY(PkeyPtr caKey, readPrivateKey(ca.privateKey));
  if (X509_check_private_key(caCert.get(), caKey.get()) != 1) {
    ERR_clear_error();
    return makeError(ErrorCategory::Config, "ca_key_mismatch",
                     "the CA private key does not match its certificate");
  }
  KP_TRY(PkeyPtr key, generateKey(spec.key));
  KP_TRY(X509Ptr cert, newCertificate(spec.dnsNames.front(), X509_get_subject_name(caCert.get()),
                                      spec.notBefore, spec.validDays, key.get()));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, caCert.get(), cert.get(), nullptr, nullptr, 0);
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_key_usage,
                            spec.key == KeyAlgorithm::Rsa2048 ? "critical,digitalSignature,keyEncipherment"
                                                              : "critical,digitalSignature"));
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth"));
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  KP_CHECK(addConfExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  KP_CHECK(addSubjectAltNames(cert.get(), spec.dnsNames));
  KP_CHECK(sign(cert.get(), caKey.get()));
  return toPemPair(cert.get(), key.get());
}

Result<TlsBundle> generateTlsBundle(const std::vector<std::string>& dnsNames, TimePoint notBefore,
                                    unsigned validDays, KeyAlgorithm key) {
  CaSpec caSpec;
  caSpec.notBefore = notBefore;
  caSpec.validDays = validDays;
  caSpec.key = key;
  KP_TRY(PemCertificate ca, generateCa(caSpec));
  KP_TRY(PemCertificate server,
         issueServerCertificate(ca, ServerCertSpec{dnsNames, notBefore, validDays, key}));
  return TlsBundle{std::move(ca), std::move(server)};
}

std::string TlsBundle::serverChain() const {
  return server.certificate + ca.certificate;
}

Result<PemFilePaths> TlsBundle::writePemFiles(const std::filesystem::path& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return makeError(ErrorCategory::Io, "mkdir_failed",
                     "cannot create " + dir.string() + ": " + ec.message());
  }
  PemFilePaths paths{dir / "ca.pem", dir / "ca-key.pem", dir / "server.pem", dir / "server-key.pem"};
  KP_CHECK(writeFile(paths.caPrivateKey, ca.privateKey, 0600));
  KP_CHECK(writeFile(paths.serverPrivateKey, server.privateKey, 0600));
  KP_CHECK(writeFile(paths.caCertificate, ca.certificate, 0644));
  KP_CHECK(writeFile(paths.serverCertificate, serverChain(), 0644));
  return paths;
}

namespace {

Result<Bytes> endPointHash(X509* cert) {
  int mdNid = NID_undef;
  if (X509_get_signature_info(cert, &mdNid, nullptr, nullptr, nullptr) != 1) {
    ERR_clear_error();
    mdNid = NID_undef;
  }
  const EVP_MD* md = nullptr;
  if (mdNid != NID_undef && mdNid != NID_md5 && mdNid != NID_sha1) {
    md = EVP_get_digestbynid(mdNid);
  }
  if (md == nullptr) {
    md = EVP_sha256();
  }
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  if (X509_digest(cert, md, out.data(), &length) != 1) {
    ERR_clear_error();
    return makeError(ErrorCategory::Crypto, "certificate_digest_failed",
                     "the certificate's tls-server-end-point hash could not be computed");
  }
  out.resize(length);
  return out;
}

}  // namespace

Result<Bytes> tlsServerEndPoint(BytesView certificateDer) {
  const unsigned char* p = certificateDer.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(certificateDer.size())));
  if (!cert || p != certificateDer.data() + certificateDer.size()) {
    ERR_clear_error();
    return makeError(ErrorCategory::Decoding, "bad_certificate_der", "not one DER certificate");
  }
  return endPointHash(cert.get());
}

Result<Bytes> tlsServerEndPointOfPem(std::string_view pem) {
  KP_TRY(X509Ptr cert, readCertificate(pem));
  return endPointHash(cert.get());
}

Result<CertificateInfo> inspectCertificate(std::string_view pem) {
  KP_TRY(X509Ptr cert, readCertificate(pem));
  auto commonName = [](const X509_NAME* name) {
    const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    const ASN1_STRING* s = i < 0 ? nullptr : X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    return s == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                      static_cast<std::size_t>(ASN1_STRING_length(s)));
  };
  auto unixTime = [](const ASN1_TIME* t) -> std::int64_t {
    std::tm tm{};
    return ASN1_TIME_to_tm(t, &tm) == 1 ? static_cast<std::int64_t>(timegm(&tm)) : 0;
  };
  CertificateInfo info;
  info.subjectCommonName = commonName(X509_get_subject_name(cert.get()));
  info.issuerCommonName = commonName(X509_get_issuer_name(cert.get()));
  info.notBefore = unixTime(X509_get0_notBefore(cert.get()));
  info.notAfter = unixTime(X509_get0_notAfter(cert.get()));
  info.isCa = X509_check_ca(cert.get()) != 0;
  info.key = EVP_PKEY_get_base_id(X509_get0_pubkey(cert.get())) == EVP_PKEY_RSA ? KeyAlgorithm::Rsa2048
                                                                                : KeyAlgorithm::EcP256;
  NamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type == GEN_DNS) {
      const ASN1_STRING* s = gn->d.dNSName;
      info.dnsNames.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                 static_cast<std::size_t>(ASN1_STRING_length(s)));
    }
  }
  ERR_clear_error();
  return info;
}

Status verifyServerCertificate(std::string_view certificatePem, std::string_view caPem,
                               std::string_view hostname, TimePoint at) {
  KP_TRY(X509Ptr leaf, readCertificate(certificatePem));
  KP_TRY(X509Ptr ca, readCertificate(caPem));
  std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>> ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) != 1) {
    return cryptoError("verify_failed", "setting up certificate verification");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(toUnixSeconds(at)));
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return makeError(ErrorCategory::Integrity, "certificate_untrusted",
                     std::string("certificate verification failed: ") + X509_verify_cert_error_string(err));
  }
  if (X509_check_host(leaf.get(), hostname.data(), hostname.size(), 0, nullptr) != 1) {
    ERR_clear_error();
    return makeError(ErrorCategory::Integrity, "certificate_name_mismatch",
                     "the certificate does not name '" + std::string(hostname) + "'");
  }
  return okStatus();
}

void cacheTrustStoreExtensions(x509_store_st* store) {
  if (store == nullptr) {
    return;
  }
  STACK_OF(X509)* certificates = X509_STORE_get1_all_certs(store);
  if (certificates == nullptr) {
    return;
  }
  for (int i = 0; i < sk_X509_num(certificates); ++i) {
    (void)X509_check_purpose(sk_X509_value(certificates, i), -1, 0);  // fills the cache; the answer is unused
  }
  sk_X509_pop_free(certificates, X509_free);
}

}  // namespace kerbpool::core::crypto
