// The HTML report of a recorded run: one self-contained page (the libraries embedded, no network address),
// the text report's words, time series that add up to the run's counts, one sign-in trace per phase with the
// run's real messages, and the event log rows.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scenarios/report_assets.hpp"
#include "scenarios/report_html.hpp"
#include "tests/scenarios/scenario_run_support.hpp"
#include "tests/support/kdc_fixture.hpp"

using namespace kerbpool;

namespace {

scenarios::RunReport recordedRun(const std::string& name, std::uint64_t clients = 0) {
  return test::runBuiltin(name, clients, true);
}

// The page's data block, parsed.
nlohmann::json pageData(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"kp-data\">";
  const auto begin = page.find(open);
  REQUIRE(begin != std::string::npos);
  const auto end = page.find("</script>", begin);
  REQUIRE(end != std::string::npos);
  return nlohmann::json::parse(page.substr(begin + open.size(), end - begin - open.size()));
}

std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("report assets: the embedded libraries are byte for byte the pinned npm files",
          "[scenarios][html]") {
  const std::string modules = (test::sourceDir() / "report-assets" / "node_modules").string() + "/";
  const std::map<std::string, std::string> files{
      {"Chart.js", modules + "chart.js/dist/chart.umd.min.js"},
      {"chartjs-plugin-annotation",
       modules + "chartjs-plugin-annotation/dist/chartjs-plugin-annotation.min.js"},
      {"Mermaid", modules + "mermaid/dist/mermaid.min.js"}};
  std::size_t found = 0;
  for (const auto& a : scenarios::reportAssets()) {
    const auto it = files.find(std::string(a.name));
    if (it == files.end()) {
      continue;
    }
    ++found;
    INFO(a.name);
    CHECK_FALSE(a.version.empty());
    const std::string text = a.text();
    CHECK(text.size() == a.size);
    CHECK(text == fileText(it->second));
  }
  CHECK(found == 3);
}

TEST_CASE("html report of the tour: the text report's words, series that add up, one trace per phase",
          "[integration][scenarios][html]") {
  const auto report = recordedRun("tour");
  const std::string text = scenarios::formatReport(report);
  const std::string page = scenarios::formatReportHtml({{&report, "tour", text}});

  // Self-contained: the libraries are in it, nothing is fetched.
  CHECK(page.find("Chart.js v") != std::string::npos);
  CHECK(page.find("mermaid") != std::string::npos);
  CHECK(page.find("<script src=") == std::string::npos);
  CHECK(page.find("<link ") == std::string::npos);
  CHECK(page.size() < 4u * 1024 * 1024);

  const auto data = pageData(page);
  REQUIRE(data["runs"].size() == 1);
  const auto& run = data["runs"][0];
  CHECK(run["text"] == text);
  CHECK(run["passed"] == true);
  CHECK(run["verdict"].get<std::string>().find("POOLKERB$") != std::string::npos);

  // The series count every request once, and the DC's pass-throughs.
  const auto& series = run["series"];
  std::uint64_t requests = 0;
  for (const auto& [kind, values] : series["outcomes"].items()) {
    for (const auto& v : values) {
      requests += v.get<std::uint64_t>();
    }
  }
  CHECK(requests == report.population.outcomes.overall.total());
  std::uint64_t netlogon = 0;
  for (const auto& v : series["netlogon_calls"]) {
    netlogon += v.get<std::uint64_t>();
  }
  CHECK(netlogon == report.servers.netlogonCalls);
  std::uint64_t principalUnknown = 0;
  for (const auto& v : series["kdc_errors"]["KDC_ERR_S_PRINCIPAL_UNKNOWN"]) {
    principalUnknown += v.get<std::uint64_t>();
  }
  CHECK(principalUnknown == report.servers.kdcErrors.at("KDC_ERR_S_PRINCIPAL_UNKNOWN"));
  REQUIRE(series["phases"].size() == 2);
  CHECK(series["phases"][1]["label"] == "after the fix");
  CHECK(series["phases"][1]["start_s"].get<double>() > 0);
  CHECK(series["buckets"].get<std::size_t>() <= 150);
  CHECK(run["latency_histogram"]["counts"].contains("kerberos"));
  CHECK(run["latency_histogram"]["counts"].contains("ntlm"));

  // Before the fix: the full fallback, message by message; after it: a ticket for the shared account's key.
  REQUIRE(run["traces"].size() == 2);
  const std::string before = run["traces"][0]["mermaid"];
  const std::string after = run["traces"][1]["mermaid"];
  INFO(before);
  INFO(after);
  CHECK(before.rfind("sequenceDiagram\n", 0) == 0);
  for (const char* expected :
       {"A? pool.contoso.test", "HTTP 401, WWW-Authenticate: Negotiate + NTLM", "without pre-authentication",
        "KRB-ERROR KDC_ERR_PREAUTH_REQUIRED", "with PA-ENC-TIMESTAMP", "AS-REP: TGT krbtgt/CONTOSO.TEST",
        "TGS-REQ for HTTP/pool.contoso.test",
        "KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN for HTTP/pool.contoso.test", "NTLMSSP NEGOTIATE",
        "(NTLMSSP CHALLENGE)", "NTLMSSP AUTHENTICATE (NTLMv2) for CONTOSO\\user", "NetrLogonSamLogonEx",
        "STATUS_SUCCESS (event 4776, Status 0x0)", "HTTP 200"}) {
    CHECK(before.find(expected) != std::string::npos);
  }
  CHECK(after.find("TGS-REP: service ticket for HTTP/pool.contoso.test") != std::string::npos);
  CHECK(after.find("kvno 2") != std::string::npos);
  CHECK(after.find("Kerberos AP-REQ for HTTP/pool.contoso.test") != std::string::npos);
  CHECK(after.find("NTLMSSP") == std::string::npos);
  CHECK(after.find("Netlogon") == std::string::npos);
  CHECK(run["traces"][0]["outcome"] == "ntlm");
  CHECK(run["traces"][1]["outcome"] == "kerberos");

  // The DC's event log: event 11 and the failed service tickets (Status 0x7) are rows of the table.
  bool event11 = false, failedTgs = false, ntlmValidation = false;
  for (const auto& row : run["events"]["rows"]) {
    const int id = row[2];
    const std::string fields = row[4];
    event11 = event11 || id == 11;
    failedTgs = failedTgs || (id == 4769 && fields.find("Status=0x7") != std::string::npos);
    ntlmValidation = ntlmValidation || id == 4776;
  }
  CHECK(event11);
  CHECK(failedTgs);
  CHECK(ntlmValidation);
}

TEST_CASE("html report: the data block cannot close its script element and Mermaid text is escaped",
          "[scenarios][html]") {
  scenarios::SignInTrace trace;
  trace.messages.push_back({"WS1", "load balancer", "GET /a;b#c </script> <token>", false, false});
  trace.messages.push_back({"load balancer", "WS1", "HTTP 401", true, true});
  const std::string mermaid = scenarios::mermaidSequence(trace);
  CHECK(mermaid.find("participant P0 as WS1\n") != std::string::npos);
  CHECK(mermaid.find("P0->>P1: GET /a#59;b#35;c #lt;/script#gt; #lt;token#gt;\n") != std::string::npos);
  CHECK(mermaid.find("P1--xP0: HTTP 401\n") != std::string::npos);

  scenarios::RunReport report;
  report.scenario.name = "x";
  report.population.phases.push_back(scenarios::PhaseInfo{"the whole run </script>", 0, {}, ""});
  const std::string page = scenarios::formatReportHtml({{&report, "x", "kerbpool run x: </script><b>"}});
  const auto data = page.find("id=\"kp-data\">");
  REQUIRE(data != std::string::npos);
  const auto close = page.find("</script>", data);
  REQUIRE(close != std::string::npos);
  // The first </script> after the data is its own: the text's was written <\/script>.
  CHECK(page.substr(data, close - data).find("<\\/script>") != std::string::npos);
  CHECK(pageData(page)["runs"][0]["text"] == "kerbpool run x: </script><b>");
}

TEST_CASE("html report of a scaled run stays small: buckets and event rows are bounded",
          "[integration][scenarios][html]") {
  const auto report = recordedRun("scale", 600);
  const std::string page = scenarios::formatReportHtml({{&report, "scale", scenarios::formatReport(report)}});
  const auto data = pageData(page);
  const auto& run = data["runs"][0];
  CHECK(run["series"]["buckets"].get<std::size_t>() <= 150);
  CHECK(run["events"]["shown"].get<std::size_t>() <= scenarios::kHtmlEventRows);
  // The libraries are about 3 MB; the run's own data stays a small part of the page.
  std::size_t libraries = 0;
  for (const auto& a : scenarios::reportAssets()) {
    libraries += a.size;
  }
  CHECK(page.size() - libraries < 1024 * 1024);
}
