// Strict reading of JSON objects for the cell description and the platform's
// "jailhouse" section: every key known, every value of its one type, numbers
// as JSON integers or "0x..." strings, errors naming the origin and key path.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace phi::jailhouse {

// Parses JSON text, rejecting duplicate keys, comments and trailing text.
Json::Value parseStrictJson(const std::string& text, const std::string& origin);

class JsonObject {
 public:
  // `path` is the key path of this object ("" at the top, "memory_regions[2]").
  JsonObject(const Json::Value& value, std::string origin, std::string path);

  bool has(const char* key) const;
  const Json::Value& raw(const char* key) const;  // marks it used
  std::string path(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& why) const;

  // An unsigned number of `bits` bits: a JSON integer or "0x..." string.
  std::uint64_t number(const char* key, unsigned bits) const;
  std::uint64_t number(const char* key, unsigned bits, std::uint64_t fallback) const;
  std::string string(const char* key) const;
  std::string string(const char* key, const std::string& fallback) const;
  bool boolean(const char* key, bool fallback) const;
  JsonObject object(const char* key) const;
  std::vector<JsonObject> objects(const char* key) const;  // an array of objects ([] if absent)
  const Json::Value& array(const char* key) const;         // an array ([] if absent)

  // Throws for the first key that was never read.
  void rejectUnknownKeys() const;

  const std::string& origin() const { return origin_; }
  const std::string& where() const { return path_; }

 private:
  const Json::Value& value_;
  std::string origin_;
  std::string path_;
  mutable std::set<std::string> used_;
};

// A JSON integer or "0x..." string as an unsigned number of `bits` bits.
std::uint64_t jsonNumber(const Json::Value& v, unsigned bits, const std::string& origin, const std::string& path);

// "0x1f" for the canonical output.
std::string hexString(std::uint64_t v);

}  // namespace phi::jailhouse
