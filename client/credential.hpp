#pragma once

#include <optional>

#include "client/principal.hpp"
#include "core/crypto/enctype.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/ticket.hpp"

// What an AS or TGS exchange yields: a ticket and what the client learned about it from the enc-part.
namespace kerbpool::client {

struct Credential {
  core::messages::Ticket ticket;  // ticket.raw holds the bytes as the KDC sent them
  core::Bytes ticketBytes;        // the same bytes (DER of the Ticket)
  core::crypto::Key sessionKey;
  Principal client;
  Principal server;
  core::messages::KerberosTime authtime = 0;
  core::messages::KerberosTime starttime = 0;  // authtime when the KDC left it out
  core::messages::KerberosTime endtime = 0;
  std::optional<core::messages::KerberosTime> renewTill;
  core::messages::KerberosFlags flags = 0;  // iana::ticket_flags

  bool renewable() const;
  bool isTgt() const { return isTgsPrincipal(server.name); }
};

// Builds a Credential from a decrypted KDC reply (no checks: the exchanges check before calling this).
Credential makeCredential(const core::messages::KdcRep& reply, const core::messages::EncKdcRepPart& part);

}  // namespace kerbpool::client
