#include "lifecycle/boot_manager.hpp"

#include <phi/error.hpp>

#include "sdk/rootfs_path.hpp"
#include "toolkit/fd.hpp"
#include "toolkit/system_error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace phi {

namespace {

// Size of a regular file inside the rootfs; throws naming `field`.
std::uint64_t imageSize(const std::string& rootfs, const std::string& field, const std::string& path) {
  Fd fd;
  try {
    fd.reset(openInRootfs(rootfs, path, O_PATH));
  } catch (const Error& e) {
    throw Error(e.code(), "boot/config.json: \"" + field + "\": " + e.what());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw errnoError("cannot stat " + path + " inside rootfs " + rootfs);
  if (!S_ISREG(st.st_mode)) {
    throw Error(ErrorCode::InvalidArgument,
                "boot/config.json: \"" + field + "\": " + path + " inside rootfs " + rootfs + " is not a regular file");
  }
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace

void checkBootImages(const std::string& rootfs, const ZicConfig& zic, std::uint64_t memoryBytes) {
  if (zic.os() == GuestOs::Linux) {
    imageSize(rootfs, zic.kernel().empty() ? "inmate" : "kernel", zic.kernel().empty() ? zic.inmate() : zic.kernel());
    if (!zic.dtb().empty()) imageSize(rootfs, "dtb", zic.dtb());
    if (!zic.cpio().empty()) imageSize(rootfs, "cpio", zic.cpio());
    if (!zic.ramdisk().empty()) imageSize(rootfs, "ramdisk", zic.ramdisk());
  } else {
    std::uint64_t size = imageSize(rootfs, "inmate", zic.inmate());
    if (size > memoryBytes) {
      throw Error(ErrorCode::InvalidArgument, "boot/config.json: \"inmate\": " + zic.inmate() + " is " +
                                                  std::to_string(size) + " bytes, more than the partition's " +
                                                  std::to_string(memoryBytes) + " bytes of memory");
    }
  }
  if (zic.diskType() == DiskType::File) imageSize(rootfs, "disk_image", zic.diskImage());
}

}  // namespace phi
