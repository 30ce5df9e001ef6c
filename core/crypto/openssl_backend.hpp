#pragma once

#include <string_view>

// The OpenSSL 3 backend behind primitives.hpp. openssl_backend.cpp and crypto_rng.cpp are the only files
// that include <openssl/...>. The backend uses a private OSSL_LIB_CTX with the "default" and "legacy"
// providers loaded once (std::call_once), so the process-wide default context is left untouched.
namespace kerbpool::core::crypto {

// "OpenSSL 3.0.19 27 Jan 2026" (the runtime library, for `kerbpool version` and logs).
std::string_view backendVersion();
// Whether the legacy provider loaded, i.e. whether MD4, RC4 and therefore rc4-hmac are usable.
bool legacyAlgorithmsAvailable();

}  // namespace kerbpool::core::crypto
