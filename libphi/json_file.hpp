// Strict JSON reading shared by every file runphi parses.
#pragma once

#include <json/value.h>

#include <string>

namespace phi {

// How strict a parse is. runphi's own files reject duplicate keys; an OCI
// bundle's config.json is read the way runc (Go's encoding/json) reads it,
// where the last duplicate wins, so no bundle runc accepts is refused.
enum class DuplicateKeys { Reject, LastWins };

// Parses `text`; throws phi::Error(ParseError) naming `origin` and the
// parser's message on malformed input.
Json::Value parseJson(const std::string& text, const std::string& origin,
                      DuplicateKeys duplicates = DuplicateKeys::Reject);

// A whole file's bytes; NotFound/IoError name the path.
std::string readTextFile(const std::string& path);

// Reads and parses a file; NotFound/IoError name the path.
Json::Value readJsonFile(const std::string& path, DuplicateKeys duplicates = DuplicateKeys::Reject);

// Compact one-line JSON (no trailing newline).
std::string toCompactJson(const Json::Value& value);

}  // namespace phi
