#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

// Raw cryptographic primitives on OpenSSL 3 EVP (implemented in openssl_backend.cpp). They carry no
// Kerberos framing: the RFC 3961 profile builds on them, and so can the NTLM module (MS-NLMP uses MD4,
// MD5, HMAC-MD5 and RC4). Every failure is a typed ErrorCategory::Crypto error, never an exception.
// MD4 and RC4 need OpenSSL's legacy provider; without it they fail with "legacy_provider_unavailable".
namespace kerbpool::core::crypto {

inline constexpr std::size_t kAesBlockBytes = 16;

// One AES block (16 bytes) encrypted with a 16- or 32-byte key, no chaining.
Result<Bytes> aesEcbEncryptBlock(BytesView key, BytesView block);
// E(block), E(E(block)), ... `blocks` blocks concatenated, under one key schedule: RFC 3961's DR chain.
// blocks 1..4.
Result<Bytes> aesEcbEncryptChain(BytesView key, BytesView block, std::size_t blocks);
// AES-CBC without padding: data must be a whole number of blocks, iv is 16 bytes.
Result<Bytes> aesCbcEncrypt(BytesView key, BytesView iv, BytesView data);
Result<Bytes> aesCbcDecrypt(BytesView key, BytesView iv, BytesView data);

Result<Bytes> md4(BytesView data);                      // 16 bytes (legacy provider)
Result<Bytes> md5(BytesView data);                      // 16 bytes
Result<Bytes> sha1(BytesView data);                     // 20 bytes
Result<Bytes> hmacSha1(BytesView key, BytesView data);  // 20 bytes
Result<Bytes> hmacMd5(BytesView key, BytesView data);   // 16 bytes

// One-shot RC4 (legacy provider): a fresh keystream from the key, XORed with data. Any key length 1..256.
Result<Bytes> rc4(BytesView key, BytesView data);

// RC4 keystream that continues across calls (MS-NLMP sealing keeps one handle per direction).
class Rc4Stream {
 public:
  static Result<Rc4Stream> create(BytesView key);
  Rc4Stream(Rc4Stream&&) noexcept;
  Rc4Stream& operator=(Rc4Stream&&) noexcept;
  ~Rc4Stream();
  // XORs data with the next data.size() keystream bytes.
  Result<Bytes> process(BytesView data);

 private:
  struct Impl;
  explicit Rc4Stream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// AES-CBC without padding under a key set once and used for many messages: each direction's key schedule
// is computed on that direction's first call, and later calls only set the IV. MIT keeps the same per-key
// cipher state on its krb5_key objects. Not for concurrent use: one thread at a time (see usage_keys.hpp).
class AesCbcKey {
 public:
  AesCbcKey();
  AesCbcKey(AesCbcKey&&) noexcept;
  AesCbcKey& operator=(AesCbcKey&&) noexcept;
  ~AesCbcKey();
  // A 16- or 32-byte key; replaces (and overwrites) the previous one.
  Status setKey(BytesView key);
  // In place: data is a whole number of blocks, iv is 16 bytes. Fails if no key was set.
  Status encryptInPlace(BytesView iv, std::span<std::uint8_t> data);
  Status decryptInPlace(BytesView iv, std::span<std::uint8_t> data);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

inline constexpr std::size_t kSha1Bytes = 20;

// HMAC-SHA1 under a key set once: the inner and outer pads are hashed by setKey, each mac() starts from
// them. One thread at a time.
class HmacSha1Key {
 public:
  HmacSha1Key();
  HmacSha1Key(HmacSha1Key&&) noexcept;
  HmacSha1Key& operator=(HmacSha1Key&&) noexcept;
  ~HmacSha1Key();
  Status setKey(BytesView key);
  // HMAC-SHA1(key, data) into out. Fails if no key was set.
  Status mac(BytesView data, std::span<std::uint8_t, kSha1Bytes> out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// PBKDF2-HMAC-SHA1 (RFC 8018) without SP 800-132 lower bounds, so that the RFC 3962 vectors (1 iteration,
// 8-byte salt) can run. iterations >= 1, outBytes >= 1.
Result<Bytes> pbkdf2HmacSha1(BytesView password, BytesView salt, std::uint64_t iterations,
                             std::size_t outBytes);

}  // namespace kerbpool::core::crypto
