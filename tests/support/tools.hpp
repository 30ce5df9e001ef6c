#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kerbpool::test {

struct CommandResult {
  int exitCode = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line and captures its output. For interop tests with real peers.
CommandResult runCommand(const std::string& commandLine);
// Absolute path of a tool on PATH (or /usr/sbin); fails the test when it is missing: interop peers are
// installed by scripts/install-deps.sh and are never silently skipped.
std::string requireTool(const std::string& name);
// Heimdal's client tools (kinit.heimdal, klist.heimdal, kgetcred): Debian's krb5-user conflicts with
// heimdal-clients, so scripts/install-deps.sh unpacks the package into /opt/kerbpool/heimdal. Fails the test
// when missing.
std::string requireHeimdalTool(const std::string& name);
// The kerbpool executable built alongside the tests.
std::string kerbpoolBinary();
// tests/tools/mit_gss_token: a context token from MIT's gss_init_sec_context, with channel bindings if asked.
std::string mitGssTokenBinary();
// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Single-quotes a string for /bin/sh.
std::string shellQuote(const std::string& s);

}  // namespace kerbpool::test
