#include "core/ntlm/ntlm_messages.hpp"

#include <algorithm>
#include <string_view>

#include "core/ntlm/ntlm_flags.hpp"
#include "core/ntlm/ntlm_strings.hpp"
#include "core/ntlm/ntlm_wire.hpp"

namespace kerbpool::core::ntlm {

namespace {

constexpr std::array<std::uint8_t, 8> kSignature{'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
constexpr std::size_t kTypeEnd = 12;
constexpr std::size_t kNegotiateHeader = 32;
constexpr std::size_t kChallengeHeader = 48;
constexpr std::size_t kAuthenticateHeader = 64;
constexpr std::size_t kVersionBytes = 8;

std::string_view messageName(MessageType t) {
  switch (t) {
    case MessageType::Negotiate:
      return "NEGOTIATE";
    case MessageType::Challenge:
      return "CHALLENGE";
    case MessageType::Authenticate:
      return "AUTHENTICATE";
  }
  return "NTLM";
}

Error decodeError(std::string code, std::string detail) {
  return makeError(ErrorCategory::Decoding, std::move(code), std::move(detail));
}

Status checkEnvelope(BytesView msg, std::string_view name, std::size_t maxBytes) {
  if (msg.size() > maxBytes) {
    return decodeError("message_too_large", std::string(name) + " of " + std::to_string(msg.size()) +
                                                " bytes exceeds the limit of " + std::to_string(maxBytes));
  }
  if (msg.size() < kTypeEnd) {
    return decodeError("truncated", std::string(name) +
                                        " needs 12 bytes for Signature and MessageType, got " +
                                        std::to_string(msg.size()));
  }
  if (!std::equal(kSignature.begin(), kSignature.end(), msg.begin())) {
    return decodeError("bad_signature", std::string(name) + ".Signature is not \"NTLMSSP\\0\"");
  }
  return okStatus();
}

// Reads one message: envelope, fixed header and security buffers, tracking where the payload begins.
class MessageReader {
 public:
  MessageReader(BytesView msg, MessageType type) : msg_(msg), type_(type), name_(messageName(type)) {}

  Status open(std::size_t headerBytes, std::size_t maxBytes) {
    KP_CHECK(checkEnvelope(msg_, name_, maxBytes));
    const std::uint32_t got = wire::getLe32(msg_, 8);
    if (got != static_cast<std::uint32_t>(type_)) {
      return decodeError("wrong_message_type", name_ + ".MessageType is " + std::to_string(got) +
                                                   ", expected " +
                                                   std::to_string(static_cast<std::uint32_t>(type_)));
    }
    if (msg_.size() < headerBytes) {
      return decodeError("truncated", name_ + " header needs " + std::to_string(headerBytes) +
                                          " bytes, got " + std::to_string(msg_.size()));
    }
    payloadStart_ = msg_.size();
    return okStatus();
  }

  Result<BytesView> buffer(std::size_t at, std::string_view field) {
    const std::uint64_t len = wire::getLe16(msg_, at);
    const std::uint64_t offset = wire::getLe32(msg_, at + 4);
    if (len == 0) {
      return BytesView{};
    }
    if (offset + len > msg_.size()) {
      return decodeError("buffer_out_of_range", name_ + "." + std::string(field) + " offset " +
                                                    std::to_string(offset) + " + length " +
                                                    std::to_string(len) + " outside a " +
                                                    std::to_string(msg_.size()) + "-byte message");
    }
    payloadStart_ = std::min<std::size_t>(payloadStart_, static_cast<std::size_t>(offset));
    return msg_.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(len));
  }

  Result<std::string> string(std::size_t at, std::string_view field, bool unicode) {
    KP_TRY(auto view, buffer(at, field));
    return decodeNtlmString(view, unicode, name_ + "." + std::string(field));
  }

  // An optional fixed field [at, at + size) that exists when no payload begins before its end.
  bool hasField(std::size_t at, std::size_t size) const { return payloadStart_ >= at + size; }

  NtlmVersion version(std::size_t at) const {
    NtlmVersion v;
    v.productMajorVersion = msg_[at];
    v.productMinorVersion = msg_[at + 1];
    v.productBuild = wire::getLe16(msg_, at + 2);
    v.reserved = {msg_[at + 4], msg_[at + 5], msg_[at + 6]};
    v.ntlmRevisionCurrent = msg_[at + 7];
    return v;
  }

  std::uint32_t le32(std::size_t at) const { return wire::getLe32(msg_, at); }

  template <std::size_t N>
  std::array<std::uint8_t, N> fixed(std::size_t at) const {
    std::array<std::uint8_t, N> out{};
    std::copy_n(msg_.begin() + static_cast<std::ptrdiff_t>(at), N, out.begin());
    return out;
  }

  const std::string& name() const { return name_; }

 private:
  BytesView msg_;
  MessageType type_;
  std::string name_;
  std::size_t payloadStart_ = 0;
};

// Writes one message: a zeroed fixed header, then each buffer appended to the payload in call order.
class MessageWriter {
 public:
  MessageWriter(MessageType type, std::size_t headerBytes) : name_(messageName(type)), out_(headerBytes, 0) {
    std::copy(kSignature.begin(), kSignature.end(), out_.begin());
    wire::setLe32(out_, 8, static_cast<std::uint32_t>(type));
  }

