// Opening paths inside a container's rootfs as if it were "/": "..", absolute
// and relative symlinks are all resolved within the rootfs and can never reach
// the host (openat2 RESOLVE_IN_ROOT).
#pragma once

#include <cstddef>
#include <string>

namespace phi {

// Opens `relative` inside `rootfs` with open(2) `flags`; returns the fd or
// throws phi::Error naming both paths.
int openInRootfs(const std::string& rootfs, const std::string& relative, int flags);

// Reads a whole regular file inside `rootfs` of at most `maxBytes`; errors
// name `origin` (default: the path and the rootfs).
std::string readFileInRootfs(const std::string& rootfs, const std::string& relative, std::size_t maxBytes,
                             const std::string& origin = {});

// True when `relative` names a regular file inside `rootfs`.
bool regularFileInRootfs(const std::string& rootfs, const std::string& relative);

}  // namespace phi
