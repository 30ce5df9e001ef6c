#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kerbpool::scenarios {

// A scenario: one run of a pool, from a JSON file (docs/scenario-file.md). Plain data, validated by the
// loader; the runner turns it into a domain controller, a load balancer, front-end nodes and a client
// population.

struct HoldTimeModel {
  std::string model = "fixed";  // fixed | exponential | lognormal
  double meanMs = 20.0;         // the DC's hold time for one pass-through
  double sigma = 0.5;           // lognormal shape
};

// A DC's Windows Server version and what it changes in the lab.
struct DcVersion {
  std::string key;      // "2008R2", as written in a scenario file
  std::string display;  // "Windows Server 2008 R2"
  // 2012 R2 and later refuse an SPN write that would duplicate one held elsewhere in the forest (0x21C7,
  // Directory Service event 2974) unless dSHeuristics turns the check off.
  bool checksSpnUniqueness = true;
  int defaultMaxConcurrentApi = 10;  // Netlogon MaxConcurrentApi: 2 before 2012 (member servers), 10 since
  bool legacyKdcEvents = false;      // 2003: event 11 from source KDC with the old wording
};
// 2003, 2008, 2008R2, 2012, 2012R2, 2016, 2019, 2022, 2025; nullptr for anything else.
const DcVersion* findDcVersion(std::string_view key);
std::vector<std::string> dcVersionKeys();
inline constexpr const char* kDefaultDcVersion = "2019";

struct DomainControllerSpec {
  std::string name = "DC01";
  std::string version = kDefaultDcVersion;  // DcVersion::key
  int maxConcurrentApi = 10;                // Netlogon MaxConcurrentApi: default from the version, up to 150
  HoldTimeModel holdTime;
  double waitTimeoutS = 45.0;          // semaphore wait before STATUS_NO_LOGON_SERVERS
  double warningEventThresholdS = 0;   // Netlogon WarningEventThreshold: waits over it log 5818/5819 (0: off)
  double eventLogPeriodicityS = 1800;  // Netlogon EventLogPeriodicity: the 5817/5819 summary period
};

// Generated user accounts: user001..userNNN, all with one password (a lab).
struct UserPopulation {
  std::string prefix = "user";
  int count = 20;
  std::string password = "Passw0rd!";
  std::vector<std::string> groups{"Domain Users", "Pool Users"};
};

// One admin step, in order, after the realm is built: the real commands of a pool's set-up.
struct DirectoryOperation {
  enum class Kind {
    SetspnAdd,                   // setspn -A ACCOUNT SPN (no duplicate check)
    SetspnAddChecked,            // setspn -S ACCOUNT SPN (refuses duplicates)
    SetspnDelete,                // setspn -D ACCOUNT SPN
    CreateKerberosAccount,       // New-CsKerberosAccount: a computer object, SPN HTTP/<pool fqdn>
    AssignKerberosAccount,       // New-CsKerberosAccountAssignment -Identity SITE
    SetKerberosAccountPassword,  // Set-CsKerberosAccountPassword: new password, keys to the site's nodes
    SetPassword,                 // any account's password (a roll); keys reach `reach` nodes only, if given
    SetDsHeuristics,             // Set-ADObject "CN=Directory Service,..." -Replace @{dSHeuristics=VALUE}
    SetDomainFunctionalLevel,    // Set-ADDomainMode: below 2008 a password set derives no AES key
    SetDefaultDomainSupportedEncTypes,  // reg add ...\Services\Kdc /v DefaultDomainSupportedEncTypes, every
                                        // DC
    // Exchange (product "exchange"):
    NewClientAccessArray,   // New-ClientAccessArray -Name NAME -Fqdn FQDN -Site SITE
    NewAsaComputer,         // New-ADComputer: the Alternate Service Account, a computer object with no SPN
    RollAsaPassword,        // RollAlternateServiceAccountPassword.ps1: the ASA credential onto CAS servers
    GetClientAccessServer,  // Get-ClientAccessServer -IncludeAlternateServiceAccountCredentialStatus
  };
  // RollAlternateServiceAccountPassword.ps1's destination: -ToArrayMembers FQDN | -ToSpecificServers S1,S2 |
  // -ToEntireForest.
  enum class AsaTarget { ArrayMembers, SpecificServers, EntireForest };
  Kind kind = Kind::SetspnAdd;
  std::string account;
  std::string spn;
  std::string site;
  std::string password;
  // set_dsheuristics: the new dSHeuristics string; set_domain_functional_level: "2003"...;
  // set_default_domain_supported_enctypes: the mask as written ("0x27").
  std::string value;
  std::string dc;  // the DC the write goes to (default: the first); its version decides its checks
  std::optional<std::vector<std::string>>
      reach;         // nodes that receive the new keys (default: all of the site)
  std::string path;  // JSON path, for messages
  // Exchange: new_client_access_array's -Name and -Fqdn; roll_asa_password's destination (servers: node
  // names for -ToSpecificServers) and source (copyFrom: a node for -CopyFrom; otherwise account is
  // -GenerateNewPasswordFor).
  std::string name;
  std::string fqdn;
  AsaTarget target = AsaTarget::ArrayMembers;
  std::vector<std::string> servers;
  std::string copyFrom;
};

