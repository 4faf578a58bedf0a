// The Jailhouse sysfs tree (jailhouse-cli-sysfs.md §3): cells by name, their
// states, the root cell's CPUs.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace phi::jailhouse {

struct SysfsCell {
  int id = -1;
  std::string name;
  std::string state;  // "running", "running/locked", "shut down", "failed", "Comm ABI mismatch", "invalid"
};

// The cells under <sysfsRoot>/cells (none when the directory does not exist:
// the module is not loaded or Jailhouse is disabled).
std::vector<SysfsCell> listCells(const std::string& sysfsRoot);
std::optional<SysfsCell> findCell(const std::string& sysfsRoot, const std::string& name);

// A cpulist file ("0-3", "1,3", "2-3,6", or "\n" for none). Throws
// phi::Error(NotFound/IoError/InvalidArgument) naming the path.
std::vector<int> readCpuListFile(const std::string& path);

// True when <sysfsRoot>/enabled reads "1".
bool jailhouseEnabled(const std::string& sysfsRoot);

}  // namespace phi::jailhouse
