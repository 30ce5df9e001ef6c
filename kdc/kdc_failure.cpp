#include "kdc/kdc_failure.hpp"

#include "core/messages/krb_error.hpp"

namespace kerbpool::kdc {

namespace messages = core::messages;

KdcFailure makeFailure(core::iana::ErrorCode code, std::string status) {
  KdcFailure f;
  f.code = code;
  f.status = std::move(status);
  return f;
}

core::Bytes buildKrbError(const KdcFailure& failure, const std::string& realm, core::TimePoint now) {
  messages::KrbError e;
  const auto us = now.time_since_epoch().count();
  e.stime = us / 1000000;
  e.susec = static_cast<messages::Microseconds>(us % 1000000);
  e.errorCode = failure.code;
  e.crealm = failure.crealm;
  e.cname = failure.cname;
  e.realm = realm;
  if (failure.sname) {
    e.sname = *failure.sname;
  } else {
    e.sname = messages::PrincipalName{core::iana::NameType::KRB_NT_SRV_INST, {"krbtgt", realm}};
  }
  e.eText = failure.eText;
  e.eData = failure.eData;
  return messages::encode(e);
}

}  // namespace kerbpool::kdc
