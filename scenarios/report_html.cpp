// The HTML report: the page's data as JSON (nlohmann_json, linked privately like report_json.cpp), wrapped in
// one page with the embedded libraries and the page's own script and style (scenarios/report_page/).
#include "scenarios/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "scenarios/report.hpp"
#include "scenarios/report_assets.hpp"

namespace kerbpool::scenarios {

namespace {

using json = nlohmann::ordered_json;
using client::OutcomeKind;

constexpr OutcomeKind kKinds[] = {OutcomeKind::Kerberos, OutcomeKind::Ntlm,   OutcomeKind::WebTicket,
                                  OutcomeKind::Prompt,   OutcomeKind::Failed, OutcomeKind::Anonymous};

double round3(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

// Counts per bucket for each outcome: {"kerberos": [..], "ntlm": [..], ...}.
template <typename Get>
json outcomeSeries(const std::vector<TimeBucket>& buckets, Get get) {
  json out = json::object();
  for (auto kind : kKinds) {
    json values = json::array();
    for (const auto& b : buckets) {
      const OutcomeCounts* c = get(b);
      values.push_back(c == nullptr ? 0 : c->count(kind));
    }
    out[std::string(client::toString(kind))] = std::move(values);
  }
  return out;
}

json seriesJson(const TimeSeries& ts, const std::vector<PhaseInfo>& phases) {
  json s;
  s["width_s"] = std::chrono::duration<double>(ts.width).count();
  s["buckets"] = ts.buckets.size();
  json marks = json::array();
  for (std::size_t i = 0; i < phases.size(); ++i) {
    marks.push_back(json{{"label", phases[i].label},
                         {"start_s", round3(i < ts.phaseStartsS.size() ? ts.phaseStartsS[i] : 0.0)}});
  }
  s["phases"] = marks;
  s["outcomes"] = outcomeSeries(ts.buckets, [](const TimeBucket& b) { return &b.outcomes; });
  json p50 = json::array(), p95 = json::array(), p99 = json::array();
  json netlogon = json::array(), waiters = json::array(), timeouts = json::array();
  std::set<std::string> requestNames, errorNames, nodeNames, profileNames;
  for (const auto& b : ts.buckets) {
    const bool any = b.outcomes.total() > 0;
    p50.push_back(any ? json(round3(histogramQuantileMs(b.latency, 0.50))) : json(nullptr));
    p95.push_back(any ? json(round3(histogramQuantileMs(b.latency, 0.95))) : json(nullptr));
    p99.push_back(any ? json(round3(histogramQuantileMs(b.latency, 0.99))) : json(nullptr));
    netlogon.push_back(b.netlogonCalls);
    waiters.push_back(b.maxWaiters);
    timeouts.push_back(b.semaphoreTimeouts);
    for (const auto& [k, v] : b.kdcRequests) {
      requestNames.insert(k);
    }
    for (const auto& [k, v] : b.kdcErrors) {
      errorNames.insert(k);
    }
    for (const auto& [k, v] : b.byNode) {
      nodeNames.insert(k);
    }
    for (const auto& [k, v] : b.byProfile) {
      profileNames.insert(k);
    }
  }
  s["latency_ms"] = json{{"p50", p50}, {"p95", p95}, {"p99", p99}};
  s["netlogon_calls"] = netlogon;
  s["netlogon_waiters"] = waiters;
  s["netlogon_timeouts"] = timeouts;
  auto counter = [&](const std::set<std::string>& names, auto member) {
    json out = json::object();
    for (const auto& name : names) {
      json values = json::array();
      for (const auto& b : ts.buckets) {
        const auto& m = b.*member;
        const auto it = m.find(name);
        values.push_back(it == m.end() ? 0 : it->second);
      }
      out[name] = std::move(values);
    }
    return out;
  };
  s["kdc_requests"] = counter(requestNames, &TimeBucket::kdcRequests);
  s["kdc_errors"] = counter(errorNames, &TimeBucket::kdcErrors);
  json nodes = json::object();
  for (const auto& name : nodeNames) {
    nodes[name.empty() ? "(no node)" : name] = outcomeSeries(ts.buckets, [&](const TimeBucket& b) {
      const auto it = b.byNode.find(name);
      return it == b.byNode.end() ? nullptr : &it->second;
    });
  }
  s["nodes"] = nodes;
  json profiles = json::object();
  for (const auto& name : profileNames) {
    profiles[name] = outcomeSeries(ts.buckets, [&](const TimeBucket& b) {
      const auto it = b.byProfile.find(name);
      return it == b.byProfile.end() ? nullptr : &it->second;
    });
  }
  s["profiles"] = profiles;
  return s;
}

// Requests per latency bin for Kerberos and NTLM (and the others that occurred), empty bins at both ends
// trimmed.
json latencyHistogram(const OutcomeCollector& o) {
  std::map<std::string, std::array<std::uint32_t, kLatencyBins>> bins;
  std::size_t lo = kLatencyBins, hi = 0;
  for (const auto& [kind, micros] : o.latencyByKind) {
    auto& b = bins[kind];
    b.fill(0);
    for (auto us : micros) {
      const std::size_t i = latencyBin(std::chrono::microseconds(us));
      ++b[i];
      lo = std::min(lo, i);
      hi = std::max(hi, i);
    }
  }
  json out;
  json upper = json::array();
  json kinds = json::object();
  if (lo <= hi) {
    for (std::size_t i = lo; i <= hi; ++i) {
      upper.push_back(round3(latencyBinUpperMs(i)));
    }
    for (const auto& [kind, b] : bins) {
      kinds[kind] = json(std::vector<std::uint32_t>(b.begin() + static_cast<std::ptrdiff_t>(lo),
                                                    b.begin() + static_cast<std::ptrdiff_t>(hi) + 1));
    }
  }
  out["upper_ms"] = upper;
  out["counts"] = kinds;
  return out;
}

// The rows of the event table: every retained record when they fit, else for each event id its first and
// its last records in an equal share.
json eventRows(const std::vector<LoggedEvent>& log) {
  std::vector<const LoggedEvent*> keep;
  if (log.size() <= kHtmlEventRows) {
    for (const auto& e : log) {
      keep.push_back(&e);
    }
  } else {
    std::map<int, std::vector<const LoggedEvent*>> byId;
    for (const auto& e : log) {
      byId[e.record.id].push_back(&e);
    }
    const std::size_t share = std::max<std::size_t>(2, kHtmlEventRows / byId.size());
    for (auto& [id, list] : byId) {
      if (list.size() <= share) {
        keep.insert(keep.end(), list.begin(), list.end());
      } else {
        keep.insert(keep.end(), list.begin(), list.begin() + static_cast<std::ptrdiff_t>(share / 2));
        keep.insert(keep.end(), list.end() - static_cast<std::ptrdiff_t>(share - share / 2), list.end());
      }
    }
    std::stable_sort(keep.begin(), keep.end(),
                     [](const LoggedEvent* a, const LoggedEvent* b) { return a->atS < b->atS; });
  }
  json rows = json::array();
  // Messages repeat (every 4769 reads the same): each text once, rows name it by index.
  std::map<std::string, std::size_t> messageIndex;
  json messages = json::array();
  for (const auto* e : keep) {
    std::string fields;
    for (const auto& [k, v] : e->record.fields) {
      fields += (fields.empty() ? "" : "; ") + k + "=" + v;
    }
    std::string message = e->record.message;
    if (message.size() > 400) {
      message = message.substr(0, 400) + "...";
    }
    const auto [it, added] = messageIndex.emplace(message, messageIndex.size());
    if (added) {
      messages.push_back(message);
    }
    rows.push_back(
        json::array({round3(e->atS), e->computer, e->record.id, e->record.source, fields, it->second}));
  }
  json out;
  out["retained"] = log.size();
  out["shown"] = rows.size();
  out["messages"] = std::move(messages);
  out["rows"] = std::move(rows);  // [seconds, computer, id, source, fields, index into messages]
  return out;
}

std::string mermaidText(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case ';':
        out += "#59;";
        break;
      case '#':
        out += "#35;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '\n':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

json runJson(const HtmlRun& run) {
  const RunReport& r = *run.report;
  json j;
  j["label"] = run.label;
  j["name"] = r.scenario.name;
  j["title"] = r.scenario.title;
  j["passed"] = r.passed();
  j["text"] = run.text;
  j["verdict"] = formatVerdict(r, run.label);
  j["report"] = json::parse(formatReportJson(r), nullptr, false);
  j["max_concurrent_api"] = r.maxConcurrentApi;
  j["wall_s"] = round3(std::chrono::duration<double>(r.population.wall).count());
  j["series"] = seriesJson(r.timeseries, r.population.phases);
  j["latency_histogram"] = latencyHistogram(r.population.outcomes);
  json traces = json::array();
  for (const auto& t : r.traces) {
    traces.push_back(json{
        {"phase", t.phase},
        {"label", t.phase < r.population.phases.size() ? r.population.phases[t.phase].label : std::string()},
        {"user", t.user},
        {"workstation", t.workstation},
        {"profile", t.profile},
        {"outcome", t.outcome},
        {"reason", t.reason},
        {"messages", t.messages.size()},
        {"mermaid", mermaidSequence(t)}});
  }
  j["traces"] = traces;
  j["events"] = eventRows(r.eventLog);
  return j;
}

}  // namespace

std::string scriptSafe(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string htmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string mermaidSequence(const SignInTrace& trace) {
  std::vector<std::string> participants;
  auto id = [&](const std::string& name) {
    auto it = std::find(participants.begin(), participants.end(), name);
    if (it == participants.end()) {
      participants.push_back(name);
      return "P" + std::to_string(participants.size() - 1);
    }
    return "P" + std::to_string(it - participants.begin());
  };
  std::string body;
  for (const auto& m : trace.messages) {
    const std::string from = id(m.from);
    const std::string to = id(m.to);
    body +=
        "  " + from + (m.reply ? (m.error ? "--x" : "-->>") : "->>") + to + ": " + mermaidText(m.text) + "\n";
  }
  std::string out = "sequenceDiagram\n";
  for (std::size_t i = 0; i < participants.size(); ++i) {
    out += "  participant P" + std::to_string(i) + " as " + mermaidText(participants[i]) + "\n";
  }
  return out + body;
}

std::string htmlReportData(const std::vector<HtmlRun>& runs, const std::string& summary) {
  json doc;
  json list = json::array();
  for (const auto& run : runs) {
    list.push_back(runJson(run));
  }
  doc["runs"] = std::move(list);
  doc["summary"] = summary;
  json libs = json::array();
  for (const auto& a : reportAssets()) {
    if (!a.version.empty()) {
      libs.push_back(std::string(a.name) + " " + std::string(a.version));
    }
  }
  doc["libraries"] = libs;
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string formatReportHtml(const std::vector<HtmlRun>& runs, const std::string& summary) {
  std::string title = "kerbpool";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    title += (i == 0 ? ": " : " | ") + runs[i].label;
  }
  std::string page;
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>" + htmlEscape(title) + "</title>\n";
  // Errors thrown while the libraries load, for the page's status line (report.js reads them).
  page +=
      "<script>window.kpErrors = []; window.addEventListener('error', function (e) { "
      "window.kpErrors.push(String(e.message)); });</script>\n";
  std::string script;
  for (const auto& a : reportAssets()) {
    if (a.name == "kerbpool report style") {
      page += "<style>\n" + a.text() + "\n</style>\n";
    }
  }
  page +=
      "</head>\n<body>\n<main id=\"app\"><noscript>This report draws its charts with "
      "JavaScript.</noscript></main>\n";
  page += "<div id=\"kp-status\" data-state=\"loading\" hidden></div>\n";
  page += "<script type=\"application/json\" id=\"kp-data\">" + scriptSafe(htmlReportData(runs, summary)) +
          "</script>\n";
  for (const auto& a : reportAssets()) {
    if (a.name == "Mermaid") {
      // Started by the page's script once the charts are on screen (report.js, loadMermaid).
      page += "<script type=\"text/plain\" id=\"kp-lib-mermaid\">/* Mermaid " + std::string(a.version) +
              " */\n" + a.text() + "\n</script>\n";
    } else if (a.name != "kerbpool report style") {
      page += "<script>/* " + std::string(a.name) + " " + std::string(a.version) + " */\n" + a.text() +
              "\n</script>\n";
    }
  }
  page += "</body>\n</html>\n";
  return page;
}

}  // namespace kerbpool::scenarios
