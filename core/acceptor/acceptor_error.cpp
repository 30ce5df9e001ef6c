#include "core/acceptor/acceptor_error.hpp"

namespace kerbpool::core::acceptor {

namespace {

struct CodeRow {
  std::string_view code;
  ErrorCategory category;
  iana::ErrorCode krbError;
};

// One row per acceptor code (MIT rd_req_dec.c and accept_sec_context.c pick the same protocol errors).
constexpr CodeRow kRows[] = {
    {codes::kNoKeyForSpn, ErrorCategory::NotFound, iana::ErrorCode::KRB_AP_ERR_NOKEY},
    {codes::kNoKeyForKvno, ErrorCategory::NotFound, iana::ErrorCode::KRB_AP_ERR_BADKEYVER},
    {codes::kNoKeyForEnctype, ErrorCategory::NotFound, iana::ErrorCode::KRB_AP_ERR_NOKEY},
    {codes::kBadIntegrity, ErrorCategory::Integrity, iana::ErrorCode::KRB_AP_ERR_BAD_INTEGRITY},
    {codes::kClientMismatch, ErrorCategory::Protocol, iana::ErrorCode::KRB_AP_ERR_BADMATCH},
    {codes::kClockSkew, ErrorCategory::Protocol, iana::ErrorCode::KRB_AP_ERR_SKEW},
    {codes::kTicketExpired, ErrorCategory::Protocol, iana::ErrorCode::KRB_AP_ERR_TKT_EXPIRED},
    {codes::kTicketNotYetValid, ErrorCategory::Protocol, iana::ErrorCode::KRB_AP_ERR_TKT_NYV},
    {codes::kReplay, ErrorCategory::Protocol, iana::ErrorCode::KRB_AP_ERR_REPEAT},
    {codes::kReplayCacheFull, ErrorCategory::Protocol, iana::ErrorCode::KRB_ERR_GENERIC},
    {codes::kBadGssChecksum, ErrorCategory::Integrity, iana::ErrorCode::KRB_AP_ERR_MODIFIED},
    {codes::kChannelBindingsMismatch, ErrorCategory::Integrity, iana::ErrorCode::KRB_AP_ERR_MODIFIED},
    {codes::kChannelBindingsMissing, ErrorCategory::Integrity, iana::ErrorCode::KRB_AP_ERR_MODIFIED},
    {codes::kBadMechListMic, ErrorCategory::Integrity, iana::ErrorCode::KRB_AP_ERR_MODIFIED},
    {codes::kNoCommonMech, ErrorCategory::Protocol, iana::ErrorCode::KRB_ERR_GENERIC},
    {codes::kMalformedToken, ErrorCategory::Decoding, iana::ErrorCode::KRB_ERR_GENERIC},
};

const CodeRow* findRow(std::string_view code) {
  for (const CodeRow& row : kRows) {
    if (row.code == code) {
      return &row;
    }
  }
  return nullptr;
}

}  // namespace

const std::vector<std::string_view>& allCodes() {
  static const std::vector<std::string_view> all = [] {
    std::vector<std::string_view> v;
    for (const CodeRow& row : kRows) {
      v.push_back(row.code);
    }
    return v;
  }();
  return all;
}

ErrorCategory categoryFor(std::string_view code) {
  const CodeRow* row = findRow(code);
  return row != nullptr ? row->category : ErrorCategory::Protocol;
}

Error acceptorError(std::string_view code, std::string detail) {
  return makeError(categoryFor(code), std::string(code), std::move(detail));
}

iana::ErrorCode krbErrorCodeFor(std::string_view code) {
  const CodeRow* row = findRow(code);
  return row != nullptr ? row->krbError : iana::ErrorCode::KRB_ERR_GENERIC;
}

messages::KrbError makeKrbError(const Error& error, TimePoint now, std::string_view serviceRealm,
                                const messages::PrincipalName& serviceName) {
  messages::KrbError out;
  const auto micros = now.time_since_epoch().count();
  auto seconds = micros / 1'000'000;
  auto rest = micros % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    seconds -= 1;
  }
  out.stime = seconds;
  out.susec = static_cast<messages::Microseconds>(rest);
  out.errorCode = krbErrorCodeFor(error.code);
  out.realm = std::string(serviceRealm);
  out.sname = serviceName;
  out.eText = std::string(iana::describe(out.errorCode));
  return out;
}

}  // namespace kerbpool::core::acceptor
