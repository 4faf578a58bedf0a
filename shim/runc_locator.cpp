#include "runc_locator.hpp"

#include <phi/error.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <vector>

namespace runphi {

namespace {

struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool valid = false;
};

FileId fileId(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino, true};
}

// This program and the front end that hands calls to it (beside it in the
// build tree, in sbin once installed): never "the real runc".
std::vector<FileId> runphiItself() {
  std::vector<FileId> ids{fileId("/proc/self/exe")};
  char buffer[4096];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  std::string self = n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  if (size_t slash = self.rfind('/'); slash != std::string::npos) {
    std::string dir = self.substr(0, slash);
    ids.push_back(fileId(dir + "/runphi"));
#ifdef PHI_SHIM_TO_FRONTEND
    ids.push_back(fileId(dir + "/" + PHI_SHIM_TO_FRONTEND));
#endif
  }
  return ids;
}

bool usable(const std::string& path, const std::vector<FileId>& runphi) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || ::access(path.c_str(), X_OK) != 0) return false;
  for (const FileId& id : runphi) {
    if (id.valid && st.st_dev == id.dev && st.st_ino == id.ino) return false;
  }
  return true;
}

}  // namespace

std::string locateRunc(const std::string& configured) {
  std::vector<FileId> self = runphiItself();
  if (!configured.empty() && configured.find('/') != std::string::npos && usable(configured, self)) return configured;

  std::string name = configured.find('/') == std::string::npos && !configured.empty() ? configured : "runc";
  const char* pathEnv = std::getenv("PATH");
  std::string_view path = pathEnv ? pathEnv : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (!path.empty()) {
    size_t colon = path.find(':');
    std::string dir(path.substr(0, colon));
    path = colon == std::string_view::npos ? std::string_view{} : path.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (usable(candidate, self)) return candidate;
  }
  throw phi::Error(phi::ErrorCode::NotFound, "no runc to forward to: runc_path \"" + configured +
                                                 "\" is not an executable file and no other `" + name + "` is on PATH");
}

}  // namespace runphi
