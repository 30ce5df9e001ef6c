#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

// AV_PAIR lists (MS-NLMP 2.2.2.1): {le16 AvId, le16 AvLen, value}, ended by MsvAvEOL (0, 0). They form the
// CHALLENGE TargetInfo and, extended by the client, the AV pairs inside the NTLMv2 response.
namespace kerbpool::core::ntlm {

enum class AvId : std::uint16_t {
  MsvAvEOL = 0,
  MsvAvNbComputerName = 1,
  MsvAvNbDomainName = 2,
  MsvAvDnsComputerName = 3,
  MsvAvDnsDomainName = 4,
  MsvAvDnsTreeName = 5,
  MsvAvFlags = 6,
  MsvAvTimestamp = 7,
  MsvAvSingleHost = 8,
  MsvAvTargetName = 9,
  MsvAvChannelBindings = 10,
};

// MsvAvFlags bits (MS-NLMP 2.2.2.1).
inline constexpr std::uint32_t kAvFlagConstrained = 0x1;
inline constexpr std::uint32_t kAvFlagMicPresent = 0x2;
inline constexpr std::uint32_t kAvFlagUntrustedSpn = 0x4;

inline constexpr std::size_t kChannelBindingsBytes = 16;  // MD5 of gss_channel_bindings_struct

// One pair as it was on the wire. Unknown ids are kept, and so are duplicates (the first one counts).
struct AvPair {
  std::uint16_t id = 0;
  Bytes value;

  bool operator==(const AvPair&) const = default;
};

// The pairs in wire order, without the closing MsvAvEOL (encode adds it).
class AvPairList {
 public:
  AvPairList() = default;
  explicit AvPairList(std::vector<AvPair> pairs) : pairs_(std::move(pairs)) {}

  const std::vector<AvPair>& pairs() const { return pairs_; }
  bool empty() const { return pairs_.empty(); }

  // The first pair with this id, or nullptr.
  const AvPair* find(AvId id) const;
  // Appends a pair (duplicates allowed).
  void add(AvId id, Bytes value);
  // Replaces the value of the first pair with this id, or appends a new pair.
  void set(AvId id, Bytes value);

  // Typed views. A string pair is UTF-16LE; nullopt when absent (decode has already checked the sizes
  // of Flags, Timestamp and ChannelBindings).
  Result<std::optional<std::string>> text(AvId id) const;
  std::optional<std::uint64_t> timestamp() const;  // FILETIME
  std::optional<std::uint32_t> flags() const;      // MsvAvFlags

  // Helpers for building lists.
  Status setText(AvId id, std::string_view utf8);
  void setTimestamp(std::uint64_t fileTime);
  void setFlags(std::uint32_t flags);

  bool operator==(const AvPairList&) const = default;

 private:
  std::vector<AvPair> pairs_;
};

// The list followed by MsvAvEOL. Fails (Encoding "av_too_long") for a value over 65535 bytes or a pair
// that uses id 0.
Result<Bytes> encodeAvPairs(const AvPairList& list);

struct DecodedAvPairs {
  AvPairList list;
  std::size_t consumed = 0;  // bytes up to and including MsvAvEOL
};

// Strict decode from the start of `in`: every pair lies inside the buffer ("av_truncated"), MsvAvEOL is
// present ("av_missing_eol") with AvLen 0 ("av_bad_length"), and Flags/Timestamp/ChannelBindings have
// their fixed sizes 4/8/16 ("av_bad_length"). Bytes after EOL are left to the caller. `where` names the
// field in error details ("CHALLENGE.TargetInfo").
Result<DecodedAvPairs> decodeAvPairsPrefix(BytesView in, std::string_view where);
// The same, and nothing may follow MsvAvEOL ("av_trailing_bytes").
Result<AvPairList> decodeAvPairs(BytesView in, std::string_view where);

std::string_view avIdName(std::uint16_t id);  // "MsvAvTimestamp", or "unknown" for other ids

}  // namespace kerbpool::core::ntlm
