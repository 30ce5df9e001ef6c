#pragma once

#include <string>
#include <utility>

#include "core/common/result.hpp"

namespace kerbpool::core::spnego {

// The Decoding error every SPNEGO and GSS-API token decoder of this folder returns: `code` names the check,
// `detail` the field.
inline Error decodingError(std::string code, std::string detail) {
  return makeError(ErrorCategory::Decoding, std::move(code), std::move(detail));
}

}  // namespace kerbpool::core::spnego
