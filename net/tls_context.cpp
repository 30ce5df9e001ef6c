#include "net/tls_context.hpp"

#include <boost/system/system_error.hpp>
#include <fstream>
#include <iterator>
#include <string>

#include "core/crypto/x509.hpp"
#include "net/tls_key_log.hpp"

namespace kerbpool::net {

namespace ssl = boost::asio::ssl;
using core::ErrorCategory;
using core::makeError;

core::Result<std::vector<std::uint8_t>> serverEndPointOf(const TlsFiles& files) {
  std::ifstream in(files.certificateChainFile);
  const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto hash = core::crypto::tlsServerEndPointOfPem(pem);
  if (!hash.ok()) {
    return makeError(ErrorCategory::Config, "tls_certificate",
                     "cannot hash the first certificate of " + files.certificateChainFile +
                         " (tls-server-end-point): " + hash.error().message());
  }
  return std::vector<std::uint8_t>(hash->begin(), hash->end());
}

core::Status loadServerTls(std::optional<ssl::context>& context, const TlsFiles& files) {
  boost::system::error_code ec;
  try {
    context.emplace(ssl::context::tls_server);
  } catch (const boost::system::system_error& e) {
    return makeError(ErrorCategory::Internal, "tls_context",
                     std::string("cannot create a TLS context: ") + e.what());
  }
  auto& ctx = *context;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                  ec);
  if (ec) {
    return makeError(ErrorCategory::Internal, "tls_context", "cannot configure TLS: " + ec.message());
  }
  ctx.use_certificate_chain_file(files.certificateChainFile, ec);
  if (ec) {
    return makeError(ErrorCategory::Config, "tls_certificate",
                     "cannot load the certificate chain " + files.certificateChainFile + ": " + ec.message());
  }
  ctx.use_private_key_file(files.privateKeyFile, ssl::context::pem, ec);
  if (ec) {
    return makeError(ErrorCategory::Config, "tls_private_key",
                     "cannot load the private key " + files.privateKeyFile + " (or it does not match " +
                         files.certificateChainFile + "): " + ec.message());
  }
  attachTlsKeyLog(ctx.native_handle());
  return core::okStatus();
}

}  // namespace kerbpool::net
