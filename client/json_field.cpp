#include "client/json_field.hpp"

#include <cstdint>

#include "core/common/utf8.hpp"

namespace kerbpool::client {

namespace {

constexpr int kMaxDepth = 32;

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  std::optional<std::string> find(std::string_view key) {
    ws();
    if (!eat('{')) {
      return std::nullopt;
    }
    std::optional<std::string> found;
    ws();
    if (!eat('}')) {
      while (true) {
        ws();
        std::string name;
        if (!string(&name)) {
          return std::nullopt;
        }
        ws();
        if (!eat(':')) {
          return std::nullopt;
        }
        ws();
        if (!found && name == key && peek() == '"') {
          std::string v;
          if (!string(&v)) {
            return std::nullopt;
          }
          found = std::move(v);
        } else if (!value(1)) {
          return std::nullopt;
        }
        ws();
        if (eat('}')) {
          break;
        }
        if (!eat(',')) {
          return std::nullopt;
        }
      }
    }
    ws();
    if (i_ != s_.size()) {
      return std::nullopt;
    }
    return found;
  }

 private:
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool eat(char c) {
    if (peek() == c && i_ < s_.size()) {
      ++i_;
      return true;
    }
    return false;
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }

  bool hex4(std::uint32_t& v) {
    if (s_.size() - i_ < 4) {
      return false;
    }
    v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  // A string at the cursor; `out` may be null (skip).
  bool string(std::string* out) {
    if (!eat('"')) {
      return false;
    }
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') {
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return false;
      }
      if (c != '\\') {
        if (out) {
          out->push_back(c);
        }
        continue;
      }
      if (i_ >= s_.size()) {
        return false;
      }
      const char e = s_[i_++];
      char plain = 0;
      switch (e) {
        case '"':
          plain = '"';
          break;
        case '\\':
          plain = '\\';
          break;
        case '/':
          plain = '/';
          break;
        case 'b':
          plain = '\b';
          break;
        case 'f':
          plain = '\f';
          break;
        case 'n':
          plain = '\n';
          break;
        case 'r':
          plain = '\r';
          break;
        case 't':
          plain = '\t';
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) {
            return false;
          }
          if (cp >= 0xd800 && cp <= 0xdbff) {
            std::uint32_t low = 0;
            if (!eat('\\') || !eat('u') || !hex4(low) || low < 0xdc00 || low > 0xdfff) {
              return false;
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return false;
          }
          if (out) {
            core::appendUtf8(*out, cp);
          }
          continue;
        }
        default:
          return false;
      }
      if (out) {
        out->push_back(plain);
      }
    }
    return false;
  }

  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) {
      return false;
    }
    i_ += word.size();
    return true;
  }

  bool digits() {
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      ++i_;
    }
    return i_ > start;
  }

  bool number() {
    eat('-');
    if (eat('0')) {
      // no leading zeros
    } else if (!digits()) {
      return false;
    }
    if (eat('.') && !digits()) {
      return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++i_;
      if (!eat('+')) {
        eat('-');
      }
      if (!digits()) {
        return false;
      }
    }
    return true;
  }

  bool value(int depth) {
    if (depth > kMaxDepth) {
      return false;
    }
    switch (peek()) {
      case '"':
        return string(nullptr);
      case '{':
        return container(depth, '}', true);
      case '[':
        return container(depth, ']', false);
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  bool container(int depth, char close, bool object) {
    ++i_;
    ws();
    if (eat(close)) {
      return true;
    }
    while (true) {
      ws();
      if (object) {
        if (!string(nullptr)) {
          return false;
        }
        ws();
        if (!eat(':')) {
          return false;
        }
        ws();
      }
      if (!value(depth + 1)) {
        return false;
      }
      ws();
      if (eat(close)) {
        return true;
      }
      if (!eat(',')) {
        return false;
      }
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<std::string> topLevelJsonString(std::string_view text, std::string_view key) {
  return Scanner(text).find(key);
}

}  // namespace kerbpool::client
