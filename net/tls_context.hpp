#pragma once

// The server side of TLS for every kerbpool listener (front-end nodes, the balancer's terminated VIP): one
// context per listener, TLS 1.2 and 1.3 only. An I/O file (includes Boost.Asio's ssl).
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/common/result.hpp"
#include "net/tls_files.hpp"

namespace kerbpool::net {

// Fills `context` with a server context for the chain and key in `files`. A file that cannot be read, or a
// key that does not match the certificate, is a Config error naming the file.
core::Status loadServerTls(std::optional<boost::asio::ssl::context>& context, const TlsFiles& files);

// RFC 5929 tls-server-end-point of the first certificate in `files` (what clients bind authentication to);
// a Config error naming the file when it cannot be read or hashed.
core::Result<std::vector<std::uint8_t>> serverEndPointOf(const TlsFiles& files);

}  // namespace kerbpool::net
