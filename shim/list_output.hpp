// `list`: runc's containers and runphi's together, printed the way runc
// prints them.
#pragma once

#include <map>

#include <string>
#include <vector>

namespace runphi {

// One row of `list`, from runc's JSON or from a partitioned container's state.
struct ListEntry {
  std::string id;
  int pid = 0;
  std::string status;
  std::string bundle;
  std::string rootfs;
  std::string created;
  std::string owner;
  std::map<std::string, std::string> annotations;
};

// Parses the output of `runc list --format json` ("null" when empty).
std::vector<ListEntry> parseRuncList(const std::string& json);

// runc's three output shapes: a tabwriter table, one JSON line, bare ids.
std::string renderListTable(const std::vector<ListEntry>& records);
std::string renderListJson(const std::vector<ListEntry>& records);
std::string renderListQuiet(const std::vector<ListEntry>& records);

}  // namespace runphi
