// A reader of xl's domain configuration syntax (xl.cfg(5) "Syntax"), written
// from that manual page and from what Xen 4.17's xl was seen to accept
// (tests/sim/xl/README.md), never from runphi's writer: the fuzz target and
// the tests use it to check, independently, what the writer produced.
//
//   file    := { [setting] (NEWLINE | ';') } [setting]
//   setting := KEY ('=' | '+=') value
//   value   := STRING | NUMBER | '[' [value {',' value} [',']] ']'   (newlines allowed inside [ ])
//   KEY     := [a-z][a-z0-9._]*        NUMBER := [0-9]+ | 0x[0-9a-fA-F]+
//   STRING  := "..." or '...' on one line; escapes \\ \" \' \n \r \t \a \b \f \v
//   '#' starts a comment that runs to the end of the line; blanks are ' ' and '\t'.
//
// Stricter than xl where xl's behaviour is odd (octal escapes, \x): such input
// is an error here, as runphi must never write it.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace phi::fuzz {

class XlSyntaxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct XlValue {
  enum class Kind { String, Number, List };
  Kind kind = Kind::String;
  std::string text;  // String: the unescaped value; Number: as written
  std::vector<XlValue> items;
};

struct XlSetting {
  std::string key;
  bool append = false;  // "+="
  XlValue value;
  int line = 0;
};

// Every setting in file order; throws XlSyntaxError with the line number.
std::vector<XlSetting> readXlConfig(const std::string& text);

}  // namespace phi::fuzz
