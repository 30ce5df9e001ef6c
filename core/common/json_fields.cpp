#include "core/common/json_fields.hpp"

#include <climits>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace kerbpool::core::json_fields {

void fail(const std::string& path, std::string what) {
  throw FieldError{path, std::move(what)};
}

std::string member(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string element(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

void requireObject(const json& j, const std::string& path) {
  if (!j.is_object()) {
    fail(path.empty() ? "(top level)" : path, "expected an object");
  }
}

void checkKeys(const json& obj, const std::string& path, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, _] : obj.items()) {
    bool known = false;
    std::string list;
    for (std::string_view a : allowed) {
      known = known || key == a;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    if (!known) {
      fail(member(path, key), "unknown key (allowed here: " + list + ")");
    }
  }
}

const json* find(const json& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  return it == obj.end() ? nullptr : &*it;
}

std::optional<std::string> optString(const json& obj, const std::string& path, std::string_view key) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_string()) {
    fail(member(path, key), "expected a string");
  }
  return v->get<std::string>();
}

std::string reqString(const json& obj, const std::string& path, std::string_view key) {
  auto s = optString(obj, path, key);
  if (!s) {
    fail(member(path, key), "missing (required)");
  }
  if (s->empty()) {
    fail(member(path, key), "must not be empty");
  }
  return *s;
}

std::optional<std::int64_t> optIntInRange(const json& obj, const std::string& path, std::string_view key,
                                          std::int64_t min, std::int64_t max) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  const bool tooLarge = v->is_number_unsigned() && v->get<std::uint64_t>() > std::uint64_t(INT64_MAX);
  if (!v->is_number_integer() || tooLarge || v->get<std::int64_t>() < min || v->get<std::int64_t>() > max) {
    fail(member(path, key), "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return v->get<std::int64_t>();
}

namespace {

// 0.001, 45, 3600 (not std::to_string's 0.001000, 45.000000).
std::string shortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

}  // namespace

std::optional<double> optNumberInRange(const json& obj, const std::string& path, std::string_view key,
                                       double min, double max) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_number() || v->get<double>() < min || v->get<double>() > max) {
    fail(member(path, key), "expected a number from " + shortNumber(min) + " to " + shortNumber(max));
  }
  return v->get<double>();
}

std::optional<bool> optBool(const json& obj, const std::string& path, std::string_view key) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_boolean()) {
    fail(member(path, key), "expected true or false");
  }
  return v->get<bool>();
}

std::vector<std::string> optStringArray(const json& obj, const std::string& path, std::string_view key) {
  std::vector<std::string> out;
  const json* v = find(obj, key);
  if (v == nullptr) {
    return out;
  }
  std::string p = member(path, key);
  if (!v->is_array()) {
    fail(p, "expected an array of strings");
  }
  for (std::size_t i = 0; i < v->size(); ++i) {
    const json& e = (*v)[i];
    if (!e.is_string() || e.get<std::string>().empty()) {
      fail(element(p, i), "expected a non-empty string");
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

const json& optArray(const json& obj, const std::string& path, std::string_view key) {
  static const json kEmpty = json::array();
  const json* v = find(obj, key);
  if (v == nullptr) {
    return kEmpty;
  }
  if (!v->is_array()) {
    fail(member(path, key), "expected an array");
  }
  return *v;
}

std::string oneOf(const std::string& value, const std::string& path,
                  std::initializer_list<std::string_view> choices) {
  std::string list;
  for (std::string_view c : choices) {
    if (value == c) {
      return value;
    }
    list += (list.empty() ? "" : ", ") + std::string(c);
  }
  fail(path, "'" + value + "' is not one of: " + list);
}

namespace {

// Follows the path of the value being read during a SAX pass, to name where a parse error happened.
class PathTracker : public nlohmann::json_sax<json> {
 public:
  std::string error;

  std::string path() const {
    std::string p;
    for (const auto& f : frames_) {
      if (f.array) {
        p += "[" + std::to_string(f.index) + "]";
      } else if (!f.key.empty()) {
        p += (p.empty() ? "" : ".") + f.key;
      }
    }
    return p;
  }

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override {
    frames_.push_back({false, 0, {}});
    return true;
  }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override { return end(); }
  bool start_array(std::size_t) override {
    frames_.push_back({true, 0, {}});
    return true;
  }
  bool end_array() override { return end(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    const std::string where = path();
    error = (where.empty() ? "" : where + ": ") + ex.what() + " (at byte " + std::to_string(position) + ")";
    return false;
  }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::string key;
  };
  bool value() {
    if (!frames_.empty() && frames_.back().array) {
      frames_.back().index++;
    }
    return true;
  }
  bool end() {
    frames_.pop_back();
    return value();
  }
  std::vector<Frame> frames_;
};

}  // namespace

std::optional<std::string> parseDocument(std::string_view text, json& out) {
  out = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!out.is_discarded()) {
    return std::nullopt;
  }
  PathTracker tracker;
  bool ok = false;
  try {
    ok = json::sax_parse(text, &tracker);
  } catch (const json::exception& e) {
    tracker.error = e.what();
  }
  if (ok || tracker.error.empty()) {
    return std::string("not valid JSON");
  }
  return "not valid JSON: " + tracker.error;
}

}  // namespace kerbpool::core::json_fields
