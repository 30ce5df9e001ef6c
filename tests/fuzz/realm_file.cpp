// Fuzz target: the realm-file loader (docs/realm-file.md). Any text is a realm or a typed Config error
// ("bad_realm_file"), never an exception or a crash.
#include <cstddef>
#include <cstdint>

#include "core/common/clock.hpp"
#include "kdc/event_log.hpp"
#include "kdc/realm_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  core::ManualClock clock(core::fromUnixSeconds(1700000000));
  kdc::EventLog events(clock, 64);
  auto realm = kdc::parseRealmFile(fuzz::textOf(data, size), events);
  if (!realm.ok()) {
    fuzz::check(
        realm.error().category == core::ErrorCategory::Config && realm.error().code == "bad_realm_file",
        "parseRealmFile: an error that is not bad_realm_file: " + realm.error().message());
  } else {
    fuzz::check(realm->directory != nullptr, "parseRealmFile: a realm without a directory");
  }
  return 0;
}
