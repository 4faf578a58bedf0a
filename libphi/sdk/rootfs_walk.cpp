#include "sdk/rootfs_walk.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <vector>

namespace phi {

namespace {

constexpr int kMaxSymlinks = 40;  // the kernel's limit for one lookup

void splitInto(const std::string& path, std::deque<std::string>& out) {
  std::deque<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  out.insert(out.begin(), parts.begin(), parts.end());
}

// The directory fds from the root down to where the walk stands; ".." pops,
// so the walk can never stand above the root.
class DirStack {
 public:
  explicit DirStack(int root) : fds_{root} {}
  ~DirStack() {
    for (size_t i = 1; i < fds_.size(); ++i) ::close(fds_[i]);
  }
  DirStack(const DirStack&) = delete;
  DirStack& operator=(const DirStack&) = delete;
  int top() const { return fds_.back(); }
  void push(int fd) { fds_.push_back(fd); }
  void pop() {
    if (fds_.size() > 1) {
      ::close(fds_.back());
      fds_.pop_back();
    }
  }
  void toRoot() {
    while (fds_.size() > 1) pop();
  }

 private:
  std::vector<int> fds_;  // fds_[0] is the caller's, never closed here
};

}  // namespace

int openInRootByWalking(int rootFd, const std::string& path, int flags) {
  if (path.empty()) {
    errno = ENOENT;  // as open("") does
    return -1;
  }
  DirStack dirs(rootFd);
  std::deque<std::string> pending;
  splitInto(path, pending);
  int links = 0;
  while (!pending.empty()) {
    std::string name = std::move(pending.front());
    pending.pop_front();
    if (name == ".") continue;
    if (name == "..") {
      dirs.pop();
      continue;
    }
    char target[PATH_MAX];
    ssize_t n = ::readlinkat(dirs.top(), name.c_str(), target, sizeof target);
    if (n >= 0) {
      if (++links > kMaxSymlinks) {
        errno = ELOOP;
        return -1;
      }
      if (static_cast<size_t>(n) == sizeof target) {
        errno = ENAMETOOLONG;
        return -1;
      }
      std::string link(target, static_cast<size_t>(n));
      if (!link.empty() && link.front() == '/') dirs.toRoot();
      splitInto(link, pending);
      continue;
    }
    if (errno != EINVAL) return -1;  // EINVAL: it exists and is not a symlink
    if (!pending.empty()) {
      int fd = ::openat(dirs.top(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return -1;
      dirs.push(fd);
      continue;
    }
    // O_NOFOLLOW: a symlink put there since readlinkat fails (ELOOP) instead
    // of being followed by the kernel from the host's "/".
    int fd = ::openat(dirs.top(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 && (flags & O_PATH)) {
      struct stat st {};
      if (::fstat(fd, &st) != 0 || S_ISLNK(st.st_mode)) {
        ::close(fd);
        errno = ELOOP;
        return -1;
      }
    }
    return fd;
  }
  return ::openat(dirs.top(), ".", flags | O_CLOEXEC);
}

}  // namespace phi
