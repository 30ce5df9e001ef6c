#include "scenarios/lab_directory.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "core/common/http_text.hpp"
#include "core/common/windows_time.hpp"
#include "kdc/realm_file.hpp"

namespace kerbpool::scenarios {

namespace {

using core::ErrorCategory;
using core::makeError;

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : ", ") + items[i];
  }
  return out;
}

// "POOLKERB$" -> "POOLKERB" (how the Lync cmdlets name it).
// "CONTOSO.TEST" -> "CONTOSO" (the NetBIOS domain the cmdlets show).
std::string netbios(std::string_view realm) {
  return core::toUpperAscii(realm.substr(0, realm.find('.')));
}

std::string withoutDollar(std::string_view sam) {
  std::string s(sam);
  if (!s.empty() && s.back() == '$') {
    s.pop_back();
  }
  return s;
}

}  // namespace

LabDirectory::LabDirectory(Scenario scenario, const core::Clock& clock, std::unique_ptr<kdc::EventLog> events,
                           std::unique_ptr<kdc::Directory> directory)
    : scenario_(std::move(scenario)),
      clock_(clock),
      events_(std::move(events)),
      directory_(std::move(directory)) {}

std::string LabDirectory::computerAccount(std::string_view node) {
  return core::toUpperAscii(node) + "$";
}

core::Result<std::unique_ptr<LabDirectory>> LabDirectory::build(const Scenario& scenario,
                                                                const core::Clock& clock) {
  auto events = std::make_unique<kdc::EventLog>(clock);
  KP_TRY(kdc::Realm realm, kdc::parseRealmFile(scenario.realmJson, *events));
  std::unique_ptr<LabDirectory> lab(
      new LabDirectory(scenario, clock, std::move(events), std::move(realm.directory)));
  // The KDC's event wording follows the first DC (the one whose log the report reads).
  const DcVersion* version = findDcVersion(lab->domainController("").version);
  lab->directory_->setKdcEventWording(version != nullptr && version->legacyKdcEvents
                                          ? kdc::KdcEventWording::Windows2003
                                          : kdc::KdcEventWording::Windows2008);
  for (const auto& op : lab->scenario_.operations) {
    auto step = lab->apply(op);
    if (!step.ok()) {
      return std::move(step).error().within(op.path);
    }
  }
  return lab;
}

AdminStep LabDirectory::record(AdminStep step) {
  steps_.push_back(step);
  return step;
}

core::Result<AdminStep> LabDirectory::apply(const DirectoryOperation& op) {
  using Kind = DirectoryOperation::Kind;
  switch (op.kind) {
    case Kind::SetspnAdd:
      return setspn("-A", op.account, op.spn, op.dc);
    case Kind::SetspnAddChecked:
      return setspn("-S", op.account, op.spn, op.dc);
    case Kind::SetspnDelete:
      return setspn("-D", op.account, op.spn, op.dc);
    case Kind::SetDsHeuristics:
      return setDsHeuristics(op.value);
    case Kind::SetDomainFunctionalLevel:
      return setDomainFunctionalLevel(op.value);
    case Kind::SetDefaultDomainSupportedEncTypes:
      return setDefaultDomainSupportedEncTypes(op.value);
    case Kind::CreateKerberosAccount:
      return createKerberosAccount(op.account, op.site);
    case Kind::AssignKerberosAccount:
      return assign(op.account, op.site);
    case Kind::SetKerberosAccountPassword: {
      auto site = directory_->site(op.site);
      if (!site || !site->kerberosAccount) {
        return makeError(ErrorCategory::Config, "no_kerberos_account",
                         "Set-CsKerberosAccountPassword: site '" + op.site +
                             "' has no Kerberos account assigned (New-CsKerberosAccountAssignment first)");
      }
      return setAccountPassword(*site->kerberosAccount, op.password, op.reach,
                                "Set-CsKerberosAccountPassword -UserAccount \"" +
                                    netbios(scenario_.realmName) + "\\" +
                                    withoutDollar(*site->kerberosAccount) + "\"");
    }
    case Kind::SetPassword:
      return setAccountPassword(op.account, op.password, op.reach,
                                "Set-ADAccountPassword -Identity " + op.account + " -Reset");
    case Kind::NewClientAccessArray:
      return newClientAccessArray(op);
    case Kind::NewAsaComputer:
      return newAsaComputer(op.account);
    case Kind::RollAsaPassword:
      return rollAsaPassword(op, {});
    case Kind::GetClientAccessServer:
      return getClientAccessServer();
  }
  return makeError(ErrorCategory::Config, "bad_operation", "unknown operation");
}

