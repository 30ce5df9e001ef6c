#pragma once

#include <string>
#include <vector>

// A plain-text table for the terminal report: a header row, then rows; the first column is left-aligned,
// the others right-aligned (numbers).
namespace kerbpool::scenarios {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  // Each line starts with `indent`.
  std::string render(const std::string& indent = "  ") const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace kerbpool::scenarios
