#include "core/crypto/openssl_backend.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <algorithm>
#include <array>
#include <limits>
#include <mutex>
#include <string>
#include <utility>

#include "core/crypto/primitives.hpp"

namespace kerbpool::core::crypto {

namespace {

// Algorithms fetched once from a private library context. They live as long as the process: freeing them
// from a static destructor could race with other static objects that still use crypto.
struct Backend {
  OSSL_LIB_CTX* libctx = nullptr;
  bool legacy = false;
  std::string initError;  // non-empty when even the default provider could not be set up
  EVP_CIPHER* aes128Ecb = nullptr;
  EVP_CIPHER* aes256Ecb = nullptr;
  EVP_CIPHER* aes128Cbc = nullptr;
  EVP_CIPHER* aes256Cbc = nullptr;
  EVP_CIPHER* rc4 = nullptr;
  EVP_MD* md4 = nullptr;
  EVP_MD* md5 = nullptr;
  EVP_MD* sha1 = nullptr;
  EVP_MAC* hmac = nullptr;
  EVP_KDF* pbkdf2 = nullptr;
};

std::string drainOpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) {
      out += "; ";
    }
    out += buf;
  }
  return out;
}

void initBackend(Backend& b) {
  b.libctx = OSSL_LIB_CTX_new();
  if (b.libctx == nullptr || OSSL_PROVIDER_load(b.libctx, "default") == nullptr) {
    b.initError = "cannot load the OpenSSL default provider: " + drainOpenSslErrors();
    return;
  }
  b.aes128Ecb = EVP_CIPHER_fetch(b.libctx, "AES-128-ECB", nullptr);
  b.aes256Ecb = EVP_CIPHER_fetch(b.libctx, "AES-256-ECB", nullptr);
  b.aes128Cbc = EVP_CIPHER_fetch(b.libctx, "AES-128-CBC", nullptr);
  b.aes256Cbc = EVP_CIPHER_fetch(b.libctx, "AES-256-CBC", nullptr);
  b.md5 = EVP_MD_fetch(b.libctx, "MD5", nullptr);
  b.sha1 = EVP_MD_fetch(b.libctx, "SHA1", nullptr);
  b.hmac = EVP_MAC_fetch(b.libctx, "HMAC", nullptr);
  b.pbkdf2 = EVP_KDF_fetch(b.libctx, "PBKDF2", nullptr);
  if (b.aes128Ecb == nullptr || b.aes256Ecb == nullptr || b.aes128Cbc == nullptr || b.aes256Cbc == nullptr ||
      b.md5 == nullptr || b.sha1 == nullptr || b.hmac == nullptr || b.pbkdf2 == nullptr) {
    b.initError = "OpenSSL default provider lacks AES/SHA1/MD5/HMAC/PBKDF2: " + drainOpenSslErrors();
    return;
  }
  if (OSSL_PROVIDER_load(b.libctx, "legacy") != nullptr) {
    b.md4 = EVP_MD_fetch(b.libctx, "MD4", nullptr);
    b.rc4 = EVP_CIPHER_fetch(b.libctx, "RC4", nullptr);
    b.legacy = b.md4 != nullptr && b.rc4 != nullptr;
  }
  drainOpenSslErrors();  // a missing legacy module is reported per call, not left in the queue
}

const Backend& backend() {
  static Backend b;
  static std::once_flag once;
  std::call_once(once, [] { initBackend(b); });
  return b;
}

Error opensslError(std::string_view what) {
  return makeError(ErrorCategory::Crypto, "openssl_failure", std::string(what) + ": " + drainOpenSslErrors());
}

Status requireBackend(const Backend& b) {
  if (!b.initError.empty()) {
    return makeError(ErrorCategory::Crypto, "backend_unavailable", b.initError);
  }
  return okStatus();
}

