// NTSTATUS names and the hex form event 4776 writes.
#include <catch2/catch.hpp>

#include "netlogon/nt_status.hpp"

using namespace kerbpool::netlogon;

TEST_CASE("netlogon: NTSTATUS names and event hex", "[netlogon]") {
  CHECK(toString(NtStatus::STATUS_NO_LOGON_SERVERS) == "STATUS_NO_LOGON_SERVERS");
  CHECK(toEventHex(NtStatus::STATUS_NO_LOGON_SERVERS) == "0xc000005e");
  CHECK(toEventHex(NtStatus::STATUS_LOGON_FAILURE) == "0xc000006d");
  CHECK(toString(static_cast<NtStatus>(0xC0000001)) == "STATUS_0xc0000001");
  CHECK(isKnownNtStatus(0xC0000072));
  CHECK(!isKnownNtStatus(0xC0000001));
}
