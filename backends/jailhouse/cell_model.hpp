// The in-memory description of one Jailhouse cell configuration: everything a
// .cell file holds, independent of the header dialect it is written in.
// Field meanings follow jailhouse-cell-format.md (docs/jailhouse.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace phi::jailhouse {

// The binary dialects of a .cell file (jailhouse-cell-format.md §0), and the
// Omnivisor fork's own headers, which lay a cell out as C does but number
// console types and system configs as later upstream does.
enum class Dialect {
  A12,  // upstream v0.12: JHCELL, revision 12, 132-byte header, 32-byte regions
  A13,  // upstream 2020-2022: JHCELL, revision 13, same layout as A12
  A14,  // upstream master: JHCLL + architecture byte, revision 14
  B,    // runPHI rev 13: JHCELL, revision 13, 136-byte header, 40-byte regions, QoS
  C,    // runPHI Omnivisor: JHCLL + architecture byte, revision 14, 140-byte header, rCPUs
  OV,   // the Omnivisor fork's headers: C's cell layout; console 10 SCIF, 11 LINFLEX
};

// The facts of one dialect: the serializer, decoder and C renderer read them
// instead of switching on the dialect.
// Fields in the order a reader compares dialects by, not by size: one table of
// five entries, so the padding costs nothing.
struct DialectInfo {  // NOLINT(clang-analyzer-optin.performance.Padding)
  Dialect dialect;
  const char* name;       // runphi's name (platform templates): "runphi-rev13", ...
  const char* shortName;  // "A12", "A13", "A14", "B", "C"
  const char* signature;  // "JHCELL" or "JHCLL" (no NUL in the file)
  unsigned signatureBytes;
  std::uint16_t revision;
  bool architectureByte;       // u8 at offset 5
  bool rcpuSet;                // rcpu_set_size counter and rCPU bitmap
  bool qosDevices;             // num_qos_devices counter and QoS array
  bool upstream;               // A12/A13/A14: upstream Jailhouse's own headers
  unsigned headerBytes;        // 132 / 136 / 140
  unsigned memoryRegionBytes;  // 32 / 40 (colors)
  std::uint32_t knownCellFlags;
  std::uint64_t knownMemoryFlags;
  std::uint16_t maxConsoleType;
  const char* cStructSuffix;  // jailhouse_cell_format.h: struct jhc_cell_desc_<suffix>
};

// A flag bit (or a type number) and its name in a dialect's headers, without
// the JAILHOUSE_<GROUP>_ prefix ("READ" for JAILHOUSE_MEM_READ).
struct NamedValue {
  std::uint64_t value;
  const char* name;
};

// The names each dialect's headers define. Memory flags differ: v0.12 has
// IO_UNALIGNED at 0x100 and no NO_HUGEPAGES; console type 10 is SCIF
// upstream, LINFLEX in runPHI's copies; the Omnivisor fork has both (10, 11).
const std::vector<NamedValue>& cellFlagNames(Dialect d);
const std::vector<NamedValue>& memoryFlagNamesOf(Dialect d);
const std::vector<NamedValue>& consoleTypeNames(Dialect d);
// Console flags: every name, the zero-valued ones (ACCESS_PIO, REGDIST_1,
// FB_1024x768) included; the same in every dialect.
const std::vector<NamedValue>& consoleFlagNames();

const DialectInfo& dialectInfo(Dialect d);
// Accepts runphi's names and the short names; throws phi::Error naming `what`.
Dialect parseDialect(const std::string& text, const std::string& what);
const std::vector<Dialect>& allDialects();

