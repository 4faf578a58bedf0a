// Files a driver reads and writes, the way libphi does it: whole files with
// a size limit, atomic replacement, paths confined to a container's rootfs.
#pragma once

#include <phi/export.hpp>

#include <cstddef>
#include <string>

namespace phi {
inline namespace v1 {

// Reads a whole regular file of at most `maxBytes`. Throws phi::Error
// (NotFound, IoError, InvalidArgument for a non-regular or larger file)
// naming the path.                                                    since 0.2
PHI_API std::string readFile(const std::string& path, std::size_t maxBytes = std::size_t{16} << 20);

// Writes `content` to a temporary file next to `path`, fsyncs it, renames it
// over `path` and fsyncs the directory: readers see the old or the new
// content, never a torn one. Throws phi::Error naming the path.       since 0.2
PHI_API void writeFileAtomically(const std::string& path, const std::string& content, unsigned mode = 0600);

// The host path of the regular file `path` inside `rootfs`, resolved with the
// rootfs as "/": "..", absolute and relative symlinks stay inside it, and the
// result has no symlink left for another program to follow. Throws
// phi::Error naming both when it does not exist or is not a regular file.  since 0.1
PHI_API std::string resolveInRootfs(const std::string& rootfs, const std::string& path);

}  // namespace v1
}  // namespace phi
