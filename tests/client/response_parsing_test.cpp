// What the workstation reads from a front-end's answer: WWW-Authenticate challenges and the JSON "node".
#include <catch2/catch.hpp>

#include "client/auth_challenge.hpp"
#include "client/json_field.hpp"
#include "client/web_ticket_session.hpp"
#include "core/common/base64.hpp"

using namespace kerbpool;
using client::parseChallenges;
using client::topLevelJsonString;

TEST_CASE("json field: string members of the top-level object", "[client][json]") {
  const std::string body =
      R"({"node":"fe01","user":"alice@CONTOSO.TEST","groups":["Domain Users","Pool Users"],)"
      R"("mechanism":"kerberos","n":-1.5e3,"o":{"node":"inner"},"t":true,"f":false,"z":null})";
  CHECK(topLevelJsonString(body, "node") == "fe01");
  CHECK(topLevelJsonString(body, "user") == "alice@CONTOSO.TEST");
  CHECK(topLevelJsonString(body, "mechanism") == "kerberos");
  CHECK_FALSE(topLevelJsonString(body, "groups"));  // not a string
  CHECK_FALSE(topLevelJsonString(body, "missing"));
  CHECK(topLevelJsonString(" \n{ \"o\" : {\"node\":\"x\"}, \"node\" : \"fe02\" } \r\n", "node") == "fe02");
  CHECK(topLevelJsonString(R"({"node":"a\"b\\c\/\u00e9\ud83d\ude00\n"})", "node") ==
        "a\"b\\c/\xc3\xa9\xf0\x9f\x98\x80\n");
  CHECK(topLevelJsonString(R"({"node":"first","node":"second"})", "node") == "first");
  CHECK(topLevelJsonString("{}", "node") == std::nullopt);
}

TEST_CASE("json field: malformed bodies give nothing", "[client][json]") {
  const char* bad[] = {
      "",
      "node",
      "<html>fe01</html>",
      R"(["node","fe01"])",
      R"({"node":"fe01")",
      R"({"node":"fe01",})",
      R"({"node" "fe01"})",
      R"({"node":"fe01"} x)",
      R"({"node":"fe01\x"})",
      R"({"node":"\ud83d"})",
      R"({"node":"\udc00"})",
      "{\"node\":\"a\nb\"}",
      R"({"node":"fe01","n":01})",
      R"({"node":"fe01","n":1.})",
      R"({"node":"fe01","t":tru})",
      R"({"node":"fe01","a":[1,2,]})",
      "{\"node\":\"fe\xff\"}",  // not UTF-8
      R"("fe01")",
      "null",
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(topLevelJsonString(text, "node"));
  }
  // Nesting costs no stack (nlohmann's parser and destructor are iterative); an unclosed one is refused.
  const std::string open(100000, '[');
  const std::string close(100000, ']');
  CHECK(topLevelJsonString("{\"a\":" + open + close + ",\"node\":\"x\"}", "node") == "x");
  CHECK_FALSE(topLevelJsonString("{\"node\":" + open + close + "}", "node"));
  CHECK_FALSE(topLevelJsonString("{\"a\":" + open, "node"));
}

TEST_CASE("challenges: separate fields and comma-joined lists", "[client][challenge]") {
  auto iis = parseChallenges({"Negotiate", "NTLM"});
  CHECK(iis.negotiate);
  CHECK(iis.ntlm);
  CHECK_FALSE(iis.negotiateToken);
  CHECK(iis.describe() == "Negotiate, NTLM");

  auto joined = parseChallenges({"negotiate, Basic realm=\"contoso\", ntlm"});
  CHECK(joined.negotiate);
  CHECK(joined.ntlm);
  CHECK(joined.otherSchemes == std::vector<std::string>{"Basic"});

  const core::Bytes token{0xa1, 0x03, 0x0a, 0x01, 0x00};
  auto withToken = parseChallenges({"Negotiate " + core::base64Encode(token)});
  REQUIRE(withToken.negotiateToken);
  CHECK(*withToken.negotiateToken == token);
  auto ntlm = parseChallenges({"NTLM TlRMTVNTUAACAAAA"});
  REQUIRE(ntlm.ntlmToken);
  CHECK(ntlm.ntlmToken->size() == 12);

  auto basic = parseChallenges({"Basic realm=\"x\"", "Bearer"});
  CHECK_FALSE(basic.any());
  CHECK(basic.describe() == "Basic, Bearer");
  CHECK(parseChallenges({}).describe() == "none");

  auto broken = parseChallenges({"Negotiate !!!", "NTLM a b"});
  CHECK_FALSE(broken.any());
  CHECK(broken.malformed.size() == 2);
}

TEST_CASE("msRtcOAuthHref: the WebTicket service's URL from Lync's MsRtcOAuth challenge",
          "[client][webticket]") {
  using kerbpool::client::msRtcOAuthHref;
  CHECK(msRtcOAuthHref({"Bearer trusted_issuers=\"\", client_id=\"00000004-0000-0ff1-ce00-000000000000\"",
                        "MsRtcOAuth href=\"https://pool.contoso.test:4443/WebTicket/oauthtoken\",grant_type="
                        "\"urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password\""}) ==
        std::optional<std::string>("https://pool.contoso.test:4443/WebTicket/oauthtoken"));
  CHECK_FALSE(msRtcOAuthHref({"Negotiate", "NTLM"}));
  CHECK_FALSE(msRtcOAuthHref({"MsRtcOAuth grant_type=\"x\""}));
  CHECK_FALSE(msRtcOAuthHref({"MsRtcOAuth href=\"\""}));
  CHECK_FALSE(msRtcOAuthHref({"MsRtcOAuth href=\"https://unterminated"}));
  CHECK_FALSE(msRtcOAuthHref({}));
}
