#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kerbpool::netlogon {

// The NTSTATUS values a Netlogon pass-through logon returns (MS-ERREF 2.3.1), with their Windows names.
enum class NtStatus : std::uint32_t {
  STATUS_SUCCESS = 0x00000000,
  STATUS_INVALID_PARAMETER = 0xC000000D,
  STATUS_NO_LOGON_SERVERS = 0xC000005E,  // the secure channel's semaphore wait timed out (or no DC answered)
  STATUS_NO_SUCH_USER = 0xC0000064,
  STATUS_WRONG_PASSWORD = 0xC000006A,
  STATUS_LOGON_FAILURE = 0xC000006D,
  STATUS_ACCOUNT_DISABLED = 0xC0000072,
};

// "STATUS_WRONG_PASSWORD"; "STATUS_0x..." for a value outside the enum.
std::string toString(NtStatus status);
// As event 4776 writes its Status field: "0x0", "0xc000006a".
std::string toEventHex(NtStatus status);
// The enum value for a number read off the wire; false when kerbpool does not know it.
bool isKnownNtStatus(std::uint32_t value);

}  // namespace kerbpool::netlogon