  Status buffer(std::size_t at, BytesView data, std::string_view field) {
    if (data.size() > 0xffff) {
      return makeError(ErrorCategory::Encoding, "field_too_long",
                       name_ + "." + std::string(field) + " of " + std::to_string(data.size()) +
                           " bytes does not fit a security buffer");
    }
    if (out_.size() + data.size() > 0xffffffffULL) {
      return makeError(ErrorCategory::Encoding, "message_too_large", name_ + " exceeds 4 GiB");
    }
    wire::setLe16(out_, at, static_cast<std::uint16_t>(data.size()));
    wire::setLe16(out_, at + 2, static_cast<std::uint16_t>(data.size()));
    wire::setLe32(out_, at + 4, static_cast<std::uint32_t>(out_.size()));
    append(out_, data);
    return okStatus();
  }

  Status string(std::size_t at, std::string_view text, bool unicode, std::string_view field) {
    KP_TRY(auto bytes, encodeNtlmString(text, unicode, name_ + "." + std::string(field)));
    return buffer(at, bytes, field);
  }

  void le32(std::size_t at, std::uint32_t v) { wire::setLe32(out_, at, v); }

  void bytes(std::size_t at, BytesView b) { std::copy(b.begin(), b.end(), out_.begin() + at); }

  void version(std::size_t at, const NtlmVersion& v) {
    out_[at] = v.productMajorVersion;
    out_[at + 1] = v.productMinorVersion;
    wire::setLe16(out_, at + 2, v.productBuild);
    std::copy(v.reserved.begin(), v.reserved.end(), out_.begin() + static_cast<std::ptrdiff_t>(at + 4));
    out_[at + 7] = v.ntlmRevisionCurrent;
  }

  Bytes take() { return std::move(out_); }

