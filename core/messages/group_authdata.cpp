#include "core/messages/group_authdata.hpp"

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

Result<std::optional<std::vector<std::string>>> extractGroups(const AuthorizationData& authorizationData) {
  std::optional<std::vector<std::string>> found;
  for (std::size_t i = 0; i < authorizationData.size(); ++i) {
    const AuthorizationDataEntry& entry = authorizationData[i];
    if (entry.adType != iana::AdType::AD_IF_RELEVANT) {
      continue;
    }
    const std::string where = "authorization-data.[" + std::to_string(i) + "].ad-data";
    KP_TRY(AuthorizationData inner, detail::decodeWhole<AuthorizationData>(entry.adData, where));
    for (const AuthorizationDataEntry& e : inner) {
      if (e.adType != iana::AdType::KERBPOOL_GROUPS) {
        continue;
      }
      if (found) {
        return makeError(ErrorCategory::Decoding, "duplicate_groups",
                         "more than one KERBPOOL_GROUPS element in " + where);
      }
      auto groups = decodeGroupList(e.adData);
      if (!groups.ok()) {
        Error err = std::move(groups).error();
        err.within(where);
        return err;
      }
      found = std::move(groups).value();
    }
  }
  return found;
}

}  // namespace kerbpool::core::messages
