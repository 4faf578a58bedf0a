#include "resources/allocation_json.hpp"

#include <phi/error.hpp>

namespace phi {

namespace {

Json::Value ids(const std::vector<int>& v) {
  Json::Value a(Json::arrayValue);
  for (int i : v) a.append(i);
  return a;
}

Json::Value ranges(const std::vector<MemoryRange>& v) {
  Json::Value a(Json::arrayValue);
  for (const MemoryRange& r : v) {
    Json::Value o(Json::objectValue);
    o["start"] = Json::UInt64(r.start);
    o["size"] = Json::UInt64(r.size);
    a.append(o);
  }
  return a;
}

[[noreturn]] void bad(const std::string& origin, const std::string& key) {
  throw Error(ErrorCode::ParseError, origin + ": malformed allocation record at \"" + key + "\"");
}

std::vector<int> readIds(const Json::Value& j, const char* key, const std::string& origin) {
  std::vector<int> out;
  const Json::Value& a = j[key];
  if (a.isNull()) return out;
  if (!a.isArray()) bad(origin, key);
  for (const Json::Value& v : a) {
    if (!v.isInt()) bad(origin, key);
    out.push_back(v.asInt());
  }
  return out;
}

std::vector<MemoryRange> readRanges(const Json::Value& j, const char* key, const std::string& origin) {
  std::vector<MemoryRange> out;
  const Json::Value& a = j[key];
  if (a.isNull()) return out;
  if (!a.isArray()) bad(origin, key);
  for (const Json::Value& v : a) {
    if (!v.isObject() || !v["start"].isUInt64() || !v["size"].isUInt64()) bad(origin, key);
    out.push_back({v["start"].asUInt64(), v["size"].asUInt64()});
  }
  return out;
}

}  // namespace

Json::Value allocationToJson(const Allocation& a) {
  Json::Value j(Json::objectValue);
  j["cpus"] = ids(a.cpus());
  j["memory"] = ranges(a.memory());
  j["rpus"] = ids(a.rpus());
  j["pci_bdfs"] = ids(a.pciBdfs());
  j["comm_windows"] = ranges(a.commWindows());
  j["mac"] = a.macAddress();
  return j;
}

Allocation allocationFromJson(const Json::Value& j, const std::string& origin) {
  if (!j.isObject()) bad(origin, "");
  Allocation a;
  a.setCpus(readIds(j, "cpus", origin));
  a.setMemory(readRanges(j, "memory", origin));
  a.setRpus(readIds(j, "rpus", origin));
  a.setPciBdfs(readIds(j, "pci_bdfs", origin));
  a.setCommWindows(readRanges(j, "comm_windows", origin));
  if (!j["mac"].isNull() && !j["mac"].isString()) bad(origin, "mac");
  a.setMacAddress(j["mac"].asString());
  return a;
}

}  // namespace phi
