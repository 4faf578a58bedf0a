// The ZIC image configuration: <rootfs>/boot/config.json. Every field of
// runPHI's format is read and strictly validated (docs/zic-config.md).
#pragma once

#include <phi/export.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace phi {
inline namespace v1 {

// os_var: "zephyr" and "baremetal" are bare-metal images, "linux" a Linux kernel.
enum class GuestOs { Zephyr, BareMetal, Linux };

// net: off ("none", "no", "off", "false", or absent) or the platform's virtual
// network ("virtual", "yes", "on", "true"). Unlike runPHI, "no" really is off.
enum class NetMode { None, Virtual };

// disk_type: none (initramfs root), a raw image file in the rootfs, or an LVM
// volume provisioned at create.
enum class DiskType { None, File, Lvm };

// A "rootfs path" names a file inside the container's rootfs ("boot/x" and
// "/boot/x" both mean <rootfs>/boot/x); it is stored with a leading "/", not
// normalised, never empty, without NUL bytes. Drivers open it with
// phi::resolveInRootfs.                                               since 0.2
class PHI_API ZicConfig {
 public:
  ZicConfig();  // os zephyr, inmate /boot/boot.bin, everything else unset
  ~ZicConfig();
  ZicConfig(const ZicConfig&);
  ZicConfig& operator=(const ZicConfig&);
  ZicConfig(ZicConfig&&) noexcept;
  ZicConfig& operator=(ZicConfig&&) noexcept;

  GuestOs os() const noexcept;
  ZicConfig& setOs(GuestOs os);
  const std::string& osVar() const noexcept;  // os_var as written
  ZicConfig& setOsVar(std::string text);
  const std::string& inmate() const noexcept;  // image (bare-metal) or kernel (Xen Linux); rootfs path
  ZicConfig& setInmate(std::string path);
  std::optional<std::uint64_t> startingVaddress() const noexcept;  // starting_vaddress ("0x...")
  ZicConfig& setStartingVaddress(std::optional<std::uint64_t> address);
  NetMode net() const noexcept;
  ZicConfig& setNet(NetMode net);
  bool rpuReq() const noexcept;  // rpu_req: run on real-time cores (RPUs)
  ZicConfig& setRpuReq(bool on);
  const std::string& kernel() const noexcept;  // Linux kernel; rootfs path; empty = inmate
  ZicConfig& setKernel(std::string path);
  const std::string& dtb() const noexcept;  // device tree; rootfs path
  ZicConfig& setDtb(std::string path);
  const std::string& cpio() const noexcept;  // Linux initramfs (Jailhouse); rootfs path
  ZicConfig& setCpio(std::string path);
  const std::string& ramdisk() const noexcept;  // Linux initramfs (Xen); rootfs path
  ZicConfig& setRamdisk(std::string path);
  std::uint64_t memoryMiB() const noexcept;  // memory; 0 = unset
  ZicConfig& setMemoryMiB(std::uint64_t mib);
  DiskType diskType() const noexcept;
  ZicConfig& setDiskType(DiskType type);
  const std::string& diskImage() const noexcept;  // disk_image (file disks); rootfs path
  ZicConfig& setDiskImage(std::string path);
  std::uint64_t diskSizeMiB() const noexcept;  // disk_size (LVM); 0 = unset
  ZicConfig& setDiskSizeMiB(std::uint64_t mib);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

PHI_API const char* guestOsName(GuestOs os) noexcept;      // since 0.1
PHI_API const char* netModeName(NetMode net) noexcept;     // since 0.1
PHI_API const char* diskTypeName(DiskType disk) noexcept;  // since 0.1

// Parses and validates JSON text. Throws phi::Error(InvalidArgument or
// ParseError) whose message names `origin`, the field and the value.  since 0.1
PHI_API ZicConfig parseZicConfig(const std::string& json, const std::string& origin);

// Reads <rootfs>/boot/config.json, resolved inside the rootfs.        since 0.1
PHI_API ZicConfig loadZicConfig(const std::string& rootfs);

}  // namespace v1
}  // namespace phi