const DomainControllerSpec& LabDirectory::domainController(const std::string& name) const {
  static const DomainControllerSpec kDefault;
  for (const auto& dc : scenario_.domainControllers) {
    if (core::equalsIgnoreAsciiCase(dc.name, name)) {
      return dc;
    }
  }
  return scenario_.domainControllers.empty() ? kDefault : scenario_.domainControllers.front();
}

bool LabDirectory::spnUniquenessBypassed() const {
  // Character 21 of dSHeuristics: 1 UPN, 2 SPN, 4 SPN alias; they add up.
  return dsHeuristics_.size() >= 21 && ((dsHeuristics_[20] - '0') & 2) != 0;
}

kdc::SpnWriteCheck LabDirectory::spnWriteCheck(const std::string& dc) const {
  const DomainControllerSpec& spec = domainController(dc);
  const DcVersion* version = findDcVersion(spec.version);
  kdc::SpnWriteCheck check;
  check.dcName = spec.name;
  check.forestUnique = version != nullptr && version->checksSpnUniqueness && !spnUniquenessBypassed();
  return check;
}

void LabDirectory::noteDuplicate(const kdc::SpnChange& change, const std::string& dc) {
  if (change.outcome != kdc::SpnOutcome::Added || change.holders.empty()) {
    return;
  }
  const std::string key = core::toLowerAscii(change.spn);
  if (duplicateOrigins_.count(key) != 0) {
    return;
  }
  const DomainControllerSpec& spec = domainController(dc);
  const DcVersion* version = findDcVersion(spec.version);
  const std::string display = version != nullptr ? version->display : spec.version;
  DuplicateOrigin origin;
  origin.how = "The duplicate got in when " + change.spn + " was written to " + change.account +
               " (already held by " + joined(change.holders) + ") on " + spec.name + ", ";
  if (version != nullptr && version->checksSpnUniqueness) {
    origin.how +=
        "a " + display + " domain controller that would have refused it (0x21C7, Directory " +
        "Service event 2974) had dSHeuristics not turned the forest-wide SPN check off (character " +
        "21 = " + dsHeuristics_.substr(20, 1) + ").";
    origin.fix = "turn the forest-wide SPN check back on (character 21 of dSHeuristics to 0)";
  } else {
    origin.how +=
        "a " + display + " domain controller: DCs before Windows Server 2012 R2 write a duplicate " +
        "SPN without a word (2012 R2 and later refuse it with 0x21C7 and log Directory Service event " +
        "2974).";
    origin.fix =
        "from now on add SPNs with setspn -S, which looks for the SPN in the whole forest before writing it";
  }
  duplicateOrigins_[key] = std::move(origin);
}

std::optional<LabDirectory::DuplicateOrigin> LabDirectory::duplicateOrigin(std::string_view spn) const {
  const auto it = duplicateOrigins_.find(core::toLowerAscii(spn));
  return it == duplicateOrigins_.end() ? std::nullopt : std::optional<DuplicateOrigin>(it->second);
}

core::Result<AdminStep> LabDirectory::setDsHeuristics(const std::string& value) {
  AdminStep step;
  step.command = "Set-ADObject \"CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration," +
                 directory_->baseDn() + "\" -Replace @{dSHeuristics=\"" + value + "\"}";
  dsHeuristics_ = value;
  step.output.push_back(spnUniquenessBypassed()
                            ? "dSHeuristics is now " + value +
                                  ": character 21 includes 2, so domain controllers "
                                  "running Windows Server 2012 R2 or later no longer refuse a duplicate SPN"
                            : "dSHeuristics is now " + value +
                                  ": the forest-wide SPN uniqueness check of 2012 R2 and later DCs stays on");
  return record(std::move(step));
}

