// CellDescription <-> JSON (the format `runphi-cell compile` reads and
// `runphi-cell decode` writes; docs/jailhouse.md "Cell description JSON").
#pragma once

#include "cell_model.hpp"
#include "cell_serializer.hpp"

#include <json/value.h>

#include <optional>
#include <string>

namespace phi::jailhouse {

// Parses and validates a cell description. `dialect`, when given, replaces the
// file's "dialect" key (which is then optional). Throws phi::Error naming
// `origin` and the key path for malformed JSON, unknown keys, wrong types,
// out-of-range numbers, unknown flag names and every validateCell() rule.
// Flag and console-type names are those of the dialect's headers, with or
// without their JAILHOUSE_<GROUP>_ prefix. `rules`/`warnings` as for
// validateCell().
CellDescription cellFromJson(const std::string& text, const std::string& origin,
                             std::optional<Dialect> dialect = std::nullopt, Rules rules = Rules::Strict,
                             std::vector<std::string>* warnings = nullptr);
CellDescription cellFromJsonValue(const Json::Value& value, const std::string& origin,
                                  std::optional<Dialect> dialect = std::nullopt, Rules rules = Rules::Strict,
                                  std::vector<std::string>* warnings = nullptr);

// The canonical JSON: every field the dialect has, addresses as "0x..."
// strings, flags as names. cellFromJson(cellToJson(c)) == c for every valid c.
Json::Value cellToJsonValue(const CellDescription& cell);
std::string cellToJson(const CellDescription& cell);  // indented, ends with a newline

}  // namespace phi::jailhouse
