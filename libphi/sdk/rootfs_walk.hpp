// openat2(RESOLVE_IN_ROOT) done in user space, for kernels and sandboxes
// without the system call (Linux < 5.6, seccomp profiles that refuse it,
// qemu-user): one component at a time from a held directory fd, symlinks read
// and re-rooted at the rootfs, ".." never above it. rootfs_path.cpp uses it
// when openat2 says ENOSYS.
#pragma once

#include <string>

namespace phi {

// Opens `path` below the directory `rootFd` as if that were "/", with open(2)
// `flags` (O_CLOEXEC is added). Returns the fd, or -1 with errno set as
// openat2 would (ENOENT, ENOTDIR, ELOOP after 40 symlinks, ...).
int openInRootByWalking(int rootFd, const std::string& path, int flags);

}  // namespace phi
