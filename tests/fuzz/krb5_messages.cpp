// Fuzz target: the RFC 4120 messages of core/messages, the [APPLICATION n] PDUs a KDC, a client or an
// acceptor reads off the wire or out of a decrypted part. Every decoder sees every input (the application
// tag picks at most one); an accepted input must survive encode(decode(x)) == x (der_round_trip.hpp).
#include <cstddef>
#include <cstdint>

#include "core/messages/ap_rep.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/krb_cred.hpp"
#include "core/messages/krb_error.hpp"
#include "core/messages/ticket.hpp"
#include "tests/fuzz/der_round_trip.hpp"

using namespace kerbpool;
namespace messages = core::messages;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const core::BytesView in = fuzz::bytesOf(data, size);
  (void)messages::peekMsgType(in);
  int accepted = 0;
  accepted += fuzz::decodeRoundTrip<messages::Ticket>(in, "Ticket");
  accepted += fuzz::decodeRoundTrip<messages::EncTicketPart>(in, "EncTicketPart");
  accepted += fuzz::decodeRoundTrip<messages::Authenticator>(in, "Authenticator");
  accepted += fuzz::decodeRoundTrip<messages::AsReq>(in, "AS-REQ");
  accepted += fuzz::decodeRoundTrip<messages::TgsReq>(in, "TGS-REQ");
  accepted += fuzz::decodeRoundTrip<messages::AsRep>(in, "AS-REP");
  accepted += fuzz::decodeRoundTrip<messages::TgsRep>(in, "TGS-REP");
  accepted += fuzz::decodeRoundTrip<messages::EncKdcRepPart>(in, "EncKDCRepPart");
  accepted += fuzz::decodeRoundTrip<messages::ApReq>(in, "AP-REQ");
  accepted += fuzz::decodeRoundTrip<messages::ApRep>(in, "AP-REP");
  accepted += fuzz::decodeRoundTrip<messages::EncApRepPart>(in, "EncAPRepPart");
  accepted += fuzz::decodeRoundTrip<messages::KrbError>(in, "KRB-ERROR");
  accepted += fuzz::decodeRoundTrip<messages::KrbCred>(in, "KRB-CRED");
  accepted += fuzz::decodeRoundTrip<messages::EncKrbCredPart>(in, "EncKrbCredPart");
  fuzz::check(accepted <= 1, "one input accepted as two message types");
  return 0;
}
