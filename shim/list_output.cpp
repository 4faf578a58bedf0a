#include "list_output.hpp"

#include <phi/error.hpp>
#include <phi/version.hpp>

#include "toolkit/json.hpp"

#include <json/writer.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace runphi {

using phi::DuplicateKeys;
using phi::Error;
using phi::ErrorCode;
using phi::parseJson;

std::vector<ListEntry> parseRuncList(const std::string& json) {
  std::vector<ListEntry> out;
  std::string text = json;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.empty() || text == "null") return out;  // runc prints null when it has no containers
  Json::Value root = parseJson(text, "runc list output", DuplicateKeys::LastWins);
  if (!root.isArray()) throw Error(ErrorCode::ParseError, "runc list output: expected a JSON array");
  for (const Json::Value& v : root) {
    ListEntry r;
    r.id = v["id"].asString();
    r.pid = v["pid"].asInt();
    r.status = v["status"].asString();
    r.bundle = v["bundle"].asString();
    r.rootfs = v["rootfs"].asString();
    r.created = v["created"].asString();
    r.owner = v["owner"].asString();
    for (const std::string& k : v["annotations"].getMemberNames()) r.annotations[k] = v["annotations"][k].asString();
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

// Go's tabwriter measures cells in runes (UTF-8 code points), not bytes.
size_t runeCount(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

std::string renderListTable(const std::vector<ListEntry>& records) {
  // Go's tabwriter as runc configures it: minwidth 12, padding 3; the last
  // column is not padded.
  constexpr size_t kColumns = 6, kMinWidth = 12, kPadding = 3;
  std::vector<std::array<std::string, kColumns>> rows;
  rows.push_back({"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
  for (const ListEntry& r : records) {
    rows.push_back({r.id, std::to_string(r.pid), r.status, r.bundle, r.created, r.owner});
  }
  std::array<size_t, kColumns> width{};
  for (const auto& row : rows) {
    for (size_t c = 0; c + 1 < kColumns; ++c) width[c] = std::max({width[c], kMinWidth, runeCount(row[c]) + kPadding});
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c + 1 < kColumns; ++c) out += row[c] + std::string(width[c] - runeCount(row[c]), ' ');
    out += row[kColumns - 1] + "\n";
  }
  return out;
}

std::string renderListJson(const std::vector<ListEntry>& records) {
  if (records.empty()) return "null\n";
  // Keys in runc's order (its Go struct), which jsoncpp's sorted maps lose.
  auto q = [](const std::string& s) { return Json::valueToQuotedString(s.c_str()); };
  std::string out = "[";
  for (size_t i = 0; i < records.size(); ++i) {
    const ListEntry& r = records[i];
    out += i ? ",{" : "{";
    out += "\"ociVersion\":" + q(PHI_OCI_SPEC_VERSION) + ",\"id\":" + q(r.id) + ",\"pid\":" + std::to_string(r.pid) +
           ",\"status\":" + q(r.status) + ",\"bundle\":" + q(r.bundle) + ",\"rootfs\":" + q(r.rootfs) +
           ",\"created\":" + q(r.created);
    if (!r.annotations.empty()) {
      out += ",\"annotations\":{";
      bool first = true;
      for (const auto& [k, v] : r.annotations) {
        out += (first ? "" : ",") + q(k) + ":" + q(v);
        first = false;
      }
      out += "}";
    }
    out += ",\"owner\":" + q(r.owner) + "}";
  }
  return out + "]\n";
}

std::string renderListQuiet(const std::vector<ListEntry>& records) {
  std::string out;
  for (const ListEntry& r : records) out += r.id + "\n";
  return out;
}

}  // namespace runphi
