// Keytabs against MIT krb5: klist reads what kerbpool writes, kerbpool reads what kadmin and ktutil
// write, and a real MIT KDC accepts keys derived by kerbpool.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/common/hex.hpp"
#include "core/crypto/enctype.hpp"
#include "core/keytab/keytab.hpp"
#include "tests/support/mit_realm.hpp"
#include "tests/support/tools.hpp"

using kerbpool::core::keytab::Keytab;
using kerbpool::core::keytab::KeytabEntry;
using kerbpool::test::CommandResult;
using kerbpool::test::shellQuote;
namespace crypto = kerbpool::core::crypto;

namespace {

struct ListedKey {
  std::uint32_t kvno = 0;
  std::string principal;
  std::string enctype;
  bool operator==(const ListedKey&) const = default;
};

std::ostream& operator<<(std::ostream& os, const ListedKey& k) {
  return os << k.kvno << " " << k.principal << " (" << k.enctype << ")";
}

// The rows of `klist -k -t -e` (and of `kerbpool keytab list`, which prints the same way).
std::vector<ListedKey> parseListing(const std::string& output) {
  static const std::regex row(R"(^ *([0-9]+) [0-9/]+ [0-9:]+ (.*) \(([^()]*)\) $)");
  std::vector<ListedKey> out;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, row)) {
      out.push_back({static_cast<std::uint32_t>(std::stoul(m[1])), m[2], m[3]});
    }
  }
  return out;
}

CommandResult klist(const std::filesystem::path& keytab) {
  // C locale: klist's timestamp format depends on LC_TIME.
  return kerbpool::test::runCommand("LC_ALL=C " + shellQuote(kerbpool::test::requireTool("klist")) +
                                    " -k -t -e " + shellQuote(keytab.string()));
}

CommandResult kerbpoolList(const std::filesystem::path& keytab) {
  return kerbpool::test::runCommand(shellQuote(kerbpool::test::kerbpoolBinary()) + " keytab list " +
                                    shellQuote(keytab.string()));
}

// kerbpool keytab list prints what klist -k -t -e prints, byte for byte.
void requireSameListing(const std::filesystem::path& keytab) {
  const auto mit = klist(keytab);
  const auto ours = kerbpoolList(keytab);
  INFO("klist:\n" << mit.output << "kerbpool:\n" << ours.output);
  REQUIRE(mit.exitCode == 0);
  REQUIRE(ours.exitCode == 0);
  CHECK(ours.output == mit.output);
}

KeytabEntry entryFromPassword(std::vector<std::string> components, std::string realm, std::uint32_t kvno,
                              std::int32_t enctype, const std::string& password) {
  KeytabEntry e;
  e.components = std::move(components);
  e.realm = std::move(realm);
  e.nameType = 1;
  e.timestamp = 1700000000;
  e.kvno = kvno;
  auto key = crypto::stringToKey(enctype, password, crypto::mitDefaultSalt(e.realm, e.components));
  REQUIRE(key.ok());
  e.key = *key;
  return e;
}

const std::string kPassword = "Pa55-w0rd!kerbpool";

}  // namespace

