#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/result.hpp"
#include "kdc/directory.hpp"
#include "kdc/event_log.hpp"

namespace kerbpool::kdc {

// Realm-wide settings a realm file carries besides the directory (docs/realm-file.md).
struct RealmSettings {
  std::string realm;                                  // "CONTOSO.TEST"
  std::chrono::seconds ticketLifetime{10 * 3600};     // ticket_lifetime_hours (AD default 10 h)
  std::chrono::seconds renewLifetime{7 * 24 * 3600};  // renew_lifetime_days (AD default 7 days)
};

// A loaded realm: settings plus a populated directory (passwords turned into keys and forgotten).
struct Realm {
  RealmSettings settings;
  std::unique_ptr<Directory> directory;
};

// Parses a realm file's text and builds the directory (events: the log the directory reports to).
// Every error is ErrorCategory::Config, code "bad_realm_file", with a detail that starts with the JSON path
// of the offending field: "accounts[2].spns[0]: 'HTTP': expected serviceclass/host". Never throws.
core::Result<Realm> parseRealmFile(std::string_view jsonText, EventLog& events);

// The same from a file; the error detail is prefixed with the file name. Unreadable file: ErrorCategory::Io,
// "cannot_read_file".
core::Result<Realm> loadRealmFile(const std::filesystem::path& file, EventLog& events);

}  // namespace kerbpool::kdc
