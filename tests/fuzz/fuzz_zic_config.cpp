// The image's /boot/config.json (phi::parseZicConfig): refused with
// phi::Error, or every rootfs path is stored as documented (a leading "/",
// never empty, no NUL byte).
#include "fuzz_support.hpp"

#include <phi/error.hpp>
#include <phi/zic_config.hpp>

namespace {

void requireRootfsPath(const std::string& path, const char* field, bool mayBeEmpty) {
  if (path.empty() && mayBeEmpty) return;
  phi::fuzz::require(!path.empty() && path.front() == '/' && path.find('\0') == std::string::npos,
                     std::string(field) + " is a rootfs path with a leading '/' and no NUL", path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = phi::fuzz::bytesOf(data, size);
  try {
    phi::ZicConfig zic = phi::parseZicConfig(text, "boot/config.json");
    requireRootfsPath(zic.inmate(), "inmate", false);
    requireRootfsPath(zic.kernel(), "kernel", true);
    requireRootfsPath(zic.dtb(), "dtb", true);
    requireRootfsPath(zic.cpio(), "cpio", true);
    requireRootfsPath(zic.ramdisk(), "ramdisk", true);
    requireRootfsPath(zic.diskImage(), "disk_image", true);
  } catch (const phi::Error&) {
  }
  return 0;
}
