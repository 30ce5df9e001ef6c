#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// The JavaScript libraries the HTML report embeds (Chart.js, its annotation plugin, Mermaid), compiled in
// from report-assets/node_modules at build time (scenarios/embed_report_assets.cmake). Versions are pinned by
// report-assets/package-lock.json.
namespace kerbpool::scenarios {

struct ReportAsset {
  std::string_view name;     // "Chart.js"
  std::string_view version;  // "4.5.1"
  std::span<const std::string_view> chunks;
  std::size_t size = 0;  // bytes over all chunks

  std::string text() const {
    std::string out;
    out.reserve(size);
    for (auto c : chunks) {
      out.append(c);
    }
    return out;
  }
};

// In load order: Chart.js before its plugin.
const std::vector<ReportAsset>& reportAssets();

}  // namespace kerbpool::scenarios
