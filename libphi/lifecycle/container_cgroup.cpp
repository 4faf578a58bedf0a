#include "lifecycle/container_cgroup.hpp"

#include <phi/driver/files.hpp>
#include <phi/error.hpp>

#include "lifecycle/loaded_container.hpp"
#include "toolkit/json.hpp"
#include "toolkit/system_error.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>

namespace phi {

namespace {

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "a-b-c.slice" -> "a.slice/a-b.slice/a-b-c.slice"; "-.slice" -> "".
std::string expandSlice(const std::string& slice) {
  if (!endsWith(slice, ".slice") || slice.find('/') != std::string::npos) {
    throw Error(ErrorCode::InvalidArgument, "linux.cgroupsPath: \"" + slice + "\" is not a systemd slice name");
  }
  if (slice == "-.slice") return {};
  const std::string stem = slice.substr(0, slice.size() - 6);
  std::string path, prefix;
  std::istringstream parts(stem);
  for (std::string part; std::getline(parts, part, '-');) {
    if (part.empty()) throw Error(ErrorCode::InvalidArgument, "linux.cgroupsPath: bad slice name \"" + slice + "\"");
    prefix += (prefix.empty() ? "" : "-") + part;
    path += (path.empty() ? "" : "/") + prefix + ".slice";
  }
  return path;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void writeValue(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  out << value;
  out.flush();
  if (!out) throw errnoError("cannot write \"" + value + "\" to " + path);
}

// mkdir -p below `root`, returning the directories made; cpuset v1 levels
// get their parent's cpus and mems, without which no task may join.
void makeBelow(const std::string& root, const std::string& relative, bool cpuset) {
  std::string dir = root;
  std::istringstream parts(relative);
  for (std::string part; std::getline(parts, part, '/');) {
    if (part.empty() || part == "." || part == "..") continue;
    const std::string parent = dir;
    dir += "/" + part;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw errnoError("cannot create cgroup " + dir);
    if (!cpuset) continue;
    for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
      const std::string mine = dir + "/" + file;
      if (!trimmed(readFile(mine, 4096)).empty()) continue;
      writeValue(mine, trimmed(readFile(parent + "/" + file, 4096)));
    }
  }
}

}  // namespace

std::string systemdCgroupPath(const std::string& cgroupsPath) {
  const auto first = cgroupsPath.find(':');
  const auto second = cgroupsPath.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos ||
      cgroupsPath.find(':', second + 1) != std::string::npos) {
    throw Error(ErrorCode::InvalidArgument,
                "linux.cgroupsPath: \"" + cgroupsPath + "\" is not of the systemd form slice:prefix:name");
  }
  std::string slice = cgroupsPath.substr(0, first);
  const std::string prefix = cgroupsPath.substr(first + 1, second - first - 1);
  const std::string name = cgroupsPath.substr(second + 1);
  if (name.empty()) throw Error(ErrorCode::InvalidArgument, "linux.cgroupsPath: \"" + cgroupsPath + "\" has no name");
  if (slice.empty()) slice = "system.slice";
  std::string path = expandSlice(slice);
  // A name that is a slice is the unit itself; otherwise a scope.
  std::string unit = endsWith(name, ".slice") ? name : (prefix.empty() ? name : prefix + "-" + name) + ".scope";
  return path.empty() ? unit : path + "/" + unit;
}

std::vector<std::string> cgroupDirsFor(const std::string& cgroupsPath, const std::string& mountinfo) {
  if (cgroupsPath.empty()) return {};
  std::string relative = cgroupsPath.front() != '/' && cgroupsPath.find(':') != std::string::npos
                             ? systemdCgroupPath(cgroupsPath)
                             : cgroupsPath;
  while (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
  if (relative.empty()) return {};
  std::vector<std::string> dirs;
  std::set<std::string> seen;
  std::ifstream in(mountinfo);
  for (std::string line; std::getline(in, line);) {
    // "<id> <parent> <dev> <root> <mount point> <options> ... - <fstype> <source> <super options>"
    std::istringstream f(line);
    std::string id, parent, dev, root, point;
    f >> id >> parent >> dev >> root >> point;
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype;
    tail >> fstype;
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    if (!seen.insert(point).second) continue;
    dirs.push_back(point + "/" + relative);
  }
  return dirs;
}

void joinCgroups(pid_t pid, const std::vector<std::string>& dirs) {
  for (const std::string& dir : dirs) {
    std::string mount = dir;
    std::string relative;
    // Walk up until a directory exists: everything below it is ours to make.
    while (::access(mount.c_str(), F_OK) != 0) {
      const auto cut = mount.rfind('/');
      if (cut == std::string::npos || cut == 0) break;
      relative = mount.substr(cut + 1) + (relative.empty() ? "" : "/" + relative);
      mount.erase(cut);
    }
    const bool cpuset = ::access((mount + "/cpuset.cpus").c_str(), F_OK) == 0 &&
                        ::access((mount + "/cgroup.controllers").c_str(), F_OK) != 0;
    makeBelow(mount, relative, cpuset);
    writeValue(dir + "/cgroup.procs", std::to_string(pid));
  }
}

std::string recordedCgroupsPath(const std::string& stateDir) {
  const std::string path = stateDir + "/" + kSpecCopy;
  if (::access(path.c_str(), R_OK) != 0) return {};
  const Json::Value spec = readJsonFile(path);
  const Json::Value& linux = spec["linux"];
  if (!linux.isObject() || !linux["cgroupsPath"].isString()) return {};
  return linux["cgroupsPath"].asString();
}

std::vector<std::string> recordedCgroups(const std::string& stateDir) {
  const std::string path = stateDir + "/" + kCgroupsFile;
  std::vector<std::string> dirs;
  if (::access(path.c_str(), R_OK) != 0) return dirs;
  std::istringstream in(readFile(path, 1 << 16));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) dirs.push_back(line);
  return dirs;
}

void recordCgroups(const std::string& stateDir, const std::vector<std::string>& dirs) {
  std::string text;
  for (const std::string& d : dirs) text += d + "\n";
  writeFileAtomically(stateDir + "/" + kCgroupsFile, text);
}

void removeCgroups(const std::vector<std::string>& dirs, const Logger& log) {
  for (const std::string& dir : dirs) {
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
      log.warn("cannot remove cgroup " + dir + ": " + std::error_code(errno, std::generic_category()).message());
    }
  }
}

}  // namespace phi