core::Result<AdminStep> LabDirectory::setDomainFunctionalLevel(const std::string& level) {
  AdminStep step;
  const std::string mode = "Windows" + level + "Domain";
  step.command = "Set-ADDomainMode -Identity " + directory_->dnsDomain() + " -DomainMode " + mode;
  const bool aes = level != "2003";
  const bool had = directory_->derivesAesKeys();
  directory_->setDerivesAesKeys(aes);
  if (!aes) {
    step.output.push_back(
        "Domain functional level " + mode +
        ": a password set derives an RC4 key only (AES keys come with the Windows Server 2008 "
        "level)");
  } else {
    step.output.push_back(
        "Domain functional level " + mode + ": a password set derives AES256, AES128 and RC4 keys" +
        (had ? std::string()
             : "; passwords set before keep the keys they have (RC4 only) until they are set "
               "again"));
  }
  return record(std::move(step));
}

core::Result<AdminStep> LabDirectory::setDefaultDomainSupportedEncTypes(const std::string& value) {
  KP_TRY(const std::uint32_t mask, kdc::parseSupportedEnctypes(value));
  AdminStep step;
  std::string dcs;
  for (const auto& dc : scenario_.domainControllers) {
    dcs += (dcs.empty() ? "" : ", ") + dc.name;
  }
  step.command =
      "reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\Kdc /v DefaultDomainSupportedEncTypes "
      "/t REG_DWORD /d " +
      value + " /f   (on " + dcs + ")";
  const auto tickets = kdc::enctypesInMask(mask);
  std::string names;
  for (std::int32_t e : tickets) {
    names += std::string(names.empty() ? "" : ", ") + (e == 18 ? "AES256" : e == 17 ? "AES128" : "RC4");
  }
  const bool aesSession = (mask & kdc::supported_enctypes::kAesSessionKeys) != 0;
  step.output.push_back(
      "DefaultDomainSupportedEncTypes " + kdc::describeSupportedEnctypes(mask) +
      ": an account without msDS-SupportedEncryptionTypes of its own gets tickets sealed with " + names +
      (aesSession ? ", and AES session keys when the client asks for them" : std::string()) + " (was " +
      kdc::describeSupportedEnctypes(directory_->defaultDomainSupportedEncTypes()) + ")");
  directory_->setDefaultDomainSupportedEncTypes(mask);
  return record(std::move(step));
}

core::Result<AdminStep> LabDirectory::setspn(std::string_view flag, const std::string& account,
                                             const std::string& spn, const std::string& dc) {
  AdminStep step;
  step.command = "setspn " + std::string(flag) + " " + spn + " " + account;
  const kdc::SpnWriteCheck check = spnWriteCheck(dc);
  if (!dc.empty()) {
    step.command += "   (against " + check.dcName + ")";
  }
  core::Result<kdc::SpnChange> change = flag == "-A"   ? directory_->addSpn(account, spn, check)
                                        : flag == "-S" ? directory_->addSpnChecked(account, spn)
                                                       : directory_->deleteSpn(account, spn);
  if (!change.ok()) {
    return std::move(change).error().within(step.command);
  }
  step.output = change->output;
  if (change->outcome == kdc::SpnOutcome::RefusedNotUnique) {
    const DcVersion* version = findDcVersion(domainController(dc).version);
    step.output.push_back(
        "(kerbpool: " + check.dcName + " runs " + (version != nullptr ? version->display : std::string("?")) +
        ", which checks that an " + "SPN is unique in the forest; " + joined(change->holders) +
        " already holds " + spn + ". " + check.dcName + " logged Directory Service event 2974.)");
  }
  noteDuplicate(*change, dc);
  step.keysChanged = true;  // the names a node's keys answer to follow the SPNs
  return record(std::move(step));
}

core::Result<AdminStep> LabDirectory::createKerberosAccount(const std::string& account,
                                                            const std::string& site) {
  AdminStep step;
  step.command = "New-CsKerberosAccount -UserAccount \"" + netbios(scenario_.realmName) + "\\" +
                 withoutDollar(account) + "\" -ContainerDN \"CN=Computers," + directory_->baseDn() + "\"";
  // The new computer object gets a password of its own (kvno 1) that no front-end knows:
  // Set-CsKerberosAccountPassword then sets the next one and hands it to the site's nodes.
  KP_TRY(std::uint32_t kvno, newServiceComputer(account));
  step.output.push_back("Created computer object " + account +
                        " for the Kerberos web authentication of site " + site + " (its own password, key " +
                        "version (kvno) " + std::to_string(kvno) +
                        ", known to no front-end until Set-CsKerberosAccountPassword)");
  // Lync adds the pool's HTTP SPN itself, without looking for another holder first.
  const std::string spn = "HTTP/" + scenario_.pool.fqdn;
  KP_TRY(kdc::SpnChange change, directory_->addSpn(account, spn, spnWriteCheck("")));
  noteDuplicate(change, "");
  for (const auto& line : change.output) {
    step.output.push_back(line);
  }
  step.keysChanged = true;
  return record(std::move(step));
}

