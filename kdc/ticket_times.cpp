#include "kdc/ticket_times.hpp"

#include <algorithm>

namespace kerbpool::kdc {

TicketTimes computeTicketTimes(const TicketTimeRequest& r) {
  TicketTimes t;
  t.authtime = r.authtime;
  t.starttime = r.now;
  std::int64_t end = r.now + r.maxLife;
  if (r.till != 0) {
    end = std::min(end, r.till);
  }
  if (r.capEnd) {
    end = std::min(end, *r.capEnd);
  }
  t.endtime = end;

  if (!r.allowRenew) {
    return t;
  }
  std::optional<std::int64_t> wanted;
  if (r.renewable && r.rtime) {
    wanted = *r.rtime == 0 ? r.now + r.maxRenew : *r.rtime;
  } else if (r.renewable) {
    wanted = r.now + r.maxRenew;
  } else if (r.renewableOk && (r.till == 0 || r.till > end)) {
    wanted = r.till == 0 ? r.now + r.maxRenew : r.till;
  }
  if (wanted) {
    std::int64_t renewTill = std::min(*wanted, r.authtime + r.maxRenew);
    renewTill = std::max(renewTill, r.now);
    if (r.capRenew) {
      renewTill = std::min(renewTill, *r.capRenew);
    }
    if (renewTill > t.endtime) {
      t.renewTill = renewTill;
    }
  }
  return t;
}

}  // namespace kerbpool::kdc