Status requireLegacy(const Backend& b, std::string_view what) {
  KP_CHECK(requireBackend(b));
  if (!b.legacy) {
    return makeError(
        ErrorCategory::Crypto, "legacy_provider_unavailable",
        "OpenSSL legacy provider not available: needed for rc4-hmac/MD4 (" + std::string(what) + ")");
  }
  return okStatus();
}

// A pointer OpenSSL accepts for an empty buffer (some calls treat nullptr as "not given").
const unsigned char* nonNull(BytesView b) {
  static const unsigned char kEmpty = 0;
  return b.empty() ? &kEmpty : b.data();
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
  CipherCtx() = default;
  CipherCtx(const CipherCtx&) = delete;
  CipherCtx& operator=(const CipherCtx&) = delete;
};

// Keys a cipher context (variable key length for RC4), padding off.
Status initCipher(EVP_CIPHER_CTX* ctx, const EVP_CIPHER* cipher, BytesView key, BytesView iv, bool encrypt,
                  std::string_view what) {
  const int enc = encrypt ? 1 : 0;
  if (ctx == nullptr || EVP_CipherInit_ex2(ctx, cipher, nullptr, nullptr, enc, nullptr) != 1) {
    return opensslError(std::string(what) + " init");
  }
  if (static_cast<std::size_t>(EVP_CIPHER_CTX_get_key_length(ctx)) != key.size() &&
      EVP_CIPHER_CTX_set_key_length(ctx, static_cast<int>(key.size())) != 1) {
    return opensslError(std::string(what) + " key length");
  }
  if (EVP_CipherInit_ex2(ctx, nullptr, key.data(), iv.empty() ? nullptr : iv.data(), enc, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
    return opensslError(std::string(what) + " key");
  }
  return okStatus();
}

Result<Bytes> update(EVP_CIPHER_CTX* ctx, BytesView data, std::string_view what) {
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() - 32)) {
    return makeError(ErrorCategory::Crypto, "input_too_long", std::string(what) + ": input too long");
  }
  Bytes out(data.size() + 32);
  int len = 0;
  if (!data.empty() &&
      EVP_CipherUpdate(ctx, out.data(), &len, data.data(), static_cast<int>(data.size())) != 1) {
    return opensslError(std::string(what) + " update");
  }
  out.resize(static_cast<std::size_t>(len));
  return out;
}

// One cipher context per thread, re-keyed by every one-shot operation: EVP_CipherInit_ex2 on a context that
// already holds the same cipher skips the allocation and provider set-up of a fresh context.
EVP_CIPHER_CTX* threadCipherCtx() {
  thread_local CipherCtx c;
  return c.ctx;
}

// The thread's cipher context for one call: key schedules must not linger after it, and the reset keeps the
// context reusable.
struct ThreadCipherScope {
  EVP_CIPHER_CTX* ctx = threadCipherCtx();
  ThreadCipherScope() = default;
  ThreadCipherScope(const ThreadCipherScope&) = delete;
  ThreadCipherScope& operator=(const ThreadCipherScope&) = delete;
  ~ThreadCipherScope() {
    if (ctx != nullptr) {
      EVP_CIPHER_CTX_reset(ctx);
    }
  }
};

Result<Bytes> runCipher(const EVP_CIPHER* cipher, BytesView key, BytesView iv, BytesView data, bool encrypt,
                        std::string_view what) {
  ThreadCipherScope c;
  KP_CHECK(initCipher(c.ctx, cipher, key, iv, encrypt, what));
  KP_TRY(Bytes out, update(c.ctx, data, what));
  unsigned char tail[32];
  int tailLen = 0;
  if (EVP_CipherFinal_ex(c.ctx, tail, &tailLen) != 1 || tailLen != 0) {
    return opensslError(std::string(what) + " final");
  }
  return out;
}

