#pragma once

#include <string>

namespace kerbpool::net {

// PEM files for a TLS listener (see core/crypto/x509.hpp writePemFiles: server.pem, server-key.pem).
struct TlsFiles {
  std::string certificateChainFile;  // leaf first, then intermediates/CA
  std::string privateKeyFile;
};

}  // namespace kerbpool::net
