#include "lab/admin_command.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "core/common/http_text.hpp"
#include "scenarios/assignment_check.hpp"
#include "scenarios/scenario_loader.hpp"

namespace kerbpool::lab {

namespace {

using scenarios::DirectoryOperation;
using scenarios::TimelineEvent;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// "CONTOSO\POOLKERB" or "POOLKERB" -> "POOLKERB$": how the Lync cmdlets name a computer account.
std::string computerSam(const std::string& userAccount) {
  std::string name =
      userAccount.substr(userAccount.find('\\') == std::string::npos ? 0 : userAccount.find('\\') + 1);
  if (!name.empty() && name.back() != '$') {
    name += '$';
  }
  return core::toUpperAscii(name);
}

// -Name value pairs of a PowerShell cmdlet (parameter names without case).
std::string parameter(const std::vector<std::string>& argv, const std::string& name) {
  for (std::size_t i = 1; i + 1 < argv.size(); ++i) {
    if (lower(argv[i]) == lower(name)) {
      return argv[i + 1];
    }
  }
  return "";
}

AdminOutcome refused(std::vector<std::string> lines) {
  return AdminOutcome{false, false, std::move(lines)};
}

AdminOutcome fromStep(const core::Result<scenarios::AdminStep>& step, bool setspn,
                      const std::string& account) {
  if (!step.ok()) {
    if (setspn && step.error().code == "no_such_account") {
      // setspn's own words for an account it cannot find.
      return refused(
          {"FindDomainForAccount: Call to DsGetDcNameWithAccountW failed with return value 0x00000525",
           "Unable to locate account " + account});
    }
    return refused({step.error().message()});
  }
  return AdminOutcome{true, true, step->output};
}

const char* kUsage =
    "commands: setspn -A|-S|-D SPN ACCOUNT | setspn -L ACCOUNT | setspn -Q SPN | setspn -X | "
    "New-CsKerberosAccount -UserAccount DOMAIN\\NAME | New-CsKerberosAccountAssignment -UserAccount "
    "DOMAIN\\NAME "
    "[-Identity site:SITE] | Set-CsKerberosAccountPassword [-UserAccount DOMAIN\\NAME] | "
    "Test-CsKerberosAccountAssignment | iisreset [NODE] | node-down NODE | node-up NODE | clock-drift NODE "
    "SECONDS | reg add [\\\\NODE\\]HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters /v "
    "MaxConcurrentApi /t REG_DWORD /d N /f | Exchange: New-ClientAccessArray -Name NAME -Fqdn FQDN -Site "
    "SITE | "
    "New-ADComputer -Name EXCH2010-ASA | .\\RollAlternateServiceAccountPassword.ps1 -ToArrayMembers FQDN | "
    "-ToSpecificServers CAS1,CAS2 | -ToEntireForest, -GenerateNewPasswordFor DOMAIN\\ASA$ | -CopyFrom CAS | "
    "Get-ClientAccessServer -IncludeAlternateServiceAccountCredentialStatus | Lync: Set-CsCertificate -Type "
    "OAuthTokenIssuer -Computer NODE | -Roll | Revoke-CsClientCertificate -Identity sip:USER@DOMAIN | "
    "Disable-ADAccount -Identity USER | Enable-ADAccount -Identity USER";

AdminOutcome setspn(const std::vector<std::string>& argv, scenarios::PoolWorld& world) {
  const std::string flag = argv.size() > 1 ? core::toUpperAscii(argv[1]) : "";
  auto& dir = world.lab().directory();
  if (flag == "-X" && argv.size() == 2) {
    return AdminOutcome{true, false, dir.findDuplicates().output};
  }
  if (flag == "-Q" && argv.size() == 3) {
    return AdminOutcome{true, false, dir.querySpn(argv[2]).output};
  }
  if (flag == "-L" && argv.size() == 3) {
    auto listing = dir.listSpns(argv[2]);
    if (!listing.ok()) {
      return refused(
          {"FindDomainForAccount: Call to DsGetDcNameWithAccountW failed with return value 0x00000525",
           "Unable to locate account " + argv[2]});
    }
    return AdminOutcome{true, false, listing->output};
  }
  if ((flag == "-A" || flag == "-S" || flag == "-D") && argv.size() == 4) {
    DirectoryOperation op;
    op.kind = flag == "-A"   ? DirectoryOperation::Kind::SetspnAdd
              : flag == "-S" ? DirectoryOperation::Kind::SetspnAddChecked
                             : DirectoryOperation::Kind::SetspnDelete;
    op.spn = argv[2];
    op.account = argv[3];
    if (op.spn.find('/') == std::string::npos) {
      return refused({"Unable to parse SPN " + op.spn +
                      " (kerbpool: an SPN is serviceclass/host, e.g. HTTP/" + world.scenario().pool.fqdn +
                      ")"});
    }
    return fromStep(world.applyOperation(op), true, op.account);
  }
  return refused({"Usage: setspn -A|-S|-D SPN ACCOUNT, setspn -L ACCOUNT, setspn -Q SPN, setspn -X"});
}

AdminOutcome timeline(TimelineEvent event, scenarios::PoolWorld& world) {
  auto steps = world.apply(event);
  if (!steps.ok()) {
    return refused({steps.error().message()});
  }
  AdminOutcome out{true, false, {}};
  for (const auto& step : *steps) {
    out.output.push_back("PS> " + step.command);
    out.output.insert(out.output.end(), step.output.begin(), step.output.end());
  }
  return out;
}

std::string nodeArgument(const std::vector<std::string>& argv, const scenarios::PoolWorld& world, bool& ok) {
  ok = argv.size() == 2;
  if (!ok) {
    return "";
  }
  const std::string node = lower(argv[1]);
  const auto& nodes = world.scenario().pool.nodes;
  ok = std::find(nodes.begin(), nodes.end(), node) != nodes.end();
  return node;
}

constexpr std::string_view kNetlogonParameters = "system\\currentcontrolset\\services\\netlogon\\parameters";

AdminOutcome regSyntaxError() {
  return refused(
      {"ERROR: Invalid syntax.", "Type \"REG ADD /?\" for usage.",
       "(kerbpool: reg add [\\\\NODE\\]HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters /v "
       "MaxConcurrentApi /t REG_DWORD /d 1..150 /f)"});
}

// reg add [\\NODE\]HKLM\SYSTEM\CurrentControlSet\Services\Netlogon\Parameters /v MaxConcurrentApi /t
// REG_DWORD /d N /f: the one registry value the lab models. Without \\NODE, every node of the pool (as a GPO
// would set it); with it, that node.
AdminOutcome regAdd(const std::vector<std::string>& argv, scenarios::PoolWorld& world) {
  if (argv.size() < 3 || lower(argv[1]) != "add") {
    return regSyntaxError();
  }
  std::string key = lower(argv[2]);
  std::string node;
  if (key.rfind("\\\\", 0) == 0) {
    const auto slash = key.find('\\', 2);
    if (slash == std::string::npos) {
      return regSyntaxError();
    }
    node = key.substr(2, slash - 2);
    key = key.substr(slash + 1);
  }
  for (const std::string_view root : {"hklm\\", "hkey_local_machine\\"}) {
    if (key.rfind(root, 0) == 0) {
      key = key.substr(root.size());
      break;
    }
  }
  std::string valueName;
  std::string type = "reg_sz";
  std::string data;
  for (std::size_t i = 3; i < argv.size(); ++i) {
    const std::string flag = lower(argv[i]);
    const bool hasValue = i + 1 < argv.size();
    if (flag == "/v" && hasValue) {
      valueName = argv[++i];
    } else if (flag == "/t" && hasValue) {
      type = lower(argv[++i]);
    } else if (flag == "/d" && hasValue) {
      data = argv[++i];
    } else if (flag != "/f") {
      return regSyntaxError();
    }
  }
  if (key != kNetlogonParameters || lower(valueName) != "maxconcurrentapi" || type != "reg_dword") {
    return refused(
        {"kerbpool: the lab models one registry value, "
         "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters\\MaxConcurrentApi (REG_DWORD)"});
  }
  int value = -1;
  try {
    std::size_t used = 0;
    const bool hex = data.rfind("0x", 0) == 0 || data.rfind("0X", 0) == 0;
    const long parsed = std::stol(hex ? data.substr(2) : data, &used, hex ? 16 : 10);
    value = used == (hex ? data.size() - 2 : data.size()) && parsed >= 0 && parsed <= 0x7fffffff
                ? static_cast<int>(parsed)
                : -1;
  } catch (const std::exception&) {
    value = -1;
  }
  if (value < 0) {
    return refused({"ERROR: Invalid syntax.", "Type \"REG ADD /?\" for usage.",
                    "(kerbpool: /d takes a number, decimal or 0x hexadecimal)"});
  }
  if (!node.empty()) {
    const auto& nodes = world.scenario().pool.nodes;
    if (std::find(nodes.begin(), nodes.end(), node) == nodes.end()) {
      return refused({"ERROR: The network path was not found."});
    }
  }
  auto step = world.setMaxConcurrentApi(node, value);
  if (!step.ok()) {
    return refused({step.error().message()});
  }
  return AdminOutcome{true, true, step->output};
}

bool hasSwitch(const std::vector<std::string>& argv, const std::string& name) {
  return std::any_of(argv.begin() + 1, argv.end(),
                     [&](const std::string& a) { return lower(a) == lower(name); });
}

// "RollAlternateServiceAccountPassword.ps1" however the admin calls it (.\, ./, any case).
bool isAsaRollScript(std::string command) {
  if (command.rfind(".\\", 0) == 0 || command.rfind("./", 0) == 0) {
    command.erase(0, 2);
  }
  return command == "rollalternateserviceaccountpassword.ps1";
}

// Exchange's commands for its CAS array and Alternate Service Account, checked as the same operation in a
// scenario file is (scenarios::parseOperation): New-ClientAccessArray, New-ADComputer (the ASA),
// RollAlternateServiceAccountPassword.ps1 (on the timeline: CAS servers that are down miss it) and
// Get-ClientAccessServer.
AdminOutcome exchangeCommand(const std::string& command, const std::vector<std::string>& argv,
                             scenarios::PoolWorld& world) {
  const auto& pool = world.scenario().pool;
  nlohmann::json op;
  std::string label = argv[0];
  if (command == "new-clientaccessarray") {
    op = {{"op", "new_client_access_array"}};
    for (const auto& [param, field] : {std::pair{"-Name", "name"}, {"-Fqdn", "fqdn"}, {"-Site", "site"}}) {
      if (const std::string v = parameter(argv, param); !v.empty()) {
        op[field] = v;
      }
    }
  } else if (command == "new-adcomputer") {
    std::string name = parameter(argv, "-SamAccountName");
    name = name.empty() ? parameter(argv, "-Name") : name;
    if (name.empty()) {
      return refused(
          {"New-ADComputer: missing -Name NAME (the Alternate Service Account, e.g. EXCH2010-ASA)"});
    }
    op = {{"op", "new_asa_computer"}, {"account", computerSam(name)}};
  } else if (command == "get-clientaccessserver") {
    op = {{"op", "get_client_access_server"}};
  } else {
    op = {{"op", "roll_asa_password"}};
    if (const std::string v = parameter(argv, "-ToArrayMembers"); !v.empty()) {
      op["to_array_members"] = v;
    }
    if (const std::string v = parameter(argv, "-ToSpecificServers"); !v.empty()) {
      std::vector<std::string> servers;
      for (std::size_t start = 0; start <= v.size();) {
        const std::size_t comma = std::min(v.find(',', start), v.size());
        if (comma > start) {
          servers.push_back(v.substr(start, comma - start));
        }
        start = comma + 1;
      }
      op["to_specific_servers"] = servers;
    }
    if (hasSwitch(argv, "-ToEntireForest")) {
      op["to_entire_forest"] = true;
    }
    if (const std::string v = parameter(argv, "-GenerateNewPasswordFor"); !v.empty()) {
      op["generate_new_password_for"] = v;
    }
    if (const std::string v = parameter(argv, "-CopyFrom"); !v.empty()) {
      op["copy_from"] = v;
    }
  }
  auto parsed = scenarios::parseOperation(op.dump(), world.scenario(), label);
  if (!parsed.ok()) {
    // The scenario file's field names, back in the cmdlet's parameter names.
    std::string detail = parsed.error().detail;
    for (const auto& [field, param] : {std::pair{"to_array_members", "-ToArrayMembers"},
                                       {"to_specific_servers", "-ToSpecificServers"},
                                       {"to_entire_forest", "-ToEntireForest"},
                                       {"generate_new_password_for", "-GenerateNewPasswordFor"},
                                       {"copy_from", "-CopyFrom"},
                                       {"fqdn", "-Fqdn"},
                                       {"name", "-Name"},
                                       {"site", "-Site"},
                                       {"account", "-Name"}}) {
      for (std::size_t at = detail.find(field); at != std::string::npos; at = detail.find(field, at + 1)) {
        const bool word =
            (at == 0 || !std::isalnum(static_cast<unsigned char>(detail[at - 1]))) &&
            (at + std::string_view(field).size() >= detail.size() ||
             !std::isalnum(static_cast<unsigned char>(detail[at + std::string_view(field).size()])));
        if (word && detail[at - (at == 0 ? 0 : 1)] != '_') {
          detail.replace(at, std::string_view(field).size(), param);
        }
      }
    }
    return refused({detail});
  }
  if (parsed->kind == DirectoryOperation::Kind::RollAsaPassword) {
    TimelineEvent e;
    e.kind = TimelineEvent::Kind::RollAsaPassword;
    e.operation = *parsed;
    AdminOutcome out = timeline(e, world);
    out.changesDirectory = out.ok;
    return out;
  }
  (void)pool;
  return fromStep(world.applyOperation(*parsed), false, parsed->account);
}

}  // namespace

bool changesDirectory(const std::vector<std::string>& argv) {
  if (argv.empty()) {
    return false;
  }
  const std::string command = lower(argv[0]);
  if (command == "setspn") {
    const std::string flag = argv.size() > 1 ? core::toUpperAscii(argv[1]) : "";
    return flag == "-A" || flag == "-S" || flag == "-D";
  }
  return command == "new-cskerberosaccount" || command == "new-cskerberosaccountassignment" ||
         command == "set-cskerberosaccountpassword" || command == "set-cscertificate" ||
         command == "disable-adaccount" || command == "enable-adaccount" ||
         command == "revoke-csclientcertificate" ||
         (command == "reg" && argv.size() > 1 && lower(argv[1]) == "add");
}

bool changesWebTicketKeys(const std::vector<std::string>& argv) {
  return !argv.empty() && lower(argv[0]) == "set-cscertificate";
}

AdminOutcome runAdminCommand(const std::vector<std::string>& argv, scenarios::PoolWorld& world) {
  if (argv.empty()) {
    return refused({kUsage});
  }
  const std::string command = lower(argv[0]);
  const auto& pool = world.scenario().pool;
  if (command == "setspn") {
    return setspn(argv, world);
  }
  if (command == "new-cskerberosaccount" || command == "new-cskerberosaccountassignment" ||
      command == "set-cskerberosaccountpassword" || command == "test-cskerberosaccountassignment") {
    if (world.scenario().product == scenarios::Product::Exchange) {
      return refused({argv[0] +
                      " is a Lync/Skype for Business cmdlet; this lab is an Exchange CAS array: its "
                      "Kerberos account is the Alternate Service Account (New-ADComputer, "
                      "RollAlternateServiceAccountPassword.ps1, Get-ClientAccessServer)"});
    }
  }
  if (command == "new-cskerberosaccount" || command == "new-cskerberosaccountassignment" ||
      command == "set-cskerberosaccountpassword") {
    DirectoryOperation op;
    const std::string user = parameter(argv, "-UserAccount");
    op.account = user.empty() ? "" : computerSam(user);
    op.site = pool.site;
    if (command == "new-cskerberosaccount") {
      if (op.account.empty()) {
        return refused({"New-CsKerberosAccount: missing -UserAccount DOMAIN\\NAME"});
      }
      op.kind = DirectoryOperation::Kind::CreateKerberosAccount;
    } else if (command == "new-cskerberosaccountassignment") {
      if (op.account.empty()) {
        return refused({"New-CsKerberosAccountAssignment: missing -UserAccount DOMAIN\\NAME"});
      }
      op.kind = DirectoryOperation::Kind::AssignKerberosAccount;
      const std::string identity = parameter(argv, "-Identity");
      if (!identity.empty()) {
        op.site = lower(identity).rfind("site:", 0) == 0 ? identity.substr(5) : identity;
      }
    } else {
      op.kind = DirectoryOperation::Kind::SetKerberosAccountPassword;
      op.password = "lab-password-" + std::to_string(world.lab().steps().size() + 1);
    }
    return fromStep(world.applyOperation(op), false, op.account);
  }
  if (command == "test-cskerberosaccountassignment") {
    const auto report = scenarios::testKerberosAccountAssignment(world.lab());
    AdminOutcome out{true, false, {}};
    for (const auto& c : report.checks) {
      out.output.push_back(std::string(c.passed ? "PASS " : "FAIL ") + c.text);
    }
    out.output.push_back(report.passed() ? "Kerberos account assignment: OK"
                                         : "Kerberos account assignment: NOT OK (see the FAIL lines)");
    return out;
  }
  if (command == "reg") {
    return regAdd(argv, world);
  }
  if (command == "set-cscertificate") {
    // Lync's OAuthTokenIssuer certificate: its key seals the pool's web tickets.
    if (lower(parameter(argv, "-Type")) != "oauthtokenissuer") {
      return refused(
          {"Set-CsCertificate: the lab models -Type OAuthTokenIssuer (the certificate whose key "
           "seals web tickets): -Computer NODE gives it to a node, -Roll replaces it on the pool"});
    }
    const std::string computer = lower(parameter(argv, "-Computer"));
    const bool roll = hasSwitch(argv, "-Roll");
    if (computer.empty() == !roll) {
      return refused({"Set-CsCertificate -Type OAuthTokenIssuer: give -Computer NODE or -Roll"});
    }
    auto step = roll ? world.rollWebTicketKey() : world.assignWebTicketKey(computer);
    if (!step.ok()) {
      return refused({step.error().message()});
    }
    AdminOutcome out{true, true, {}};  // replayed on restart: which node holds which key version
    out.output = step->output;
    return out;
  }
  if (command == "disable-adaccount" || command == "enable-adaccount" ||
      command == "revoke-csclientcertificate") {
    // -Identity USER (Disable-ADAccount also takes DOMAIN\USER; Revoke-CsClientCertificate a SIP address).
    std::string identity = parameter(argv, "-Identity");
    if (identity.empty() && argv.size() == 2) {
      identity = argv[1];
    }
    identity = lower(identity);
    if (identity.rfind("sip:", 0) == 0) {
      identity = identity.substr(
          4, identity.find('@') == std::string::npos ? std::string::npos : identity.find('@') - 4);
    }
    if (const auto slash = identity.find('\\'); slash != std::string::npos) {
      identity = identity.substr(slash + 1);
    }
    if (identity.empty() || !world.lab().directory().account(identity)) {
      return refused({argv[0] + ": Cannot find an object with identity: '" + identity + "'"});
    }
    TimelineEvent e;
    e.kind = command == "disable-adaccount"  ? TimelineEvent::Kind::DisableAccount
             : command == "enable-adaccount" ? TimelineEvent::Kind::EnableAccount
                                             : TimelineEvent::Kind::RevokeClientCertificate;
    e.user = identity;
    AdminOutcome out = timeline(e, world);
    out.changesDirectory = out.ok;  // replayed on restart: the account stays disabled, the revocation stays
    return out;
  }
  if (command == "new-clientaccessarray" || command == "new-adcomputer" ||
      command == "get-clientaccessserver" || isAsaRollScript(command)) {
    AdminOutcome out = exchangeCommand(command, argv, world);
    if (command == "get-clientaccessserver") {
      out.changesDirectory = false;
    }
    return out;
  }
  if (command == "clock-drift") {
    bool ok = argv.size() == 3;
    const std::string node = ok ? lower(argv[1]) : "";
    double offset = 0;
    try {
      std::size_t used = 0;
      offset = ok ? std::stod(argv[2], &used) : 0;
      ok = ok && used == argv[2].size() && offset >= -86400 && offset <= 86400;
    } catch (const std::exception&) {
      ok = false;
    }
    if (!ok) {
      return refused({"Usage: clock-drift NODE SECONDS (-86400..86400; 0 sets the clock right)"});
    }
    auto step = world.driftNodeClock(node, offset);
    if (!step.ok()) {
      return refused({step.error().message()});
    }
    AdminOutcome out{true, false, {"PS> " + step->command}};
    out.output.insert(out.output.end(), step->output.begin(), step->output.end());
    return out;
  }
  if (command == "iisreset" || command == "node-down" || command == "node-up") {
    TimelineEvent e;
    bool ok = true;
    if (command == "iisreset") {
      e.kind = TimelineEvent::Kind::IisReset;
      if (argv.size() > 1) {
        e.node = nodeArgument(argv, world, ok);
      }
    } else {
      e.kind = command == "node-down" ? TimelineEvent::Kind::NodeDown : TimelineEvent::Kind::NodeUp;
      e.node = nodeArgument(argv, world, ok);
    }
    if (!ok) {
      std::string nodes;
      for (const auto& n : pool.nodes) {
        nodes += (nodes.empty() ? "" : ", ") + n;
      }
      return refused({argv[0] + ": name one node of the pool (" + nodes + ")"});
    }
    return timeline(e, world);
  }
  return refused({"'" + argv[0] + "' is not a lab command; " + kUsage});
}

}  // namespace kerbpool::lab