Result<const EVP_CIPHER*> aesCipher(const Backend& b, BytesView key, bool cbc) {
  if (key.size() == 16) {
    return static_cast<const EVP_CIPHER*>(cbc ? b.aes128Cbc : b.aes128Ecb);
  }
  if (key.size() == 32) {
    return static_cast<const EVP_CIPHER*>(cbc ? b.aes256Cbc : b.aes256Ecb);
  }
  return makeError(ErrorCategory::Crypto, "bad_key_length",
                   "AES key must be 16 or 32 bytes, got " + std::to_string(key.size()));
}

// AES-CBC without padding takes a 16-octet IV and whole blocks.
Status checkCbcInput(BytesView iv, std::size_t dataBytes) {
  if (iv.size() != kAesBlockBytes) {
    return makeError(ErrorCategory::Crypto, "bad_iv_length",
                     "AES-CBC IV must be 16 bytes, got " + std::to_string(iv.size()));
  }
  if (dataBytes % kAesBlockBytes != 0) {
    return makeError(
        ErrorCategory::Crypto, "bad_block_length",
        "AES-CBC without padding needs whole blocks, got " + std::to_string(dataBytes) + " bytes");
  }
  return okStatus();
}

Result<Bytes> aesCbc(BytesView key, BytesView iv, BytesView data, bool encrypt) {
  const Backend& b = backend();
  KP_CHECK(requireBackend(b));
  KP_TRY(const EVP_CIPHER* cipher, aesCipher(b, key, true));
  KP_CHECK(checkCbcInput(iv, data.size()));
  return runCipher(cipher, key, iv, data, encrypt, encrypt ? "aes-cbc encrypt" : "aes-cbc decrypt");
}

Result<Bytes> digest(const EVP_MD* md, BytesView data, std::string_view what) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(nonNull(data), data.size(), out, &len, md, nullptr) != 1) {
    return opensslError(what);
  }
  return Bytes(out, out + len);
}

enum class HmacDigest { Sha1, Md5 };

// An HMAC context per thread and digest, told its digest once: naming the digest on every EVP_MAC_init
// makes OpenSSL look the algorithm up again. Each call re-keys the context.
struct HmacCtx {
  EVP_MAC_CTX* ctx = nullptr;
  HmacCtx(const Backend& b, const char* digestName) {
    ctx = EVP_MAC_CTX_new(b.hmac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digestName), 0),
        OSSL_PARAM_construct_end()};
    if (ctx != nullptr && EVP_MAC_CTX_set_params(ctx, params) != 1) {
      EVP_MAC_CTX_free(ctx);
      ctx = nullptr;
    }
  }
  ~HmacCtx() { EVP_MAC_CTX_free(ctx); }
  HmacCtx(const HmacCtx&) = delete;
  HmacCtx& operator=(const HmacCtx&) = delete;
};

EVP_MAC_CTX* threadHmacCtx(const Backend& b, HmacDigest d) {
  if (d == HmacDigest::Sha1) {
    thread_local HmacCtx sha1(b, "SHA1");
    return sha1.ctx;
  }
  thread_local HmacCtx md5(b, "MD5");
  return md5.ctx;
}

Result<Bytes> hmac(HmacDigest d, BytesView key, BytesView data) {
  const Backend& b = backend();
  KP_CHECK(requireBackend(b));
  const char* name = d == HmacDigest::Sha1 ? "hmac-sha1" : "hmac-md5";
  EVP_MAC_CTX* ctx = threadHmacCtx(b, d);
  if (ctx == nullptr) {
    return opensslError(std::string(name) + " context");
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t len = 0;
  const bool ok = EVP_MAC_init(ctx, nonNull(key), key.size(), nullptr) == 1 &&
                  EVP_MAC_update(ctx, nonNull(data), data.size()) == 1 &&
                  EVP_MAC_final(ctx, out, &len, sizeof(out)) == 1;
  if (!ok) {
    return opensslError(name);
  }
  return Bytes(out, out + len);
}

Status checkRc4Key(BytesView key) {
  if (key.empty() || key.size() > 256) {
    return makeError(ErrorCategory::Crypto, "bad_key_length",
                     "RC4 key must be 1..256 bytes, got " + std::to_string(key.size()));
  }
  return okStatus();
}

}  // namespace

