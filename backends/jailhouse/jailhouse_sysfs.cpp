#include "jailhouse_sysfs.hpp"

#include <phi/error.hpp>
#include <phi/partition.hpp>

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace phi::jailhouse {

namespace {

std::optional<std::string> readSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  char buf[4096];
  in.read(buf, sizeof buf);
  text.assign(buf, static_cast<size_t>(in.gcount()));
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace

std::vector<SysfsCell> listCells(const std::string& sysfsRoot) {
  std::vector<SysfsCell> cells;
  std::string dir = sysfsRoot + "/cells";
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT || errno == ENOTDIR) return cells;
    throw Error(ErrorCode::IoError, "cannot read " + dir + ": " + std::strerror(errno));
  }
  while (dirent* e = ::readdir(d)) {
    std::string entry = e->d_name;
    if (entry.empty() || entry.find_first_not_of("0123456789") != std::string::npos) continue;
    SysfsCell c;
    c.id = std::stoi(entry);
    // A cell destroyed while we read has no files any more: skip it.
    std::optional<std::string> name = readSmallFile(dir + "/" + entry + "/name");
    std::optional<std::string> state = readSmallFile(dir + "/" + entry + "/state");
    if (!name || !state) continue;
    c.name = *name;
    c.state = *state;
    cells.push_back(c);
  }
  ::closedir(d);
  return cells;
}

std::optional<SysfsCell> findCell(const std::string& sysfsRoot, const std::string& name) {
  for (SysfsCell& c : listCells(sysfsRoot))
    if (c.name == name) return c;
  return std::nullopt;
}

std::vector<int> readCpuListFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw Error(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::IoError,
                "cannot read " + path + ": " + std::strerror(errno));
  }
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) return {};
  return parseCpuList(text, path);
}

std::vector<int> cpusInUse(const std::string& sysfsRoot, int rootCellId, const std::string& rootCpusList,
                           const std::vector<int>& pool) {
  std::set<int> inUse;
  for (const SysfsCell& c : listCells(sysfsRoot)) {
    if (c.id == rootCellId) continue;
    try {
      for (int cpu : readCpuListFile(sysfsRoot + "/cells/" + std::to_string(c.id) + "/cpus_assigned_list"))
        inUse.insert(cpu);
    } catch (const Error&) {  // destroyed in the meantime
    }
  }
  try {
    std::vector<int> root = readCpuListFile(rootCpusList);
    for (int cpu : pool)
      if (std::find(root.begin(), root.end(), cpu) == root.end()) inUse.insert(cpu);
  } catch (const Error&) {  // no root cell to ask
  }
  std::vector<int> out;
  for (int cpu : pool)
    if (inUse.count(cpu)) out.push_back(cpu);
  std::sort(out.begin(), out.end());
  return out;
}

bool jailhouseEnabled(const std::string& sysfsRoot) {
  std::optional<std::string> v = readSmallFile(sysfsRoot + "/enabled");
  return v && *v == "1";
}

}  // namespace phi::jailhouse