core::Result<AdminStep> LabDirectory::assign(const std::string& account, const std::string& site) {
  AdminStep step;
  step.command = "New-CsKerberosAccountAssignment -UserAccount \"" + netbios(scenario_.realmName) + "\\" +
                 withoutDollar(account) + "\" -Identity \"site:" + site + "\"; Enable-CsTopology";
  KP_CHECK(directory_->assignKerberosAccount(site, account));
  // The assignment is part of the topology: it takes effect once Enable-CsTopology publishes it.
  step.output.push_back("Site " + site + ": the front-ends share the key of " + account +
                        " (the assignment takes effect when Enable-CsTopology publishes the topology)");
  step.keysChanged = true;
  return record(std::move(step));
}

core::Result<std::uint32_t> LabDirectory::newServiceComputer(const std::string& account) {
  kdc::AccountSpec spec;
  spec.samAccountName = account;
  spec.kind = kdc::AccountKind::ServiceAccount;
  spec.serviceObjectClass = kdc::ObjectClass::Computer;
  KP_CHECK(directory_->addAccount(spec));
  return directory_->setPassword(account, nextPassword(account));
}

std::string LabDirectory::nextPassword(const std::string& account) {
  return withoutDollar(account) + "-rolled-password-" + std::to_string(++passwordsMade_);
}

core::Result<AdminStep> LabDirectory::setAccountPassword(const std::string& account,
                                                         const std::string& password,
                                                         const std::optional<std::vector<std::string>>& reach,
                                                         std::string command) {
  AdminStep step;
  step.command = std::move(command);
  KP_TRY(std::uint32_t kvno, directory_->setPassword(account, password));
  step.output.push_back(account + ": new password, key version (kvno) " + std::to_string(kvno) +
                        (directory_->derivesAesKeys()
                             ? std::string()
                             : " (an RC4 key only: the domain functional level derives no AES key)"));
  // A node's own computer account needs no delivery: the node changed its password itself.
  const bool isNodeAccount = std::any_of(
      scenario_.pool.nodes.begin(), scenario_.pool.nodes.end(),
      [&](const std::string& n) { return core::equalsIgnoreAsciiCase(computerAccount(n), account); });
  if (!isNodeAccount) {
    std::vector<std::string> targets;
    if (reach) {
      targets = *reach;
    } else {
      targets = scenario_.pool.nodes;
    }
    std::vector<std::string> reached;
    for (const auto& node : targets) {
      const std::string sam = computerAccount(node);
      KP_CHECK(directory_->deliverKeys(account, sam));
      reached.push_back(sam);
    }
    std::vector<std::string> missed;
    for (const auto& node : scenario_.pool.nodes) {
      if (std::find(targets.begin(), targets.end(), node) == targets.end()) {
        missed.push_back(computerAccount(node));
      }
    }
    step.output.push_back("kvno " + std::to_string(kvno) + " delivered to " +
                          (reached.empty() ? std::string("no node") : joined(reached)));
    if (!missed.empty()) {
      step.output.push_back("NOT delivered to " + joined(missed) + " (still on the previous key)");
    }
  }
  step.keysChanged = true;
  return record(std::move(step));
}

core::Result<AdminStep> LabDirectory::rollPassword(const std::string& account,
                                                   const std::optional<std::vector<std::string>>& reach) {
  if (scenario_.product == Product::Exchange) {
    DirectoryOperation op;
    op.kind = DirectoryOperation::Kind::RollAsaPassword;
    op.account = account;
    op.target =
        reach ? DirectoryOperation::AsaTarget::SpecificServers : DirectoryOperation::AsaTarget::ArrayMembers;
    op.fqdn = scenario_.pool.fqdn;
    if (reach) {
      op.servers = *reach;
    }
    return rollAsaPassword(op, {});
  }
  return setAccountPassword(account, nextPassword(account), reach,
                            "Set-CsKerberosAccountPassword -UserAccount \"" + netbios(scenario_.realmName) +
                                "\\" + withoutDollar(account) + "\"");
}

