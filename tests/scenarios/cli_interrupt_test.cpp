// `kerbpool run` as a user meets it (issue 12): numbers out of range are refused at once, Ctrl-C ends a run
// with the report of what ran and no temporary file left, and the lab's keys never touch the disk.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/common/clock.hpp"
#include "scenarios/lab_certificates.hpp"
#include "scenarios/scenario_loader.hpp"
#include "tests/support/kdc_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

TEST_CASE("kerbpool run: numbers out of range are refused at once, naming the option", "[scenarios][cli]") {
  for (const char* arg : {"--clients -5", "--clients 0", "--clients 100001", "--clients x"}) {
    const auto r = test::runCommand(test::kerbpoolBinary() + " run tour " + std::string(arg) + " 2>&1");
    INFO(arg << ": " << r.output);
    CHECK(r.exitCode != 0);
    CHECK(r.exitCode != 1);  // not a run whose expectations failed: no run at all
    CHECK(r.output.find("--clients") != std::string::npos);
    CHECK(r.output.find("Kerberos") == std::string::npos);
  }
  const auto mca =
      test::runCommand(test::kerbpoolBinary() + " run ntlm-bottleneck --max-concurrent-api 151 2>&1");
  CHECK(mca.exitCode != 0);
  CHECK(mca.output.find("--max-concurrent-api") != std::string::npos);
  // The same for the servers' numbers: nothing starts with a thread count or a limit out of range.
  for (const char* cmd : {"kdc --realm-file /dev/null --threads 257", "echo-backend --threads -1",
                          "frontend --node fe01 --max-request-bytes 5", "run tour --hold-ms -1",
                          "run tour --netlogon-timeout-s 0", "compare tour --max-concurrent-api 2,0"}) {
    const auto r = test::runCommand(test::kerbpoolBinary() + " " + cmd + " 2>&1");
    INFO(cmd << ": " << r.output);
    CHECK(r.exitCode != 0);
    CHECK(r.exitCode != 1);
    CHECK((r.output.find("not in range") != std::string::npos ||
           r.output.find("Could not convert") != std::string::npos));
  }
}

TEST_CASE(
    "kerbpool run: SIGINT stops the clients, prints what ran as incomplete, exits 130, leaves no temp files",
    "[integration][scenarios][cli]") {
  test::TempDir dir;
  const auto tmp = dir / "tmp";
  std::filesystem::create_directories(tmp);
  // The tour is served over HTTPS, so it makes the lab's certificates in TMPDIR; 20,000 clients run long
  // enough to be interrupted once the first refusals show in the servers' log.
  test::BackgroundProcess p({test::kerbpoolBinary(), "run", "tour", "--clients", "20000", "--server-logs"},
                            dir / "out.txt", {"TMPDIR=" + tmp.string()});
  REQUIRE(p.waitForOutput("KDC_ERR_S_PRINCIPAL_UNKNOWN"));
  CHECK(std::distance(std::filesystem::directory_iterator(tmp), std::filesystem::directory_iterator()) == 1);
  const int code = p.stop(SIGINT);
  const std::string out = p.output();
  INFO(out.substr(0, 2000));
  CHECK(code == 130);
  CHECK(out.find("interrupted (SIGINT): finishing the requests in flight") != std::string::npos);
  CHECK(out.find("INCOMPLETE: interrupted by SIGINT after") != std::string::npos);
  CHECK(out.find("Kerberos against NTLM") != std::string::npos);  // the report's tables follow
  CHECK(std::filesystem::is_empty(tmp));
}

TEST_CASE("lab certificates: a private folder, no private key on disk, nothing left after", "[scenarios]") {
  auto scenario = scenarios::loadScenarioFile(test::sourceDir() / "scenarios" / "builtin" / "tour.json");
  REQUIRE(scenario.ok());
  core::SystemClock clock;
  std::filesystem::path folder;
  {
    auto made = scenarios::LabCertificates::create(*scenario, clock);
    REQUIRE(made.ok());
    const auto& c = **made;
    folder = c.directory();
    struct stat st {};
    REQUIRE(::stat(folder.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK(folder.filename().string().rfind("kerbpool-lab-", 0) == 0);
    CHECK(c.privateKeyFile().rfind("/proc/self/fd/", 0) == 0);
    std::ifstream key(c.privateKeyFile());
    std::stringstream keyText;
    keyText << key.rdbuf();
    CHECK(keyText.str().find("PRIVATE KEY") != std::string::npos);  // the servers can load it
    for (const auto& f : std::filesystem::directory_iterator(folder)) {
      std::ifstream in(f.path());
      std::stringstream text;
      text << in.rdbuf();
      INFO(f.path());
      CHECK(text.str().find("PRIVATE KEY") == std::string::npos);
    }
  }
  CHECK_FALSE(std::filesystem::exists(folder));
}

TEST_CASE("kerbpool run --json-out writes the JSON of the same run next to the text report",
          "[integration][scenarios][cli]") {
  test::TempDir dir;
  const auto file = dir / "report.json";
  const auto both =
      test::runCommand(test::kerbpoolBinary() + " run shared-account --clients 6 --json --json-out " +
                       test::shellQuote(file.string()));
  REQUIRE(both.exitCode == 0);
  std::ifstream in(file);
  std::stringstream written;
  written << in.rdbuf();
  CHECK(written.str() == both.output);  // one run, two outputs: the same document

  const auto text =
      test::runCommand(test::kerbpoolBinary() + " run per-node-spn --clients 6 --quiet --json-out " +
                       test::shellQuote(file.string()));
  CHECK(text.output.rfind("{", 0) != 0);  // the text report on stdout
  std::ifstream again(file);
  std::stringstream json;
  json << again.rdbuf();
  CHECK(json.str().rfind("{", 0) == 0);
  CHECK(json.str().find("\"per-node-spn\"") != std::string::npos);
}

TEST_CASE("kerbpool compare --json prints one document with every scenario",
          "[integration][scenarios][cli]") {
  const auto r =
      test::runCommand(test::kerbpoolBinary() + " compare per-node-spn shared-account --clients 6 --json");
  INFO(r.output.substr(0, 2000));
  CHECK(r.exitCode == 0);
  CHECK(r.output.rfind("{\n  \"scenarios\": [", 0) == 0);
  CHECK(r.output.find("\"per-node-spn\"") != std::string::npos);
  CHECK(r.output.find("\"shared-account\"") != std::string::npos);
}

TEST_CASE("kerbpool run --serial repeats a seeded run's counts exactly", "[integration][scenarios][cli]") {
  // password-roll-missed-node's prompts depend on which clients are in flight when the roll happens and on
  // how round robin interleaves them: with the file's concurrency they vary between runs; one client at a
  // time, the counts and events repeat.
  auto counts = [](const std::string& json) {
    auto doc = nlohmann::json::parse(json, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    return std::make_pair(doc["overall"].dump(), doc["events"].dump());
  };
  const std::string cmd = test::kerbpoolBinary() + " run password-roll-missed-node --serial --json";
  const auto first = test::runCommand(cmd);
  const auto second = test::runCommand(cmd);
  REQUIRE(first.exitCode == 0);
  REQUIRE(second.exitCode == 0);
  const auto a = counts(first.output);
  INFO(a.first << " " << a.second);
  CHECK(a == counts(second.output));
  CHECK(a.first.find("\"prompt\":0") == std::string::npos);  // the stale node's refusals are in the counts
}
