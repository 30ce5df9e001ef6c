#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/dns.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "frontend/node.hpp"
#include "kdc/event_log.hpp"
#include "kdc/kdc_service.hpp"
#include "kdc/netlogon.hpp"
#include "loadbalancer/lb_stats.hpp"
#include "net/in_process_http.hpp"
#include "netlogon/netlogon_semaphore.hpp"
#include "scenarios/lab_certificates.hpp"
#include "scenarios/lab_directory.hpp"
#include "scenarios/scenario.hpp"

// The whole pool of a scenario in one process, on 127.0.0.1 with real sockets on free ports: the domain
// controller (directory, KDC over UDP and TCP, Netlogon), one front-end node per pool node, the load
// balancer in front of them, and the DNS zone the workstations use. Timeline events change it while the
// clients run.
namespace kerbpool::scenarios {

struct PoolWorldOptions {
  std::optional<int> maxConcurrentApi;  // overrides every DC's MaxConcurrentApi
  unsigned kdcThreads = 2;
  // A node's I/O threads. Requests that wait for the DC (NTLM pass-throughs) run on a separate pool of
  // request threads sized from MaxConcurrentApi (see PoolWorld::startNode).
  unsigned nodeThreads = 1;
  unsigned lbThreads = 1;
  std::chrono::milliseconds healthInterval{100};
  // Let the load balancer share idle upstream connections between client connections (its default, as a
  // real balancer's). Safe since the balancer never pools a connection that carried Authorization or
  // WWW-Authenticate (a node may keep it authenticated); an earlier balancer that did was caught by the
  // runner's safety checks handing one user's logon to another client and to an anonymous probe.
  bool lbUpstreamReuse = true;
  // Fixed ports (`kerbpool serve --kdc-port/--lb-port`); 0: a free one. The KDC port is the first DC's.
  std::uint16_t kdcPort = 0;
  std::uint16_t lbPort = 0;
  // pool.tls: these certificates (a lab restarted from its state) instead of new ones.
  std::optional<LabCertificateMaterial> certificates;
};

// A domain controller of the scenario as the report uses it: its KDC, its Netlogon and the nodes whose
// secure channel it serves.
struct DcReport {
  std::string name;     // "DC01"
  std::string version;  // "2019" (DcVersion::key)
  std::uint16_t kdcPort = 0;
  int maxConcurrentApi = 10;          // in force (after --max-concurrent-api)
  double holdMs = 0;                  // the hold-time model's mean
  std::vector<std::string> channels;  // nodes whose Netlogon secure channel goes to this DC
  std::map<std::string, std::uint64_t> kdcRequests;
  std::map<std::string, std::uint64_t> kdcErrors;
  std::map<std::string, std::uint64_t> kdcIssued;
  kdc::NetlogonCounters netlogon;
};

// A node's counters, as the report uses them.
struct NodeReport {
  std::string name;
  std::string account;  // "FE01$"
  std::string dc;       // the DC of its Netlogon secure channel
  std::uint16_t port = 0;
  bool up = true;
  frontend::NodeStats stats;
  std::optional<netlogon::SemaphoreCounters> channel;  // its Netlogon secure channel (NTLM pass-through)
  int maxConcurrentApi = 0;                            // its secure channel's, in force (0 without NTLM)
  std::vector<std::uint32_t> webTicketKeyVersions;     // Lync: the pool's web ticket keys it holds
  // Its own System log, by event id: Netlogon's 5816-5819 are logged by the member server whose secure
  // channel is throttled, not by the DC.
  std::map<int, std::uint64_t> events;
};

class PoolWorld {
 public:
  // Builds the directory (realm + operations), starts the KDC, the nodes and the load balancer. Errors name
  // what could not start.
  static core::Result<std::unique_ptr<PoolWorld>> start(const Scenario& scenario,
                                                        const PoolWorldOptions& options,
                                                        const core::Clock& clock);
  ~PoolWorld();
  PoolWorld(const PoolWorld&) = delete;
  PoolWorld& operator=(const PoolWorld&) = delete;

  const Scenario& scenario() const { return scenario_; }
  LabDirectory& lab() { return *lab_; }
  const client::DnsZone& dns() const { return dns_; }
  // Every DC runs a KDC (UDP and TCP, its own port) and a Netlogon service over the one directory (AD
  // replication is instant in the lab). Node i's secure channel goes to DC i mod count; a workstation's DC
  // locator picks DC (client mod count) first and the others after it.
  std::size_t dcCount() const { return dcs_.size(); }
  std::uint16_t kdcPort(std::size_t dc = 0) const;
  // DC `dc`'s KDC service: what its UDP and TCP listeners hand each request to (the in-process transport
  // hands it the same bytes), and the DC's name ("DC01").
  kdc::KdcService& kdcService(std::size_t dc = 0);
  const std::string& dcName(std::size_t dc) const;
  std::vector<DcReport> dcs() const;
  std::uint16_t lbPort() const;
  // The port a URL for `host` uses: the node's own port when the host's A record (after CNAMEs, from the
  // scenario's records) names a node, else the load balancer's.
  std::uint16_t portFor(const std::string& host) const;
  const std::string& netbiosDomain() const;
  // The first DC's MaxConcurrentApi in force (every DC's with --max-concurrent-api).
  int maxConcurrentApi() const;
  // pool.tls: every node and the load balancer serve HTTPS with a certificate for the pool's names, issued
  // by a throwaway CA whose PEM file the workstations trust. Empty without TLS.
  const std::string& caFile() const { return certificates_ ? certificates_->caFile() : noFile_; }
  bool tls() const { return certificates_ != nullptr; }
  // pool.tls: what LabCertificates::load needs to serve the same certificates again; null without TLS.
  const LabCertificateMaterial* certificateMaterial() const {
    return certificates_ ? &certificates_->material() : nullptr;
  }
  bool ntlmEnabled() const { return ntlmEnabled_; }
  // Scenario::transport in-process: the nodes (plain HTTP) and the layer-7 balancer (plain HTTP at the VIP
  // and to the nodes) as the workstations reach them without sockets; null over loopback. What the network
  // does not serve (TLS, a layer-4 balancer) still goes over loopback.
  net::InProcessHttpNetwork* inProcessHttp() { return inProcessHttp_.get(); }
  // Whether the workstations' requests to the VIP stay in process (see inProcessHttp).
  bool vipInProcess() const { return vipInProcess_; }
  bool nodesInProcess() const { return nodesInProcess_; }
  // Why the VIP's requests cross loopback under the in-process transport ("" when they do not).
  const std::string& vipNotInProcessReason() const { return vipNotInProcessReason_; }

