// Integration: `kerbpool run tour --html` and `kerbpool compare --html` open in Debian's headless Chromium
// (installed by scripts/install-deps.sh; a missing browser fails the test) offline, without a JavaScript
// error, with every chart drawn and every sequence diagram rendered. The page writes what it drew into
// #kp-status; the test reads it, and the canvases and SVGs themselves, from the DOM Chromium dumps.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/tools.hpp"

using namespace kerbpool;

namespace {

// Chromium offline: every host name but 127.0.0.1 unresolvable, no background traffic, its own profile.
std::string chromium(const test::TempDir& dir) {
  return test::requireTool("chromium") +
         " --headless --disable-gpu --no-sandbox --disable-background-networking --no-first-run"
         " --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' --virtual-time-budget=20000"
         " --user-data-dir=" +
         test::shellQuote((dir / "profile").string());
}

std::string fileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

struct Rendered {
  std::string dom;
  std::string console;  // Chromium's log on stderr: console messages and uncaught errors
};

Rendered render(const test::TempDir& dir, const std::filesystem::path& page) {
  const auto log = dir / "chromium.log";
  const auto r =
      test::runCommand(chromium(dir) + " --enable-logging=stderr --v=0 --dump-dom " +
                       test::shellQuote("file://" + page.string()) + " 2>" + test::shellQuote(log.string()));
  INFO(fileText(log));
  REQUIRE(r.exitCode == 0);
  return {r.output, fileText(log)};
}

// Every chart canvas has a size, data points and ink; every sequence diagram is an SVG with messages.
void checkDrawn(const Rendered& page, std::size_t charts, std::size_t diagrams) {
  INFO(page.console);
  std::smatch status;
  REQUIRE(std::regex_search(page.dom, status, std::regex("<div id=\"kp-status\"[^>]*>([^<]*)<")));
  INFO(status[0].str());
  CHECK(status[0].str().find("data-state=\"ok\"") != std::string::npos);
  CHECK(status[0].str().find("data-charts=\"" + std::to_string(charts) + "\"") != std::string::npos);
  CHECK(status[0].str().find("data-diagrams=\"" + std::to_string(diagrams) + "\"") != std::string::npos);
  CHECK(page.console.find("Uncaught") == std::string::npos);
  CHECK(page.console.find("ERR_NAME_NOT_RESOLVED") == std::string::npos);  // nothing tried the network

  const std::regex canvas("<canvas class=\"chart\"[^>]*>");
  std::size_t drawn = 0;
  for (auto it = std::sregex_iterator(page.dom.begin(), page.dom.end(), canvas); it != std::sregex_iterator();
       ++it) {
    const std::string tag = it->str();
    INFO(tag);
    std::smatch m;
    REQUIRE(std::regex_search(tag, m, std::regex("width=\"(\\d+)\" height=\"(\\d+)\"")));
    CHECK(std::stoi(m[1]) > 100);
    CHECK(std::stoi(m[2]) > 100);
    REQUIRE(std::regex_search(tag, m, std::regex("data-points=\"(\\d+)\" data-inked=\"(\\d+)\"")));
    CHECK(std::stoi(m[1]) > 0);
    CHECK(std::stoi(m[2]) > 0);
    ++drawn;
  }
  CHECK(drawn == charts);

  const std::regex sequence("<div class=\"sequence\"[^>]*data-messages=\"(\\d+)\"[^>]*><svg");
  std::size_t sequences = 0;
  for (auto it = std::sregex_iterator(page.dom.begin(), page.dom.end(), sequence);
       it != std::sregex_iterator(); ++it) {
    CHECK(std::stoi((*it)[1]) >= 5);
    ++sequences;
  }
  CHECK(sequences == diagrams);
}

}  // namespace

