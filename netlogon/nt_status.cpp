#include "netlogon/nt_status.hpp"

#include <cstdio>

namespace kerbpool::netlogon {

std::string toString(NtStatus status) {
  switch (status) {
    case NtStatus::STATUS_SUCCESS:
      return "STATUS_SUCCESS";
    case NtStatus::STATUS_INVALID_PARAMETER:
      return "STATUS_INVALID_PARAMETER";
    case NtStatus::STATUS_NO_LOGON_SERVERS:
      return "STATUS_NO_LOGON_SERVERS";
    case NtStatus::STATUS_NO_SUCH_USER:
      return "STATUS_NO_SUCH_USER";
    case NtStatus::STATUS_WRONG_PASSWORD:
      return "STATUS_WRONG_PASSWORD";
    case NtStatus::STATUS_LOGON_FAILURE:
      return "STATUS_LOGON_FAILURE";
    case NtStatus::STATUS_ACCOUNT_DISABLED:
      return "STATUS_ACCOUNT_DISABLED";
  }
  return "STATUS_" + toEventHex(status);
}

std::string toEventHex(NtStatus status) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", static_cast<unsigned>(status));
  return buf;
}

bool isKnownNtStatus(std::uint32_t value) {
  switch (static_cast<NtStatus>(value)) {
    case NtStatus::STATUS_SUCCESS:
    case NtStatus::STATUS_INVALID_PARAMETER:
    case NtStatus::STATUS_NO_LOGON_SERVERS:
    case NtStatus::STATUS_NO_SUCH_USER:
    case NtStatus::STATUS_WRONG_PASSWORD:
    case NtStatus::STATUS_LOGON_FAILURE:
    case NtStatus::STATUS_ACCOUNT_DISABLED:
      return true;
  }
  return false;
}

}  // namespace kerbpool::netlogon
