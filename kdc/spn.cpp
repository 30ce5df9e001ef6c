#include "kdc/spn.hpp"

#include <charconv>

#include "kdc/name_case.hpp"

namespace kerbpool::kdc {

namespace {

using core::ErrorCategory;
using core::makeError;

constexpr std::string_view kAdDefaultHostAliases =
    "host=alerter,appmgmt,cisvc,clipsrv,browser,dhcp,dnscache,replicator,eventlog,eventsystem,policyagent,"
    "oakley,dmserver,dns,mcsvc,fax,msiserver,ias,messenger,netlogon,netman,netdde,netddedsm,nmagent,plugplay,"
    "protectedstorage,rasman,rpclocator,rpc,rpcss,remoteaccess,rsvp,samss,scardsvr,scesrv,seclogon,scm,dcom,"
    "cifs,spooler,snmp,schedule,tapisrv,trksvr,trkwks,ups,time,wins,www,http,w3svc,iisadmin,msdtc";

core::Error badSpn(std::string_view text, std::string_view why) {
  return makeError(ErrorCategory::Config, "bad_spn", "'" + std::string(text) + "': " + std::string(why));
}

bool hasForbiddenChar(std::string_view s) {
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0' || c == '@') {
      return true;
    }
  }
  return false;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

}  // namespace

std::string Spn::toString() const {
  return joinComponents(components());
}

std::vector<std::string> Spn::components() const {
  std::string instance = host;
  if (port) {
    instance += ":" + std::to_string(*port);
  }
  std::vector<std::string> out{serviceClass, instance};
  if (serviceName) {
    out.push_back(*serviceName);
  }
  return out;
}

core::Result<Spn> parseSpn(std::string_view text) {
  if (text.empty()) {
    return badSpn(text, "empty");
  }
  if (hasForbiddenChar(text)) {
    return badSpn(text, "contains whitespace, '@' or NUL");
  }
  auto parts = split(text, '/');
  if (parts.size() < 2) {
    return badSpn(text, "expected serviceclass/host");
  }
  if (parts.size() > 3) {
    return badSpn(text, "more than three '/'-separated components");
  }
  Spn spn;
  spn.serviceClass = std::string(parts[0]);
  if (spn.serviceClass.empty()) {
    return badSpn(text, "empty service class");
  }
  std::string_view instance = parts[1];
  std::size_t colon = instance.find(':');
  std::string_view host = instance.substr(0, colon);
  if (host.empty()) {
    return badSpn(text, "empty host");
  }
  spn.host = std::string(host);
  if (colon != std::string_view::npos) {
    std::string_view portText = instance.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), value);
    if (portText.empty() || ec != std::errc{} || end != portText.data() + portText.size() || value == 0 ||
        value > 65535) {
      return badSpn(text, "port must be a number from 1 to 65535");
    }
    spn.port = static_cast<std::uint16_t>(value);
  }
  if (parts.size() == 3) {
    if (parts[2].empty()) {
      return badSpn(text, "empty service name");
    }
    spn.serviceName = std::string(parts[2]);
  }
  return spn;
}

std::string joinComponents(const std::vector<std::string>& components) {
  std::string out;
  for (std::size_t i = 0; i < components.size(); ++i) {
    if (i > 0) {
      out += '/';
    }
    out += components[i];
  }
  return out;
}

std::string spnMatchKey(std::string_view spn) {
  return toLowerAscii(spn);
}

SpnMappings SpnMappings::activeDirectoryDefault() {
  SpnMappings m;
  auto status = m.addMappingValue(kAdDefaultHostAliases);
  (void)status;  // the constant is well formed (checked by the tests)
  return m;
}

core::Status SpnMappings::addMappingValue(std::string_view value) {
  std::size_t eq = value.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 >= value.size()) {
    return makeError(ErrorCategory::Config, "bad_spn_mapping",
                     "'" + std::string(value) + "': expected target=alias1,alias2,...");
  }
  std::string_view target = value.substr(0, eq);
  for (std::string_view alias : split(value.substr(eq + 1), ',')) {
    if (alias.empty() || hasForbiddenChar(alias) || alias.find('/') != std::string_view::npos) {
      return makeError(ErrorCategory::Config, "bad_spn_mapping",
                       "'" + std::string(value) + "': empty or malformed alias");
    }
    addAlias(alias, target);
  }
  return core::okStatus();
}

void SpnMappings::addAlias(std::string_view alias, std::string_view target) {
  aliases_[toLowerAscii(alias)] = std::string(target);
}

void SpnMappings::removeAlias(std::string_view alias) {
  aliases_.erase(toLowerAscii(alias));
}

std::optional<std::string> SpnMappings::targetOf(std::string_view serviceClass) const {
  auto it = aliases_.find(toLowerAscii(serviceClass));
  if (it == aliases_.end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace kerbpool::kdc
