#include "tests/support/frontend_process.hpp"

#include <catch2/catch.hpp>

#include <regex>

namespace kerbpool::test {

namespace {

std::vector<std::string> frontendArgv(std::vector<std::string> extra) {
  std::vector<std::string> a{kerbpoolBinary(), "frontend", "--node", "fe01", "--port", "0"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace

FrontendProcess::FrontendProcess(const std::filesystem::path& dir, std::vector<std::string> extra,
                                 const std::string& scheme)
    : process(frontendArgv(std::move(extra)), dir / "frontend.out") {
  REQUIRE(process.waitForOutput("kerbpool frontend fe01: ready on " + scheme + "://127.0.0.1:"));
  std::smatch m;
  const std::string out = process.output();
  REQUIRE(std::regex_search(out, m, std::regex(R"(ready on https?://127\.0\.0\.1:(\d+))")));
  port = m[1].str();
}

CommandResult curlNegotiate(const std::string& envPrefix, const std::string& port, const std::string& scheme,
                            const std::string& path, const std::string& extra) {
  return runCommand(envPrefix + requireTool("curl") +
                    " -sS -v --negotiate -u : --resolve pool.contoso.test:" + port + ":127.0.0.1 " + extra +
                    " " + scheme + "://pool.contoso.test:" + port + path);
}

}  // namespace kerbpool::test