TEST_CASE("interop: MIT klist lists the keytabs kerbpool writes", "[keytab][interop]") {
  kerbpool::test::TempDir dir;

  SECTION("written by the library") {
    Keytab kt;
    kt.add(entryFromPassword({"HTTP", "pool.kerbpool.test"}, "KERBPOOL.TEST", 2, 18, kPassword));
    kt.add(entryFromPassword({"HTTP", "pool.kerbpool.test"}, "KERBPOOL.TEST", 2, 17, kPassword));
    kt.add(entryFromPassword({"alice"}, "KERBPOOL.TEST", 300, 18, kPassword));  // needs the 32-bit kvno
    kt.add(entryFromPassword({"odd@name", "a/b"}, "KERBPOOL.TEST", 1, 17, kPassword));  // escapes
    KeytabEntry rc4;  // a deprecated enctype: klist prints it with a DEPRECATED: prefix
    rc4.components = {"legacy"};
    rc4.realm = "KERBPOOL.TEST";
    rc4.timestamp = 1700000000;
    rc4.kvno = 7;
    rc4.key.enctype = 23;
    rc4.key.value.assign(16, 0x5a);
    kt.add(rc4);
    const auto path = dir / "library.keytab";
    REQUIRE(kt.writeFile(path).ok());

    const auto mit = klist(path);
    INFO(mit.output);
    REQUIRE(mit.exitCode == 0);
    const std::vector<ListedKey> expected = {
        {2, "HTTP/pool.kerbpool.test@KERBPOOL.TEST", "aes256-cts-hmac-sha1-96"},
        {2, "HTTP/pool.kerbpool.test@KERBPOOL.TEST", "aes128-cts-hmac-sha1-96"},
        {300, "alice@KERBPOOL.TEST", "aes256-cts-hmac-sha1-96"},
        {1, "odd\\@name/a\\/b@KERBPOOL.TEST", "aes128-cts-hmac-sha1-96"},
        {7, "legacy@KERBPOOL.TEST", "DEPRECATED:arcfour-hmac"},
    };
    CHECK(parseListing(mit.output) == expected);
    for (std::size_t i = 0; i < kt.size(); ++i) {
      CHECK(kt.entries()[i].principal() == expected[i].principal);
    }
    requireSameListing(path);
  }

  SECTION("written by kerbpool keytab add") {
    const auto path = dir / "cli.keytab";
    const std::string bin = shellQuote(kerbpool::test::kerbpoolBinary());
    auto first = kerbpool::test::runCommand(bin + " keytab add " + shellQuote(path.string()) +
                                            " --principal HTTP/www.kerbpool.test@KERBPOOL.TEST --password " +
                                            shellQuote(kPassword) + " --kvno 3");
    INFO(first.output);
    REQUIRE(first.exitCode == 0);
    auto second = kerbpool::test::runCommand(bin + " keytab add " + shellQuote(path.string()) +
                                             " --principal bob --realm KERBPOOL.TEST --password " +
                                             shellQuote(kPassword) + " --enctype aes128-cts-hmac-sha1-96");
    INFO(second.output);
    REQUIRE(second.exitCode == 0);
    auto third = kerbpool::test::runCommand(bin + " keytab add " + shellQuote(path.string()) +
                                            " --principal bob@KERBPOOL.TEST --enctype aes256-cts-hmac-sha1-96"
                                            " --key-hex " +
                                            std::string(64, 'c'));
    INFO(third.output);
    REQUIRE(third.exitCode == 0);

    const auto mit = klist(path);
    INFO(mit.output);
    REQUIRE(mit.exitCode == 0);
    const std::vector<ListedKey> expected = {
        {3, "HTTP/www.kerbpool.test@KERBPOOL.TEST", "aes256-cts-hmac-sha1-96"},
        {3, "HTTP/www.kerbpool.test@KERBPOOL.TEST", "aes128-cts-hmac-sha1-96"},
        {1, "bob@KERBPOOL.TEST", "aes128-cts-hmac-sha1-96"},
        {2, "bob@KERBPOOL.TEST", "aes256-cts-hmac-sha1-96"},  // default kvno: one more than the file has
    };
    CHECK(parseListing(mit.output) == expected);
    requireSameListing(path);

    auto kt = Keytab::readFile(path);
    REQUIRE(kt.ok());
    const auto* http = kt->find({"HTTP", "www.kerbpool.test"}, "KERBPOOL.TEST", 3, 18);
    REQUIRE(http != nullptr);
    auto want = crypto::stringToKey(18, kPassword, "KERBPOOL.TESTHTTPwww.kerbpool.test");
    REQUIRE(want.ok());
    CHECK(http->key.value == want->value);
    CHECK(kerbpool::core::toHex(kt->find({"bob"}, "KERBPOOL.TEST", 2, 18)->key.value) ==
          std::string(64, 'c'));
  }
}