TEST_CASE("kerbpool run tour --html opens offline in headless Chromium with every chart and diagram drawn",
          "[integration][scenarios][cli][html][browser]") {
  test::TempDir dir;
  const auto page = dir / "tour.html";
  const auto run = test::runCommand(test::kerbpoolBinary() + " run tour --quiet --html " +
                                    test::shellQuote(page.string()) + " >/dev/null");
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  const auto html = fileText(page);
  CHECK(html.find("<script src=") == std::string::npos);  // everything is inline
  CHECK(html.find("<link ") == std::string::npos);

  const auto rendered = render(dir, page);
  checkDrawn(rendered, 10, 2);
  // The diagrams are the run's own messages, drawn as SVG text.
  CHECK(rendered.dom.find("KDC_ERR_S_PRINCIPAL_UNKNOWN for HTTP/pool.contoso.test") != std::string::npos);
  CHECK(rendered.dom.find("NetrLogonSamLogonEx") != std::string::npos);
  CHECK(rendered.dom.find("TGS-REP: service ticket for HTTP/pool.contoso.test") != std::string::npos);
  // The text report's Why and Fix, and the filterable event table.
  CHECK(
      rendered.dom.find("<p class=\"fix\"><strong>Fix: </strong>Remove the SPN from the computer accounts") !=
      std::string::npos);
  CHECK(rendered.dom.find("class=\"event-filter\"") != std::string::npos);
  CHECK(count(rendered.dom, "<td>4769</td>") > 0);

  // A screenshot for the eye (kept in the temp folder: kerbpool-tour.png).
  const auto shot = std::filesystem::temp_directory_path() / "kerbpool-tour.png";
  std::filesystem::remove(shot);
  const auto s = test::runCommand(chromium(dir) +
                                  " --window-size=1400,5000 --screenshot=" + test::shellQuote(shot.string()) +
                                  " " + test::shellQuote("file://" + page.string()) + " 2>/dev/null");
  REQUIRE(s.exitCode == 0);
  const auto png = fileText(shot);
  CHECK(png.rfind("\x89PNG", 0) == 0);
  CHECK(png.size() > 100 * 1024);
}

TEST_CASE(
    "kerbpool run webticket-tour --html: web-ticket outcomes and the sign-ins' section render in headless "
    "Chromium",
    "[integration][scenarios][cli][html][browser][webticket]") {
  test::TempDir dir;
  const auto page = dir / "webticket.html";
  const auto run =
      test::runCommand(test::kerbpoolBinary() + " run webticket-tour --quiet --clients 8 --html " +
                       test::shellQuote(page.string()) + " >/dev/null");
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  const auto rendered = render(dir, page);
  checkDrawn(rendered, 10, 1);
  // The outcome series carry the web-ticket requests; the text report's section and table column are there.
  CHECK(fileText(page).find("\"webticket\":[") != std::string::npos);
  CHECK(rendered.dom.find("Web tickets (Lync's web services)") != std::string::npos);
  CHECK(rendered.dom.find("NTLM logons per user-hour") != std::string::npos);
  CHECK(rendered.dom.find("web ticket  prompts") != std::string::npos);
}

TEST_CASE("kerbpool compare --html puts the runs side by side and renders in headless Chromium",
          "[integration][scenarios][cli][html][browser]") {
  // ntlm-bottleneck's external PCs never reach a KDC: its KDC charts have nothing to draw and still render.
  test::TempDir dir;
  const auto page = dir / "compare.html";
  const auto run = test::runCommand(test::kerbpoolBinary() +
                                    " compare shared-account ntlm-bottleneck --clients 8 --quiet --html " +
                                    test::shellQuote(page.string()) + " >/dev/null");
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  const auto rendered = render(dir, page);
  checkDrawn(rendered, 20, 2);
  CHECK(count(rendered.dom, "class=\"chart-row cols-2\"") >= 10);
  CHECK(rendered.dom.find("Side by side") != std::string::npos);
  // One sign-in per scenario: Kerberos with the shared account's ticket, and NTLM without any KDC.
  CHECK(rendered.dom.find("TGS-REP: service ticket for HTTP/pool.contoso.test") != std::string::npos);
  CHECK(rendered.dom.find("NetrLogonSamLogonEx") != std::string::npos);
}
