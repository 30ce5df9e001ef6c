#pragma once

#include <cstdint>
#include <optional>

#include "core/messages/types.hpp"

namespace kerbpool::kdc {

// Times and renewability of a new ticket, all in Unix seconds.
struct TicketTimes {
  std::int64_t authtime = 0;
  std::int64_t starttime = 0;
  std::int64_t endtime = 0;
  std::optional<std::int64_t> renewTill;
};

struct TicketTimeRequest {
  std::int64_t now = 0;
  std::int64_t authtime = 0;
  std::int64_t till = 0;                 // 0 (19700101000000Z): no limit requested
  std::optional<std::int64_t> rtime;     // requested renew-till
  bool renewable = false;                // kdc-options renewable
  bool renewableOk = false;              // kdc-options renewable-ok
  std::int64_t maxLife = 0;              // policy, seconds
  std::int64_t maxRenew = 0;             // policy, seconds
  std::optional<std::int64_t> capEnd;    // TGS: the TGT's endtime
  std::optional<std::int64_t> capRenew;  // TGS: the TGT's renew-till (nullopt: the TGT is not renewable)
  bool allowRenew = true;                // TGS: false when the TGT is not renewable
};

// RFC 4120 3.1.3 / 3.3.3: endtime is the least of till, now + maxLife and the TGT's endtime; a renewable
// ticket is issued when asked (or with renewable-ok when till could not be met), renew-till capped by policy.
TicketTimes computeTicketTimes(const TicketTimeRequest& r);

}  // namespace kerbpool::kdc
