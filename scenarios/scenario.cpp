#include "scenarios/scenario.hpp"

#include <algorithm>
#include <cctype>

namespace kerbpool::scenarios {

const ClientProfileSpec* Scenario::profile(const std::string& name) const {
  for (const auto& p : profiles) {
    if (p.name == name) {
      return &p;
    }
  }
  return nullptr;
}

std::string_view toString(Transport transport) {
  return transport == Transport::InProcess ? "in-process" : "loopback";
}

std::uint64_t Scenario::totalRequests() const {
  std::uint64_t total = 0;
  for (const auto& c : clients) {
    total += static_cast<std::uint64_t>(c.count) * static_cast<std::uint64_t>(c.requests);
  }
  return total;
}

namespace {

const std::vector<DcVersion>& dcVersions() {
  static const std::vector<DcVersion> versions{
      {"2003", "Windows Server 2003", false, 2, true},
      {"2008", "Windows Server 2008", false, 2, false},
      {"2008R2", "Windows Server 2008 R2", false, 2, false},
      {"2012", "Windows Server 2012", false, 10, false},
      {"2012R2", "Windows Server 2012 R2", true, 10, false},
      {"2016", "Windows Server 2016", true, 10, false},
      {"2019", "Windows Server 2019", true, 10, false},
      {"2022", "Windows Server 2022", true, 10, false},
      {"2025", "Windows Server 2025", true, 10, false},
  };
  return versions;
}

}  // namespace

const DcVersion* findDcVersion(std::string_view key) {
  for (const auto& v : dcVersions()) {
    if (v.key == key) {
      return &v;
    }
  }
  return nullptr;
}

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string sipAddress(std::string_view user, std::string_view realm) {
  return lowerAscii(std::string(user) + "@" + std::string(realm));
}

bool isGeneratedUser(const UserPopulation& users, std::string_view name, std::string* last) {
  const auto numbered = [&](int n) {
    std::string digits = std::to_string(n);
    while (digits.size() < 3) {
      digits = "0" + digits;
    }
    return lowerAscii(users.prefix) + digits;
  };
  if (last != nullptr) {
    *last = numbered(std::max(users.count, 1));
  }
  const std::string n = lowerAscii(name);
  const std::string prefix = lowerAscii(users.prefix);
  if (n.size() <= prefix.size() || n.compare(0, prefix.size(), prefix) != 0 || n.size() - prefix.size() > 6) {
    return false;
  }
  const std::string digits = n.substr(prefix.size());
  if (!std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return false;
  }
  const int number = std::stoi(digits);
  return number >= 1 && number <= users.count && numbered(number) == n;
}

std::vector<std::string> dcVersionKeys() {
  std::vector<std::string> out;
  for (const auto& v : dcVersions()) {
    out.push_back(v.key);
  }
  return out;
}

std::vector<ClientProfileSpec> builtInProfiles() {
  ClientProfileSpec internal;
  internal.name = "internal-pc";
  ClientProfileSpec external;
  external.name = "external-pc";
  external.kdcReachable = false;
  external.tryKerberos = false;
  ClientProfileSpec mobile;
  mobile.name = "mobile";
  mobile.kdcReachable = false;
  mobile.tryKerberos = false;
  mobile.rawNtlm = true;
  ClientProfileSpec linuxChromium;
  linuxChromium.name = "linux-chromium";
  linuxChromium.spnFromAddress = true;
  // Exchange's clients.
  ClientProfileSpec outlook;
  outlook.name = "outlook";
  outlook.autodiscover = true;
  outlook.connections = 2;
  outlook.paths = {"/mapi/emsmdb/", "/mapi/nspi/"};
  ClientProfileSpec outlookNtlm = outlook;
  outlookNtlm.name = "outlook-ntlm";
  outlookNtlm.tryKerberos = false;
  outlookNtlm.rawNtlm = true;
  ClientProfileSpec activeSync;
  activeSync.name = "activesync";
  activeSync.kdcReachable = false;
  activeSync.tryKerberos = false;
  activeSync.rawNtlm = true;
  activeSync.paths = {"/Microsoft-Server-ActiveSync"};
  activeSync.connectionPerRequest = true;
  ClientProfileSpec ews;
  ews.name = "ews";
  ews.autodiscover = true;
  ews.paths = {"/EWS/Exchange.asmx"};
  // Lync's web-ticket clients (the desktop client inside and outside, the mobile apps).
  const std::vector<std::string> ucwa{"/ucwa/oauth/v1/applications"};
  ClientProfileSpec lyncDesktop = internal;
  lyncDesktop.name = "lync-desktop";
  lyncDesktop.webTicket = true;
  lyncDesktop.paths = ucwa;
  // The desktop client as Lync deploys it: its first Windows sign-in also buys a client certificate
  // (CertProv), which buys its later web tickets with no DC until it expires or is revoked.
  ClientProfileSpec lyncDesktopCertificate = lyncDesktop;
  lyncDesktopCertificate.name = "lync-desktop-certificate";
  lyncDesktopCertificate.clientCertificate = true;
  // The Lync Web App from a browser outside: its forms page posts the user's name and password.
  ClientProfileSpec lyncWebApp = external;
  lyncWebApp.name = "lync-web-app";
  lyncWebApp.webTicket = true;
  lyncWebApp.passwordGrant = true;
  lyncWebApp.paths = ucwa;
  ClientProfileSpec lyncExternal = external;
  lyncExternal.name = "lync-external";
  lyncExternal.webTicket = true;
  lyncExternal.paths = ucwa;
  ClientProfileSpec lyncMobile = mobile;
  lyncMobile.name = "lync-mobile";
  lyncMobile.webTicket = true;
  lyncMobile.paths = ucwa;
  return {internal,   external, mobile,      linuxChromium, outlook,    outlookNtlm,
          activeSync, ews,      lyncDesktop, lyncExternal,  lyncMobile, lyncDesktopCertificate,
          lyncWebApp};
}

}  // namespace kerbpool::scenarios
