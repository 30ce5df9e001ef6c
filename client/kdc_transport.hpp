#pragma once

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

namespace kerbpool::client {

// How the protocol steps reach a KDC: one request's bytes in, the reply's bytes out. KdcNetwork
// (kdc_network.hpp) talks to real sockets; tests and simulations plug in their own.
class KdcTransport {
 public:
  virtual ~KdcTransport() = default;
  virtual core::Result<core::Bytes> exchange(core::BytesView request) = 0;
};

}  // namespace kerbpool::client
