// An exclusive advisory lock (flock) held for the lifetime of the object.
#pragma once

#include <string>

namespace phi {

class FileLock {
 public:
  // Locks `path`, creating it (mode 0600) if needed; blocks until acquired.
  explicit FileLock(const std::string& path);
  // Locks an existing directory.
  static FileLock directory(const std::string& path);
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  FileLock& operator=(FileLock&&) = delete;

 private:
  FileLock(int fd, const std::string& path);
  int fd_ = -1;
};

}  // namespace phi
