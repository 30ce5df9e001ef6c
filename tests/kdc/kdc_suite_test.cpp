#include <catch2/catch.hpp>

#include "core/common/result.hpp"

// The kdc suite's executable must exist even before its first module lands; this checks the error type the
// KDC modules report through.
TEST_CASE("kdc suite: Error::within chains context", "[kdc]") {
  auto e = kerbpool::core::makeError(kerbpool::core::ErrorCategory::NotFound, "no_such_account", "FE09$");
  e.within("setspn -A");
  CHECK(e.message() == "not_found/no_such_account: setspn -A: FE09$");
}
