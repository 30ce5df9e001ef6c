#include "core/messages/codec.hpp"

namespace kerbpool::core::messages {

std::optional<iana::MsgType> peekMsgType(BytesView data) {
  if (data.empty()) {
    return std::nullopt;
  }
  const std::uint8_t first = data[0];
  // [APPLICATION n], constructed, low tag number form.
  if ((first & 0xE0) != 0x60) {
    return std::nullopt;
  }
  const auto n = static_cast<std::int32_t>(first & 0x1F);
  switch (static_cast<iana::MsgType>(n)) {
    case iana::MsgType::KRB_AS_REQ:
    case iana::MsgType::KRB_AS_REP:
    case iana::MsgType::KRB_TGS_REQ:
    case iana::MsgType::KRB_TGS_REP:
    case iana::MsgType::KRB_AP_REQ:
    case iana::MsgType::KRB_AP_REP:
    case iana::MsgType::KRB_SAFE:
    case iana::MsgType::KRB_PRIV:
    case iana::MsgType::KRB_CRED:
    case iana::MsgType::KRB_ERROR:
      return static_cast<iana::MsgType>(n);
    default:
      return std::nullopt;
  }
}

}  // namespace kerbpool::core::messages
