#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/common/clock.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "core/keytab/keytab.hpp"
#include "kdc/event_log.hpp"
#include "kdc/kdc_server.hpp"
#include "kdc/kdc_service.hpp"
#include "kdc/realm_file.hpp"
#include "tests/support/tools.hpp"

namespace kerbpool::test {

// The repository's examples/ folder (examples/contoso.realm.json...).
std::filesystem::path sourceDir();
// examples/contoso.realm.json with RC4 allowed (msDS-SupportedEncryptionTypes AES + RC4) on krbtgt and on the
// pool's account POOLKERB$; every other account stays AES-only.
std::string exampleRealmWithRc4();

struct KdcFixtureOptions {
  std::filesystem::path realmFile;  // default: examples/contoso.realm.json
  std::string realmJson;            // if set, used instead of realmFile
  std::size_t maxUdpReply = 1465;
  std::string extraLibdefaults;  // lines for krb5.conf [libdefaults]
};

// kerbpool's own KDC in this process on 127.0.0.1 (port 0), with the realm loaded from a file, and a
// krb5.conf pointing MIT tools at it. Tests inspect the directory and event log directly.
class KdcFixture {
 public:
  explicit KdcFixture(KdcFixtureOptions options = {});
  ~KdcFixture();

  kdc::Directory& directory() { return *realm_.directory; }
  kdc::EventLog& events() { return events_; }
  kdc::KdcService& service() { return *service_; }
  kdc::KdcServer& server() { return *server_; }
  const std::string& realmName() const { return realm_.settings.realm; }
  std::uint16_t port() const;
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path krb5Conf() const { return dir_ / "krb5.conf"; }
  std::filesystem::path ccache() const { return dir_ / "ccache"; }

  // Rewrites krb5.conf (e.g. to force TCP with udp_preference_limit = 1).
  void writeKrb5Conf(const std::string& extraLibdefaults) const;
  // "KRB5_CONFIG=... KRB5CCNAME=... " for MIT tools.
  std::string envPrefix() const;
  CommandResult run(const std::string& commandLine) const;
  // kinit with the password on standard input.
  CommandResult kinit(const std::string& principal, const std::string& password) const;
  // A keytab with the current keys of a directory account under the given principal names.
  core::keytab::Keytab exportKeytab(const std::string& sam, const std::vector<std::string>& principals);

 private:
  TempDir dir_;
  core::SystemClock clock_;
  core::crypto::CryptoRng rng_;
  kdc::EventLog events_;
  kdc::Realm realm_;
  std::unique_ptr<kdc::KdcService> service_;
  std::unique_ptr<kdc::KdcServer> server_;
};

}  // namespace kerbpool::test
