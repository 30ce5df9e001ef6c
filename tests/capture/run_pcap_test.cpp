#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/support/tools.hpp"

using namespace kerbpool;

namespace {

// The frame numbers tshark printed (one per line; its other lines, such as the warning about running as
// root, are not frames).
std::size_t frameLines(const std::string& s) {
  std::size_t n = 0;
  bool start = true;
  for (char c : s) {
    if (start && c >= '0' && c <= '9') {
      ++n;
    }
    start = c == '\n';
  }
  return n;
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
  const auto run =
      test::runCommand(test::kerbpoolBinary() + " run tour --quiet --pcap " + test::shellQuote(pcap));
  if (run.exitCode != 0 && run.output.find("CAP_NET_RAW") != std::string::npos &&
      std::getenv("CI") == nullptr) {
    WARN("not run (capturing needs root or CAP_NET_RAW): " << run.output);
    return;
  }
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  CHECK(run.output.find("Capture (for Wireshark)") != std::string::npos);
  for (const std::string suffix : {"", ".keytab", ".keys"}) {
    REQUIRE(std::filesystem::exists(pcap + suffix));
    CHECK(modeOf(pcap + suffix) == 0600);  // the capture, the keys and the TLS secrets are the lab's secrets
  }

  const std::string options =
      " -o kerberos.decrypt:TRUE -o kerberos.file:" + test::shellQuote(pcap + ".keytab") +
      " -o tls.keylog_file:" + test::shellQuote(pcap + ".keys");
  const auto count = [&](const std::string& filter) {
    const auto r = test::runCommand(tshark + " -r " + test::shellQuote(pcap) + options + " -Y " +
                                    test::shellQuote(filter) + " -T fields -e frame.number");
    REQUIRE(r.exitCode == 0);
    return frameLines(r.output);
  };
  CHECK(count("frame") > 1000);
  {
    const auto malformed = test::runCommand(tshark + " -r " + test::shellQuote(pcap) + options +
                                            " -Y _ws.malformed -V | head -c 20000");
    INFO(malformed.output);
    CHECK(count("_ws.malformed") == 0);
  }
  // Kerberos on the KDC's address and well-known port, from the workstations' own addresses.
  CHECK(count("kerberos.msg_type == 10 && ip.dst == 10.0.0.10 && udp.dstport == 88 && ip.src >= 10.1.0.1") >
        0);
  CHECK(count("kerberos.msg_type == 11") > 0);                               // AS-REP
  CHECK(count("kerberos.msg_type == 13") > 0);                               // TGS-REP
  CHECK(count("kerberos.msg_type == 30 && kerberos.error_code == 25") > 0);  // PREAUTH_REQUIRED
  // HTTP inside TLS (decrypted with the key log), SPNEGO with the AP-REQ, and NTLM's three messages.
  CHECK(count("http.request && tls && ip.dst == 10.0.0.100 && tcp.dstport == 443") > 0);
  CHECK(count("http && tls && ip.src == 10.0.0.100 && ip.dst >= 10.0.0.101 && ip.dst <= 10.0.0.103") > 0);
  CHECK(count("spnego && kerberos.msg_type == 14") > 0);  // AP-REQ in a Negotiate header
  CHECK(count("ntlmssp.messagetype == 1") > 0);
  CHECK(count("ntlmssp.messagetype == 2") > 0);
  CHECK(count("ntlmssp.messagetype == 3 && tls") > 0);

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
  const auto run = test::runCommand(test::kerbpoolBinary() + " run tour --quiet --json-out " +
                                    test::shellQuote((dir / "r.json").string()) + " --pcap-max-mb 1 --pcap " +
                                    test::shellQuote(pcap));
  if (run.exitCode != 0 && run.output.find("CAP_NET_RAW") != std::string::npos &&
      std::getenv("CI") == nullptr) {
    WARN("not run (capturing needs root or CAP_NET_RAW): " << run.output);
    return;
  }
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  CHECK(std::filesystem::file_size(pcap) <= 1000 * 1000);
  CHECK(std::filesystem::file_size(pcap) > 900 * 1000);  // filled up to the cap (the tour needs about 2 MB)
  CHECK(run.output.find("NOTE: the file reached its cap (--pcap-max-mb 1): the last ") != std::string::npos);
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
