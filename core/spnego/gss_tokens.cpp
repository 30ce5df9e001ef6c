#include "core/spnego/gss_tokens.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "core/spnego/decoding_error.hpp"

namespace kerbpool::core::spnego {
namespace {

constexpr std::uint8_t kFiller = 0xff;

void putBe16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v & 0xff);
}

void putBe64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    p[i] = static_cast<std::uint8_t>((v >> (56 - 8 * i)) & 0xff);
  }
}

std::uint16_t getBe16(BytesView b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

std::uint64_t getBe64(BytesView b, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | b[at + static_cast<std::size_t>(i)];
  }
  return v;
}

std::uint8_t senderFlags(const TokenParams& p) {
  std::uint8_t f = 0;
  if (p.sender == GssRole::Acceptor) {
    f |= token_flags::kSentByAcceptor;
  }
  if (p.acceptorSubkey) {
    f |= token_flags::kAcceptorSubkey;
  }
  return f;
}

using Header = std::array<std::uint8_t, kCfxHeaderSize>;

Header micHeader(std::uint8_t flags, std::uint64_t seq) {
  Header h{};
  putBe16(h.data(), kMicTokId);
  h[2] = flags;
  std::fill(h.begin() + 3, h.begin() + 8, kFiller);
  putBe64(h.data() + 8, seq);
  return h;
}

Header wrapHeader(std::uint8_t flags, std::uint16_t ec, std::uint16_t rrc, std::uint64_t seq) {
  Header h{};
  putBe16(h.data(), kWrapTokId);
  h[2] = flags;
  h[3] = kFiller;
  putBe16(h.data() + 4, ec);
  putBe16(h.data() + 6, rrc);
  putBe64(h.data() + 8, seq);
  return h;
}

// Rotations over the data after the header (RFC 4121 section 4.2.5).
void rotateRight(Bytes& data, std::size_t count) {
  if (!data.empty()) {
    std::rotate(data.rbegin(), data.rbegin() + static_cast<std::ptrdiff_t>(count % data.size()), data.rend());
  }
}

void rotateLeft(Bytes& data, std::size_t count) {
  if (!data.empty()) {
    std::rotate(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(count % data.size()), data.end());
  }
}

Result<const crypto::EnctypeInfo*> cfxEnctype(const crypto::Key& key) {
  const crypto::EnctypeInfo* info = crypto::findEnctype(key.enctype);
  if (info == nullptr || !usesCfxTokens(key.enctype)) {
    return makeError(
        ErrorCategory::Crypto, "unsupported_enctype",
        "RFC 4121 per-message tokens need an AES-family key, got enctype " + std::to_string(key.enctype));
  }
  return info;
}

Status checkDirection(std::uint8_t flags, GssRole expectedSender, std::string_view what) {
  const bool fromAcceptor = (flags & token_flags::kSentByAcceptor) != 0;
  if (fromAcceptor != (expectedSender == GssRole::Acceptor)) {
    return makeError(ErrorCategory::Protocol, "bad_direction",
                     std::string(what) + ": SentByAcceptor flag does not match the expected sender");
  }
  return okStatus();
}

Status checkHeaderStart(BytesView token, std::uint16_t tokId, std::size_t fillerEnd, std::string_view what) {
  if (token.size() < kCfxHeaderSize) {
    return decodingError("truncated", std::string(what) + " of " + std::to_string(token.size()) +
                                          " octets, the header alone is 16");
  }
  if (getBe16(token, 0) != tokId) {
    return decodingError("bad_tok_id", std::string(what) + ": unexpected TOK_ID");
  }
  for (std::size_t i = 3; i < fillerEnd; ++i) {
    if (token[i] != kFiller) {
      return decodingError("bad_filler",
                           std::string(what) + ": filler octet " + std::to_string(i) + " is not FF");
    }
  }
  return okStatus();
}

}  // namespace

std::uint32_t sealUsage(GssRole sender) {
  return sender == GssRole::Acceptor ? gss_key_usage::kAcceptorSeal : gss_key_usage::kInitiatorSeal;
}

std::uint32_t signUsage(GssRole sender) {
  return sender == GssRole::Acceptor ? gss_key_usage::kAcceptorSign : gss_key_usage::kInitiatorSign;
}

bool usesCfxTokens(std::int32_t enctype) {
  switch (enctype) {
    case 1:   // des-cbc-crc
    case 2:   // des-cbc-md4
    case 3:   // des-cbc-md5
    case 16:  // des3-cbc-sha1
    case 23:  // rc4-hmac
    case 24:  // rc4-hmac-exp
      return false;
    default:
      return enctype > 0;
  }
}

Result<MicToken> parseMicToken(BytesView token) {
  KP_CHECK(checkHeaderStart(token, kMicTokId, 8, "MIC token"));
  MicToken t;
  t.flags = token[2];
  t.sndSeq = getBe64(token, 8);
  t.checksum.assign(token.begin() + kCfxHeaderSize, token.end());
  return t;
}

Result<WrapToken> parseWrapToken(BytesView token) {
  KP_CHECK(checkHeaderStart(token, kWrapTokId, 4, "Wrap token"));
  WrapToken t;
  t.flags = token[2];
  t.ec = getBe16(token, 4);
  t.rrc = getBe16(token, 6);
  t.sndSeq = getBe64(token, 8);
  t.data.assign(token.begin() + kCfxHeaderSize, token.end());
  return t;
}

