#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "scenarios/scenario.hpp"

// The TLS material of a pool served over HTTPS (pool.tls): a throwaway CA and one server certificate whose
// names are the pool's FQDN and every name of the scenario's DNS zone (a workstation checks the certificate
// against the name in its URL, a CNAME alias included: RFC 9110 4.3.4). The certificates are PEM files in a
// private folder (mkdtemp, 0700) under the system's temporary directory, removed when this object goes. No
// private key ever touches the disk: the CA's is dropped once the server certificate is issued, and the
// server's lives in an anonymous memory file (memfd) that the servers load as /proc/self/fd/N, so even a
// process killed with SIGKILL leaves no key behind.
//
// A lab kept in a state folder (`kerbpool serve --state DIR`) keeps its certificates there, so that a
// workstation that trusted the lab's CA still trusts it after a restart: material() is what it stores and
// load() what it restores (the CA's key is never part of it).
namespace kerbpool::scenarios {

// The PEM texts of a lab's certificates: public certificates and the two servers' private keys.
struct LabCertificateMaterial {
  std::string caCertificate;
  std::string serverChain;  // the nodes' certificate, then the CA
  std::string serverKey;
  std::string balancerChain;
  std::string balancerKey;
};

class LabCertificates {
 public:
  // Valid from a day before `clock`'s time, for a year: a workstation whose clock drifts still accepts it.
  static core::Result<std::unique_ptr<LabCertificates>> create(const Scenario& scenario,
                                                               const core::Clock& clock);
  // The same files from stored material. Config "bad_lab_certificates" when a part is missing or is not PEM.
  static core::Result<std::unique_ptr<LabCertificates>> load(const LabCertificateMaterial& material);
  const LabCertificateMaterial& material() const { return material_; }
  ~LabCertificates();
  LabCertificates(const LabCertificates&) = delete;
  LabCertificates& operator=(const LabCertificates&) = delete;

  const std::string& caFile() const { return caFile_; }           // what the workstations trust
  const std::string& chainFile() const { return chainFile_; }     // the server certificate, then the CA
  const std::string& privateKeyFile() const { return keyFile_; }  // its key: /proc/self/fd/N
  // Another certificate for the same names from the same CA: the balancer's own, when it does not present
  // the nodes' one (pool.load_balancer.tls "reencrypt-own-certificate" or "offload").
  const std::string& balancerChainFile() const { return balancerChainFile_; }
  const std::string& balancerPrivateKeyFile() const { return balancerKeyFile_; }
  const std::filesystem::path& directory() const { return dir_; }

 private:
  LabCertificates() = default;
  LabCertificateMaterial material_;
  std::filesystem::path dir_;
  std::string caFile_;
  std::string chainFile_;
  std::string keyFile_;
  int keyFd_ = -1;
  std::string balancerChainFile_;
  std::string balancerKeyFile_;
  int balancerKeyFd_ = -1;
};

}  // namespace kerbpool::scenarios