struct LoadBalancerSpec {
  std::string mode = "http";           // http (layer 7) | tcp (layer 4)
  std::string policy = "round-robin";  // round-robin | least-conn | random
  std::string affinity = "none";       // none | source | cookie
  // http mode: per-request | haproxy (an NTLM/Negotiate challenge makes the node connection private to the
  // client connection) | server-close (loadbalancer::ConnectionModel)
  std::string connectionModel = "per-request";
  // pool.tls in http mode: reencrypt (TLS to the nodes, presenting the nodes' own certificate: SSL bridging
  // with the same certificate) | reencrypt-own-certificate (TLS to the nodes, the balancer presenting another
  // certificate for the same names) | offload (plain HTTP to the nodes). tcp mode passes TLS through.
  std::string tls = "reencrypt";
};

struct PoolSpec {
  std::string fqdn = "pool.contoso.test";
  std::string site = "Site1";
  std::vector<std::string> nodes{"fe01", "fe02", "fe03"};
  LoadBalancerSpec loadBalancer;
  bool tls = false;
  std::string authPersistence = "per-request";  // per-request | per-connection (IIS authPersistNonNTLM)
  bool ntlm = true;                             // offer WWW-Authenticate: NTLM and NTLM inside Negotiate
  // IIS's Extended Protection on every node: off | allow | require (core::acceptor::ExtendedProtection).
  std::string extendedProtection = "off";
  std::string path = "/WebTicket/WebTicketService.svc";
  // Lync's web services (product lync): the nodes that were never given the pool's web services certificate
  // (its key seals the web tickets), and the host names of the external web services (15-minute tickets).
  std::vector<std::string> poolKeyMissingOn;
  std::vector<std::string> externalWebFqdns;
  // Set-CsWebServiceConfiguration -DefaultValidityPeriodHours: how long CertProv's client certificates last
  // (pool.web_services.default_validity_period_hours; Lync: 4320 = 180 days, 8..8760).
  int defaultValidityPeriodHours = 4320;
};

struct DnsRecord {
  std::string name;
  std::string type;    // A | CNAME
  std::string target;  // A: "lb" or a node name; CNAME: another name
};

