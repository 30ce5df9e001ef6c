#include "client/kdc_error.hpp"

#include <cctype>
#include <charconv>

namespace kerbpool::client {
namespace {

using core::iana::ErrorCode;

constexpr std::string_view kETextMarker = "; e-text \"";

std::string lowerCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

core::Error krbErrorToError(const core::messages::KrbError& error, std::string_view context) {
  const ErrorCode code = error.errorCode;
  const auto category =
      (code == ErrorCode::KDC_ERR_C_PRINCIPAL_UNKNOWN || code == ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN)
          ? core::ErrorCategory::NotFound
          : core::ErrorCategory::Protocol;
  std::string detail = std::string(core::iana::rfcName(code)) + " (" +
                       std::to_string(static_cast<std::int32_t>(code)) + ", " +
                       std::string(core::iana::describe(code)) + ")";
  if (!context.empty()) {
    detail += " for ";
    detail += context;
  }
  if (error.eText && !error.eText->empty()) {
    detail += kETextMarker;
    detail += *error.eText;
    detail += "\"";
  }
  const std::string_view name = core::iana::rfcName(code);
  std::string codeText = name == "UNKNOWN_ERROR_CODE"
                             ? "krb_error_" + std::to_string(static_cast<std::int32_t>(code))
                             : lowerCase(name);
  return core::makeError(category, std::move(codeText), std::move(detail));
}

std::optional<ErrorCode> krbErrorCode(const core::Error& error) {
  constexpr std::string_view kNumbered = "krb_error_";
  if (error.code.rfind(kNumbered, 0) == 0) {
    std::int32_t n = 0;
    const char* first = error.code.data() + kNumbered.size();
    const char* last = error.code.data() + error.code.size();
    const auto [end, ec] = std::from_chars(first, last, n);
    if (ec != std::errc() || end != last) {
      return std::nullopt;
    }
    return static_cast<ErrorCode>(n);
  }
  for (std::int32_t n = 0; n <= 100; ++n) {
    const auto code = static_cast<ErrorCode>(n);
    const std::string_view name = core::iana::rfcName(code);
    if (name != "UNKNOWN_ERROR_CODE" && lowerCase(name) == error.code) {
      return code;
    }
  }
  return std::nullopt;
}

std::optional<std::string> krbErrorText(const core::Error& error) {
  if (!krbErrorCode(error)) {
    return std::nullopt;
  }
  const auto at = error.detail.find(kETextMarker);
  if (at == std::string::npos || error.detail.size() < at + kETextMarker.size() + 1) {
    return std::nullopt;
  }
  const auto start = at + kETextMarker.size();
  return error.detail.substr(start, error.detail.size() - start - 1);
}

core::Result<std::optional<core::messages::KrbError>> asKrbError(core::BytesView reply) {
  const auto type = core::messages::peekMsgType(reply);
  if (type != core::iana::MsgType::KRB_ERROR) {
    return std::optional<core::messages::KrbError>();
  }
  KP_TRY(auto decoded, core::messages::decode<core::messages::KrbError>(reply));
  return std::optional<core::messages::KrbError>(std::move(decoded));
}

bool isResponseTooBig(core::BytesView reply) {
  auto err = asKrbError(reply);
  return err.ok() && err->has_value() && (*err)->errorCode == core::iana::ErrorCode::KRB_ERR_RESPONSE_TOO_BIG;
}

std::uint32_t freshNonce(core::Rng& rng) {
  const auto n = static_cast<std::uint32_t>(rng.next64() & 0x7fffffffu);
  return n == 0 ? 1 : n;
}

}  // namespace kerbpool::client