Result<Bytes> makeMicToken(const crypto::Key& key, const TokenParams& params, BytesView message) {
  KP_CHECK(cfxEnctype(key));
  const Header h = micHeader(senderFlags(params), params.sndSeq);
  Bytes input(message.begin(), message.end());
  input.insert(input.end(), h.begin(), h.end());
  KP_TRY(Bytes cksum, crypto::makeChecksum(key, signUsage(params.sender), input));
  Bytes out(h.begin(), h.end());
  append(out, cksum);
  return out;
}

Result<MicToken> verifyMicToken(const crypto::Key& key, GssRole sender, BytesView message, BytesView token) {
  KP_TRY(const crypto::EnctypeInfo* info, cfxEnctype(key));
  KP_TRY(MicToken t, parseMicToken(token));
  KP_CHECK(checkDirection(t.flags, sender, "MIC token"));
  Bytes input(message.begin(), message.end());
  input.insert(input.end(), token.begin(), token.begin() + kCfxHeaderSize);
  KP_CHECK(crypto::verifyChecksum(key, signUsage(sender), info->checksumType, input, t.checksum));
  return t;
}

Result<Bytes> makeWrapToken(const crypto::Key& key, const WrapParams& params, BytesView payload, Rng& rng) {
  KP_TRY(const crypto::EnctypeInfo* info, cfxEnctype(key));
  const std::uint32_t usage = sealUsage(params.token.sender);
  std::uint8_t flags = senderFlags(params.token);
  Bytes data;
  std::size_t rotation = params.rrc;
  Header h{};
  if (params.seal) {
    flags |= token_flags::kSealed;
    h = wrapHeader(flags, params.ec, params.rrc, params.token.sndSeq);
    Bytes plain(payload.begin(), payload.end());
    plain.insert(plain.end(), params.ec, kFiller);
    const Header copy = wrapHeader(flags, params.ec, 0, params.token.sndSeq);
    plain.insert(plain.end(), copy.begin(), copy.end());
    KP_TRY(data, crypto::encrypt(key, usage, plain, rng));
    if (params.dceStyle) {
      rotation += params.ec;
    }
  } else {
    const auto ec = static_cast<std::uint16_t>(info->checksumBytes);
    h = wrapHeader(flags, ec, params.rrc, params.token.sndSeq);
    const Header zeroed = wrapHeader(flags, 0, 0, params.token.sndSeq);
    Bytes input(payload.begin(), payload.end());
    input.insert(input.end(), zeroed.begin(), zeroed.end());
    KP_TRY(Bytes cksum, crypto::makeChecksum(key, usage, input));
    data.assign(payload.begin(), payload.end());
    append(data, cksum);
  }
  rotateRight(data, rotation);
  Bytes out(h.begin(), h.end());
  append(out, data);
  return out;
}

Result<Unwrapped> unwrapToken(const crypto::Key& key, const UnwrapParams& params, BytesView token) {
  KP_TRY(const crypto::EnctypeInfo* info, cfxEnctype(key));
  KP_TRY(WrapToken t, parseWrapToken(token));
  KP_CHECK(checkDirection(t.flags, params.sender, "Wrap token"));
  const std::uint32_t usage = sealUsage(params.sender);
  Unwrapped out;
  out.sealed = t.sealed();
  out.flags = t.flags;
  out.sndSeq = t.sndSeq;
  if (t.sealed()) {
    rotateLeft(t.data, std::size_t{t.rrc} + (params.dceStyle ? t.ec : 0));
    KP_TRY(Bytes plain, crypto::decrypt(key, usage, t.data));
    if (plain.size() < std::size_t{t.ec} + kCfxHeaderSize) {
      return decodingError("bad_ec", "sealed Wrap token: EC " + std::to_string(t.ec) +
                                         " and the header copy do not fit the decrypted data");
    }
    const BytesView copy = BytesView(plain).last(kCfxHeaderSize);
    const Header expected = wrapHeader(t.flags, t.ec, 0, t.sndSeq);
    if (!constantTimeEqual(copy, expected)) {
      return makeError(ErrorCategory::Integrity, "header_mismatch",
                       "sealed Wrap token: the encrypted header copy differs from the token header");
    }
    plain.resize(plain.size() - kCfxHeaderSize - t.ec);
    out.payload = std::move(plain);
    return out;
  }
  if (t.ec != info->checksumBytes || t.data.size() < t.ec) {
    return decodingError("bad_ec", "integrity-only Wrap token: EC " + std::to_string(t.ec) +
                                       " is not the checksum size " + std::to_string(info->checksumBytes) +
                                       " or exceeds the data");
  }
  rotateLeft(t.data, t.rrc);
  const std::size_t payloadSize = t.data.size() - t.ec;
  const Header zeroed = wrapHeader(t.flags, 0, 0, t.sndSeq);
  Bytes input(t.data.begin(), t.data.begin() + static_cast<std::ptrdiff_t>(payloadSize));
  input.insert(input.end(), zeroed.begin(), zeroed.end());
  const BytesView cksum = BytesView(t.data).subspan(payloadSize);
  KP_CHECK(crypto::verifyChecksum(key, usage, info->checksumType, input, cksum));
  out.payload.assign(t.data.begin(), t.data.begin() + static_cast<std::ptrdiff_t>(payloadSize));
  return out;
}

}  // namespace kerbpool::core::spnego
