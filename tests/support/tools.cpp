#include "tests/support/tools.hpp"

#include <sys/wait.h>
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>

namespace kerbpool::test {

CommandResult runCommand(const std::string& commandLine) {
  CommandResult r;
  const std::string full = commandLine + " 2>&1";
  FILE* p = ::popen(full.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    r.output.append(buf.data(), n);
  }
  const int status = ::pclose(p);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string requireTool(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"}) {
    std::filesystem::path p = std::filesystem::path(dir) / name;
    if (std::filesystem::exists(p)) {
      return p.string();
    }
  }
  FAIL("interop peer '" << name << "' is not installed: run scripts/install-deps.sh");
  return {};
}

std::string requireHeimdalTool(const std::string& name) {
  const std::filesystem::path p = std::filesystem::path("/opt/kerbpool/heimdal/usr/bin") / name;
  if (!std::filesystem::exists(p)) {
    FAIL("Heimdal's '" << name << "' is not unpacked in /opt/kerbpool/heimdal: run scripts/install-deps.sh");
  }
  return p.string();
}

std::string kerbpoolBinary() {
  return KERBPOOL_BINARY;
}

std::string mitGssTokenBinary() {
  return MIT_GSS_TOKEN_BINARY;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "kerbpool-test-XXXXXX").string();
  char* made = ::mkdtemp(tmpl.data());
  REQUIRE(made != nullptr);
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

}  // namespace kerbpool::test
