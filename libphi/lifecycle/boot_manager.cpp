#include "lifecycle/boot_manager.hpp"

#include <phi/error.hpp>

#include "sdk/rootfs_path.hpp"
#include "toolkit/fd.hpp"
#include "toolkit/system_error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

namespace phi {

namespace {

struct BootFile {
  std::string field;  // the ZIC config key, for messages
  std::string path;   // inside the rootfs
  std::uint64_t maxBytes;
  bool optional = false;
};

std::vector<BootFile> bootFiles(const ZicConfig& zic, std::uint64_t memoryBytes) {
  std::vector<BootFile> files;
  if (zic.os() == GuestOs::Linux) {
    files.push_back(
        {zic.kernel().empty() ? "inmate" : "kernel", zic.kernel().empty() ? zic.inmate() : zic.kernel(), memoryBytes});
    if (!zic.dtb().empty()) files.push_back({"dtb", zic.dtb(), memoryBytes});
    if (!zic.cpio().empty()) files.push_back({"cpio", zic.cpio(), memoryBytes});
    if (!zic.ramdisk().empty()) files.push_back({"ramdisk", zic.ramdisk(), memoryBytes});
  } else {
    files.push_back({"inmate", zic.inmate(), memoryBytes});
  }
  if (zic.diskType() == DiskType::File) files.push_back({"disk_image", zic.diskImage(), kMaxDiskImageBytes});
  return files;
}

// Opens a boot file inside the rootfs for reading (a FIFO cannot block it)
// and checks it is a regular file of at most its limit.
Fd openBootFile(const std::string& rootfs, const BootFile& f, struct stat& st) {
  const std::string what = f.optional ? f.path.substr(1) : "boot/config.json: \"" + f.field + "\"";
  Fd fd;
  try {
    fd.reset(openInRootfs(rootfs, f.path, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  } catch (const Error& e) {
    throw Error(e.code(), what + ": " + e.what());
  }
  if (::fstat(fd.get(), &st) != 0) throw errnoError("cannot stat " + f.path + " inside rootfs " + rootfs);
  if (!S_ISREG(st.st_mode)) {
    throw Error(ErrorCode::InvalidArgument,
                what + ": " + f.path + " inside rootfs " + rootfs + " is not a regular file");
  }
  if (static_cast<std::uint64_t>(st.st_size) > f.maxBytes) {
    throw Error(ErrorCode::InvalidArgument,
                what + ": " + f.path + " is " + std::to_string(st.st_size) + " bytes, more than " +
                    (f.optional ? "its limit of " : "the partition's ") + std::to_string(f.maxBytes) + " bytes" +
                    (f.optional ? "" : " of memory"));
  }
  return fd;
}

// `path` made lexical inside a root without symlinks: what openat2
// RESOLVE_IN_ROOT finds for it in the pinned directory.
std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  return parts;
}

void makeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) throw errnoError("cannot create " + path);
}

void copyFrom(int src, const std::string& target) {
  const std::string tmp = target + ".pinning";
  Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!out.valid()) throw errnoError("cannot create " + tmp);
  try {
    off_t offset = 0;
    char buffer[1 << 16];
    for (;;) {
      ssize_t n = ::pread(src, buffer, sizeof buffer, offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw errnoError("cannot read the boot file for " + target);
      if (n == 0) break;
      for (ssize_t done = 0; done < n;) {
        ssize_t w = ::write(out.get(), buffer + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw errnoError("cannot write " + tmp);
        done += w;
      }
      offset += n;
    }
    if (::fsync(out.get()) != 0) throw errnoError("cannot fsync " + tmp);
    if (::rename(tmp.c_str(), target.c_str()) != 0) throw errnoError("cannot rename " + tmp + " to " + target);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

void pin(int fd, const std::string& pinnedRoot, const std::string& path) {
  std::vector<std::string> parts = components(path);
  if (parts.empty()) throw Error(ErrorCode::InvalidArgument, "cannot pin \"" + path + "\": names the rootfs itself");
  std::string target = pinnedRoot;
  for (size_t i = 0; i + 1 < parts.size(); ++i) makeDir(target += "/" + parts[i]);
  target += "/" + parts.back();
  if (::unlink(target.c_str()) != 0 && errno != ENOENT) throw errnoError("cannot replace " + target);
  // The inode that was opened and checked, never the path again.
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, target.c_str(), AT_SYMLINK_FOLLOW) == 0) return;
  copyFrom(fd, target);
}

}  // namespace

void checkBootImages(const std::string& rootfs, const ZicConfig& zic, std::uint64_t memoryBytes) {
  for (const BootFile& f : bootFiles(zic, memoryBytes)) {
    struct stat st {};
    openBootFile(rootfs, f, st);
  }
}

void pinBootImages(const std::string& rootfs, const ZicConfig& zic, std::uint64_t memoryBytes,
                   const std::string& pinnedRoot) {
  std::vector<BootFile> files = bootFiles(zic, memoryBytes);
  if (regularFileInRootfs(rootfs, kCmdlinePath)) files.push_back({"cmdline", kCmdlinePath, kMaxCmdlineFileBytes, true});
  std::vector<Fd> opened;
  for (const BootFile& f : files) {
    struct stat st {};
    opened.push_back(openBootFile(rootfs, f, st));
  }
  makeDir(pinnedRoot);
  for (size_t i = 0; i < files.size(); ++i) pin(opened[i].get(), pinnedRoot, files[i].path);
}

}  // namespace phi