 private:
  std::string name_;
  Bytes out_;
};

}  // namespace

Result<std::uint32_t> peekMessageType(BytesView message, std::size_t maxBytes) {
  KP_CHECK(checkEnvelope(message, "NTLM message", maxBytes));
  return wire::getLe32(message, 8);
}

Result<Bytes> encodeNegotiate(const NegotiateMessage& m) {
  MessageWriter w(MessageType::Negotiate, m.version ? kNegotiateHeader + kVersionBytes : kNegotiateHeader);
  w.le32(12, m.negotiateFlags);
  KP_CHECK(w.string(16, m.domainName, false, "DomainName"));
  KP_CHECK(w.string(24, m.workstation, false, "Workstation"));
  if (m.version) {
    w.version(32, *m.version);
  }
  return w.take();
}

Result<NegotiateMessage> decodeNegotiate(BytesView message, std::size_t maxBytes) {
  MessageReader r(message, MessageType::Negotiate);
  KP_CHECK(r.open(kNegotiateHeader, maxBytes));
  NegotiateMessage m;
  m.negotiateFlags = r.le32(12);
  KP_TRY(m.domainName, r.string(16, "DomainName", false));
  KP_TRY(m.workstation, r.string(24, "Workstation", false));
  if (r.hasField(32, kVersionBytes)) {
    m.version = r.version(32);
  }
  return m;
}

Result<Bytes> encodeChallenge(const ChallengeMessage& m) {
  const bool unicode = hasFlag(m.negotiateFlags, NTLMSSP_NEGOTIATE_UNICODE);
  MessageWriter w(MessageType::Challenge, m.version ? kChallengeHeader + kVersionBytes : kChallengeHeader);
  KP_CHECK(w.string(12, m.targetName, unicode, "TargetName"));
  w.le32(20, m.negotiateFlags);
  w.bytes(24, m.serverChallenge);
  w.bytes(32, m.reserved);
  Bytes targetInfo;
  if (m.targetInfo) {
    KP_TRY(targetInfo, encodeAvPairs(*m.targetInfo));
  }
  KP_CHECK(w.buffer(40, targetInfo, "TargetInfo"));
  if (m.version) {
    w.version(48, *m.version);
  }
  return w.take();
}

Result<ChallengeMessage> decodeChallenge(BytesView message, std::size_t maxBytes) {
  MessageReader r(message, MessageType::Challenge);
  KP_CHECK(r.open(kChallengeHeader, maxBytes));
  ChallengeMessage m;
  m.negotiateFlags = r.le32(20);
  const bool unicode = hasFlag(m.negotiateFlags, NTLMSSP_NEGOTIATE_UNICODE);
  KP_TRY(m.targetName, r.string(12, "TargetName", unicode));
  m.serverChallenge = r.fixed<kChallengeBytes>(24);
  m.reserved = r.fixed<8>(32);
  KP_TRY(auto targetInfo, r.buffer(40, "TargetInfo"));
  if (!targetInfo.empty()) {
    KP_TRY(m.targetInfo, decodeAvPairs(targetInfo, "CHALLENGE.TargetInfo"));
  }
  if (r.hasField(48, kVersionBytes)) {
    m.version = r.version(48);
  }
  return m;
}

Result<Bytes> encodeAuthenticate(const AuthenticateMessage& m) {
  const bool unicode = hasFlag(m.negotiateFlags, NTLMSSP_NEGOTIATE_UNICODE);
  std::size_t header = kAuthenticateHeader;
  if (m.version || m.mic) {
    header += kVersionBytes;
  }
  if (m.mic) {
    header += kMicBytes;
  }
  MessageWriter w(MessageType::Authenticate, header);
  KP_CHECK(w.string(28, m.domainName, unicode, "DomainName"));
  KP_CHECK(w.string(36, m.userName, unicode, "UserName"));
  KP_CHECK(w.string(44, m.workstation, unicode, "Workstation"));
  KP_CHECK(w.buffer(12, m.lmChallengeResponse, "LmChallengeResponse"));
  KP_CHECK(w.buffer(20, m.ntChallengeResponse, "NtChallengeResponse"));
  KP_CHECK(w.buffer(52, m.encryptedRandomSessionKey, "EncryptedRandomSessionKey"));
  w.le32(60, m.negotiateFlags);
  if (m.version) {
    w.version(64, *m.version);
  }
  if (m.mic) {
    w.bytes(kAuthenticateMicOffset, *m.mic);
  }
  return w.take();
}

Result<AuthenticateMessage> decodeAuthenticate(BytesView message, std::size_t maxBytes) {
  MessageReader r(message, MessageType::Authenticate);
  KP_CHECK(r.open(kAuthenticateHeader, maxBytes));
  AuthenticateMessage m;
  m.negotiateFlags = r.le32(60);
  const bool unicode = hasFlag(m.negotiateFlags, NTLMSSP_NEGOTIATE_UNICODE);
  KP_TRY(auto lm, r.buffer(12, "LmChallengeResponse"));
  m.lmChallengeResponse.assign(lm.begin(), lm.end());
  KP_TRY(auto nt, r.buffer(20, "NtChallengeResponse"));
  m.ntChallengeResponse.assign(nt.begin(), nt.end());
  KP_TRY(m.domainName, r.string(28, "DomainName", unicode));
  KP_TRY(m.userName, r.string(36, "UserName", unicode));
  KP_TRY(m.workstation, r.string(44, "Workstation", unicode));
  KP_TRY(auto key, r.buffer(52, "EncryptedRandomSessionKey"));
  m.encryptedRandomSessionKey.assign(key.begin(), key.end());
  if (r.hasField(64, kVersionBytes)) {
    m.version = r.version(64);
  }
  if (r.hasField(kAuthenticateMicOffset, kMicBytes)) {
    m.mic = r.fixed<kMicBytes>(kAuthenticateMicOffset);
  }
  return m;
}

}  // namespace kerbpool::core::ntlm