std::string_view backendVersion() {
  return OpenSSL_version(OPENSSL_VERSION);
}

bool legacyAlgorithmsAvailable() {
  return backend().legacy;
}

Result<Bytes> aesEcbEncryptBlock(BytesView key, BytesView block) {
  return aesEcbEncryptChain(key, block, 1);
}

Result<Bytes> aesEcbEncryptChain(BytesView key, BytesView block, std::size_t blocks) {
  const Backend& b = backend();
  KP_CHECK(requireBackend(b));
  KP_TRY(const EVP_CIPHER* cipher, aesCipher(b, key, false));
  if (block.size() != kAesBlockBytes) {
    return makeError(ErrorCategory::Crypto, "bad_block_length",
                     "AES block must be 16 bytes, got " + std::to_string(block.size()));
  }
  if (blocks == 0 || blocks > 4) {
    return makeError(ErrorCategory::Crypto, "bad_block_count",
                     "an AES chain of 1 to 4 blocks, not " + std::to_string(blocks));
  }
  ThreadCipherScope c;
  KP_CHECK(initCipher(c.ctx, cipher, key, {}, true, "aes-ecb encrypt"));
  Bytes out(blocks * kAesBlockBytes);
  const std::uint8_t* in = block.data();
  for (std::size_t i = 0; i < blocks; ++i) {
    int len = 0;
    std::uint8_t* dst = out.data() + i * kAesBlockBytes;
    if (EVP_CipherUpdate(c.ctx, dst, &len, in, static_cast<int>(kAesBlockBytes)) != 1 ||
        len != static_cast<int>(kAesBlockBytes)) {
      secureWipe(out);
      return opensslError("aes-ecb encrypt update");
    }
    in = dst;
  }
  return out;
}

Result<Bytes> aesCbcEncrypt(BytesView key, BytesView iv, BytesView data) {
  return aesCbc(key, iv, data, true);
}

Result<Bytes> aesCbcDecrypt(BytesView key, BytesView iv, BytesView data) {
  return aesCbc(key, iv, data, false);
}

Result<Bytes> md4(BytesView data) {
  const Backend& b = backend();
  KP_CHECK(requireLegacy(b, "MD4"));
  return digest(b.md4, data, "md4");
}

Result<Bytes> md5(BytesView data) {
  const Backend& b = backend();
  KP_CHECK(requireBackend(b));
  return digest(b.md5, data, "md5");
}

Result<Bytes> sha1(BytesView data) {
  const Backend& b = backend();
  KP_CHECK(requireBackend(b));
  return digest(b.sha1, data, "sha1");
}

Result<Bytes> hmacSha1(BytesView key, BytesView data) {
  return hmac(HmacDigest::Sha1, key, data);
}

Result<Bytes> hmacMd5(BytesView key, BytesView data) {
  return hmac(HmacDigest::Md5, key, data);
}

Result<Bytes> rc4(BytesView key, BytesView data) {
  const Backend& b = backend();
  KP_CHECK(requireLegacy(b, "RC4"));
  KP_CHECK(checkRc4Key(key));
  return runCipher(b.rc4, key, {}, data, true, "rc4");
}

struct Rc4Stream::Impl {
  CipherCtx cipher;
};

Rc4Stream::Rc4Stream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Rc4Stream::Rc4Stream(Rc4Stream&&) noexcept = default;
Rc4Stream& Rc4Stream::operator=(Rc4Stream&&) noexcept = default;
Rc4Stream::~Rc4Stream() = default;

