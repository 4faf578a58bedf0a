#include <phi/zic_config.hpp>

#include "model/value_class.hpp"

namespace phi {
inline namespace v1 {

struct ZicConfig::Impl {
  GuestOs os = GuestOs::Zephyr;
  std::string osVar;
  std::string inmate = "/boot/boot.bin";
  std::optional<std::uint64_t> startingVaddress;
  NetMode net = NetMode::None;
  bool rpuReq = false;
  std::string kernel, dtb, cpio, ramdisk;
  std::uint64_t memoryMiB = 0;
  DiskType diskType = DiskType::None;
  std::string diskImage;
  std::uint64_t diskSizeMiB = 0;
};

ZicConfig::ZicConfig() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(ZicConfig)
PHI_FIELD(ZicConfig, GuestOs, GuestOs, os, setOs, os)
PHI_FIELD(ZicConfig, const std::string&, std::string, osVar, setOsVar, osVar)
PHI_FIELD(ZicConfig, const std::string&, std::string, inmate, setInmate, inmate)
PHI_FIELD(ZicConfig, std::optional<std::uint64_t>, std::optional<std::uint64_t>, startingVaddress, setStartingVaddress,
          startingVaddress)
PHI_FIELD(ZicConfig, NetMode, NetMode, net, setNet, net)
PHI_FIELD(ZicConfig, bool, bool, rpuReq, setRpuReq, rpuReq)
PHI_FIELD(ZicConfig, const std::string&, std::string, kernel, setKernel, kernel)
PHI_FIELD(ZicConfig, const std::string&, std::string, dtb, setDtb, dtb)
PHI_FIELD(ZicConfig, const std::string&, std::string, cpio, setCpio, cpio)
PHI_FIELD(ZicConfig, const std::string&, std::string, ramdisk, setRamdisk, ramdisk)
PHI_FIELD(ZicConfig, std::uint64_t, std::uint64_t, memoryMiB, setMemoryMiB, memoryMiB)
PHI_FIELD(ZicConfig, DiskType, DiskType, diskType, setDiskType, diskType)
PHI_FIELD(ZicConfig, const std::string&, std::string, diskImage, setDiskImage, diskImage)
PHI_FIELD(ZicConfig, std::uint64_t, std::uint64_t, diskSizeMiB, setDiskSizeMiB, diskSizeMiB)

const char* guestOsName(GuestOs os) noexcept {
  switch (os) {
    case GuestOs::Zephyr: return "zephyr";
    case GuestOs::BareMetal: return "baremetal";
    case GuestOs::Linux: return "linux";
  }
  return "unknown";
}

const char* netModeName(NetMode net) noexcept {
  switch (net) {
    case NetMode::None: return "none";
    case NetMode::Virtual: return "virtual";
  }
  return "unknown";
}

const char* diskTypeName(DiskType disk) noexcept {
  switch (disk) {
    case DiskType::None: return "none";
    case DiskType::File: return "file";
    case DiskType::Lvm: return "lvm";
  }
  return "unknown";
}

}  // namespace v1
}  // namespace phi