TEST_CASE("interop: kerbpool reads keytabs written by kadmin.local ktadd", "[keytab][interop]") {
  kerbpool::test::MitRealm realm;
  realm.addPrincipal("alice", kPassword);
  realm.addRandomKeyPrincipal("HTTP/www.kerbpool.test");
  const auto path = realm.dir() / "kadmin.keytab";
  realm.ktadd("HTTP/www.kerbpool.test", path);  // random keys, kvno 2
  realm.ktaddNoRandKey("alice", path);          // the password's keys, kvno 1

  requireSameListing(path);
  const std::vector<ListedKey> expected = {
      {2, "HTTP/www.kerbpool.test@KERBPOOL.TEST", "aes256-cts-hmac-sha1-96"},
      {2, "HTTP/www.kerbpool.test@KERBPOOL.TEST", "aes128-cts-hmac-sha1-96"},
      {1, "alice@KERBPOOL.TEST", "aes256-cts-hmac-sha1-96"},
      {1, "alice@KERBPOOL.TEST", "aes128-cts-hmac-sha1-96"},
  };
  CHECK(parseListing(kerbpoolList(path).output) == expected);

  auto kt = Keytab::readFile(path);
  REQUIRE(kt.ok());
  REQUIRE(kt->size() == 4);
  CHECK(kt->entriesFor({"HTTP", "www.kerbpool.test"}, "KERBPOOL.TEST").size() == 2);
  for (const std::int32_t enctype : {17, 18}) {
    const auto* alice = kt->find({"alice"}, "KERBPOOL.TEST", 0, enctype);
    REQUIRE(alice != nullptr);
    CHECK(alice->kvno == 1);
    auto want = crypto::stringToKey(enctype, kPassword, crypto::mitDefaultSalt("KERBPOOL.TEST", {"alice"}));
    REQUIRE(want.ok());
    CHECK(alice->key.value == want->value);
  }
  // What we write back, MIT still reads the same way.
  const auto copy = realm.dir() / "copy.keytab";
  REQUIRE(kt->writeFile(copy).ok());
  CHECK(parseListing(klist(copy).output) == expected);
}

TEST_CASE("interop: keys from MIT ktutil addent -password equal kerbpool's string-to-key",
          "[keytab][interop]") {
  kerbpool::test::TempDir dir;
  const auto path = dir / "ktutil.keytab";
  const std::string ktutil = kerbpool::test::requireTool("ktutil");
  std::string script;
  for (const char* enctype : {"aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96", "arcfour-hmac"}) {
    script +=
        std::string("addent -password -p alice@KERBPOOL.TEST -k 4 -e ") + enctype + "\n" + kPassword + "\n";
  }
  script += "addent -password -p HTTP/www.kerbpool.test@KERBPOOL.TEST -k 2 -e aes256-cts-hmac-sha1-96\n" +
            kPassword + "\n";
  script += "wkt " + path.string() + "\nquit\n";
  const auto r = kerbpool::test::runCommand("printf '%s' " + shellQuote(script) + " | " + shellQuote(ktutil));
  INFO(r.output);
  REQUIRE(r.exitCode == 0);

  requireSameListing(path);
  auto kt = Keytab::readFile(path);
  REQUIRE(kt.ok());
  REQUIRE(kt->size() == 4);
  for (const auto& e : kt->entries()) {
    INFO(e.principal() << " enctype " << e.key.enctype);
    auto want = crypto::stringToKey(e.key.enctype, kPassword, crypto::mitDefaultSalt(e.realm, e.components));
    REQUIRE(want.ok());
    CHECK(kerbpool::core::toHex(e.key.value) == kerbpool::core::toHex(want->value));
  }
  CHECK(kt->find({"alice"}, "KERBPOOL.TEST", 4, 23) != nullptr);
}

