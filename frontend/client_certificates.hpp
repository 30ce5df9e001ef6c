#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/crypto/client_certificate.hpp"

// The pool's certificate provisioning (Lync's CertProv): the CA every node of the pool signs users' client
// certificates with, and the pool's revocations (`Revoke-CsClientCertificate -Identity USER`). A user who
// signed in with Windows authentication buys a certificate with the web ticket; later the certificate alone
// buys web tickets, with no check against the directory, until it expires (Set-CsWebServiceConfiguration
// -DefaultValidityPeriodHours, 4320 hours by default) or is revoked. One per pool, shared by its nodes;
// thread-safe.
namespace kerbpool::frontend {

inline constexpr std::string_view kCertificateRevokedCode = "client_certificate_revoked";

// A revocation: every certificate of `user` issued at or before `at`, and every web ticket of that user
// issued at or before `at` (the lab also ends the sessions those certificates bought).
struct CertificateRevocation {
  std::string user;  // as in the certificate's subject, "user001@CONTOSO.TEST" (compared case-insensitively)
  core::TimePoint at;
};

class ClientCertificateAuthority {
 public:
  // A fresh CA, valid from `notBefore` for ten years.
  static core::Result<std::shared_ptr<ClientCertificateAuthority>> create(core::TimePoint notBefore);

  const std::string& caCertificate() const { return ca_.certificate; }

  // A certificate (DER) for `user` with the key of `requestDer` (PKCS#10), valid from now for `validity`.
  core::Result<core::Bytes> issue(core::BytesView requestDer, const std::string& user, core::TimePoint now,
                                  std::chrono::seconds validity);
  // The certificate's holder signed `data`; it chains to this CA, is valid at `now` and is not revoked
  // (kCertificateRevokedCode, naming when it was revoked).
  core::Result<core::crypto::VerifiedClientCertificate> verify(core::BytesView certificateDer,
                                                               core::TimePoint now, core::BytesView data,
                                                               core::BytesView signature) const;

  void revoke(const std::string& user, core::TimePoint at);
  // When `user`'s certificates and tickets issued at or before `issued` were revoked; nullopt: they are not.
  std::optional<core::TimePoint> revokedAt(const std::string& user, core::TimePoint issued) const;
  std::vector<CertificateRevocation> revocations() const;
  std::uint64_t issued() const {
    return issued_.load();
  }  // certificates issued (refused requests not counted)

 private:
  explicit ClientCertificateAuthority(core::crypto::PemCertificate ca) : ca_(std::move(ca)) {}

  core::crypto::PemCertificate ca_;
  std::atomic<std::uint64_t> nextSerial_{1};
  std::atomic<std::uint64_t> issued_{0};
  mutable std::mutex mu_;
  std::map<std::string, core::TimePoint> revoked_;  // lower-case user -> latest revocation
};

}  // namespace kerbpool::frontend
