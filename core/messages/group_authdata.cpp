#include "core/messages/group_authdata.hpp"

#include <span>

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

Bytes encodeGroupList(const std::vector<std::string>& groups) {
  der::Writer w;
  wire::writeSequenceOf(w, groups, [](der::Writer& s, const std::string& g) { s.generalString(g); });
  return w.take();
}

Result<std::vector<std::string>> decodeGroupList(BytesView adData) {
  der::Reader r(adData, "KerbpoolGroups");
  KP_TRY(std::vector<std::string> groups, wire::sequenceOfStrings(r, ""));
  KP_CHECK(r.expectEnd());
  return groups;
}

AuthorizationDataEntry makeGroupAuthData(const std::vector<std::string>& groups) {
  const AuthorizationData inner{{iana::AdType::KERBPOOL_GROUPS, encodeGroupList(groups)}};
  return AuthorizationDataEntry{iana::AdType::AD_IF_RELEVANT, encode(inner)};
}

void addGroupAuthData(std::optional<AuthorizationData>& authorizationData,
                      const std::vector<std::string>& groups) {
  if (!authorizationData) {
    authorizationData.emplace();
  }
  authorizationData->push_back(makeGroupAuthData(groups));
}

namespace {

// The ad-data of the one element of a type inside the AD-IF-RELEVANT elements (one level deep), with the
// path it was found at; nullopt when there is none, `duplicate` (the error code) when more than one.
struct LocalElement {
  Bytes adData;
  std::string where;
};
struct LocalSearch {
  iana::AdType type;
  std::string_view typeName;
  std::string_view duplicate;
  std::optional<LocalElement> found = std::nullopt;
  std::optional<Error> error = std::nullopt;
};

// Fills each search in one walk; an AD-IF-RELEVANT that does not decode fails them all.
Status findLocalElements(const AuthorizationData& authorizationData, std::span<LocalSearch> searches) {
  for (std::size_t i = 0; i < authorizationData.size(); ++i) {
    const AuthorizationDataEntry& entry = authorizationData[i];
    if (entry.adType != iana::AdType::AD_IF_RELEVANT) {
      continue;
    }
    const std::string where = "authorization-data.[" + std::to_string(i) + "].ad-data";
    KP_TRY(AuthorizationData inner, detail::decodeWhole<AuthorizationData>(entry.adData, where));
    for (AuthorizationDataEntry& e : inner) {
      for (LocalSearch& search : searches) {
        if (e.adType != search.type || search.error) {
          continue;
        }
        if (search.found) {
          search.error = makeError(ErrorCategory::Decoding, std::string(search.duplicate),
                                   "more than one " + std::string(search.typeName) + " element in " + where);
          continue;
        }
        search.found = LocalElement{std::move(e.adData), where};
      }
    }
  }
  return okStatus();
}

// The search's element decoded with `decode`, nullopt when absent, or the error naming where it was.
template <class T, class Decode>
Result<std::optional<T>> decodeFound(const LocalSearch& search, Decode decode) {
  if (search.error) {
    return *search.error;
  }
  if (!search.found) {
    return std::optional<T>();
  }
  auto value = decode(search.found->adData);
  if (!value.ok()) {
    Error err = std::move(value).error();
    err.within(search.found->where);
    return err;
  }
  return std::optional<T>(std::move(value).value());
}

}  // namespace

Result<std::optional<std::vector<std::string>>> extractGroups(const AuthorizationData& authorizationData) {
  return extractLocalAuthorizationData(authorizationData).groups;
}

Bytes encodeLogonName(const LogonName& name) {
  der::Writer w;
  w.sequence([&](der::Writer& s) {
    wire::putString(s, 0, name.accountName);
    wire::putString(s, 1, name.realm);
  });
  return w.take();
}

Result<LogonName> decodeLogonName(BytesView adData) {
  der::Reader r(adData, "KerbpoolLogonName");
  KP_TRY(der::Reader s, r.enterSequence(""));
  LogonName name;
  KP_TRY(name.accountName, wire::readField(s, 0, "account-name", wire::kerberosString));
  KP_TRY(name.realm, wire::readField(s, 1, "realm", wire::kerberosString));
  KP_CHECK(s.expectEnd());
  KP_CHECK(r.expectEnd());
  if (name.accountName.empty() || name.realm.empty()) {
    return makeError(ErrorCategory::Decoding, "empty_logon_name", "KerbpoolLogonName has an empty field");
  }
  return name;
}

void addLogonNameAuthData(std::optional<AuthorizationData>& authorizationData, const LogonName& name) {
  if (!authorizationData) {
    authorizationData.emplace();
  }
  const AuthorizationData inner{{iana::AdType::KERBPOOL_LOGON_NAME, encodeLogonName(name)}};
  authorizationData->push_back(AuthorizationDataEntry{iana::AdType::AD_IF_RELEVANT, encode(inner)});
}

Result<std::optional<LogonName>> extractLogonName(const AuthorizationData& authorizationData) {
  return extractLocalAuthorizationData(authorizationData).logonName;
}

LocalAuthorizationData extractLocalAuthorizationData(const AuthorizationData& authorizationData) {
  LocalSearch searches[] = {
      {iana::AdType::KERBPOOL_GROUPS, "KERBPOOL_GROUPS", "duplicate_groups"},
      {iana::AdType::KERBPOOL_LOGON_NAME, "KERBPOOL_LOGON_NAME", "duplicate_logon_name"},
  };
  auto walked = findLocalElements(authorizationData, searches);
  if (!walked.ok()) {
    return LocalAuthorizationData{walked.error(), walked.error()};
  }
  return LocalAuthorizationData{decodeFound<std::vector<std::string>>(searches[0], decodeGroupList),
                                decodeFound<LogonName>(searches[1], decodeLogonName)};
}

}  // namespace kerbpool::core::messages
