#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "core/common/bytes.hpp"
#include "core/common/hex.hpp"
#include "core/common/result.hpp"
#include "core/messages/codec.hpp"

namespace kerbpool::test {

template <class T>
std::string failureText(const core::Result<T>& r) {
  return r.ok() ? std::string("ok") : r.error().message();
}

// Decodes, requires success, and requires that re-encoding reproduces the input byte for byte.
template <class T>
T requireRoundTrip(const core::Bytes& der) {
  auto r = core::messages::decode<T>(der);
  INFO("decode: " << failureText(r));
  REQUIRE(r.ok());
  // Unqualified: argument-dependent lookup also finds the encode overloads declared after this header.
  using core::messages::encode;
  const core::Bytes again = encode(*r);
  CHECK(core::toHex(again) == core::toHex(der));
  return std::move(r).value();
}

// Requires a typed decoding error (never a crash) and returns its code.
template <class T>
std::string requireDecodingError(core::BytesView der) {
  auto r = core::messages::decode<T>(der);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category == core::ErrorCategory::Decoding);
  CHECK_FALSE(r.error().code.empty());
  return r.error().code;
}

}  // namespace kerbpool::test
