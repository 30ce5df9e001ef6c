#include <catch2/catch.hpp>

#include "core/crypto/enctype.hpp"

using namespace kerbpool::core;

TEST_CASE("MIT default salt is the realm followed by every component", "[crypto][salt]") {
  CHECK(crypto::mitDefaultSalt("ATHENA.MIT.EDU", {"raeburn"}) == "ATHENA.MIT.EDUraeburn");
  CHECK(crypto::mitDefaultSalt("EXAMPLE.COM", {"HTTP", "fe01.example.com"}) ==
        "EXAMPLE.COMHTTPfe01.example.com");
  CHECK(crypto::mitDefaultSalt("EXAMPLE.COM", {}) == "EXAMPLE.COM");
}

TEST_CASE("Active Directory salts (MS-KILE 3.1.1.2)", "[crypto][salt]") {
  CHECK(crypto::adUserSalt("CONTOSO.TEST", "alice") == "CONTOSO.TESTalice");
  CHECK(crypto::adUserSalt("contoso.test", "Alice") == "CONTOSO.TESTAlice");
  CHECK(crypto::adComputerSalt("CONTOSO.TEST", "FE01$") == "CONTOSO.TESThostfe01.contoso.test");
  CHECK(crypto::adComputerSalt("contoso.test", "FE01") == "CONTOSO.TESThostfe01.contoso.test");
  CHECK(crypto::adComputerSalt("CONTOSO.TEST", "WEB$$") == "CONTOSO.TESThostweb$.contoso.test");
}
