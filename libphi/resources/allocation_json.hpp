// Allocation records as JSON, for the resource ledger and container state.
#pragma once

#include <phi/partition.hpp>

#include <json/value.h>

#include <string>

namespace phi {

Json::Value allocationToJson(const Allocation& allocation);
// Throws phi::Error(ParseError) naming `origin` for a malformed record.
Allocation allocationFromJson(const Json::Value& json, const std::string& origin);

}  // namespace phi
