// The boot resources of a partition: the guest images inside the rootfs.
// Checked before anything is allocated, so a ZIC naming a missing or
// escaping file fails early with the field at fault, then pinned: each is
// opened once inside the rootfs and the very file opened is put into a
// private directory of the container's state. Drivers and the hypervisor
// tools they run only ever see the pinned files, so swapping a rootfs path
// for a symlink after the check cannot make them load a host file.
#pragma once

#include <phi/zic_config.hpp>

#include <cstdint>
#include <string>

namespace phi {

// The pinned boot files' directory inside a container's state directory;
// laid out like the rootfs (boot/Image stays boot/Image).
inline constexpr const char* kPinnedBootDir = "boot-files";

// Limits of what is pinned (docs/security.md).
inline constexpr std::uint64_t kMaxDiskImageBytes = std::uint64_t{64} << 30;
inline constexpr std::uint64_t kMaxCmdlineFileBytes = 4096 + 64;  // 4096 of text, trailing blanks aside
inline constexpr const char* kCmdlinePath = "/boot/cmdline";

// Every image the ZIC config names must be a regular file inside the rootfs
// (resolved with the rootfs as "/"), and a bare-metal image must fit in
// `memoryBytes`. Throws phi::Error naming the field and the path.
void checkBootImages(const std::string& rootfs, const ZicConfig& zic, std::uint64_t memoryBytes);

// Checks as checkBootImages does, then pins every image (and /boot/cmdline
// when the rootfs has one) under `pinnedRoot` (created, mode 0700): a hard
// link to the file opened when the state shares its filesystem, else a
// copy read from that open file. Guest images (kernel, inmate, dtb, cpio,
// ramdisk) may each be at most `memoryBytes`, a disk image
// kMaxDiskImageBytes, /boot/cmdline kMaxCmdlineFileBytes; sizes are checked
// before anything is read.
void pinBootImages(const std::string& rootfs, const ZicConfig& zic, std::uint64_t memoryBytes,
                   const std::string& pinnedRoot);

}  // namespace phi
