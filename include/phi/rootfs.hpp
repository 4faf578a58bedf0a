// Paths inside a container's rootfs, for drivers that hand a guest image to a
// hypervisor tool by path.
#pragma once

#include <phi/export.hpp>

#include <string>

namespace phi {

// The host path of the regular file `path` inside `rootfs`, resolved with the
// rootfs as "/": "..", absolute and relative symlinks stay inside it, and the
// result has no symlink left for another program to follow. Throws
// phi::Error naming both when it does not exist or is not a regular file.
PHI_API std::string resolveInRootfs(const std::string& rootfs, const std::string& path);

}  // namespace phi
