#pragma once

#include <optional>
#include <string>

#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/iana/error_code.hpp"
#include "core/messages/types.hpp"

namespace kerbpool::kdc {

// Why a request failed: the protocol error to answer with and a short human status for the log (MIT's
// `status` strings). Built by the exchange steps; turned into a KRB-ERROR in exactly one place
// (buildKrbError).
struct KdcFailure {
  core::iana::ErrorCode code = core::iana::ErrorCode::KRB_ERR_GENERIC;
  std::string status;                // "duplicate SPN HTTP/pool.contoso.test (FE01$, FE02$)"
  std::optional<std::string> eText;  // sent to the client; never secrets
  std::optional<core::Bytes> eData;  // e.g. METHOD-DATA for PREAUTH_REQUIRED
  std::optional<core::messages::PrincipalName> cname;
  std::optional<std::string> crealm;
  std::optional<core::messages::PrincipalName> sname;  // the service the request named
};

KdcFailure makeFailure(core::iana::ErrorCode code, std::string status);

// The KRB-ERROR for a failure: stime/susec from `now` (how clients correct their clock), realm and sname
// always present (RFC 4120 5.9.1).
core::Bytes buildKrbError(const KdcFailure& failure, const std::string& realm, core::TimePoint now);

}  // namespace kerbpool::kdc
