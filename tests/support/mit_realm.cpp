#include "tests/support/mit_realm.hpp"
#include "tests/support/child_events.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <fstream>

extern char** environ;

namespace kerbpool::test {
namespace {

// Bounded waits for the KDC, on events (its log, its exit), never on a fixed sleep.
constexpr std::chrono::milliseconds kStartTimeout{10000};
constexpr std::chrono::milliseconds kStopTimeout{5000};

int bindLoopback(int type, int port) {
  const int fd = ::socket(AF_INET, type, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool tcpAccepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeText(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  REQUIRE(out.good());
}

std::string lines(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& p : parts) {
    out += p;
    out += '\n';
  }
  return out;
}

// kadmin.local parses its -q query with the ss library, which groups words with double quotes only.
std::string kadminQuote(const std::string& s) {
  REQUIRE(s.find('"') == std::string::npos);
  return "\"" + s + "\"";
}

}  // namespace

int pickFreeLoopbackPort() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    const int tcp = bindLoopback(SOCK_STREAM, 0);
    REQUIRE(tcp >= 0);
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    REQUIRE(::getsockname(tcp, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const int port = ntohs(addr.sin_port);
    const int udp = bindLoopback(SOCK_DGRAM, port);
    ::close(tcp);
    if (udp >= 0) {
      ::close(udp);
      return port;
    }
  }
  FAIL("no loopback port was free for both TCP and UDP");
  return 0;
}

MitRealm::MitRealm(MitRealmOptions options) : options_(std::move(options)) {
  kdcPort_ = pickFreeLoopbackPort();
  writeConfigs();
  const std::string kdb5 = requireTool("kdb5_util");
  const auto created = run(shellQuote(kdb5) + " create -s -r " + shellQuote(options_.realm) + " -P " +
                           shellQuote(options_.masterPassword));
  INFO("kdb5_util create: " << created.output);
  REQUIRE(created.exitCode == 0);
  if (options_.startKdc) {
    startKdc();
  }
}

MitRealm::~MitRealm() {
  stopKdc();
}

void MitRealm::writeConfigs() const {
  const std::string d = dir().string();
  const std::string kdc = "127.0.0.1:" + std::to_string(kdcPort_);
  const std::string& r = options_.realm;
  writeText(krb5Conf(), lines({
                            "[libdefaults]",
                            "  default_realm = " + r,
                            "  dns_lookup_kdc = false",
                            "  dns_lookup_realm = false",
                            "  dns_canonicalize_hostname = false",
                            "  rdns = false",
                            "  default_ccache_name = FILE:" + ccache().string(),
                            "  default_keytab_name = FILE:" + d + "/default.keytab",
                            options_.extraLibdefaults,
                            "[realms]",
                            "  " + r + " = {",
                            "    kdc = " + kdc,
                            "  }",
                        }));
  writeText(kdcConf(), lines({
                           "[kdcdefaults]",
                           "  kdc_listen = " + kdc,
                           "  kdc_tcp_listen = " + kdc,
                           "[realms]",
                           "  " + r + " = {",
                           "    database_name = " + d + "/principal",
                           "    key_stash_file = " + d + "/stash",
                           "    acl_file = " + d + "/kadm5.acl",
                           "    master_key_type = aes256-cts-hmac-sha1-96",
                           "    supported_enctypes = " + options_.supportedEnctypes,
                           options_.extraKdcRealmConfig,
                           "  }",
                           "[logging]",
                           "  kdc = FILE:" + kdcLog().string(),
                           "  admin_server = FILE:" + d + "/kadmin.log",
                           "  default = FILE:" + d + "/krb5.log",
                       }));
}

std::vector<std::pair<std::string, std::string>> MitRealm::environment() const {
  return {
      {"KRB5_CONFIG", krb5Conf().string()},
      {"KRB5_KDC_PROFILE", kdcConf().string()},
      {"KRB5CCNAME", "FILE:" + ccache().string()},
      {"KRB5RCACHEDIR", dir().string()},
  };
}

std::string MitRealm::envPrefix() const {
  std::string out;
  for (const auto& [name, value] : environment()) {
    out += name + "=" + shellQuote(value) + " ";
  }
  return out;
}

void MitRealm::exportEnvironment() const {
  for (const auto& [name, value] : environment()) {
    REQUIRE(::setenv(name.c_str(), value.c_str(), 1) == 0);
  }
}

CommandResult MitRealm::run(const std::string& commandLine) const {
  return runCommand(envPrefix() + commandLine);
}

std::string MitRealm::fullName(const std::string& name) const {
  return name.find('@') == std::string::npos ? name + "@" + options_.realm : name;
}

CommandResult MitRealm::kadmin(const std::string& query) const {
  const std::string tool = requireTool("kadmin.local");
  auto r = run(shellQuote(tool) + " -r " + shellQuote(options_.realm) + " -q " + shellQuote(query));
  INFO("kadmin.local -q '" << query << "': " << r.output);
  REQUIRE(r.exitCode == 0);
  return r;
}

void MitRealm::addPrincipal(const std::string& name, const std::string& password) const {
  const auto r = kadmin("addprinc -pw " + kadminQuote(password) + " " + kadminQuote(fullName(name)));
  INFO(r.output);
  REQUIRE(r.output.find("Principal \"" + fullName(name) + "\" created.") != std::string::npos);
}

void MitRealm::addRandomKeyPrincipal(const std::string& name) const {
  const auto r = kadmin("addprinc -randkey " + kadminQuote(fullName(name)));
  INFO(r.output);
  REQUIRE(r.output.find("Principal \"" + fullName(name) + "\" created.") != std::string::npos);
}

void MitRealm::ktadd(const std::string& principal, const std::filesystem::path& keytab,
                     const std::string& enctypes) const {
  const auto r = kadmin("ktadd -k " + kadminQuote(keytab.string()) + " -e " + kadminQuote(enctypes) + " " +
                        kadminQuote(fullName(principal)));
  INFO(r.output);
  const std::size_t wanted = static_cast<std::size_t>(std::count(enctypes.begin(), enctypes.end(), ',')) + 1;
  std::size_t added = 0;
  for (std::size_t at = r.output.find("added to keytab"); at != std::string::npos;
       at = r.output.find("added to keytab", at + 1)) {
    ++added;
  }
  REQUIRE(added == wanted);
}

void MitRealm::ktaddNoRandKey(const std::string& principal, const std::filesystem::path& keytab) const {
  const auto r =
      kadmin("ktadd -k " + kadminQuote(keytab.string()) + " -norandkey " + kadminQuote(fullName(principal)));
  INFO(r.output);
  REQUIRE(r.output.find("added to keytab") != std::string::npos);
}

void MitRealm::kinit(const std::string& principal, const std::string& password) const {
  const std::string tool = requireTool("kinit");
  // The environment prefix goes on kinit, the command after the pipe.
  const auto r = runCommand("printf '%s\\n' " + shellQuote(password) + " | " + envPrefix() +
                            shellQuote(tool) + " " + shellQuote(fullName(principal)));
  INFO("kinit " << principal << ": " << r.output << "\nKDC log:\n" << slurp(kdcLog()));
  REQUIRE(r.exitCode == 0);
}

void MitRealm::startKdc() {
  REQUIRE(kdcPid_ < 0);
  const std::string tool = requireTool("krb5kdc");
  const std::string out = (dir() / "krb5kdc.out").string();

  std::vector<std::string> envStrings;
  for (const auto& [name, value] : environment()) {
    envStrings.push_back(name + "=" + value);
  }
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    bool overridden = false;
    for (const auto& [name, value] : environment()) {
      overridden = overridden || entry.rfind(name + "=", 0) == 0;
    }
    if (!overridden) {
      envStrings.push_back(entry);
    }
  }
  std::vector<char*> envp;
  for (auto& s : envStrings) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);
  std::string arg0 = tool;
  std::string argNoFork = "-n";
  std::string argRealm = "-r";
  std::string realmName = options_.realm;
  char* argv[] = {arg0.data(), argNoFork.data(), argRealm.data(), realmName.data(), nullptr};

