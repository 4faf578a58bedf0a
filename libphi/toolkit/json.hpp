// The one strict JSON reader of runphi: parsing with a nesting limit, and
// JsonObject, which reads an object's keys with their types checked, numbers
// as JSON integers or "0x..." strings, and refuses keys nobody read. Errors
// name the origin (a file) and the key path.
#pragma once

#include <json/value.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace phi {

// How strict a parse is. runphi's own files reject duplicate keys; an OCI
// bundle's config.json is read the way runc (Go's encoding/json) reads it,
// where the last duplicate wins, so no bundle runc accepts is refused.
enum class DuplicateKeys { Reject, LastWins };

// Deeper nesting than this is refused (a ParseError, never a crash).
inline constexpr unsigned kMaxJsonDepth = 1000;  // jsoncpp's own default

// Parses `text`; throws phi::Error(ParseError) "<origin>: malformed JSON: ..."
// on malformed input, comments, trailing text or nesting beyond kMaxJsonDepth.
Json::Value parseJson(const std::string& text, const std::string& origin,
                      DuplicateKeys duplicates = DuplicateKeys::Reject);

// What readJsonFile reads at most unless told otherwise.
inline constexpr std::size_t kMaxJsonFileBytes = std::size_t{16} << 20;
// The resource ledger: a few hundred bytes per container.
inline constexpr std::size_t kMaxLedgerBytes = std::size_t{16} << 20;

// Reads and parses a regular file of at most `maxBytes` (checked before
// reading; a FIFO or device is refused, never waited on). NotFound, IoError
// and InvalidArgument name the path.
Json::Value readJsonFile(const std::string& path, DuplicateKeys duplicates = DuplicateKeys::Reject,
                         std::size_t maxBytes = kMaxJsonFileBytes);

// Compact one-line JSON (no trailing newline).
std::string toCompactJson(const Json::Value& value);

// A value as it appears in JSON, cut after `maxChars` with "...", for messages.
std::string shownJson(const Json::Value& value, std::size_t maxChars = 120);

// "null", "3", "the number 1.5", "\"text\"", "an array", "an object".
std::string describeJson(const Json::Value& value);

// A JSON integer or "0x..." string as an unsigned number of `bits` bits;
// InvalidArgument naming origin and path otherwise.
std::uint64_t jsonNumber(const Json::Value& v, unsigned bits, const std::string& origin, const std::string& path);

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
  const Json::Value& value() const { return value_; }

 private:
  const Json::Value& value_;
  std::string origin_;
  std::string path_;
  mutable std::set<std::string> used_;
};

}  // namespace phi
