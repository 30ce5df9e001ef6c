#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kerbpool::cli {

// A krb5.conf for MIT's tools against kerbpool's KDCs: the realm as default, its KDCs ("address", port) in
// the order given, no DNS look-ups of KDCs, realms or host names (the lab's names are not in DNS), and the
// realm's DNS domain mapped to it.
std::string krb5ConfSnippet(const std::string& realm,
                            const std::vector<std::pair<std::string, std::uint16_t>>& kdcs);

}  // namespace kerbpool::cli
