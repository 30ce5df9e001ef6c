#include "client/credential.hpp"

#include "core/iana/ticket_flags.hpp"

namespace kerbpool::client {

bool Credential::renewable() const {
  return (flags & core::iana::ticket_flags::renewable) != 0 && renewTill.has_value();
}

Credential makeCredential(const core::messages::KdcRep& reply, const core::messages::EncKdcRepPart& part) {
  Credential c;
  c.ticket = reply.ticket;
  c.ticketBytes = reply.ticket.raw.empty() ? core::messages::encode(reply.ticket) : reply.ticket.raw;
  c.sessionKey = core::crypto::Key{part.key.keytype, part.key.keyvalue};
  c.client = Principal{reply.cname, reply.crealm};
  c.server = Principal{part.sname, part.srealm};
  c.authtime = part.authtime;
  c.starttime = part.starttime.value_or(part.authtime);
  c.endtime = part.endtime;
  c.renewTill = part.renewTill;
  c.flags = part.flags;
  return c;
}

}  // namespace kerbpool::client
