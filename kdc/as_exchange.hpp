#pragma once

#include <string>

#include "core/messages/kdc_req.hpp"
#include "kdc/kdc_context.hpp"

namespace kerbpool::kdc {

// The AS exchange (RFC 4120 3.1), as named steps: gather (client, service, enctypes) -> check
// (pre-authentication with PA-ENC-TIMESTAMP, clock skew) -> issue (session key, ticket, reply). Events 4768
// and 4771 are recorded here. `peer` is the client's address for the event log.
ExchangeResult processAsReq(const core::messages::AsReq& request, const KdcContext& ctx,
                            const std::string& peer);

}  // namespace kerbpool::kdc