core::Result<std::vector<AdminStep>> LabDirectory::applyFix(const std::string& account) {
  std::vector<AdminStep> out;
  if (scenario_.product == Product::Exchange) {
    const auto spns = casArraySpns();
    for (const auto& spn : spns) {
      for (const auto& holder : directory_->querySpn(spn).holders) {
        if (!core::equalsIgnoreAsciiCase(holder.samAccountName, account)) {
          KP_TRY(AdminStep step, setspn("-D", holder.samAccountName, spn));
          out.push_back(std::move(step));
        }
      }
    }
    if (!directory_->account(account)) {
      KP_TRY(AdminStep step, newAsaComputer(account));
      out.push_back(std::move(step));
    }
    for (const auto& spn : spns) {
      if (directory_->querySpn(spn).holders.empty()) {
        KP_TRY(AdminStep step, setspn("-S", account, spn));
        out.push_back(std::move(step));
      }
    }
    DirectoryOperation roll;
    roll.kind = DirectoryOperation::Kind::RollAsaPassword;
    roll.target = DirectoryOperation::AsaTarget::ArrayMembers;
    roll.fqdn = scenario_.pool.fqdn;
    roll.account = account;
    KP_TRY(AdminStep step, rollAsaPassword(roll, {}));
    out.push_back(std::move(step));
    return out;
  }
  const std::string spn = "HTTP/" + scenario_.pool.fqdn;
  for (const auto& holder : directory_->querySpn(spn).holders) {
    if (!core::equalsIgnoreAsciiCase(holder.samAccountName, account)) {
      KP_TRY(AdminStep step, setspn("-D", holder.samAccountName, spn));
      out.push_back(std::move(step));
    }
  }
  if (!directory_->account(account)) {
    KP_TRY(AdminStep step, createKerberosAccount(account, scenario_.pool.site));
    out.push_back(std::move(step));
  } else if (directory_->querySpn(spn).holders.empty()) {
    KP_TRY(AdminStep step, setspn("-S", account, spn));
    out.push_back(std::move(step));
  }
  auto site = directory_->site(scenario_.pool.site);
  if (!site || !site->kerberosAccount || !core::equalsIgnoreAsciiCase(*site->kerberosAccount, account)) {
    KP_TRY(AdminStep step, assign(account, scenario_.pool.site));
    out.push_back(std::move(step));
  }
  KP_TRY(AdminStep step, rollPassword(account, std::nullopt));
  out.push_back(std::move(step));
  return out;
}

// --- Exchange: the CAS array and its Alternate Service Account ---

namespace {

std::string padded(std::string s, std::size_t width) {
  if (s.size() < width) {
    s.append(width - s.size(), ' ');
  }
  return s;
}

}  // namespace

std::vector<std::string> LabDirectory::casArraySpns() const {
  const std::string& fqdn = scenario_.pool.fqdn;
  std::vector<std::string> spns{"HTTP/" + fqdn};
  for (const auto& r : scenario_.dns) {
    if (r.type == "A" && r.target == "lb" && !core::equalsIgnoreAsciiCase(r.name, fqdn)) {
      spns.push_back("HTTP/" + r.name);
    }
  }
  for (const char* service : {"exchangeMDB/", "exchangeRFR/", "exchangeAB/"}) {
    spns.push_back(service + fqdn);
  }
  return spns;
}

LabDirectory::AsaStatus LabDirectory::asaStatus(const std::string& node) const {
  const auto it = asaStatus_.find(core::toLowerAscii(node));
  return it == asaStatus_.end() ? AsaStatus{} : it->second;
}

core::Result<AdminStep> LabDirectory::newClientAccessArray(const DirectoryOperation& op) {
  AdminStep step;
  step.command =
      "New-ClientAccessArray -Name \"" + op.name + "\" -Fqdn \"" + op.fqdn + "\" -Site \"" + op.site + "\"";
  std::vector<std::string> members;
  for (const auto& n : scenario_.pool.nodes) {
    members.push_back(core::toUpperAscii(n));
  }
  step.output.push_back(padded("Name", 20) + padded("Site", 20) + padded("Fqdn", 32) + "Members");
  step.output.push_back(padded("----", 20) + padded("----", 20) + padded("----", 32) + "-------");
  step.output.push_back(padded(op.name, 20) + padded(op.site, 20) + padded(op.fqdn, 32) + "{" +
                        joined(members) + "}");
  step.output.push_back(
      "(kerbpool: the array is a name, not an account: until an Alternate Service Account "
      "holds HTTP/" +
      op.fqdn +
      " and every member has its credential, Outlook's Kerberos "
      "has no key to ask for and every client logs on with NTLM)");
  return record(std::move(step));
}

