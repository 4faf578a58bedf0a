#include "sdk/rootfs_path.hpp"

#include <phi/driver/files.hpp>

#include "sdk/read_file.hpp"
#include "sdk/rootfs_walk.hpp"
#include "toolkit/fd.hpp"
#include "toolkit/system_error.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace phi {

namespace {

// openat2 RESOLVE_IN_ROOT, or the same walk in user space where the kernel
// (or a sandbox in front of it) has no openat2. -1 and errno on failure.
long openInRoot(int root, const std::string& relative, int flags) {
  open_how how{};
  how.flags = static_cast<__u64>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, root, relative.c_str(), &how, sizeof how);
  } while (fd < 0 && errno == EAGAIN);
  if (fd < 0 && errno == ENOSYS) fd = openInRootByWalking(root, relative, flags);
  return fd;
}

}  // namespace

int openInRootfs(const std::string& rootfs, const std::string& relative, int flags) {
  Fd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0) throw errnoError("cannot open rootfs " + rootfs);
  long fd = openInRoot(root.get(), relative, flags);
  if (fd < 0) throw errnoError("cannot open " + relative + " inside rootfs " + rootfs);
  return static_cast<int>(fd);
}

std::string readFileInRootfs(const std::string& rootfs, const std::string& relative, std::size_t maxBytes,
                             const std::string& origin) {
  // O_NONBLOCK: a FIFO planted there cannot hang us before the regular-file check.
  int fd = openInRootfs(rootfs, relative, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  return readRegularFile(fd, origin.empty() ? relative + " inside rootfs " + rootfs : origin, maxBytes);
}

bool regularFileInRootfs(const std::string& rootfs, const std::string& relative) {
  Fd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0 && errno == ENOENT) return false;  // no rootfs, no file
  if (root.get() < 0) throw errnoError("cannot open rootfs " + rootfs);
  long raw = openInRoot(root.get(), relative, O_PATH);
  // Missing, a non-directory on the way (/boot a file) or a symlink loop: the
  // rootfs simply has no such file.
  if (raw < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)) return false;
  if (raw < 0) throw errnoError("cannot open " + relative + " inside rootfs " + rootfs);
  Fd fd(static_cast<int>(raw));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw errnoError("cannot stat " + relative + " inside rootfs " + rootfs);
  return S_ISREG(st.st_mode);
}

}  // namespace phi

namespace phi {
inline namespace v1 {

std::string resolveInRootfs(const std::string& rootfs, const std::string& path) {
  Fd fd(openInRootfs(rootfs, path, O_PATH));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw errnoError("cannot stat " + path + " inside rootfs " + rootfs);
  if (!S_ISREG(st.st_mode)) {
    throw Error(ErrorCode::InvalidArgument, path + " inside rootfs " + rootfs + " is not a regular file");
  }
  // The kernel's own name for what was opened: every symlink already resolved.
  char buffer[4096];
  std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
  ssize_t n = ::readlink(proc.c_str(), buffer, sizeof buffer - 1);
  if (n <= 0) throw errnoError("cannot resolve " + path + " inside rootfs " + rootfs);
  return std::string(buffer, static_cast<size_t>(n));
}

}  // namespace v1
}  // namespace phi