// Element sizes shared by all dialects.
inline constexpr unsigned kCacheBytes = 12;
inline constexpr unsigned kIrqchipBytes = 32;
inline constexpr unsigned kPioBytes = 4;
inline constexpr unsigned kPciDeviceBytes = 56;
inline constexpr unsigned kPciCapabilityBytes = 8;
inline constexpr unsigned kStreamIdBytes = 4;
inline constexpr unsigned kQosDeviceBytes = 20;
inline constexpr unsigned kConsoleBytes = 32;
inline constexpr unsigned kNameBytes = 32;  // 31 characters + NUL
inline constexpr unsigned kMaxNameLength = 31;
inline constexpr unsigned kQosNameBytes = 15;
inline constexpr unsigned kMaxCpuSetBytes = 4096;
inline constexpr std::uint64_t kMaxConfigBytes = std::uint64_t{16} * 4096;  // the hypervisor maps 16 pages

// Cell flags (u32).
inline constexpr std::uint32_t kCellPassiveCommreg = 0x00000001;
inline constexpr std::uint32_t kCellTestDevice = 0x00000002;
inline constexpr std::uint32_t kCellAarch32 = 0x00000004;
inline constexpr std::uint32_t kCellVirtualConsolePermitted = 0x40000000;
inline constexpr std::uint32_t kCellVirtualConsoleActive = 0x80000000;

// Memory flags (u64).
inline constexpr std::uint64_t kMemRead = 0x0001;
inline constexpr std::uint64_t kMemWrite = 0x0002;
inline constexpr std::uint64_t kMemExecute = 0x0004;
inline constexpr std::uint64_t kMemDma = 0x0008;
inline constexpr std::uint64_t kMemIo = 0x0010;
inline constexpr std::uint64_t kMemCommRegion = 0x0020;
inline constexpr std::uint64_t kMemLoadable = 0x0040;
inline constexpr std::uint64_t kMemRootShared = 0x0080;
inline constexpr std::uint64_t kMemNoHugepages = 0x0100;
inline constexpr std::uint64_t kMemColored = 0x0200;
inline constexpr std::uint64_t kMemColoredNoCopy = 0x0400;
inline constexpr std::uint64_t kMemTmpRootRemap = 0x0800;
inline constexpr std::uint64_t kMemTcmA = 0x1000;
inline constexpr std::uint64_t kMemTcmB = 0x2000;
inline constexpr std::uint64_t kMemIoUnaligned = 0x8000;
inline constexpr std::uint64_t kMemIo8 = 0x10000;
inline constexpr std::uint64_t kMemIo16 = 0x20000;
inline constexpr std::uint64_t kMemIo32 = 0x40000;
inline constexpr std::uint64_t kMemIo64 = 0x80000;

// Console flags (u16): bits 0-2, 12, 13.
inline constexpr std::uint16_t kConsoleKnownFlags = 0x3007;

// PCI.
inline constexpr std::uint8_t kPciTypeDevice = 1;
inline constexpr std::uint8_t kPciTypeBridge = 2;
inline constexpr std::uint8_t kPciTypeIvshmem = 3;
inline constexpr std::uint16_t kShmemProtoUndefined = 0x0000;
inline constexpr std::uint16_t kShmemProtoVeth = 0x0001;
inline constexpr std::uint32_t kIvshmemBarMaskIntx = 0xfffff000;
inline constexpr unsigned kIvshmemMaxPeers = 12;
inline constexpr unsigned kIvshmemMaxMsix = 16;

// Architecture codes (A14, C).
inline constexpr std::uint8_t kArchX86 = 0;
inline constexpr std::uint8_t kArchArm = 1;
inline constexpr std::uint8_t kArchArm64 = 2;

struct MemoryRegion {
  std::uint64_t physStart = 0;
  std::uint64_t virtStart = 0;
  std::uint64_t size = 0;
  std::uint64_t flags = 0;
  std::uint64_t colors = 0;  // B, C only; 0 unless COLORED
  bool operator==(const MemoryRegion&) const = default;
};

struct CacheRegion {
  std::uint32_t start = 0;
  std::uint32_t size = 0;
  std::uint8_t type = 0;
  std::uint16_t flags = 0;
  bool operator==(const CacheRegion&) const = default;
};

