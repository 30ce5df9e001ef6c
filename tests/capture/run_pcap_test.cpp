#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/tools.hpp"

using namespace kerbpool;

namespace {

// A row of tshark -T fields: protocols|ip.src|ip.dst|udp.dstport|tcp.dstport|kerberos.msg_type|
// kerberos.error_code|ntlmssp.messagetype|http.request.method (several values of one field joined by ',').
struct Frame {
  std::vector<std::string> field;
  bool has(const std::string& protocol) const {
    return (":" + field[0] + ":").find(":" + protocol + ":") != std::string::npos;
  }
  bool kerberos(const std::string& msgType) const {
    return ("," + field[5] + ",").find("," + msgType + ",") != std::string::npos;
  }
};

Frame parseFrame(const std::string& line) {
  Frame f;
  std::string::size_type from = 0;
  for (;;) {
    const auto bar = line.find('|', from);
    f.field.push_back(line.substr(from, bar == std::string::npos ? std::string::npos : bar - from));
    if (bar == std::string::npos) {
      break;
    }
    from = bar + 1;
  }
  f.field.resize(9);
  return f;
}

// `kerbpool run tour --quiet ARGS`; nullopt (with a warning) when it could not capture for want of
// CAP_NET_RAW outside CI. In CI (CI set) that is a failure like any other.
std::optional<test::CommandResult> runTourCapturing(const std::string& args) {
  auto run = test::runCommand(test::kerbpoolBinary() + " run tour --quiet " + args);
  if (run.exitCode != 0 && run.output.find("CAP_NET_RAW") != std::string::npos &&
      std::getenv("CI") == nullptr) {
    WARN("not run (capturing needs root or CAP_NET_RAW): " << run.output);
    return std::nullopt;
  }
  return run;
}

unsigned modeOf(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

// What the README promises: `kerbpool run tour --pcap tour.pcapng`, then Wireshark (here tshark, Debian's)
// with the keytab and the key log decrypts TLS, then Kerberos, then SPNEGO and NTLM.
TEST_CASE("capture: tshark reads the tour's capture: 0 malformed, TLS, Kerberos and NTLM decrypted") {
  const std::string tshark = test::requireTool("tshark");
  test::TempDir dir;
  const std::string pcap = (dir / "tour.pcapng").string();
  const auto run = runTourCapturing("--pcap " + test::shellQuote(pcap));
  if (!run) {
    return;
  }
  INFO(run->output);
  REQUIRE(run->exitCode == 0);
  CHECK(run->output.find("Capture (for Wireshark)") != std::string::npos);
  for (const std::string suffix : {"", ".keytab", ".keys"}) {
    REQUIRE(std::filesystem::exists(pcap + suffix));
    CHECK(modeOf(pcap + suffix) == 0600);  // the capture, the keys and the TLS secrets are the lab's secrets
  }

  const std::string options =
      " -o kerberos.decrypt:TRUE -o kerberos.file:" + test::shellQuote(pcap + ".keytab") +
      " -o tls.keylog_file:" + test::shellQuote(pcap + ".keys");
  // One dissection pass (it decrypts everything; a pass per question would take seconds each): per frame its
  // protocols, addresses, ports, Kerberos message types and error codes, NTLM message types.
  const auto fields =
      test::runCommand(tshark + " -r " + test::shellQuote(pcap) + options +
                       " -T fields -E separator='|' -e frame.protocols -e ip.src -e ip.dst"
                       " -e udp.dstport -e tcp.dstport -e kerberos.msg_type -e kerberos.error_code"
                       " -e ntlmssp.messagetype -e http.request.method");
  REQUIRE(fields.exitCode == 0);
  std::vector<Frame> frames;
  std::istringstream in(fields.output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("eth:", 0) == 0) {  // not tshark's warning about running as root
      frames.push_back(parseFrame(line));
    }
  }
  const auto count = [&](const std::function<bool(const Frame&)>& keep) {
    return std::count_if(frames.begin(), frames.end(), keep);
  };
  CHECK(frames.size() > 1000);
  CHECK(count([](const Frame& f) { return f.has("_ws.malformed"); }) == 0);
  // Kerberos to the KDC's address and well-known port, from the workstations' own addresses.
  CHECK(count([](const Frame& f) {
          return f.kerberos("10") && f.field[2] == "10.0.0.10" && f.field[3] == "88" &&
                 f.field[1].rfind("10.1.", 0) == 0;
        }) > 0);
  CHECK(count([](const Frame& f) { return f.kerberos("11"); }) > 0);  // AS-REP
  CHECK(count([](const Frame& f) { return f.kerberos("13"); }) > 0);  // TGS-REP
  CHECK(count([](const Frame& f) { return f.kerberos("30") && f.field[6] == "25"; }) >
        0);  // PREAUTH_REQUIRED
  // HTTP inside TLS (decrypted with the key log): workstations to the VIP, the balancer to the nodes.
  CHECK(count([](const Frame& f) {
          return f.has("tls") && !f.field[8].empty() && f.field[2] == "10.0.0.100" && f.field[4] == "443";
        }) > 0);
  CHECK(count([](const Frame& f) {
          return f.has("tls") && f.has("http") && f.field[1] == "10.0.0.100" &&
                 f.field[2].rfind("10.0.0.10", 0) == 0;
        }) > 0);
  // SPNEGO carrying an AP-REQ, and NTLM's three messages, inside TLS.
  CHECK(count([](const Frame& f) { return f.has("tls") && f.has("spnego") && f.kerberos("14"); }) > 0);
  for (const std::string type : {"0x00000001", "0x00000002", "0x00000003"}) {
    INFO("NTLM message type " << type);
    CHECK(count([&](const Frame& f) { return f.has("tls") && f.has("ntlmssp") && f.field[7] == type; }) > 0);
  }

  // Every Kerberos enc-part decrypted: Wireshark names each one it could not ("Missing keytype").
  const auto expert = test::runCommand(tshark + " -r " + test::shellQuote(pcap) + options + " -q -z expert");
  REQUIRE(expert.exitCode == 0);
  CHECK(expert.output.find("Missing keytype") == std::string::npos);
  CHECK(expert.output.find("Decrypted keytype 18 usage 2 using keytab principal HTTP/pool.contoso.test") !=
        std::string::npos);  // service tickets, in the TGS-REPs and the HTTP AP-REQs
  CHECK(expert.output.find("Decrypted keytype 18 usage 3") != std::string::npos);  // AS-REP parts (user keys)
}

TEST_CASE(
    "capture: --pcap-max-mb keeps the file under the cap and the report says how many packets it left out") {
  test::TempDir dir;
  const std::string pcap = (dir / "capped.pcapng").string();
  const auto run = runTourCapturing("--json-out " + test::shellQuote((dir / "r.json").string()) +
                                    " --pcap-max-mb 1 --pcap " + test::shellQuote(pcap));
  if (!run) {
    return;
  }
  INFO(run->output);
  REQUIRE(run->exitCode == 0);
  CHECK(std::filesystem::file_size(pcap) <= 1000 * 1000);
  CHECK(std::filesystem::file_size(pcap) > 900 * 1000);  // filled up to the cap (the tour needs about 2 MB)
  CHECK(run->output.find("NOTE: the file reached its cap (--pcap-max-mb 1): the last ") != std::string::npos);
  const auto json = test::runCommand("grep -o '\"capped_packets\": *[0-9]*' " +
                                     test::shellQuote((dir / "r.json").string()));
  CHECK(json.output.find("\"capped_packets\": 0") == std::string::npos);
  CHECK(json.output.find("capped_packets") != std::string::npos);
}

TEST_CASE("capture: a --pcap file that cannot be written fails the run with the path, before any client") {
  const auto run =
      test::runCommand(test::kerbpoolBinary() + " run tour --quiet --pcap /nonexistent-dir/tour.pcapng");
  CHECK(run.exitCode == 2);
  CHECK(run.output.find("/nonexistent-dir/tour.pcapng") != std::string::npos);
}

TEST_CASE("capture: a run that cannot capture leaves no capture or key log behind") {
  test::TempDir dir;
  const std::string pcap = (dir / "t.pcapng").string();
  // FILE.keys can be made, FILE cannot (a directory of that name is in the way): the run stops before any
  // client and removes the key log it had opened; the directory stays.
  std::filesystem::create_directory(pcap);
  const auto run =
      test::runCommand(test::kerbpoolBinary() + " run tour --quiet --pcap " + test::shellQuote(pcap));
  CHECK(run.exitCode == 2);
  CHECK(run.output.find(pcap) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(pcap + ".keys"));
  CHECK_FALSE(std::filesystem::exists(pcap + ".keytab"));
  CHECK(std::filesystem::is_directory(pcap));
}
