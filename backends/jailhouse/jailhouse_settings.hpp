// The "jailhouse" section of a platform template (docs/platform-templates.md
// §4, docs/jailhouse.md), read strictly: unknown keys, wrong types and values
// that contradict the template's dialect are errors naming the key.
#pragma once

#include "cell_model.hpp"

#include <phi/platform.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace phi::jailhouse {

struct RegionSpec {
  std::uint64_t physStart = 0;
  std::uint64_t virtStart = 0;
  std::uint64_t size = 0;
  std::uint64_t flags = 0;
};

// A section of an ivshmem window: offset from the window's start.
struct WindowSection {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t flags = 0;
};

struct IvshmemPciSpec {
  std::uint8_t type = kPciTypeIvshmem;
  std::uint16_t domain = 0;
  std::array<std::uint32_t, 6> barMask{};
  bool devIdIsBdf = false;  // runPHI's demo device: dev_id = the allocated network BDF
  std::uint8_t devId = 0;
  std::uint8_t peers = 2;
  std::uint16_t protocol = 0;
};

struct IvshmemNetSpec {
  std::uint64_t base = 0;
  std::uint64_t bdfStride = 0;
  int firstBdf = 1;
  std::uint64_t span = 0;
  WindowSection state, rw, in, out;
  IvshmemPciSpec pci;
};

struct IvshmemDemoSpec {
  int bdf = 0;
  std::vector<RegionSpec> regions;  // phys = virt
  IvshmemPciSpec pci;
  // runPHI emits the demo device only with a network link; upstream's
  // inmate-demo has it and no network ("always").
  bool withoutNet = false;
  // The output sections' WRITE follows the peer id (only this cell's own
  // output is writable), as JAILHOUSE_SHMEM_NET_REGIONS does; runPHI's
  // template keeps the flags as written.
  bool outputWriteFollowsDevId = false;
};

struct Ram0Spec {
  std::uint64_t size = 0;
  std::uint64_t virtStart = 0;
  std::uint64_t flags = 0;
};

struct TcmSpec {
  bool onlyWithRpu = true;
  RegionSpec a, b;
};

// What the container process reads as the cell's console.
struct ConsoleRelaySpec {
  std::string path;               // a file/FIFO/device ({name} = the cell name)
  std::vector<std::string> argv;  // a program ({cli}, {name}, {sysfs_root} substituted)
};

inline constexpr std::uint32_t kDefaultCellFlags =
    kCellPassiveCommreg | kCellVirtualConsolePermitted | kCellVirtualConsoleActive;

struct JailhouseSettings {
  Dialect dialect = Dialect::B;
  std::string cli = "jailhouse";
  std::string sysfsRoot = "/sys/devices/jailhouse";
  std::string preamble;
  std::uint8_t architecture = 0;
  // Absent from the template: PASSIVE_COMMREG and the virtual console, ACTIVE
  // included, so that a guest's output reaches `jailhouse console` (upstream
  // inmates write there only with VIRTUAL_CONSOLE_ACTIVE).
  std::uint32_t cellFlags = kDefaultCellFlags;
  std::uint32_t vpciIrqBase = 0;
  std::uint64_t cpuResetAddress = 0;
  std::uint64_t msgReplyTimeout = 0;
  Console console;
  RegionSpec uart;
  std::uint64_t gicAddress = 0;
  std::uint32_t pinBase = 32;
  std::optional<std::uint32_t> uartPin;  // absent: the cell gets no UART interrupt
  std::uint32_t ivshmemPin = 0;
  bool ivshmemPinFromBdf = false;  // 32 + vpci_irq_base + (bdf & 3): INTx follows the slot (net and demo)
  std::vector<std::uint32_t> extraPins;
  std::optional<Ram0Spec> ram0;
  std::uint64_t ramVirtStart = 0;
  std::uint64_t ramFlags = 0;
  std::optional<TcmSpec> tcm;
  std::uint64_t commVirtStart = 0;
  std::uint64_t commSize = 0;
  std::uint64_t commFlags = 0;
  std::optional<IvshmemNetSpec> ivshmemNet;
  std::optional<IvshmemDemoSpec> ivshmemDemo;
  std::vector<std::string> memRegions;  // order of the memory-region array
  std::vector<std::string> pciDevices;  // order of the PCI-device array
  unsigned streamIds = 0;
  std::uint32_t rcpuSetBytes = 0;
  std::string rcpuFirmwareDir = "/lib/firmware";
  std::optional<RegionSpec> systemCounter;
  std::optional<RegionSpec> bootTimeShm;
  int rootCellId = 0;
  std::string rootCellName;
  std::string rootCpusAssignedList = "cells/0/cpus_assigned_list";  // relative to sysfsRoot
  std::string linuxCmdline;
  std::uint64_t linuxLoaderSize = 0x10000;
  ConsoleRelaySpec consoleRelay;
  int cliTimeoutSeconds = 60;  // a cell asked to shut down that never answers makes the CLI hang

  // <sysfsRoot>/<rootCpusAssignedList> unless that is absolute.
  std::string rootCpusAssignedListPath() const;
};

// Reads platform.driverSettingsJson() against platform.dialect. Throws
// phi::Error naming the platform file and the key.
JailhouseSettings parseJailhouseSettings(const PlatformTemplate& platform);

}  // namespace phi::jailhouse
