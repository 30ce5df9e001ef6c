#include "frontend/node_credentials.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/keytab/keytab.hpp"
#include "tests/frontend/frontend_test_support.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using frontend::NodeCredentials;

namespace {

core::keytab::KeytabEntry entry(std::uint32_t kvno, std::uint64_t seed) {
  core::keytab::KeytabEntry e;
  e.components = {"HTTP", "pool.contoso.test"};
  e.realm = "CONTOSO.TEST";
  e.kvno = kvno;
  e.key = test::testKey(seed);
  return e;
}

}  // namespace

TEST_CASE("node credentials: a keytab file, reloaded after a roll", "[frontend][credentials]") {
  test::TempDir dir;
  const auto path = dir / "fe01.keytab";
  core::keytab::Keytab kt;
  kt.add(entry(1, 1));
  REQUIRE(kt.writeFile(path).ok());

  auto creds = NodeCredentials::fromKeytabFile(path);
  REQUIRE(creds.ok());
  auto before = (*creds)->current();
  CHECK(before->size() == 1);
  CHECK((*creds)->generation() == 1);
  CHECK_THAT((*creds)->description(), Catch::Contains("fe01.keytab"));

  kt.add(entry(2, 2));  // the password roll: kvno 2 added, kvno 1 kept
  REQUIRE(kt.writeFile(path).ok());
  REQUIRE((*creds)->reload().ok());
  auto after = (*creds)->current();
  CHECK(after->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST") == std::vector<std::uint32_t>{1, 2});
  CHECK((*creds)->generation() == 2);
  // A request that took the old snapshot still holds it.
  CHECK(before->size() == 1);

  SECTION("a failed reload keeps the keys in force") {
    std::filesystem::remove(path);
    CHECK_FALSE((*creds)->reload().ok());
    CHECK((*creds)->current() == after);
    CHECK((*creds)->generation() == 2);
  }
}

TEST_CASE("node credentials: a missing, empty or corrupt keytab is an error", "[frontend][credentials]") {
  test::TempDir dir;
  CHECK_FALSE(NodeCredentials::fromKeytabFile(dir / "none.keytab").ok());
  core::keytab::Keytab empty;
  REQUIRE(empty.writeFile(dir / "empty.keytab").ok());
  auto e = NodeCredentials::fromKeytabFile(dir / "empty.keytab");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == "empty_keytab");
  {
    std::FILE* f = std::fopen((dir / "junk.keytab").c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fputs("not a keytab", f);
    std::fclose(f);
  }
  CHECK(NodeCredentials::fromKeytabFile(dir / "junk.keytab").error().category ==
        core::ErrorCategory::Decoding);
}

namespace {

// A KeySource whose keys the test sets; counts how often it is asked.
class FakeKeySource final : public frontend::KeySource {
 public:
  core::Result<core::acceptor::AcceptorKeys> currentKeys(std::string_view account) const override {
    ++asked;
    if (account != "FE01$") {
      return core::makeError(core::ErrorCategory::NotFound, "no_such_account", std::string(account));
    }
    if (failing) {
      return core::makeError(core::ErrorCategory::Io, "source_down", "the source is unreachable");
    }
    return keys;
  }
  std::string name() const override { return "fake"; }

  core::acceptor::AcceptorKeys keys;
  bool failing = false;
  mutable int asked = 0;
};

core::acceptor::AcceptorKeys keysWith(std::vector<std::uint32_t> kvnos) {
  core::keytab::Keytab kt;
  for (auto kvno : kvnos) {
    kt.add(entry(kvno, kvno));
  }
  return core::acceptor::AcceptorKeys::fromKeytab(kt);
}

}  // namespace

TEST_CASE("node credentials: a key source, asked again on reload", "[frontend][credentials]") {
  auto source = std::make_shared<FakeKeySource>();
  source->keys = keysWith({1});
  auto creds = NodeCredentials::fromKeySource(source, "FE01$");
  REQUIRE(creds.ok());
  CHECK((*creds)->description() == "fake keys of FE01$");
  CHECK((*creds)->current()->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST") ==
        std::vector<std::uint32_t>{1});

  source->keys = keysWith({1, 2});
  REQUIRE((*creds)->reload().ok());
  CHECK((*creds)->current()->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST") ==
        std::vector<std::uint32_t>{1, 2});
  CHECK((*creds)->generation() == 2);
  CHECK(source->asked == 2);

  source->failing = true;
  CHECK((*creds)->reload().error().code == "source_down");
  CHECK((*creds)->generation() == 2);

  CHECK(NodeCredentials::fromKeySource(source, "FE02$").error().code == "no_such_account");
}