struct ClientProfileSpec {
  std::string name;
  bool kdcReachable = true;
  bool tryKerberos = true;
  bool ntlmAllowed = true;
  bool rawNtlm = false;  // Authorization: NTLM (mobile clients) instead of NTLM inside Negotiate
  bool promptOnKerberosFailure = true;
  bool includePortInSpn = false;
  bool canonicalizeCname = true;
  // The SPN from the address the pool name resolved to (HTTP/127.0.0.1): Chromium on Linux when the resolver
  // returns no canonical name.
  bool spnFromAddress = false;
  // What the workstation offers in AS-REQ and TGS-REQ, in its order of preference (kerbpool's client: AES256,
  // AES128; an old application or a hardened-against-AES one may offer RC4 only).
  std::vector<std::int32_t> enctypes{18, 17};
  // How the application uses the pool (Exchange clients): its first request of a session asks
  // https://autodiscover.<domain>/autodiscover/autodiscover.xml; it keeps `connections` connections open at
  // once (Outlook's MAPI over HTTP: one for mail, emsmdb, one for the address book, nspi), each authenticated
  // on its own; its requests go to `paths` in turn, one per connection (empty: the pool's path); it opens a
  // new connection for every request (an ActiveSync phone's long-poll).
  bool autodiscover = false;
  int connections = 1;
  std::vector<std::string> paths;
  bool connectionPerRequest = false;
  // Lync's clients: sign in to the web services (discover, MsRtcOAuth challenge, POST /WebTicket/oauthtoken
  // with Negotiate or NTLM) and send every request with the web ticket (`Authorization: Bearer cwt=...`),
  // signing in again only when the ticket is about to expire or a node refuses it. paths: UCWA's.
  bool webTicket = false;
  // With webTicket: after a Windows sign-in, buy a client certificate from the pool's CertProv and buy later
  // web tickets with it, with no DC (Lync's desktop client and its TLS-DSK certificate).
  bool clientCertificate = false;
  // With webTicket: sign in with grant_type=password (the Lync Web App's forms page) instead of Negotiate;
  // the node checks the password with the DC (an NTLM pass-through).
  bool passwordGrant = false;
};

struct ClientGroupSpec {
  std::string profile = "internal-pc";
  int count = 10;
  int requests = 10;
  int concurrency = 10;
  int thinkTimeMs = 0;
  // keep-alive: a client keeps its connection between requests (NTLM logs on once per connection);
  // per-request: it opens a new connection for every request (a new NTLM logon, a new pass-through each).
  bool connectionPerRequest = false;
  std::string host;  // default: the pool's fqdn
  std::string path;  // JSON path, for messages
};

struct TimelineEvent {
  // RollAsaPassword: Exchange's RollAlternateServiceAccountPassword.ps1 while the pool runs (`operation`);
  // CAS servers that are down then miss the credential, as the real script cannot reach them.
  // SetOAuthCertificate: Lync's `Set-CsCertificate -Type OAuthTokenIssuer -Computer NODE` (the node gets the
  // pool's web ticket key); RollOAuthCertificate: `... -Roll` (a new key version to every node that is up and
  // already holds one).
  enum class Kind {
    NodeDown,
    NodeUp,
    PasswordRoll,
    ApplyFix,
    ClockDrift,
    IisReset,
    RollAsaPassword,
    SetOAuthCertificate,
    RollOAuthCertificate,
    DisableAccount,           // Disable-ADAccount USER: the KDC and Netlogon refuse its logons
    EnableAccount,            // Enable-ADAccount USER
    RevokeClientCertificate,  // Lync's Revoke-CsClientCertificate -Identity USER
  };
  Kind kind = Kind::NodeDown;
  double atPercent = 0;  // when: after this share of all requests has completed (deterministic)
  // In a simulated-time scenario: when, in simulated hours from the start (atPercent then mirrors it, for
  // the order).
  std::optional<double> atHour;
  std::string node;  // node_down/node_up; iisreset: one node (empty: every node)
  std::string account;
  std::string user;       // disable_account / enable_account / revoke_client_certificate: "user001"
  bool iisreset = false;  // apply_fix: then restart the web service on every node (iisreset)
  std::optional<std::vector<std::string>> reach;  // password roll: nodes that get the new keys
  std::string profile;                            // clock drift: which clients
  double offsetS = 0;                             // clock drift
  std::string label;                              // phase name in reports
  std::string path;
  DirectoryOperation operation;  // roll_asa_password
};