Result<Rc4Stream> Rc4Stream::create(BytesView key) {
  const Backend& b = backend();
  KP_CHECK(requireLegacy(b, "RC4"));
  KP_CHECK(checkRc4Key(key));
  auto impl = std::make_unique<Impl>();
  KP_CHECK(initCipher(impl->cipher.ctx, b.rc4, key, {}, true, "rc4 stream"));
  return Rc4Stream(std::move(impl));
}

Result<Bytes> Rc4Stream::process(BytesView data) {
  if (!impl_) {
    return makeError(ErrorCategory::Internal, "moved_from", "Rc4Stream used after move");
  }
  return update(impl_->cipher.ctx, data, "rc4 stream");
}

// The key is kept (and wiped) until each direction's context is keyed on its first use: a key used only to
// seal (a KDC's reply to a client's fresh subkey) never pays for the decryption key schedule.
struct AesCbcKey::Impl {
  CipherCtx encrypt;
  CipherCtx decrypt;
  const EVP_CIPHER* cipher = nullptr;  // AES-128-CBC or AES-256-CBC, after the key's length
  std::array<std::uint8_t, 32> key{};
  std::size_t keyBytes = 0;  // 0: no key set
  bool encryptKeyed = false;
  bool decryptKeyed = false;
  ~Impl() { OPENSSL_cleanse(key.data(), key.size()); }
};

AesCbcKey::AesCbcKey() = default;
AesCbcKey::AesCbcKey(AesCbcKey&&) noexcept = default;
AesCbcKey& AesCbcKey::operator=(AesCbcKey&&) noexcept = default;
AesCbcKey::~AesCbcKey() = default;  // EVP_CIPHER_CTX_free cleanses the key schedules

Status AesCbcKey::setKey(BytesView key) {
  const Backend& b = backend();
  KP_CHECK(requireBackend(b));
  KP_TRY(const EVP_CIPHER* cipher, aesCipher(b, key, true));  // 16 or 32 octets
  if (!impl_) {
    impl_ = std::make_unique<Impl>();
  }
  impl_->cipher = cipher;
  OPENSSL_cleanse(impl_->key.data(), impl_->key.size());
  std::copy(key.begin(), key.end(), impl_->key.begin());
  impl_->keyBytes = key.size();
  impl_->encryptKeyed = false;
  impl_->decryptKeyed = false;
  return okStatus();
}

namespace {

// CBC over whole blocks in place under `ctx`, keyed with `key` on its first use (`keyed` says whether it
// was): afterwards only the IV is set.
Status cbcInPlace(EVP_CIPHER_CTX* ctx, bool& keyed, const EVP_CIPHER* cipher, BytesView key, bool encrypt,
                  BytesView iv, std::span<std::uint8_t> data) {
  const char* what = encrypt ? "aes-cbc encrypt" : "aes-cbc decrypt";
  KP_CHECK(checkCbcInput(iv, data.size()));
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() - 32)) {
    return makeError(ErrorCategory::Crypto, "input_too_long", std::string(what) + ": input too long");
  }
  if (!keyed) {
    KP_CHECK(initCipher(ctx, cipher, key, iv, encrypt, what));
    keyed = true;
  } else if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data(), encrypt ? 1 : 0, nullptr) != 1) {
    return opensslError(what);
  }
  int len = 0;
  if ((!data.empty() &&
       EVP_CipherUpdate(ctx, data.data(), &len, data.data(), static_cast<int>(data.size())) != 1) ||
      static_cast<std::size_t>(len) != data.size()) {
    return opensslError(what);
  }
  return okStatus();
}

}  // namespace

Status AesCbcKey::encryptInPlace(BytesView iv, std::span<std::uint8_t> data) {
  if (!impl_ || impl_->keyBytes == 0) {
    return makeError(ErrorCategory::Internal, "no_key", "AesCbcKey used before setKey");
  }
  return cbcInPlace(impl_->encrypt.ctx, impl_->encryptKeyed, impl_->cipher,
                    BytesView(impl_->key).first(impl_->keyBytes), true, iv, data);
}