struct Irqchip {
  std::uint64_t address = 0;
  std::uint32_t id = 0;
  std::uint32_t pinBase = 0;
  std::array<std::uint32_t, 4> pinBitmap{};  // bit b of word k: interrupt pinBase + 32k + b
  bool operator==(const Irqchip&) const = default;
};

struct PioRegion {
  std::uint16_t base = 0;
  std::uint16_t length = 0;
  bool operator==(const PioRegion&) const = default;
};

struct PciDevice {
  std::uint8_t type = 0;
  std::uint8_t iommu = 0;
  std::uint16_t domain = 0;
  std::uint16_t bdf = 0;  // bus << 8 | device << 3 | function
  std::array<std::uint32_t, 6> barMask{};
  std::uint16_t capsStart = 0;
  std::uint16_t numCaps = 0;
  std::uint8_t numMsiVectors = 0;
  bool msi64Bits = false;
  bool msiMaskable = false;
  std::uint16_t numMsixVectors = 0;
  std::uint16_t msixRegionSize = 0;
  std::uint64_t msixAddress = 0;
  std::uint32_t shmemRegionsStart = 0;
  std::uint8_t shmemDevId = 0;
  std::uint8_t shmemPeers = 0;
  std::uint16_t shmemProtocol = 0;
  bool operator==(const PciDevice&) const = default;
};

struct PciCapability {
  std::uint16_t id = 0;
  std::uint16_t start = 0;
  std::uint16_t length = 0;
  std::uint16_t flags = 0;
  bool operator==(const PciCapability&) const = default;
};

struct QosDevice {
  std::string name;  // at most 15 bytes
  std::uint8_t flags = 0;
  std::uint32_t base = 0;
  bool operator==(const QosDevice&) const = default;
};

struct Console {
  std::uint64_t address = 0;
  std::uint32_t size = 0;
  std::uint16_t type = 0;
  std::uint16_t flags = 0;
  std::uint32_t divider = 0;
  std::uint32_t gateNr = 0;
  std::uint64_t clockReg = 0;
  bool operator==(const Console&) const = default;
};

struct CellDescription {
  Dialect dialect = Dialect::B;
  std::string name;
  std::uint8_t architecture = 0;  // A14, C only
  std::uint32_t id = 0;           // written 0; the Jailhouse driver fills it in
  std::uint32_t flags = 0;
  std::vector<int> cpus;          // CPU ids, ascending
  std::uint32_t cpuSetBytes = 8;  // size of the CPU bitmap
  std::vector<int> rcpus;         // C only: remote (R5) cores
  std::uint32_t rcpuSetBytes = 0;
  std::vector<MemoryRegion> memoryRegions;
  std::vector<CacheRegion> cacheRegions;
  std::vector<Irqchip> irqchips;
  std::vector<PioRegion> pioRegions;
  std::vector<PciDevice> pciDevices;
  std::vector<PciCapability> pciCapabilities;
  std::vector<std::uint32_t> streamIds;
  std::vector<QosDevice> qosDevices;  // B, C only
  std::uint32_t vpciIrqBase = 0;
  std::uint64_t cpuResetAddress = 0;
  std::uint64_t msgReplyTimeout = 0;
  Console console;
  bool operator==(const CellDescription&) const = default;
};

// Interrupt helpers for irqchip bitmaps.
bool irqchipHasPin(const Irqchip& chip, std::uint32_t pin);
void irqchipAddPin(Irqchip& chip, std::uint32_t pin);  // pin must be in [pinBase, pinBase + 128)
std::vector<std::uint32_t> irqchipPins(const Irqchip& chip);

// The smallest multiple of 8 bytes whose bitmap holds every id.
std::uint32_t bitmapBytesFor(const std::vector<int>& ids);

// Names of the set bits of a flag word, for messages and the C rendering.
std::string memoryFlagNames(std::uint64_t flags, Dialect d = Dialect::B);

}  // namespace phi::jailhouse