// Optional checks that make `kerbpool run` exit non-zero when not met (tests and CI).
struct Expectation {
  std::string metric;  // kerberos_percent, ntlm_percent, prompt_percent, failed_percent, event_11, ...
  std::optional<double> min;
  std::optional<double> max;
  std::string path;
};

// Which product's pool: its vocabulary (Lync's Kerberos account and cmdlets, or Exchange's CAS array and
// Alternate Service Account), its set-up commands and its clients. The directory, the KDC and the nodes
// behave the same: the product changes the words and the client behaviour, not the outcome.
enum class Product { Lync, Exchange };

// How the workstations reach the servers of the world. Loopback: real sockets on 127.0.0.0/8, every
// exchange a packet a capture (--pcap) can record. InProcess: the same messages, byte for byte, handed to the
// servers' protocol logic without a socket: today the workstations' Kerberos exchanges (AS and TGS DER go to
// the DC's KDC service as a datagram or a TCP frame would, with the UDP size rules and the
// KRB_ERR_RESPONSE_TOO_BIG retry over "TCP"); HTTP still crosses loopback.
enum class Transport { Loopback, InProcess };
std::string_view toString(Transport transport);  // "loopback", "in-process"

struct Scenario {
  Product product = Product::Lync;
  std::string name;
  std::string title;
  std::string description;
  std::uint64_t seed = 1;
  std::string realmJson;  // a realm file object (docs/realm-file.md) with the generated users added
  std::string realmName = "CONTOSO.TEST";
  std::vector<DomainControllerSpec> domainControllers{DomainControllerSpec{}};
  UserPopulation users;
  std::vector<DirectoryOperation> operations;
  PoolSpec pool;
  std::vector<DnsRecord> dns;
  std::vector<ClientProfileSpec> profiles;  // the built-in ones plus the file's custom ones
  std::vector<ClientGroupSpec> clients;
  std::vector<TimelineEvent> timeline;  // sorted by atPercent
  std::vector<Expectation> expectations;
  // "simulated_time": {"hours": H}: the run spans H hours of simulated time: round n (request n of every
  // client) starts at hour n * H / rounds, the clock running at wall speed within a round and jumping between
  // rounds, so that hours-long web tickets and tickets expire within seconds of wall time. 0: the wall clock.
  double simulatedHours = 0;
  // "transport": "loopback" (default) or "in-process"; `kerbpool run --transport` overrides it.
  Transport transport = Transport::Loopback;

  const ClientProfileSpec* profile(const std::string& name) const;
  std::uint64_t totalRequests() const;
};

// internal-pc (Kerberos, reaches the KDC, NTLM inside Negotiate as fallback), external-pc (no KDC: NTLM),
// mobile (raw NTLM), linux-chromium; Lync's web-ticket clients: lync-desktop (internal-pc signing in to the
// web services), lync-external (external-pc's), lync-mobile (mobile's); Exchange's: outlook (domain-joined
// Outlook, Negotiate, autodiscover then two MAPI over HTTP connections), outlook-ntlm (Outlook Anywhere set
// to NTLM authentication, or Outlook outside the network), activesync (a phone: raw NTLM, a new connection
// per request), ews (an EWS application on a domain-joined machine: Negotiate, autodiscover first).
std::vector<ClientProfileSpec> builtInProfiles();
// Whether `name` (compared in lower case) is one of the generated users: prefix + a number 1..count written
// with at least three digits ("user001"); `last` gets the name of the last one, for messages.
bool isGeneratedUser(const UserPopulation& users, std::string_view name, std::string* last = nullptr);
// ASCII lower case (user names compared without case).
std::string lowerAscii(std::string_view s);
// A user's SIP address as Lync's cmdlets take it: "user001@contoso.test" (lower case, without "sip:").
std::string sipAddress(std::string_view user, std::string_view realm);

}  // namespace kerbpool::scenarios
