#include "lab/get_win_event.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <regex>

#include "core/common/http_text.hpp"
#include "core/common/windows_time.hpp"

namespace kerbpool::lab {

namespace {

using core::ErrorCategory;
using core::makeError;

core::Error bad(const std::string& what) {
  return makeError(ErrorCategory::Config, "bad_get_winevent",
                   "Get-WinEvent: " + what +
                       " (kerbpool lab: Get-WinEvent [-ComputerName NAME] [-Id N] [-MaxEvents 1..10000])");
}

std::optional<long> number(const std::string& text) {
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return std::nullopt;
  }
  return std::stol(text);
}

std::string column(std::string s, std::size_t width) {
  if (s.size() > width) {
    s = s.substr(0, width - 3) + "...";
  }
  s.append(width + 1 - s.size(), ' ');
  return s;
}

constexpr std::size_t kMessageWidth = 110;

}  // namespace

core::Result<EventQuery> parseGetWinEvent(const std::vector<std::string>& argv) {
  EventQuery q;
  q.maxEvents = 20;
  for (std::size_t i = 1; i < argv.size(); i += 2) {
    const std::string name = core::toLowerAscii(argv[i]);
    if (i + 1 >= argv.size()) {
      return bad("parameter " + argv[i] + " needs a value");
    }
    const std::string& value = argv[i + 1];
    if (name == "-computername") {
      q.computer = value;
    } else if (name == "-maxevents") {
      const auto n = number(value);
      if (!n || *n < 1 || *n > 10000) {
        return bad("-MaxEvents '" + value + "' is not 1..10000");
      }
      q.maxEvents = static_cast<std::size_t>(*n);
    } else if (name == "-id" || name == "-filterhashtable") {
      std::string text = value;
      if (name == "-filterhashtable") {
        std::smatch m;
        static const std::regex kId(R"(@\{.*\bid\s*=\s*([0-9]+).*\})", std::regex::icase);
        if (!std::regex_match(text, m, kId)) {
          return bad("-FilterHashtable '" + value + "' names no Id (the lab reads @{Id=N})");
        }
        text = m[1];
      }
      const auto n = number(text);
      if (!n || *n < 1 || *n > 65535) {
        return bad("-Id '" + text + "' is not an event id (1..65535)");
      }
      q.id = static_cast<int>(*n);
    } else {
      return bad("no parameter named '" + argv[i] + "'");
    }
  }
  return q;
}

std::vector<std::string> formatWinEvents(const std::vector<StoredEvent>& events) {
  if (events.empty()) {
    return {"Get-WinEvent : No events were found that match the specified selection criteria."};
  }
  std::vector<std::string> out{column("TimeCreated", 22) + column("Id", 5) + column("MachineName", 11) +
                                   column("ProviderName", 36) + column("Run", 3) + "Message",
                               column("-----------", 22) + column("--", 5) + column("-----------", 11) +
                                   column("------------", 36) + column("---", 3) + "-------"};
  for (const auto& e : events) {
    std::string message = e.record.message.substr(0, e.record.message.find('\n'));
    if (message.size() > kMessageWidth) {
      message = message.substr(0, kMessageWidth - 3) + "...";
    }
    out.push_back(column(core::windowsUsTime(e.record.time), 22) + column(std::to_string(e.record.id), 5) +
                  column(e.computer, 11) + column(e.record.source, 36) + column(std::to_string(e.run), 3) +
                  message);
  }
  return out;
}

}  // namespace kerbpool::lab
