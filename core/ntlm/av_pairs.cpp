#include "core/ntlm/av_pairs.hpp"

#include <string>

#include "core/ntlm/ntlm_strings.hpp"
#include "core/ntlm/ntlm_wire.hpp"

namespace kerbpool::core::ntlm {

namespace {

constexpr std::size_t kHeaderBytes = 4;

Error avError(std::string code, std::string_view where, const std::string& what) {
  return makeError(ErrorCategory::Decoding, std::move(code), std::string(where) + ": " + what);
}

std::optional<std::size_t> fixedSize(std::uint16_t id) {
  switch (static_cast<AvId>(id)) {
    case AvId::MsvAvEOL:
      return 0;
    case AvId::MsvAvFlags:
      return 4;
    case AvId::MsvAvTimestamp:
      return 8;
    case AvId::MsvAvChannelBindings:
      return kChannelBindingsBytes;
    default:
      return std::nullopt;
  }
}

}  // namespace

const AvPair* AvPairList::find(AvId id) const {
  for (const auto& p : pairs_) {
    if (p.id == static_cast<std::uint16_t>(id)) {
      return &p;
    }
  }
  return nullptr;
}

void AvPairList::add(AvId id, Bytes value) {
  pairs_.push_back(AvPair{static_cast<std::uint16_t>(id), std::move(value)});
}

void AvPairList::set(AvId id, Bytes value) {
  for (auto& p : pairs_) {
    if (p.id == static_cast<std::uint16_t>(id)) {
      p.value = std::move(value);
      return;
    }
  }
  add(id, std::move(value));
}

Result<std::optional<std::string>> AvPairList::text(AvId id) const {
  const AvPair* p = find(id);
  if (p == nullptr) {
    return std::optional<std::string>{};
  }
  KP_TRY(auto s, utf16leToUtf8(p->value, avIdName(p->id)));
  return std::optional<std::string>(std::move(s));
}

std::optional<std::uint64_t> AvPairList::timestamp() const {
  const AvPair* p = find(AvId::MsvAvTimestamp);
  if (p == nullptr || p->value.size() != 8) {
    return std::nullopt;
  }
  return wire::getLe64(p->value, 0);
}

std::optional<std::uint32_t> AvPairList::flags() const {
  const AvPair* p = find(AvId::MsvAvFlags);
  if (p == nullptr || p->value.size() != 4) {
    return std::nullopt;
  }
  return wire::getLe32(p->value, 0);
}

Status AvPairList::setText(AvId id, std::string_view utf8) {
  KP_TRY(auto wireText, encodeNtlmString(utf8, true, avIdName(static_cast<std::uint16_t>(id))));
  set(id, std::move(wireText));
  return okStatus();
}

void AvPairList::setTimestamp(std::uint64_t fileTime) {
  Bytes v;
  wire::putLe64(v, fileTime);
  set(AvId::MsvAvTimestamp, std::move(v));
}

void AvPairList::setFlags(std::uint32_t flags) {
  Bytes v;
  wire::putLe32(v, flags);
  set(AvId::MsvAvFlags, std::move(v));
}

Result<Bytes> encodeAvPairs(const AvPairList& list) {
  Bytes out;
  for (const auto& p : list.pairs()) {
    if (p.id == 0) {
      return makeError(ErrorCategory::Encoding, "av_eol_inside", "MsvAvEOL may only close the list");
    }
    if (p.value.size() > 0xffff) {
      return makeError(ErrorCategory::Encoding, "av_too_long",
                       std::string(avIdName(p.id)) + " value of " + std::to_string(p.value.size()) +
                           " bytes does not fit AvLen");
    }
    wire::putLe16(out, p.id);
    wire::putLe16(out, static_cast<std::uint16_t>(p.value.size()));
    append(out, p.value);
  }
  wire::putLe16(out, 0);
  wire::putLe16(out, 0);
  return out;
}

Result<DecodedAvPairs> decodeAvPairsPrefix(BytesView in, std::string_view where) {
  DecodedAvPairs out;
  std::vector<AvPair> pairs;
  std::size_t pos = 0;
  while (true) {
    if (pos == in.size()) {
      return avError("av_missing_eol", where,
                     "no MsvAvEOL after " + std::to_string(pairs.size()) + " pairs in " +
                         std::to_string(in.size()) + " bytes");
    }
    if (in.size() - pos < kHeaderBytes) {
      return avError("av_truncated", where,
                     "AV_PAIR header at byte " + std::to_string(pos) + " needs 4 bytes, " +
                         std::to_string(in.size() - pos) + " left");
    }
    const std::uint16_t id = wire::getLe16(in, pos);
    const std::uint16_t len = wire::getLe16(in, pos + 2);
    const std::string name(avIdName(id));
    if (static_cast<std::size_t>(len) > in.size() - pos - kHeaderBytes) {
      return avError("av_truncated", where,
                     name + " at byte " + std::to_string(pos) + " has AvLen " + std::to_string(len) + ", " +
                         std::to_string(in.size() - pos - kHeaderBytes) + " bytes left");
    }
    if (auto size = fixedSize(id); size && *size != len) {
      return avError("av_bad_length", where,
                     name + " at byte " + std::to_string(pos) + " has AvLen " + std::to_string(len) +
                         ", expected " + std::to_string(*size));
    }
    const auto value = in.subspan(pos + kHeaderBytes, len);
    pos += kHeaderBytes + len;
    if (id == 0) {
      break;
    }
    pairs.push_back(AvPair{id, Bytes(value.begin(), value.end())});
  }
  out.list = AvPairList(std::move(pairs));
  out.consumed = pos;
  return out;
}

Result<AvPairList> decodeAvPairs(BytesView in, std::string_view where) {
  KP_TRY(auto decoded, decodeAvPairsPrefix(in, where));
  if (decoded.consumed != in.size()) {
    return avError("av_trailing_bytes", where,
                   std::to_string(in.size() - decoded.consumed) + " bytes after MsvAvEOL at byte " +
                       std::to_string(decoded.consumed - kHeaderBytes));
  }
  return std::move(decoded.list);
}

std::string_view avIdName(std::uint16_t id) {
  switch (static_cast<AvId>(id)) {
    case AvId::MsvAvEOL:
      return "MsvAvEOL";
    case AvId::MsvAvNbComputerName:
      return "MsvAvNbComputerName";
    case AvId::MsvAvNbDomainName:
      return "MsvAvNbDomainName";
    case AvId::MsvAvDnsComputerName:
      return "MsvAvDnsComputerName";
    case AvId::MsvAvDnsDomainName:
      return "MsvAvDnsDomainName";
    case AvId::MsvAvDnsTreeName:
      return "MsvAvDnsTreeName";
    case AvId::MsvAvFlags:
      return "MsvAvFlags";
    case AvId::MsvAvTimestamp:
      return "MsvAvTimestamp";
    case AvId::MsvAvSingleHost:
      return "MsvAvSingleHost";
    case AvId::MsvAvTargetName:
      return "MsvAvTargetName";
    case AvId::MsvAvChannelBindings:
      return "MsvAvChannelBindings";
  }
  return "unknown";
}

}  // namespace kerbpool::core::ntlm
