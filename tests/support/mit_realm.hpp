#pragma once

#include <sys/types.h>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/tools.hpp"

namespace kerbpool::test {

// What a throwaway MIT realm looks like. The defaults give an AES-only realm with no KDC running.
struct MitRealmOptions {
  std::string realm = "KERBPOOL.TEST";
  std::string masterPassword = "kerbpool-master";
  // kdc.conf supported_enctypes: the keys addprinc and a plain ktadd create.
  std::string supportedEnctypes = "aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal";
  // Extra lines placed verbatim in krb5.conf [libdefaults] and in the realm's kdc.conf section.
  std::string extraLibdefaults;
  std::string extraKdcRealmConfig;
  bool startKdc = false;  // start krb5kdc in the constructor
};

// A k5test-like throwaway MIT realm in its own TempDir: krb5.conf, kdc.conf, a database created with
// kdb5_util, principals and keytabs made with kadmin.local, and optionally a krb5kdc on a free
// loopback port (UDP and TCP), killed by the destructor. MIT tools are found with requireTool, so a
// missing peer fails the test. Child processes see the realm through envPrefix() (or run()); the test
// process's own environment is only changed by exportEnvironment().
class MitRealm {
 public:
  explicit MitRealm(MitRealmOptions options = {});
  ~MitRealm();
  MitRealm(const MitRealm&) = delete;
  MitRealm& operator=(const MitRealm&) = delete;

  const std::string& realm() const { return options_.realm; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path krb5Conf() const { return dir_ / "krb5.conf"; }
  std::filesystem::path kdcConf() const { return dir_ / "kdc.conf"; }
  std::filesystem::path ccache() const { return dir_ / "ccache"; }
  std::filesystem::path kdcLog() const { return dir_ / "kdc.log"; }
  // The KDC's port on 127.0.0.1 (UDP and TCP), chosen when the realm is made; written in both configs.
  int kdcPort() const { return kdcPort_; }

  // "KRB5_CONFIG='…' KRB5_KDC_PROFILE='…' KRB5CCNAME='FILE:…' KRB5RCACHEDIR='…' " to put in front
  // of a shell command line.
  std::string envPrefix() const;
  // The same variables as NAME=value pairs, and setenv() of them in this process.
  std::vector<std::pair<std::string, std::string>> environment() const;
  void exportEnvironment() const;
  // Runs a shell command line in the realm's environment (runCommand with envPrefix() in front: in a
  // pipeline only the first command gets it, so put envPrefix() before each command that needs it).
  CommandResult run(const std::string& commandLine) const;

  // kadmin.local -q QUERY. kadmin.local exits 0 even when a query fails, so callers check the output;
  // the helpers below do.
  CommandResult kadmin(const std::string& query) const;
  // addprinc -pw PASSWORD NAME (NAME without a realm gets this realm). Fails the test unless created.
  void addPrincipal(const std::string& name, const std::string& password) const;
  // addprinc -randkey NAME.
  void addRandomKeyPrincipal(const std::string& name) const;
  // ktadd -k KEYTAB -e ENCTYPES PRINCIPAL: new random keys (kvno + 1) written to the keytab. enctypes is a
  // comma list of enctype:salttype. Fails the test unless every key was added.
  void ktadd(
      const std::string& principal, const std::filesystem::path& keytab,
      const std::string& enctypes = "aes256-cts-hmac-sha1-96:normal,aes128-cts-hmac-sha1-96:normal") const;
  // ktadd -k KEYTAB -norandkey PRINCIPAL: the current keys (from the password) and kvno.
  void ktaddNoRandKey(const std::string& principal, const std::filesystem::path& keytab) const;
  // kinit with a password on stdin, into ccache(). Fails the test unless it succeeds.
  void kinit(const std::string& principal, const std::string& password) const;

  // Starts krb5kdc -n in the background and waits (a bounded number of connect attempts) until its TCP
  // port accepts. Fails the test, with the KDC's output, if it exits or never listens.
  void startKdc();
  void stopKdc();
  bool kdcRunning() const { return kdcPid_ > 0; }

 private:
  void writeConfigs() const;
  std::string fullName(const std::string& name) const;

  MitRealmOptions options_;
  TempDir dir_;
  int kdcPort_ = 0;
  pid_t kdcPid_ = -1;
};

// A port on 127.0.0.1 that was free for both TCP and UDP when asked (bind to port 0, then close).
int pickFreeLoopbackPort();

}  // namespace kerbpool::test
