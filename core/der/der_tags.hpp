#pragma once

#include <cstdint>
#include <string>

namespace kerbpool::core::der {

enum class TagClass : std::uint8_t {
  Universal = 0x00,
  Application = 0x40,
  Context = 0x80,
  Private = 0xC0,
};

// Universal tag numbers used by Kerberos, GSS-API and SPNEGO (X.680).
namespace universal {
inline constexpr std::uint32_t kBoolean = 1;
inline constexpr std::uint32_t kInteger = 2;
inline constexpr std::uint32_t kBitString = 3;
inline constexpr std::uint32_t kOctetString = 4;
inline constexpr std::uint32_t kNull = 5;
inline constexpr std::uint32_t kOid = 6;
inline constexpr std::uint32_t kEnumerated = 10;
inline constexpr std::uint32_t kUtf8String = 12;
inline constexpr std::uint32_t kSequence = 16;
inline constexpr std::uint32_t kSet = 17;
inline constexpr std::uint32_t kIa5String = 22;
inline constexpr std::uint32_t kGeneralizedTime = 24;
inline constexpr std::uint32_t kGeneralString = 27;
}  // namespace universal

struct Tag {
  TagClass cls = TagClass::Universal;
  bool constructed = false;
  std::uint32_t number = 0;

  bool operator==(const Tag&) const = default;

  static constexpr Tag universalPrimitive(std::uint32_t n) { return {TagClass::Universal, false, n}; }
  static constexpr Tag sequence() { return {TagClass::Universal, true, universal::kSequence}; }
  static constexpr Tag context(std::uint32_t n) { return {TagClass::Context, true, n}; }
  static constexpr Tag application(std::uint32_t n) { return {TagClass::Application, true, n}; }

  // "INTEGER", "SEQUENCE", "[APPLICATION 10]", "[3]"...
  std::string describe() const;
};

}  // namespace kerbpool::core::der