  // Timeline events other than clock_drift (which the population applies to its clocks): node_down stops
  // the node's server, node_up starts it again on its port, password_roll and apply_fix change the
  // directory and reload every node's keys. Returns the admin steps (a node event gives one line).
  core::Result<std::vector<AdminStep>> apply(const TimelineEvent& event);
  // An admin's directory command while the pool runs (`kerbpool lab`): applied to the directory, then every
  // node reads its keys again.
  core::Result<AdminStep> applyOperation(const DirectoryOperation& op);
  // The node's clock runs `offsetS` seconds ahead of the lab's (behind when negative); 0 sets it right.
  core::Result<AdminStep> driftNodeClock(const std::string& node, double offsetS);

  // The admin sets MaxConcurrentApi (Netlogon's registry value) on one node, or on every node when `node` is
  // empty: each node's secure-channel semaphore takes it at once. Errors: Config no_such_node,
  // max_concurrent_api_out_of_range (1..150), ntlm_not_enabled (no pass-through to throttle).
  core::Result<AdminStep> setMaxConcurrentApi(const std::string& node, int value);

  // Lync's web services certificate (the key that seals web tickets): given to one node (a node it was never
  // assigned to), or rolled to a new version on every node that is up and holds it; the others miss it.
  core::Result<AdminStep> assignWebTicketKey(const std::string& node);
  core::Result<AdminStep> rollWebTicketKey();
  // The pool's web ticket key versions in use (Lync), for a lab's state.
  std::vector<core::webticket::PoolKey> webTicketKeys() const;
  // A restarted lab: the stored keys replace those of the same version, in the pool and on every node that
  // holds that version (the replayed commands decided which versions each node holds); returns how many
  // versions were replaced.
  std::size_t adoptWebTicketKeys(const std::vector<core::webticket::PoolKey>& stored);
  // Lync: the pool's certificate provisioning (CertProv's CA and revocations), shared by every node; null
  // in an Exchange scenario.
  const frontend::ClientCertificateAuthority* clientCertificates() const { return clientCertificates_.get(); }
  // Disable-ADAccount / Enable-ADAccount on a user, and Lync's Revoke-CsClientCertificate.
  core::Result<AdminStep> setAccountEnabled(const std::string& user, bool enabled);
  core::Result<AdminStep> revokeClientCertificate(const std::string& user);

  std::vector<NodeReport> nodes() const;
  // The retained records of every log, each with the computer that logged it: the DCs' log ("DC01", or the
  // DC names joined with "+": the lab's DCs share one directory and one log) and each node's System log.
  std::vector<std::pair<std::string, kdc::EventRecord>> eventRecords() const;
  // NTLM pass-throughs waiting for a secure-channel slot right now, every node together.
  std::uint64_t netlogonWaiters() const;
  std::vector<std::uint16_t> nodePorts() const;
  loadbalancer::LbStats lbStats() const;
  // Stops the load balancer, the nodes and the KDC. Idempotent.
  void stop();

  struct Node;

 private:
  PoolWorld(const Scenario& scenario, const core::Clock& clock);
  core::Status startDcs(const PoolWorldOptions& options);
  core::Status startNodes(const PoolWorldOptions& options);
  core::Status startNode(Node& node);
  // Transport::InProcess: registers the plain-HTTP nodes and, when it can carry it, the VIP.
  void startInProcessHttp();
  // MaxConcurrentApi in force at the node's secure channel + 112: the request threads its server needs.
  int requestThreadsFor(const Node& node) const;
  static std::string webTicketVersions(const std::vector<core::webticket::PoolKey>& keys);
  void reloadAll();
  AdminStep iisreset(const std::string& node);  // empty: every node

  const Scenario scenario_;
  const core::Clock& clock_;
  core::SeededRng lbRng_;
  std::unique_ptr<LabDirectory> lab_;
  struct Dc;
  std::vector<std::unique_ptr<Dc>> dcs_;
  bool ntlmEnabled_ = false;
  unsigned nodeThreads_ = 1;
  std::vector<std::unique_ptr<Node>> nodes_;
  struct Lb;
  std::unique_ptr<net::InProcessHttpNetwork> inProcessHttp_;
  bool vipInProcess_ = false;
  bool nodesInProcess_ = false;
  std::string vipNotInProcessReason_;
  std::unique_ptr<Lb> lb_;
  client::DnsZone dns_;
  std::unique_ptr<LabCertificates> certificates_;  // pool.tls only
  // Lync: the pool's web ticket keys in force (the newest signs; the one before still opens), from version 1.
  std::vector<core::webticket::PoolKey> webTicketKeys_;
  std::shared_ptr<frontend::ClientCertificateAuthority> clientCertificates_;
  const std::string noFile_;
  mutable std::mutex mu_;  // node servers (down/up)
};

}  // namespace kerbpool::scenarios