  const std::uintmax_t logBefore = fileSize(kdcLog());  // a restart appends to the same log
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // The child must not inherit this test process's sockets (Asio opens them without close-on-exec).
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, tool.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  kdcPid_ = pid;

  // krb5kdc logs "commencing operation" once its sockets listen.
  if (waitForFileText(kdcLog(), "commencing operation", kdcPid_, kStartTimeout, logBefore) &&
      tcpAccepts(kdcPort_)) {
    return;
  }
  if (waitForExit(kdcPid_, std::chrono::milliseconds(0))) {
    kdcPid_ = -1;
    FAIL("krb5kdc exited while starting:\n" << slurp(out) << "\nKDC log:\n" << slurp(kdcLog()));
  }
  const std::string output = slurp(out);
  stopKdc();
  FAIL("krb5kdc did not accept on 127.0.0.1:" << kdcPort_ << "\n" << output);
}

void MitRealm::stopKdc() {
  if (kdcPid_ <= 0) {
    return;
  }
  ::kill(kdcPid_, SIGTERM);
  if (waitForExit(kdcPid_, kStopTimeout)) {
    kdcPid_ = -1;
    return;
  }
  ::kill(kdcPid_, SIGKILL);
  ::waitpid(kdcPid_, nullptr, 0);
  kdcPid_ = -1;
}

}  // namespace kerbpool::test
