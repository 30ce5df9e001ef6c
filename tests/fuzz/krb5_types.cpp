// Fuzz target: the universal-SEQUENCE structures of core/messages that arrive inside other messages
// (KDC-REQ-BODY, PA-DATA values, e-data, FAST, authorization data). Same contract as krb5_messages:
// accepted input must survive encode(decode(x)) == x.
#include <cstddef>
#include <cstdint>

#include "core/messages/fast.hpp"
#include "core/messages/group_authdata.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/krb_error.hpp"
#include "core/messages/padata.hpp"
#include "core/messages/types.hpp"
#include "tests/fuzz/der_round_trip.hpp"

using namespace kerbpool;
namespace messages = core::messages;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const core::BytesView in = fuzz::bytesOf(data, size);
  fuzz::decodeRoundTrip<messages::KdcReqBody>(in, "KDC-REQ-BODY");
  fuzz::decodeRoundTrip<messages::PrincipalName>(in, "PrincipalName");
  fuzz::decodeRoundTrip<messages::EncryptedData>(in, "EncryptedData");
  fuzz::decodeRoundTrip<messages::EncryptionKey>(in, "EncryptionKey");
  fuzz::decodeRoundTrip<messages::Checksum>(in, "Checksum");
  fuzz::decodeRoundTrip<messages::HostAddresses>(in, "HostAddresses");
  fuzz::decodeRoundTrip<messages::PaData>(in, "PA-DATA");
  fuzz::decodeRoundTrip<messages::MethodData>(in, "METHOD-DATA");
  fuzz::decodeRoundTrip<messages::AuthorizationData>(in, "AuthorizationData");
  fuzz::decodeRoundTrip<messages::PaEncTsEnc>(in, "PA-ENC-TS-ENC");
  fuzz::decodeRoundTrip<messages::EtypeInfo2>(in, "ETYPE-INFO2");
  fuzz::decodeRoundTrip<messages::EtypeInfo>(in, "ETYPE-INFO");
  fuzz::decodeRoundTrip<messages::PaPacRequest>(in, "PA-PAC-REQUEST");
  fuzz::decodeRoundTrip<messages::TypedData>(in, "TYPED-DATA");
  fuzz::decodeRoundTrip<messages::PaFxFastRequest>(in, "PA-FX-FAST-REQUEST");
  fuzz::decodeRoundTrip<messages::KrbFastReq>(in, "KrbFastReq");
  fuzz::decodeRoundTrip<messages::PaFxFastReply>(in, "PA-FX-FAST-REPLY");
  fuzz::decodeRoundTrip<messages::KrbFastResponse>(in, "KrbFastResponse");
  if (auto groups = messages::decodeGroupList(in); groups.ok()) {
    fuzz::checkSame(in, messages::encodeGroupList(*groups), "KerbpoolGroups: encode(decode(x)) != x");
  }
  return 0;
}