core::Result<AdminStep> LabDirectory::newAsaComputer(const std::string& account) {
  AdminStep step;
  const std::string name = withoutDollar(account);
  step.command = "New-ADComputer -Name " + name +
                 " -AccountPassword (Read-Host 'Enter password' "
                 "-AsSecureString) -Description 'Alternate Service Account credentials for Exchange' "
                 "-Enabled:$True -SamAccountName " +
                 name + "; Set-ADComputer " + name + " -Add @{\"msDS-SupportedEncryptionTypes\"=\"28\"}";
  KP_TRY(std::uint32_t kvno, newServiceComputer(account));
  // 28 = 0x1C: RC4, AES128 and AES256.
  KP_CHECK(directory_->setSupportedEncryptionTypes(account, 0x1C));
  step.output.push_back("(kerbpool: computer object " + account + " created in CN=Computers," +
                        directory_->baseDn() + ", key version (kvno) " + std::to_string(kvno) +
                        ", msDS-SupportedEncryptionTypes 0x1C (RC4, AES128, AES256), no SPN yet; no Client "
                        "Access server knows its password until RollAlternateServiceAccountPassword.ps1 "
                        "pushes it)");
  step.keysChanged = true;
  return record(std::move(step));
}

std::string LabDirectory::asaRollCommand(const Scenario& scenario, const DirectoryOperation& op) {
  std::string command = ".\\RollAlternateServiceAccountPassword.ps1";
  switch (op.target) {
    case DirectoryOperation::AsaTarget::ArrayMembers:
      command += " -ToArrayMembers \"" + (op.fqdn.empty() ? scenario.pool.fqdn : op.fqdn) + "\"";
      break;
    case DirectoryOperation::AsaTarget::SpecificServers: {
      std::vector<std::string> names;
      for (const auto& s : op.servers) {
        names.push_back(core::toUpperAscii(s));
      }
      command += " -ToSpecificServers " + joined(names);
      break;
    }
    case DirectoryOperation::AsaTarget::EntireForest:
      command += " -ToEntireForest";
      break;
  }
  if (!op.copyFrom.empty()) {
    command += " -CopyFrom " + core::toUpperAscii(op.copyFrom);
  } else {
    command += " -GenerateNewPasswordFor \"" + netbios(scenario.realmName) + "\\" + op.account + "\"";
  }
  return command + " -Verbose";
}

