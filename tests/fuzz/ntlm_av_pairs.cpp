// Fuzz target: AV_PAIR lists (MS-NLMP 2.2.2.1), as in a CHALLENGE's TargetInfo, and the NTLMv2 client
// challenge ("temp", 2.2.2.7) that carries the client's copy inside NtChallengeResponse. A decoded list
// re-encodes to the same bytes; the typed views never fail on what decode accepted.
#include <cstddef>
#include <cstdint>

#include "core/ntlm/av_pairs.hpp"
#include "core/ntlm/ntlmv2.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;
namespace ntlm = core::ntlm;

namespace {

void views(const ntlm::AvPairList& list) {
  for (std::uint16_t id = 0; id <= 10; ++id) {
    (void)list.text(static_cast<ntlm::AvId>(id));
    (void)ntlm::avIdName(id);
  }
  (void)list.timestamp();
  (void)list.flags();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const core::BytesView in = fuzz::bytesOf(data, size);
  if (auto list = ntlm::decodeAvPairs(in, "fuzz"); list.ok()) {
    views(*list);
    auto encoded = ntlm::encodeAvPairs(*list);
    fuzz::check(encoded.ok(), "AV pairs: a decoded list does not encode");
    fuzz::checkSame(in, *encoded, "AV pairs: encode(decode(x)) != x");
  }
  if (auto prefix = ntlm::decodeAvPairsPrefix(in, "fuzz"); prefix.ok()) {
    fuzz::check(prefix->consumed <= in.size(), "AV pairs: consumed past the end");
    views(prefix->list);
  }
  if (auto temp = ntlm::decodeTemp(in); temp.ok()) {
    views(temp->avPairs);
    auto pairs = ntlm::encodeAvPairs(temp->avPairs);
    fuzz::check(pairs.ok(), "NTLMv2 temp: its AV pairs do not encode");
    auto rebuilt = ntlm::buildTemp(temp->timeStamp, temp->challengeFromClient, *pairs);
    fuzz::check(rebuilt.ok(), "NTLMv2 temp: buildTemp failed");
    auto again = ntlm::decodeTemp(*rebuilt);
    fuzz::check(again.ok() && again->avPairs == temp->avPairs && again->timeStamp == temp->timeStamp &&
                    again->challengeFromClient == temp->challengeFromClient,
                "NTLMv2 temp: decode(build(t)) != t");
  }
  return 0;
}
