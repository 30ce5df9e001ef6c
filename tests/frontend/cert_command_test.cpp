#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "core/crypto/x509.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

TEST_CASE("kerbpool cert writes a CA and a certificate for the pool name", "[frontend][cli]") {
  test::TempDir dir;
  const auto out = dir / "tls";
  auto r =
      test::runCommand(test::shellQuote(test::kerbpoolBinary()) + " cert --out " +
                       test::shellQuote(out.string()) + " --dns pool.contoso.test --dns fe01.contoso.test");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  std::ifstream in(out / "server.pem");
  std::stringstream pem;
  pem << in.rdbuf();
  auto info = core::crypto::inspectCertificate(pem.str());
  REQUIRE(info.ok());
  CHECK(info->dnsNames == std::vector<std::string>{"pool.contoso.test", "fe01.contoso.test"});
  for (const char* key : {"server-key.pem", "ca-key.pem"}) {
    struct stat st {};
    REQUIRE(::stat((out / key).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }

  auto bad = test::runCommand(test::shellQuote(test::kerbpoolBinary()) + " cert --out " +
                              test::shellQuote(out.string()) + " --dns 'not a name'");
  CHECK(bad.exitCode == 1);
  CHECK(bad.output.find("bad_dns_name") != std::string::npos);
}
