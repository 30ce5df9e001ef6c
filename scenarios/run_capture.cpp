#include "scenarios/run_capture.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "core/keytab/keytab.hpp"
#include "kdc/keytab_export.hpp"
#include "scenarios/diagnosis.hpp"
#include "scenarios/pool_world.hpp"
#include "scenarios/scenario_sections.hpp"

namespace kerbpool::scenarios {

namespace {

// WS<10000 + n> at 127.a.b.c (population.cpp's workstationAddress, the other way round).
std::string workstationName(std::uint32_t loopback) {
  const std::uint64_t a = (loopback >> 16) & 0xff;
  const std::uint64_t b = (loopback >> 8) & 0xff;
  const std::uint64_t c = loopback & 0xff;
  if (a == 0 || c == 0) {
    return "";
  }
  return "WS" + std::to_string(10000 + (a - 1) * 62500 + b * 250 + (c - 1));
}

}  // namespace

std::string formatCaptureSection(const CaptureReport& c) {
  char size[32];
  std::snprintf(size, sizeof size, "%.1f MB", static_cast<double>(c.packets.bytes) / 1e6);
  std::string out = "\nCapture (for Wireshark)\n";
  out += "  " + c.packets.path + ": " + withThousands(c.packets.packets) + " packets, " + size + ", " +
         withThousands(c.packets.hosts) + " hosts. Lab addresses: " + c.labNetwork + "\n";
  out += "  " + c.keytabPath + ": " + withThousands(c.keytabKeys) +
         " keys (every account of the directory, every retained key version)";
  if (!c.keyLogPath.empty()) {
    out += "; " + c.keyLogPath + ": " + withThousands(c.keyLogLines) + " TLS secrets (SSLKEYLOGFILE format)";
  }
  out += "\n";
  if (c.packets.capped != 0) {
    char cap[32];
    std::snprintf(cap, sizeof cap, "%.0f", static_cast<double>(c.packets.maxBytes) / 1e6);
    out += "  NOTE: the file reached its cap (--pcap-max-mb " + std::string(cap) + "): the last " +
           withThousands(c.packets.capped) +
           " packets of the run are not in it; raise the cap or run fewer clients\n";
  }
  if (c.packets.dropped != 0) {
    out += "  NOTE: the kernel dropped " + withThousands(c.packets.dropped) +
           " packets because the capture fell behind (a busy machine): TCP streams in the file have gaps\n";
  }
  out +=
      "  Not on the wire: DNS answers and the nodes' Netlogon pass-throughs run inside kerbpool's process; "
      "the tables above count them\n";
  out += "  wireshark -r " + c.packets.path + " -o kerberos.decrypt:TRUE -o kerberos.file:" + c.keytabPath;
  if (!c.keyLogPath.empty()) {
    out += " -o tls.keylog_file:" + c.keyLogPath;
  }
  out += "\n";
  return out;
}

core::Result<std::unique_ptr<RunCapture>> RunCapture::prepare(const CaptureRequest& request) {
  std::unique_ptr<RunCapture> c(new RunCapture(request));
  auto log = net::TlsKeyLog::open(request.path + ".keys");
  if (!log.ok()) {
    return std::move(log).error().within("--pcap");
  }
  c->keyLog_ = std::move(*log);
  return c;
}

RunCapture::~RunCapture() {
  if (finished_) {
    return;
  }
  // The run failed before finish(): no half-written capture or key log is left behind.
  std::error_code ec;
  if (capture_) {
    capture_.reset();
    std::filesystem::remove(request_.path, ec);
  }
  if (keyLog_) {
    keyLog_.reset();
    std::filesystem::remove(request_.path + ".keys", ec);
  }
}

core::Status RunCapture::start(const PoolWorld& world) {
  capture::CaptureOptions o;
  o.path = request_.path;
  o.maxBytes = request_.maxBytes;
  o.application = "kerbpool run " + world.scenario().name;
  const std::string domain = sections::lower(world.scenario().realmName);
  const std::uint16_t http = world.tls() ? 443 : 80;
  // TLS offload: the balancer speaks HTTPS to the workstations and plain HTTP to the nodes.
  const std::uint16_t nodeHttp =
      world.tls() && world.scenario().pool.loadBalancer.tls != "offload" ? 443 : 80;
  auto add = [&](std::uint16_t port, std::string name, std::uint32_t address, std::uint16_t wellKnown) {
    if (!labNetwork_.empty()) {
      labNetwork_ += ", ";
    }
    labNetwork_ += name + " " + capture::formatIpv4(address) + ":" + std::to_string(wellKnown);
    o.network.servers[port] = capture::LabHost{std::move(name), address, wellKnown};
  };
  const auto dcs = world.dcs();
  for (std::size_t i = 0; i < dcs.size(); ++i) {
    add(dcs[i].kdcPort, dcs[i].name + "." + domain,
        capture::ipv4(10, 0, 0, static_cast<std::uint8_t>(10 + i)), 88);
  }
  const std::uint32_t vip = capture::ipv4(10, 0, 0, 100);
  add(world.lbPort(), sections::lower(world.scenario().pool.fqdn), vip, http);
  const auto nodes = world.nodes();
  for (std::size_t i = 0; i < nodes.size() && i < 150; ++i) {
    add(nodes[i].port, nodes[i].name + "." + domain,
        capture::ipv4(10, 0, 0, static_cast<std::uint8_t>(101 + i)), nodeHttp);
    // The balancer connects to the nodes (forwarding and health checks) from the VIP's host.
    o.network.callersOf[nodes[i].port] = capture::LabHost{sections::lower(world.scenario().pool.fqdn), vip};
  }
  o.network.workstationName = workstationName;
  labNetwork_ += ", workstations 10.a.b.c (WS10000 10.1.0.1, WS10001 10.1.0.2, ...), kerbpool's own probes " +
                 capture::formatIpv4(o.network.otherLocal.address);
  auto started = capture::LoopbackCapture::start(std::move(o));
  if (!started.ok()) {
    return std::move(started).error().within("--pcap " + request_.path);
  }
  capture_ = std::move(*started);
  return core::okStatus();
}

core::Result<CaptureReport> RunCapture::finish(PoolWorld& world) {
  finished_ = true;
  CaptureReport r;
  if (capture_) {
    auto summary = capture_->stop();
    capture_.reset();
    if (!summary.ok()) {
      return std::move(summary).error().within("--pcap " + request_.path);
    }
    r.packets = std::move(*summary);
  }
  r.labNetwork = labNetwork_;
  // Every key of every account, every retained version: tickets issued before a password roll decrypt too.
  const auto& directory = world.lab().directory();
  core::keytab::Keytab all;
  kdc::KeytabExportOptions eo;
  eo.allKvnos = true;
  eo.enctypes = {18, 17, 23};
  for (const auto& sam : directory.accountNames()) {
    auto kt = kdc::exportKeytab(directory, sam, eo);
    if (!kt.ok()) {
      continue;  // an account without keys (no password set) seals nothing
    }
    for (const auto& e : kt->entries()) {
      all.add(e);
    }
  }
  r.keytabPath = request_.path + ".keytab";
  r.keytabKeys = all.entries().size();
  auto written = all.writeFile(r.keytabPath);
  if (!written.ok()) {
    return std::move(written).error().within("--pcap keytab");
  }
  if (keyLog_) {
    r.keyLogLines = keyLog_->lines();
    if (world.tls()) {
      r.keyLogPath = keyLog_->path();
    }
    keyLog_.reset();
    if (!world.tls()) {
      std::error_code ec;
      std::filesystem::remove(request_.path + ".keys", ec);  // no TLS in this pool: nothing to decrypt
    }
  }
  return r;
}

}  // namespace kerbpool::scenarios
