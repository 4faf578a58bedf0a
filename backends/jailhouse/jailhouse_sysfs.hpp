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

// The CPUs of `pool` in use by a cell: in another cell's
// cells/<id>/cpus_assigned_list, or missing from the root cell's list
// (`rootCpusList`, a path). Nothing when the tree cannot be read (the module
// is not loaded, Jailhouse is disabled: the CLI says so); a cell that
// vanishes while it is read is skipped. Sorted.
std::vector<int> cpusInUse(const std::string& sysfsRoot, int rootCellId, const std::string& rootCpusList,
                           const std::vector<int>& pool);

// True when <sysfsRoot>/enabled reads "1".
bool jailhouseEnabled(const std::string& sysfsRoot);

}  // namespace phi::jailhouse