Status AesCbcKey::decryptInPlace(BytesView iv, std::span<std::uint8_t> data) {
  if (!impl_ || impl_->keyBytes == 0) {
    return makeError(ErrorCategory::Internal, "no_key", "AesCbcKey used before setKey");
  }
  return cbcInPlace(impl_->decrypt.ctx, impl_->decryptKeyed, impl_->cipher,
                    BytesView(impl_->key).first(impl_->keyBytes), false, iv, data);
}

struct HmacSha1Key::Impl {
  EVP_MAC_CTX* ctx = nullptr;
  bool keyed = false;
  ~Impl() { EVP_MAC_CTX_free(ctx); }  // frees (and cleanses) the keyed digest states
};

HmacSha1Key::HmacSha1Key() = default;
HmacSha1Key::HmacSha1Key(HmacSha1Key&&) noexcept = default;
HmacSha1Key& HmacSha1Key::operator=(HmacSha1Key&&) noexcept = default;
HmacSha1Key::~HmacSha1Key() = default;

Status HmacSha1Key::setKey(BytesView key) {
  const Backend& b = backend();
  KP_CHECK(requireBackend(b));
  if (!impl_) {
    auto impl = std::make_unique<Impl>();
    HmacCtx fresh(b, "SHA1");
    std::swap(impl->ctx, fresh.ctx);
    if (impl->ctx == nullptr) {
      return opensslError("hmac-sha1 context");
    }
    impl_ = std::move(impl);
  }
  impl_->keyed = false;
  if (EVP_MAC_init(impl_->ctx, nonNull(key), key.size(), nullptr) != 1) {
    return opensslError("hmac-sha1 key");
  }
  impl_->keyed = true;
  return okStatus();
}

Status HmacSha1Key::mac(BytesView data, std::span<std::uint8_t, kSha1Bytes> out) {
  if (!impl_ || !impl_->keyed) {
    return makeError(ErrorCategory::Internal, "no_key", "HmacSha1Key used before setKey");
  }
  std::size_t len = 0;
  // A null key re-initialises the context from the pads its key left (OpenSSL's HMAC_Init_ex reuse).
  const bool ok = EVP_MAC_init(impl_->ctx, nullptr, 0, nullptr) == 1 &&
                  EVP_MAC_update(impl_->ctx, nonNull(data), data.size()) == 1 &&
                  EVP_MAC_final(impl_->ctx, out.data(), &len, out.size()) == 1 && len == out.size();
  if (!ok) {
    return opensslError("hmac-sha1");
  }
  return okStatus();
}

Result<Bytes> pbkdf2HmacSha1(BytesView password, BytesView salt, std::uint64_t iterations,
                             std::size_t outBytes) {
  const Backend& b = backend();
  KP_CHECK(requireBackend(b));
  if (iterations == 0) {
    return makeError(ErrorCategory::Crypto, "bad_iteration_count", "PBKDF2 needs at least one iteration");
  }
  if (outBytes == 0) {
    return makeError(ErrorCategory::Crypto, "bad_key_length", "PBKDF2 output length must be positive");
  }
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(b.pbkdf2);
  if (ctx == nullptr) {
    return opensslError("pbkdf2 context");
  }
  int pkcs5 = 1;  // no SP 800-132 lower bounds: the RFC 3962 vectors use 1 iteration and 8-byte salts
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                        const_cast<unsigned char*>(nonNull(password)), password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<unsigned char*>(nonNull(salt)),
                                        salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iterations),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA1"), 0),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &pkcs5),
      OSSL_PARAM_construct_end()};
  Bytes out(outBytes);
  const bool ok = EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
  EVP_KDF_CTX_free(ctx);
  if (!ok) {
    return opensslError("pbkdf2-hmac-sha1");
  }
  return out;
}

}  // namespace kerbpool::core::crypto
