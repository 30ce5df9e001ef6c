#include "frontend/client_certificates.hpp"

#include <algorithm>
#include <cctype>

#include "core/common/windows_time.hpp"

namespace kerbpool::frontend {

namespace {

std::string lowerUser(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

core::Result<std::shared_ptr<ClientCertificateAuthority>> ClientCertificateAuthority::create(
    core::TimePoint notBefore) {
  core::crypto::CaSpec spec;
  spec.commonName = "kerbpool pool client certificate CA";
  spec.notBefore = notBefore;
  spec.validDays = 3660;
  KP_TRY(auto ca, core::crypto::generateCa(spec));
  return std::shared_ptr<ClientCertificateAuthority>(new ClientCertificateAuthority(std::move(ca)));
}

core::Result<core::Bytes> ClientCertificateAuthority::issue(core::BytesView requestDer,
                                                            const std::string& user, core::TimePoint now,
                                                            std::chrono::seconds validity) {
  core::crypto::ClientCertSpec spec;
  spec.user = user;
  spec.notBefore = now;
  spec.validity = validity;
  spec.serial = nextSerial_.fetch_add(1);
  auto certificate = core::crypto::issueClientCertificate(ca_, requestDer, spec);
  if (certificate.ok()) {
    issued_.fetch_add(1);
  }
  return certificate;
}

core::Result<core::crypto::VerifiedClientCertificate> ClientCertificateAuthority::verify(
    core::BytesView certificateDer, core::TimePoint now, core::BytesView data,
    core::BytesView signature) const {
  KP_TRY(auto verified,
         core::crypto::verifyClientCertificate(certificateDer, ca_.certificate, now, data, signature));
  if (const auto at = revokedAt(verified.user, verified.notBefore)) {
    return core::makeError(core::ErrorCategory::Protocol, std::string(kCertificateRevokedCode),
                           "the certificate of " + verified.user + " (serial " + verified.serialHex +
                               ") was revoked at " + core::windowsUsTime(*at) + " UTC" +
                               " (Revoke-CsClientCertificate)");
  }
  return verified;
}

void ClientCertificateAuthority::revoke(const std::string& user, core::TimePoint at) {
  std::lock_guard lock(mu_);
  auto& t = revoked_[lowerUser(user)];
  t = std::max(t, at);
}

std::optional<core::TimePoint> ClientCertificateAuthority::revokedAt(const std::string& user,
                                                                     core::TimePoint issued) const {
  std::lock_guard lock(mu_);
  const auto it = revoked_.find(lowerUser(user));
  if (it == revoked_.end() || issued > it->second) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<CertificateRevocation> ClientCertificateAuthority::revocations() const {
  std::lock_guard lock(mu_);
  std::vector<CertificateRevocation> out;
  for (const auto& [user, at] : revoked_) {
    out.push_back({user, at});
  }
  return out;
}

}  // namespace kerbpool::frontend
