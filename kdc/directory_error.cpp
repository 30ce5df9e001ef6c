#include "kdc/directory_error.hpp"

namespace kerbpool::kdc {

std::int32_t krbErrorCode(const core::Error& error) {
  using namespace directory_error;
  const std::string& code = error.code;
  if (code == kClientUnknown) {
    return krb_error::kKdcErrCPrincipalUnknown;
  }
  if (code == kServiceUnknown || code == kDuplicateSpn || code == kNoKeys) {
    return krb_error::kKdcErrSPrincipalUnknown;
  }
  if (code == kNoCommonEnctype || code == kMissingKey) {
    return krb_error::kKdcErrEtypeNosupp;
  }
  if (code == kNoSuchKvno) {
    return krb_error::kKrbApErrBadkeyver;
  }
  return krb_error::kKrbErrGeneric;
}

}  // namespace kerbpool::kdc
