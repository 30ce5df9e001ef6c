#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/common/bytes.hpp"

namespace kerbpool::core {

std::string toHex(BytesView b);
// Accepts upper or lower case; whitespace is not allowed. nullopt on odd length or a non-hex digit.
std::optional<Bytes> fromHex(std::string_view hex);

}  // namespace kerbpool::core
