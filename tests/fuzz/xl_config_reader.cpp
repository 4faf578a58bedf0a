#include "xl_config_reader.hpp"

#include <cctype>

namespace phi::fuzz {

namespace {

class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}

  std::vector<XlSetting> file() {
    std::vector<XlSetting> out;
    for (;;) {
      blanks();
      if (atEnd()) return out;
      char c = s_[i_];
      if (c == '\n') {
        ++line_;
        ++i_;
        continue;
      }
      if (c == ';') {
        ++i_;
        continue;
      }
      out.push_back(setting());
      blanks();
      if (!atEnd() && s_[i_] != '\n' && s_[i_] != ';') fail("expected a newline or ';' after the value");
    }
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw XlSyntaxError("line " + std::to_string(line_) + ", offset " + std::to_string(i_) + ": " + why);
  }
  bool atEnd() const { return i_ >= s_.size(); }

  // Blanks and a comment, never the newline that ends it.
  void blanks() {
    while (!atEnd()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t') {
        ++i_;
      } else if (c == '#') {
        while (!atEnd() && s_[i_] != '\n') ++i_;
      } else {
        return;
      }
    }
  }

  // Blanks, comments and newlines (inside a list).
  void blanksAndNewlines() {
    for (blanks(); !atEnd() && s_[i_] == '\n'; blanks()) {
      ++line_;
      ++i_;
    }
  }

  XlSetting setting() {
    XlSetting st;
    st.line = line_;
    if (!(s_[i_] >= 'a' && s_[i_] <= 'z')) fail("a setting starts with a lower-case key");
    std::size_t start = i_;
    while (!atEnd() &&
           ((s_[i_] >= 'a' && s_[i_] <= 'z') || (s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '_' || s_[i_] == '.')) {
      ++i_;
    }
    st.key = s_.substr(start, i_ - start);
    blanks();
    if (!atEnd() && s_[i_] == '+' && i_ + 1 < s_.size() && s_[i_ + 1] == '=') {
      st.append = true;
      i_ += 2;
    } else if (!atEnd() && s_[i_] == '=') {
      ++i_;
    } else {
      fail("expected '=' after key \"" + st.key + "\"");
    }
    blanks();
    st.value = value();
    return st;
  }

  XlValue value() {
    if (atEnd()) fail("expected a value");
    char c = s_[i_];
    if (c == '"' || c == '\'') return string();
    if (c >= '0' && c <= '9') return number();
    if (c == '[') return list();
    fail(std::string("a value is a string, a number or a list, not '") + c + "'");
  }

  XlValue string() {
    XlValue v;
    const char quote = s_[i_++];
    for (;;) {
      if (atEnd()) fail("unterminated string");
      char c = s_[i_++];
      if (c == quote) return v;
      if (c == '\n') fail("newline inside a string");
      if (c != '\\') {
        v.text += c;
        continue;
      }
      if (atEnd()) fail("unterminated string after a backslash");
      char e = s_[i_++];
      switch (e) {
        case '\\': v.text += '\\'; break;
        case '"': v.text += '"'; break;
        case '\'': v.text += '\''; break;
        case 'n': v.text += '\n'; break;
        case 'r': v.text += '\r'; break;
        case 't': v.text += '\t'; break;
        case 'a': v.text += '\a'; break;
        case 'b': v.text += '\b'; break;
        case 'f': v.text += '\f'; break;
        case 'v': v.text += '\v'; break;
        default: fail(std::string("escape \\") + e + " is not one xl reads as a single character");
      }
    }
  }

  XlValue number() {
    XlValue v;
    v.kind = XlValue::Kind::Number;
    std::size_t start = i_;
    if (s_.compare(i_, 2, "0x") == 0) {
      i_ += 2;
      std::size_t digits = i_;
      while (!atEnd() && std::isxdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (i_ == digits) fail("0x without hex digits");
    } else {
      while (!atEnd() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    }
    if (!atEnd() && std::isalnum(static_cast<unsigned char>(s_[i_]))) fail("malformed number");
    v.text = s_.substr(start, i_ - start);
    return v;
  }

  XlValue list() {
    XlValue v;
    v.kind = XlValue::Kind::List;
    ++i_;  // '['
    for (;;) {
      blanksAndNewlines();
      if (atEnd()) fail("unterminated list");
      if (s_[i_] == ']') {
        ++i_;
        return v;
      }
      v.items.push_back(value());
      blanksAndNewlines();
      if (atEnd()) fail("unterminated list");
      if (s_[i_] == ',') {
        ++i_;
      } else if (s_[i_] != ']') {
        fail("expected ',' or ']' in a list");
      }
    }
  }

  const std::string& s_;
  std::size_t i_ = 0;
  int line_ = 1;
};

}  // namespace

std::vector<XlSetting> readXlConfig(const std::string& text) {
  return Parser(text).file();
}

}  // namespace phi::fuzz
