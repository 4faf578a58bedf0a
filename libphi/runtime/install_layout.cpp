#include "runtime/install_layout.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>

namespace phi::install_layout {

namespace {

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string dirName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// `relative` under the run-time prefix, then the configure-time `absolute`.
std::vector<std::string> candidates(const std::string& relative, const std::string& absolute) {
  std::vector<std::string> dirs;
  if (std::string prefix = runtimePrefix(); !prefix.empty()) dirs.push_back(prefix + "/" + relative);
  if (std::find(dirs.begin(), dirs.end(), absolute) == dirs.end()) dirs.push_back(absolute);
  return dirs;
}

}  // namespace

std::string runtimePrefix() {
  // The shared object holding this function: libphi.so (or, in the unit
  // tests, the test executable the core objects are linked into).
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&runtimePrefix), &info) == 0 || info.dli_fname == nullptr) return {};
  char resolved[4096];
  if (::realpath(info.dli_fname, resolved) == nullptr) return {};
  const std::string libDir = dirName(resolved);
  const std::string tail = std::string("/") + PHI_RELATIVE_LIBDIR;
  if (!endsWith(libDir, tail) || libDir.size() == tail.size()) return {};
  return libDir.substr(0, libDir.size() - tail.size());
}

std::vector<std::string> driverDirs() {
  return candidates(std::string(PHI_RELATIVE_LIBDIR) + "/phi/drivers", PHI_DRIVER_INSTALL_DIR);
}

std::vector<std::string> libexecDirs() {
  return candidates(std::string(PHI_RELATIVE_LIBEXECDIR) + "/runphi", PHI_LIBEXEC_INSTALL_DIR);
}

std::vector<std::string> templateDirs() {
  return candidates(std::string(PHI_RELATIVE_DATADIR) + "/runphi/platform-templates", PHI_TEMPLATE_INSTALL_DIR);
}

std::string cliPath() {
  for (const std::string& dir : candidates(PHI_RELATIVE_SBINDIR, PHI_SBIN_INSTALL_DIR)) {
    if (::access((dir + "/runphi").c_str(), X_OK) == 0) return dir + "/runphi";
  }
  return std::string(PHI_SBIN_INSTALL_DIR) + "/runphi";
}

std::string resolvePlatformTemplate(const std::string& value) {
  if (value.empty() || value.find('/') != std::string::npos) return value;
  const std::string file = endsWith(value, ".json") ? value : value + ".json";
  const std::vector<std::string> dirs = templateDirs();
  for (const std::string& dir : dirs) {
    if (::access((dir + "/" + file).c_str(), R_OK) == 0) return dir + "/" + file;
  }
  return dirs.front() + "/" + file;
}

}  // namespace phi::install_layout
