#include "toolkit/file_lock.hpp"

#include "toolkit/system_error.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace phi {

namespace {

void lockOrThrow(int fd, const std::string& path) {
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    throw errnoError("cannot lock " + path, err);
  }
}

}  // namespace

FileLock::FileLock(const std::string& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
  if (fd_ < 0) throw errnoError("cannot open lock file " + path);
  lockOrThrow(fd_, path);
}

FileLock::FileLock(int fd, const std::string& path) : fd_(fd) {
  lockOrThrow(fd_, path);
}

FileLock FileLock::directory(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw errnoError("cannot open " + path);
  return FileLock(fd, path);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace phi
