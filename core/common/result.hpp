#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kerbpool::core {

// Root-cause category of a failure (after gokrb5's krberror): what kind of thing went wrong.
enum class ErrorCategory {
  Encoding,   // could not produce bytes
  Decoding,   // bytes did not parse (malformed, truncated, wrong tag...)
  Crypto,     // a cryptographic operation could not run (unknown enctype, bad key size...)
  Integrity,  // a MAC or checksum did not verify
  Protocol,   // well-formed but refused by the protocol rules (skew, replay, expired...)
  NotFound,   // no such principal, key, file...
  Io,         // sockets and files
  Config,     // configuration and scenario files
  Internal,   // a bug: an invariant did not hold
};

std::string_view toString(ErrorCategory c);

// A typed error: a category, a snake_case code a program can match on (`bad_app_tag`, `clock_skew`),
// and a human detail that names the field or object concerned.
struct Error {
  ErrorCategory category = ErrorCategory::Internal;
  std::string code;
  std::string detail;

  // "decoding/bad_tag: expected INTEGER at AS-REQ.pvno, found OCTET STRING"
  std::string message() const;

  // Prefixes the detail with where it happened, for chains of context ("AS-REP.enc-part: ...").
  Error& within(std::string_view where);
};

Error makeError(ErrorCategory category, std::string code, std::string detail);

template <typename T>
class [[nodiscard]] Result {
 public:
  // A value is moved (or copied) straight into place: a by-value parameter would cost one more move at every
  // `return value;` of every decoder (a Reader is 160 octets, a KdcReqBody two dozen members).
  Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}    // NOLINT(implicit)
  Result(const T& value) : v_(std::in_place_index<0>, value) {}          // NOLINT(implicit)
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(implicit)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

struct Unit {};

// Result of an operation that yields nothing but may fail.
using Status = Result<Unit>;

inline Status okStatus() {
  return Unit{};
}

}  // namespace kerbpool::core

// Propagates a failure: `KP_TRY(auto x, decodeFoo(r));` binds x on success, returns the error otherwise.
#define KP_CONCAT_INNER(a, b) a##b
#define KP_CONCAT(a, b) KP_CONCAT_INNER(a, b)
#define KP_TRY_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                 \
  if (!tmp.ok()) {                   \
    return std::move(tmp).error();   \
  }                                  \
  decl = std::move(tmp).value()
#define KP_TRY(decl, expr) KP_TRY_IMPL(KP_CONCAT(kp_try_, __LINE__), decl, expr)
// For a Status or a result whose value is not needed.
#define KP_CHECK(expr)                     \
  do {                                     \
    auto kp_check_ = (expr);               \
    if (!kp_check_.ok()) {                 \
      return std::move(kp_check_).error(); \
    }                                      \
  } while (false)
