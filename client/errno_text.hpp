#pragma once

#include <string>

namespace kerbpool::client {

// strerror(err) as a string: the reason the client's socket calls give in their errors.
std::string errnoText(int err);

}  // namespace kerbpool::client
