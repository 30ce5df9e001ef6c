#pragma once

#include <cstdint>
#include <string>

#include "core/common/result.hpp"

// A listening TCP socket on 127.0.0.1 for the lab's own small servers (the browsers' proxy, the dashboard).
namespace kerbpool::lab {

struct LoopbackListener {
  int fd = -1;
  std::uint16_t port = 0;  // the one bound (a free one when 0 was asked)
};

// `what` names the server in the error ("the lab's proxy").
core::Result<LoopbackListener> listenOnLoopback(std::uint16_t port, int backlog, const std::string& what);

// Wakes a thread blocked in accept() on `fd` (the listener stops accepting); the caller joins it, then closes
// fd.
void shutdownListener(int fd);

}  // namespace kerbpool::lab