core::Result<AdminStep> LabDirectory::rollAsaPassword(const DirectoryOperation& op,
                                                      const std::vector<std::string>& down) {
  AdminStep step;
  step.command = asaRollCommand(scenario_, op);
  const core::TimePoint now = clock_.now();
  // The destination: the array's members, the servers named, or every CAS of the forest (the lab's pool).
  std::vector<std::string> targets =
      op.target == DirectoryOperation::AsaTarget::SpecificServers ? op.servers : scenario_.pool.nodes;
  // The source: a new password for the ASA, or the credential another CAS holds.
  std::string account = op.account;
  std::uint32_t kvno = 0;
  step.output.push_back("========== Starting at " + core::windowsUsTime(now) + " ==========");
  if (!op.copyFrom.empty()) {
    const AsaStatus from = asaStatus(op.copyFrom);
    if (!from.latest) {
      return makeError(ErrorCategory::Config, "no_asa_credential",
                       step.command + ": " + core::toUpperAscii(op.copyFrom) +
                           " has no Alternate Service Account credential to copy");
    }
    account = from.latest->account;
    kvno = from.latest->kvno;
    step.output.push_back("Credentials that will be pushed to every server in the specified scope: " +
                          netbios(scenario_.realmName) + "\\" + account + ", as held by " +
                          core::toUpperAscii(op.copyFrom));
  } else {
    if (!directory_->account(account)) {
      return makeError(ErrorCategory::NotFound, "no_such_account",
                       step.command + ": no account '" + account +
                           "' in the directory (create the ASA with " + "New-ADComputer first)");
    }
    step.output.push_back("Credentials that will be pushed to every server in the specified scope: " +
                          netbios(scenario_.realmName) + "\\" + account + " (a new password)");
  }
  std::vector<std::string> reached;
  std::vector<std::string> missed;
  for (const auto& node : targets) {
    const bool isDown = std::find(down.begin(), down.end(), node) != down.end();
    if (isDown) {
      step.output.push_back("Pushing credentials to server " + core::toUpperAscii(node) +
                            ": FAILED, the server cannot be "
                            "reached (kerbpool: " +
                            node + " is down)");
      missed.push_back(node);
    } else {
      step.output.push_back("Pushing credentials to server " + core::toUpperAscii(node));
      reached.push_back(node);
    }
  }
  if (op.copyFrom.empty()) {
    step.output.push_back("Setting a new password on Alternate Service Account in Active Directory");
    KP_TRY(kvno, directory_->setPassword(account, nextPassword(account)));
  }
  // The directory hands the current keys; a copy hands what the source CAS holds, which is the current
  // version unless the source itself missed a roll.
  std::uint32_t currentKvno = 0;
  if (const auto a = directory_->account(account); a && a->currentKeys() != nullptr) {
    currentKvno = a->currentKeys()->kvno;
  }
  for (const auto& node : reached) {
    if (kvno == currentKvno) {
      KP_CHECK(directory_->deliverKeys(account, computerAccount(node)));
    }
    AsaStatus& st = asaStatus_[core::toLowerAscii(node)];
    if (!st.latest || st.latest->kvno != kvno || !core::equalsIgnoreAsciiCase(st.latest->account, account)) {
      st.previous = st.latest;
      st.latest = AsaCredential{account, kvno, now};
    }
  }
  // The array's CAS servers now use this account for Kerberos: the site's shared account.
  KP_CHECK(directory_->assignKerberosAccount(scenario_.pool.site, account));
  step.output.push_back("========== Finished at " + core::windowsUsTime(now) + " ==========");
  step.output.push_back(missed.empty() ? "        THE SCRIPT HAS SUCCEEDED"
                                       : "        THE SCRIPT HAS FAILED");
  std::vector<std::string> reachedSams;
  for (const auto& n : reached) {
    reachedSams.push_back(core::toUpperAscii(n));
  }
  std::string note = "(kerbpool: " + account + " kvno " + std::to_string(kvno) + " now on " +
                     (reachedSams.empty() ? std::string("no server") : joined(reachedSams));
  if (!missed.empty()) {
    std::vector<std::string> names;
    for (const auto& n : missed) {
      names.push_back(core::toUpperAscii(n));
    }
    note +=
        "; NOT on " + joined(names) + ", which keeps " +
        (asaStatus(missed.front()).latest ? "kvno " + std::to_string(asaStatus(missed.front()).latest->kvno)
                                          : std::string("no ASA credential")) +
        ": tickets for the array's names carry kvno " + std::to_string(currentKvno) +
        " and it cannot open them. Run .\\RollAlternateServiceAccountPassword.ps1 -ToSpecificServers " +
        joined(names) + " -CopyFrom " +
        (reachedSams.empty() ? std::string("<a server that has it>") : reachedSams.front()) +
        " once it is back";
  }
  step.output.push_back(note + ")");
  step.keysChanged = true;
  return record(std::move(step));
}

std::vector<std::string> LabDirectory::clientAccessServerStatus() const {
  std::vector<std::string> out;
  const std::string domain = netbios(scenario_.realmName);
  auto describe = [&](const std::optional<AsaCredential>& c) {
    return c ? core::windowsUsTime(c->when) + ", " + domain + "\\" + c->account : std::string("<not set>");
  };
  for (const auto& node : scenario_.pool.nodes) {
    const AsaStatus st = asaStatus(node);
    if (!out.empty()) {
      out.push_back("");
    }
    out.push_back("Name                                 : " + core::toUpperAscii(node));
    out.push_back("AlternateServiceAccountConfiguration : Latest: " + describe(st.latest));
    out.push_back("                                       Previous: " + describe(st.previous));
  }
  return out;
}

core::Result<AdminStep> LabDirectory::getClientAccessServer() {
  AdminStep step;
  step.command =
      "Get-ClientAccessServer -IncludeAlternateServiceAccountCredentialStatus | "
      "Format-List Name, AlternateServiceAccountConfiguration";
  step.output = clientAccessServerStatus();
  return record(std::move(step));
}

}  // namespace kerbpool::scenarios
