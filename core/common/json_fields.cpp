#include "core/common/json_fields.hpp"

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

std::optional<std::int64_t> optPositiveInt(const json& obj, const std::string& path, std::string_view key) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_number_integer() || v->get<std::int64_t>() <= 0) {
    fail(member(path, key), "expected a positive integer");
  }
  return v->get<std::int64_t>();
}

std::optional<std::int64_t> optIntInRange(const json& obj, const std::string& path, std::string_view key,
                                          std::int64_t min, std::int64_t max) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_number_integer() || v->get<std::int64_t>() < min || v->get<std::int64_t>() > max) {
    fail(member(path, key), "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return v->get<std::int64_t>();
}

std::optional<double> optNumberInRange(const json& obj, const std::string& path, std::string_view key,
                                       double min, double max) {
  const json* v = find(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_number() || v->get<double>() < min || v->get<double>() > max) {
    fail(member(path, key), "expected a number from " + std::to_string(min) + " to " + std::to_string(max));
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

}  // namespace kerbpool::core::json_fields