TEST_CASE("interop: a real MIT KDC accepts keys from a keytab kerbpool wrote", "[keytab][interop]") {
  kerbpool::test::MitRealmOptions options;
  options.startKdc = true;
  kerbpool::test::MitRealm realm(options);
  REQUIRE(realm.kdcRunning());
  realm.addPrincipal("alice", kPassword);
  realm.addPrincipal("HTTP/www.kerbpool.test", "service-" + kPassword);

  const auto path = realm.dir() / "kerbpool.keytab";
  const std::string bin = shellQuote(kerbpool::test::kerbpoolBinary());
  for (const auto& [principal, password] : std::vector<std::pair<std::string, std::string>>{
           {"alice@KERBPOOL.TEST", kPassword},
           {"HTTP/www.kerbpool.test@KERBPOOL.TEST", "service-" + kPassword}}) {
    const auto added = kerbpool::test::runCommand(bin + " keytab add " + shellQuote(path.string()) +
                                                  " --principal " + shellQuote(principal) + " --kvno 1" +
                                                  " --password " + shellQuote(password));
    INFO(added.output);
    REQUIRE(added.exitCode == 0);
  }

  // The fixture's own password kinit works against the same KDC.
  realm.kinit("alice", kPassword);
  REQUIRE(std::filesystem::exists(realm.ccache()));
  // The client key: kinit -k with our keytab gets a TGT (the KDC decrypts our encrypted timestamp).
  const auto kinit = realm.run(shellQuote(kerbpool::test::requireTool("kinit")) + " -k -t " +
                               shellQuote(path.string()) + " alice@KERBPOOL.TEST");
  INFO(kinit.output);
  REQUIRE(kinit.exitCode == 0);
  // The service key: kvno -k decrypts the KDC's service ticket with our keytab.
  const auto kvno = realm.run(shellQuote(kerbpool::test::requireTool("kvno")) + " -k " +
                              shellQuote(path.string()) + " HTTP/www.kerbpool.test@KERBPOOL.TEST");
  INFO(kvno.output);
  REQUIRE(kvno.exitCode == 0);
  CHECK_THAT(kvno.output, Catch::Contains("keytab entry valid"));
  // A wrong key is refused, so the checks above can fail.
  const auto wrong = realm.dir() / "wrong.keytab";
  const auto addWrong =
      kerbpool::test::runCommand(bin + " keytab add " + shellQuote(wrong.string()) +
                                 " --principal alice@KERBPOOL.TEST --kvno 1 --password nope");
  REQUIRE(addWrong.exitCode == 0);
  const auto refused = realm.run(shellQuote(kerbpool::test::requireTool("kinit")) + " -k -t " +
                                 shellQuote(wrong.string()) + " alice@KERBPOOL.TEST");
  INFO(refused.output);
  CHECK(refused.exitCode != 0);
}

TEST_CASE("interop: kerbpool keytab errors are plain sentences with a non-zero exit", "[keytab][interop]") {
  kerbpool::test::TempDir dir;
  const std::string bin = shellQuote(kerbpool::test::kerbpoolBinary());
  const auto missing =
      kerbpool::test::runCommand(bin + " keytab list " + shellQuote((dir / "none").string()));
  CHECK(missing.exitCode != 0);
  CHECK_THAT(missing.output, Catch::Contains("none"));

  const auto corrupt = dir / "corrupt.keytab";
  {
    Keytab kt;
    KeytabEntry e;
    e.components = {"alice"};
    e.realm = "R";
    e.kvno = 1;
    e.key.enctype = 17;
    e.key.value.assign(16, 1);
    kt.add(e);
    kt.add(e);
    auto image = kt.serialize();
    image.resize(image.size() - 5);
    std::ofstream out(corrupt, std::ios::binary);
    out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  }
  const auto bad = kerbpool::test::runCommand(bin + " keytab list " + shellQuote(corrupt.string()));
  INFO(bad.output);
  CHECK(bad.exitCode != 0);
  CHECK_THAT(bad.output, Catch::Contains("record 2 at offset"));

  const auto noRealm = kerbpool::test::runCommand(bin + " keytab add " + shellQuote((dir / "x").string()) +
                                                  " --principal alice --password pw");
  CHECK(noRealm.exitCode != 0);
  CHECK_THAT(noRealm.output, Catch::Contains("realm"));
  const auto badEnctype = kerbpool::test::runCommand(bin + " keytab add " + shellQuote((dir / "x").string()) +
                                                     " --principal alice@R --password pw --enctype nope");
  CHECK(badEnctype.exitCode != 0);
  CHECK_THAT(badEnctype.output, Catch::Contains("unknown enctype"));
  CHECK_FALSE(std::filesystem::exists(dir / "x"));
}
