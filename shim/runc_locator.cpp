#include "runc_locator.hpp"

#include <phi/error.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

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

bool usable(const std::string& path, const FileId& self) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || ::access(path.c_str(), X_OK) != 0) return false;
  return !(self.valid && st.st_dev == self.dev && st.st_ino == self.ino);
}

}  // namespace

std::string locateRunc(const std::string& configured) {
  FileId self = fileId("/proc/self/exe");
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
