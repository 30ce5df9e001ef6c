#include "core/der/der_tags.hpp"

namespace kerbpool::core::der {

std::string Tag::describe() const {
  switch (cls) {
    case TagClass::Application:
      return "[APPLICATION " + std::to_string(number) + "]";
    case TagClass::Context:
      return "[" + std::to_string(number) + "]";
    case TagClass::Private:
      return "[PRIVATE " + std::to_string(number) + "]";
    case TagClass::Universal:
      break;
  }
  switch (number) {
    case universal::kBoolean:
      return "BOOLEAN";
    case universal::kInteger:
      return "INTEGER";
    case universal::kBitString:
      return "BIT STRING";
    case universal::kOctetString:
      return "OCTET STRING";
    case universal::kNull:
      return "NULL";
    case universal::kOid:
      return "OBJECT IDENTIFIER";
    case universal::kEnumerated:
      return "ENUMERATED";
    case universal::kUtf8String:
      return "UTF8String";
    case universal::kSequence:
      return "SEQUENCE";
    case universal::kSet:
      return "SET";
    case universal::kIa5String:
      return "IA5String";
    case universal::kGeneralizedTime:
      return "GeneralizedTime";
    case universal::kGeneralString:
      return "GeneralString";
    default:
      return "UNIVERSAL " + std::to_string(number);
  }
}

}  // namespace kerbpool::core::der
