#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>

#include "core/common/base64.hpp"
#include "core/spnego/neg_token.hpp"
#include "tests/support/mit_capture.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::spnego;

// The curl --negotiate request of the MIT capture (captures/README.md). Nothing is copied into the
// repository: the tokens are read from the reference folder at test time.
namespace {

const std::string kRequestHeader = "Authorization: Negotiate ";
const std::string kResponseHeader = "WWW-Authenticate: Negotiate ";

// The base64 after `name` on its line of the tshark -V text (tshark may prefix "[truncated]").
std::string headerFromText(const std::string& name) {
  std::ifstream in(kerbpool::test::mitCaptureTextPath());
  REQUIRE(in.good());
  std::string line;
  while (std::getline(in, line)) {
    const auto pos = line.find(name);
    if (pos != std::string::npos) {
      std::string value = line.substr(pos + name.size());
      // tshark prints the header with a literal "\r\n" escape when it is not truncated.
      if (const auto esc = value.find("\\r\\n"); esc != std::string::npos) {
        value.resize(esc);
      }
      return value;
    }
  }
  FAIL("no line with '" << name << "' in mit-kinit-kvno-curl.txt");
  return {};
}

}  // namespace

TEST_CASE("the MIT capture's Authorization: Negotiate token decodes as SPNEGO with a krb5 AP-REQ",
          "[spnego][capture]") {
  const std::string fromText = headerFromText(kRequestHeader);
  const std::string b64 = kerbpool::test::mitCaptureHttpHeader(kRequestHeader);
  // tshark -V truncates long header lines: the text gives a prefix, the packet gives the whole value.
  REQUIRE(fromText.size() > 100);
  CHECK(b64.compare(0, fromText.size(), fromText) == 0);

  auto token = base64Decode(b64);
  REQUIRE(token.ok());
  auto initial = decodeInitialToken(*token);
  REQUIRE(initial.ok());
  CHECK(initial->kind == InitialTokenKind::Spnego);
  const NegTokenInit& init = *initial->negTokenInit;
  REQUIRE(init.mechTypes.size() == 1);  // curl/MIT offers krb5 only (tshark: "mechTypes: 1 item")
  CHECK(oidEqual(init.mechTypes[0], krb5Oid()));
  CHECK_FALSE(init.reqFlags.has_value());
  CHECK_FALSE(init.mechListMic.has_value());
  REQUIRE(init.mechToken.has_value());
  auto krb5 = unwrapKrb5Token(*init.mechToken);
  REQUIRE(krb5.ok());
  CHECK(krb5->tokId == TokId::ApReq);
  CHECK(oidEqual(krb5->mechOid, krb5Oid()));
  REQUIRE_FALSE(krb5->message.empty());
  CHECK(krb5->message[0] == 0x6e);
  // Re-encoding reproduces MIT's bytes and base64 exactly.
  CHECK(encodeInitialToken(init) == *token);
  CHECK(base64Encode(*token) == b64);

  // A truncated copy (as the tshark text would give) is refused, not crashed on.
  auto partial = base64Decode(fromText.substr(0, fromText.size() / 4 * 4));
  REQUIRE(partial.ok());
  CHECK_FALSE(decodeInitialToken(*partial).ok());
}

TEST_CASE("the MIT capture's WWW-Authenticate: Negotiate token is a NegTokenResp with an AP-REP",
          "[spnego][capture]") {
  const std::string fromText = headerFromText(kResponseHeader);
  const std::string b64 = kerbpool::test::mitCaptureHttpHeader(kResponseHeader);
  CHECK(b64.compare(0, fromText.size(), fromText) == 0);
  auto token = base64Decode(b64);
  REQUIRE(token.ok());
  auto resp = decodeNegotiationToken(*token);
  REQUIRE(resp.ok());
  REQUIRE(std::holds_alternative<NegTokenResp>(*resp));
  const auto& r = std::get<NegTokenResp>(*resp);
  CHECK(r.negState == NegState::AcceptCompleted);
  REQUIRE(r.supportedMech.has_value());
  CHECK(oidEqual(*r.supportedMech, krb5Oid()));
  REQUIRE(r.responseToken.has_value());
  auto apRep = unwrapKrb5Token(*r.responseToken);
  REQUIRE(apRep.ok());
  CHECK(apRep->tokId == TokId::ApRep);
  CHECK(apRep->message.at(0) == 0x6f);
  CHECK(encodeNegotiationToken(*resp) == *token);
}
