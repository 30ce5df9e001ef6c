#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

namespace kerbpool::test {

// `kerbpool frontend --node fe01 --port 0 EXTRA...` as a process; waits for its ready line and reads the
// port from it. Its output goes to `dir`/frontend.out.
struct FrontendProcess {
  FrontendProcess(const std::filesystem::path& dir, std::vector<std::string> extra,
                  const std::string& scheme = "http");
  BackgroundProcess process;
  std::string port;
};

// `curl -sS -v --negotiate -u :` at SCHEME://pool.contoso.test:PORT/PATH (resolved to 127.0.0.1), with the
// environment in `envPrefix` ("KRB5_CONFIG=... KRB5CCNAME=... ") and stderr folded into the output.
CommandResult curlNegotiate(const std::string& envPrefix, const std::string& port, const std::string& scheme,
                            const std::string& path, const std::string& extra = "");

}  // namespace kerbpool::test
