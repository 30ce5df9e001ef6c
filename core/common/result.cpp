#include "core/common/result.hpp"

namespace kerbpool::core {

std::string_view toString(ErrorCategory c) {
  switch (c) {
    case ErrorCategory::Encoding:
      return "encoding";
    case ErrorCategory::Decoding:
      return "decoding";
    case ErrorCategory::Crypto:
      return "crypto";
    case ErrorCategory::Integrity:
      return "integrity";
    case ErrorCategory::Protocol:
      return "protocol";
    case ErrorCategory::NotFound:
      return "not_found";
    case ErrorCategory::Io:
      return "io";
    case ErrorCategory::Config:
      return "config";
    case ErrorCategory::Internal:
      return "internal";
  }
  return "unknown";
}

std::string Error::message() const {
  std::string out(toString(category));
  out += '/';
  out += code;
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

Error& Error::within(std::string_view where) {
  if (detail.empty()) {
    detail = std::string(where);
  } else {
    detail = std::string(where) + ": " + detail;
  }
  return *this;
}

Error makeError(ErrorCategory category, std::string code, std::string detail) {
  return Error{category, std::move(code), std::move(detail)};
}

}  // namespace kerbpool::core
