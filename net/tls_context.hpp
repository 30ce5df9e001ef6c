#pragma once

// The server side of TLS for every kerbpool listener (front-end nodes, the balancer's terminated VIP): one
// context per listener, TLS 1.2 and 1.3 only. An I/O file (includes Boost.Asio's ssl).
#include <boost/asio/ssl/context.hpp>
#include <optional>

#include "core/common/result.hpp"
#include "net/tls_files.hpp"

namespace kerbpool::net {

// Fills `context` with a server context for the chain and key in `files`. A file that cannot be read, or a
// key that does not match the certificate, is a Config error naming the file.
core::Status loadServerTls(std::optional<boost::asio::ssl::context>& context, const TlsFiles& files);

}  // namespace kerbpool::net
