#pragma once

#include <string>
#include <vector>

#include "scenarios/scenario_runner.hpp"

// The report as one self-contained HTML page (`kerbpool run --html`, `kerbpool compare --html`): the text
// report's words (story, verdict, Why and Fix, set-up commands, tables), charts over the run's time axis with
// the phases marked, one sign-in sequence diagram per phase and the event logs as a filterable table. The
// data goes into the page as JSON; the page draws it with Chart.js and Mermaid, which are embedded
// (report_assets.hpp): the file opens offline and can be mailed. Needs runs made with RunOptions::record.
namespace kerbpool::scenarios {

struct HtmlRun {
  const RunReport* report = nullptr;
  std::string label;  // "tour"; "ntlm-bottleneck, MaxConcurrentApi 2" in a sweep
  std::string text;   // the text report as `kerbpool run` prints it
};

// At most this many event log rows go into the page (the rest are counted, not listed).
inline constexpr std::size_t kHtmlEventRows = 2000;

// The page's data: {"runs": [...], "summary": ...} (report_html.cpp documents the fields).
std::string htmlReportData(const std::vector<HtmlRun>& runs, const std::string& summary = "");
// One run, or several side by side on the same axes (`summary`: the comparison table and its Why).
std::string formatReportHtml(const std::vector<HtmlRun>& runs, const std::string& summary = "");

// Text for the inside of a <script> element: "</" becomes "<\/" (it could close the element).
std::string scriptSafe(std::string text);
// &, <, > and " as entities.
std::string htmlEscape(const std::string& text);

// A sign-in trace as a Mermaid sequenceDiagram.
std::string mermaidSequence(const SignInTrace& trace);

}  // namespace kerbpool::scenarios
