// The ZIC image configuration: <rootfs>/boot/config.json. Every field of
// runPHI's format is read and strictly validated (docs/zic-config.md).
#pragma once

#include <phi/export.hpp>

#include <cstdint>
#include <string>

namespace phi {

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
// normalised, never empty, without NUL bytes. Open it with openInRootfs.
struct ZicConfig {
  GuestOs os = GuestOs::Zephyr;
  std::string osVar;                      // os_var as written
  std::string inmate = "/boot/boot.bin";  // image (bare-metal) or kernel (Xen Linux); rootfs path
  std::uint64_t startingVaddress = 0;     // starting_vaddress ("0x..."); 0 = unset
  bool hasStartingVaddress = false;
  NetMode net = NetMode::None;
  bool rpuReq = false;          // rpu_req: run on real-time cores (RPUs)
  std::string kernel;           // Linux kernel; rootfs path; empty = inmate
  std::string dtb;              // device tree; rootfs path
  std::string cpio;             // Linux initramfs (Jailhouse); rootfs path
  std::string ramdisk;          // Linux initramfs (Xen); rootfs path
  std::uint64_t memoryMiB = 0;  // memory; 0 = unset
  DiskType diskType = DiskType::None;
  std::string diskImage;          // disk_image (file disks); rootfs path
  std::uint64_t diskSizeMiB = 0;  // disk_size (LVM); 0 = unset
};

PHI_API const char* guestOsName(GuestOs os) noexcept;
PHI_API const char* netModeName(NetMode net) noexcept;
PHI_API const char* diskTypeName(DiskType disk) noexcept;

// Parses and validates JSON text. Throws phi::Error(InvalidArgument or
// ParseError) whose message names `origin`, the field and the value.
PHI_API ZicConfig parseZicConfig(const std::string& json, const std::string& origin);

// Reads <rootfs>/boot/config.json, resolved inside the rootfs.
PHI_API ZicConfig loadZicConfig(const std::string& rootfs);

}  // namespace phi
