// `list`: runc's containers and runphi's together, printed the way runc
// prints them.
#pragma once

#include "state_store.hpp"

#include <string>
#include <vector>

namespace phi {

// Parses the output of `runc list --format json` ("null" when empty).
std::vector<ContainerRecord> parseRuncList(const std::string& json);

// runc's three output shapes: a tabwriter table, one JSON line, bare ids.
std::string renderListTable(const std::vector<ContainerRecord>& records);
std::string renderListJson(const std::vector<ContainerRecord>& records);
std::string renderListQuiet(const std::vector<ContainerRecord>& records);

}  // namespace phi
