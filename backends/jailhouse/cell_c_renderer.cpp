#include "cell_c_renderer.hpp"

#include "cell_serializer.hpp"

#include <cstdio>
#include <map>
#include <sstream>

#include "toolkit/hex.hpp"

namespace phi::jailhouse {

namespace {

std::string cString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '?') out += '\\';
    out += c;
  }
  return out + "\"";
}

using Names = std::vector<std::pair<std::uint64_t, const char*>>;

std::string flags(std::uint64_t v, const Names& names) {
  std::string out;
  for (const auto& [bit, name] : names) {
    if (v & bit) {
      out += std::string(out.empty() ? "" : " | ") + name;
      v &= ~bit;
    }
  }
  if (v) out += std::string(out.empty() ? "" : " | ") + hexString(v);
  return out.empty() ? "0" : out;
}

const Names kCellFlags = {{kCellPassiveCommreg, "JHC_CELL_PASSIVE_COMMREG"},
                          {kCellTestDevice, "JHC_CELL_TEST_DEVICE"},
                          {kCellAarch32, "JHC_CELL_AARCH32"},
                          {kCellVirtualConsolePermitted, "JHC_CELL_VIRTUAL_CONSOLE_PERMITTED"},
                          {kCellVirtualConsoleActive, "JHC_CELL_VIRTUAL_CONSOLE_ACTIVE"}};
const Names kMemFlags = {{kMemRead, "JHC_MEM_READ"},
                         {kMemWrite, "JHC_MEM_WRITE"},
                         {kMemExecute, "JHC_MEM_EXECUTE"},
                         {kMemDma, "JHC_MEM_DMA"},
                         {kMemIo, "JHC_MEM_IO"},
                         {kMemCommRegion, "JHC_MEM_COMM_REGION"},
                         {kMemLoadable, "JHC_MEM_LOADABLE"},
                         {kMemRootShared, "JHC_MEM_ROOTSHARED"},
                         {kMemNoHugepages, "JHC_MEM_NO_HUGEPAGES"},
                         {kMemColored, "JHC_MEM_COLORED"},
                         {kMemColoredNoCopy, "JHC_MEM_COLORED_NO_COPY"},
                         {kMemTcmA, "JHC_MEM_TCM_A"},
                         {kMemTcmB, "JHC_MEM_TCM_B"},
                         {kMemIoUnaligned, "JHC_MEM_IO_UNALIGNED"},
                         {kMemIo8, "JHC_MEM_IO_8"},
                         {kMemIo16, "JHC_MEM_IO_16"},
                         {kMemIo32, "JHC_MEM_IO_32"},
                         {kMemIo64, "JHC_MEM_IO_64"}};
const Names kConFlags = {{0x0001, "JHC_CON_ACCESS_MMIO"},
                         {0x0002, "JHC_CON_REGDIST_4"},
                         {0x0004, "JHC_CON_FB_1920x1080"},
                         {0x1000, "JHC_CON_INVERTED_GATE"},
                         {0x2000, "JHC_CON_MDR_QUIRK"}};
const Names kCacheFlags = {{0x1, "JHC_CACHE_ROOTSHARED"}};
const Names kCapFlags = {{0x1, "JHC_PCICAPS_WRITE"}};
const Names kQosFlags = {{0x1, "JHC_QOS_HAS_RWQOS"}, {0x2, "JHC_QOS_HAS_REGUL"}, {0x4, "JHC_QOS_HAS_DYNQOS"}};
const Names kMsiFlags = {{0x1, "JHC_PCI_MSI_64BITS"}, {0x2, "JHC_PCI_MSI_MASKABLE"}};

std::string consoleType(std::uint16_t type, Dialect d) {
  static const char* names[] = {"JHC_CON_TYPE_NONE",      "JHC_CON_TYPE_EFIFB",   "JHC_CON_TYPE_8250",
                                "JHC_CON_TYPE_PL011",     "JHC_CON_TYPE_XUARTPS", "JHC_CON_TYPE_MVEBU",
                                "JHC_CON_TYPE_HSCIF",     "JHC_CON_TYPE_SCIFA",   "JHC_CON_TYPE_IMX",
                                "JHC_CON_TYPE_IMX_LPUART"};
  if (type < 10) return names[type];
  if (type == 10) return d == Dialect::B || d == Dialect::C ? "JHC_CON_TYPE_LINFLEX" : "JHC_CON_TYPE_SCIF";
  return hexString(type);
}

std::string pciType(std::uint8_t t) {
  switch (t) {
    case kPciTypeDevice: return "JHC_PCI_TYPE_DEVICE";
    case kPciTypeBridge: return "JHC_PCI_TYPE_BRIDGE";
    case kPciTypeIvshmem: return "JHC_PCI_TYPE_IVSHMEM";
    default: return hexString(t);
  }
}

std::string protocol(std::uint16_t p) {
  if (p == kShmemProtoUndefined) return "JHC_SHMEM_PROTO_UNDEFINED";
  if (p == kShmemProtoVeth) return "JHC_SHMEM_PROTO_VETH";
  if (p >= 0xc000) return "JHC_SHMEM_PROTO_VIRTIO_BACK + " + std::to_string(p - 0xc000);
  if (p >= 0x8000) return "JHC_SHMEM_PROTO_VIRTIO_FRONT + " + std::to_string(p - 0x8000);
  if (p >= 0x4000) return "JHC_SHMEM_PROTO_CUSTOM + " + std::to_string(p - 0x4000);
  return hexString(p);
}

std::string bdfText(std::uint16_t bdf) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02x:%02x.%x", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 0x7);
  return buf;
}

// What a memory region is, from its data alone (so a decoded cell renders the
// same comments as a generated one).
std::map<size_t, std::string> regionRoles(const CellDescription& cell) {
  std::map<size_t, std::string> roles;
  for (const PciDevice& p : cell.pciDevices) {
    if (p.type != kPciTypeIvshmem) continue;
    std::string dev = "ivshmem " + bdfText(p.bdf) + ": ";
    size_t s = p.shmemRegionsStart;
    roles[s] = dev + "state table";
    roles[s + 1] = dev + "read/write section";
    for (size_t peer = 0; peer < p.shmemPeers; ++peer) {
      roles[s + 2 + peer] =
          dev + "output of peer " + std::to_string(peer) + (peer == p.shmemDevId ? " (this cell)" : "");
    }
  }
  for (size_t i = 0; i < cell.memoryRegions.size(); ++i) {
    if (roles.count(i)) continue;
    const MemoryRegion& m = cell.memoryRegions[i];
    if (m.flags & kMemCommRegion)
      roles[i] = "communication region";
    else if (m.flags & kMemIo)
      roles[i] = "MMIO";
    else if (m.flags & (kMemTcmA | kMemTcmB))
      roles[i] = "R5 TCM";
    else if (m.flags & kMemLoadable)
      roles[i] = "RAM (loadable)";
    else if (m.size == 0 && m.flags == 0)
      roles[i] = "empty";
    else if (m.flags & kMemRootShared)
      roles[i] = "shared memory";
    else
      roles[i] = "memory";
  }
  return roles;
}

void bitmapWords(std::ostringstream& o, const std::vector<int>& ids, std::uint32_t bytes) {
  std::vector<std::uint64_t> words(bytes / 8, 0);
  for (int id : ids) words[static_cast<size_t>(id) / 64] |= std::uint64_t{1} << (id % 64);
  o << "{";
  for (size_t i = 0; i < words.size(); ++i) o << (i ? ", " : " ") << hexString(words[i]);
  o << " }";
}

std::string idsComment(const std::vector<int>& ids) {
  std::string s;
  for (int id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s.empty() ? "none" : s;
}

}  // namespace

std::string renderCellC(const CellDescription& cell, const std::string& header) {
  const DialectInfo& d = dialectInfo(cell.dialect);
  const bool wide = d.memoryRegionBytes == 40;
  std::ostringstream o;
  o << "/*\n * Jailhouse cell " << cString(cell.name) << ": dialect " << d.name << " (" << d.shortName << ": \""
    << d.signature << "\" revision " << d.revision << ", " << cellFileSize(cell) << " bytes).\n"
    << " * Generated by runphi; the .cell beside it holds the same bytes, written in-process.\n"
    << " * Rebuild: gcc -c -I<dir of " << header << "> this.c -o this.o &&\n"
    << " *          objcopy -O binary -j .data this.o this.cell\n */\n"
    << "#include \"" << header << "\"\n\n";

  o << "struct {\n\tstruct jhc_cell_desc_" << d.cStructSuffix << " cell;\n";
  if (cell.cpuSetBytes) o << "\tuint64_t cpus[" << cell.cpuSetBytes / 8 << "];\n";
  if (d.rcpuSet && cell.rcpuSetBytes) o << "\tuint64_t rcpus[" << cell.rcpuSetBytes / 8 << "];\n";
  const char* memStruct = wide ? "jhc_memory_bc" : "jhc_memory_a";
  auto decl = [&](const std::string& type, const char* field, size_t n) {
    if (n) o << "\t" << type << " " << field << "[" << n << "];\n";
  };
  decl(std::string("struct ") + memStruct, "mem_regions", cell.memoryRegions.size());
  decl("struct jhc_cache", "cache_regions", cell.cacheRegions.size());
  decl("struct jhc_irqchip", "irqchips", cell.irqchips.size());
  decl("struct jhc_pio", "pio_regions", cell.pioRegions.size());
  decl("struct jhc_pci_device", "pci_devices", cell.pciDevices.size());
  decl("struct jhc_pci_capability", "pci_caps", cell.pciCapabilities.size());
  decl("uint32_t", "stream_ids", cell.streamIds.size());
  decl("struct jhc_qos_device", "qos_devices", cell.qosDevices.size());
  o << "} JHC_PACKED config = {\n";

  o << "\t.cell = {\n";
  o << "\t\t.signature = " << (d.signatureBytes == 6 ? "JHC_SIGNATURE_JHCELL" : "JHC_SIGNATURE_JHCLL") << ",\n";
  if (d.architectureByte) {
    static const char* arch[] = {"JHC_ARCH_X86", "JHC_ARCH_ARM", "JHC_ARCH_ARM64"};
    o << "\t\t.architecture = "
      << (cell.architecture <= kArchArm64 ? arch[cell.architecture] : hexString(cell.architecture)) << ",\n";
  }
  o << "\t\t.revision = JHC_REVISION_" << d.shortName << ",\n";
  o << "\t\t.name = " << cString(cell.name) << ",\n";
  if (cell.id) o << "\t\t.id = " << cell.id << ",\n";
  o << "\t\t.flags = " << flags(cell.flags, kCellFlags) << ",\n";
  o << "\t\t.cpu_set_size = " << (cell.cpuSetBytes ? "sizeof(config.cpus)" : "0") << ",\n";
  if (d.rcpuSet) o << "\t\t.rcpu_set_size = " << (cell.rcpuSetBytes ? "sizeof(config.rcpus)" : "0") << ",\n";
  auto count = [&](const char* field, const char* array, size_t n) {
    o << "\t\t." << field << " = " << (n ? std::string("JHC_ARRAY_SIZE(config.") + array + ")" : "0") << ",\n";
  };
  count("num_memory_regions", "mem_regions", cell.memoryRegions.size());
  count("num_cache_regions", "cache_regions", cell.cacheRegions.size());
  count("num_irqchips", "irqchips", cell.irqchips.size());
  count("num_pio_regions", "pio_regions", cell.pioRegions.size());
  count("num_pci_devices", "pci_devices", cell.pciDevices.size());
  count("num_pci_caps", "pci_caps", cell.pciCapabilities.size());
  count("num_stream_ids", "stream_ids", cell.streamIds.size());
  if (d.qosDevices) count("num_qos_devices", "qos_devices", cell.qosDevices.size());
  o << "\t\t.vpci_irq_base = " << cell.vpciIrqBase << ",\n";
  o << "\t\t.cpu_reset_address = " << hexString(cell.cpuResetAddress) << ",\n";
  o << "\t\t.msg_reply_timeout = "
    << (cell.msgReplyTimeout < 0x80000000u ? std::to_string(cell.msgReplyTimeout) : hexString(cell.msgReplyTimeout))
    << ",\n";
  const Console& c = cell.console;
  o << "\t\t.console = {\n"
    << "\t\t\t.address = " << hexString(c.address) << ",\n"
    << "\t\t\t.size = " << hexString(c.size) << ",\n"
    << "\t\t\t.type = " << consoleType(c.type, cell.dialect) << ",\n"
    << "\t\t\t.flags = " << flags(c.flags, kConFlags) << ",\n"
    << "\t\t\t.divider = " << c.divider << ",\n"
    << "\t\t\t.gate_nr = " << c.gateNr << ",\n"
    << "\t\t\t.clock_reg = " << hexString(c.clockReg) << ",\n"
    << "\t\t},\n";
  o << "\t},\n";

  if (cell.cpuSetBytes) {
    o << "\t/* CPUs " << idsComment(cell.cpus) << " */\n\t.cpus = ";
    bitmapWords(o, cell.cpus, cell.cpuSetBytes);
    o << ",\n";
  }
  if (d.rcpuSet && cell.rcpuSetBytes) {
    o << "\t/* rCPUs " << idsComment(cell.rcpus) << " */\n\t.rcpus = ";
    bitmapWords(o, cell.rcpus, cell.rcpuSetBytes);
    o << ",\n";
  }
  if (!cell.memoryRegions.empty()) {
    std::map<size_t, std::string> roles = regionRoles(cell);
    o << "\t.mem_regions = {\n";
    for (size_t i = 0; i < cell.memoryRegions.size(); ++i) {
      const MemoryRegion& m = cell.memoryRegions[i];
      o << "\t\t/* " << i << ": " << roles[i] << " */ {\n"
        << "\t\t\t.phys_start = " << hexString(m.physStart) << ",\n"
        << "\t\t\t.virt_start = " << hexString(m.virtStart) << ",\n"
        << "\t\t\t.size = " << hexString(m.size) << ",\n"
        << "\t\t\t.flags = " << flags(m.flags, kMemFlags) << ",\n";
      if (wide) o << "\t\t\t.colors = " << hexString(m.colors) << ",\n";
      o << "\t\t},\n";
    }
    o << "\t},\n";
  }
  if (!cell.cacheRegions.empty()) {
    o << "\t.cache_regions = {\n";
    for (const CacheRegion& r : cell.cacheRegions) {
      o << "\t\t{ .start = " << r.start << ", .size = " << r.size << ", .type = " << unsigned{r.type}
        << ", .flags = " << flags(r.flags, kCacheFlags) << " },\n";
    }
    o << "\t},\n";
  }
  if (!cell.irqchips.empty()) {
    o << "\t.irqchips = {\n";
    for (const Irqchip& r : cell.irqchips) {
      std::string pins;
      for (std::uint32_t p : irqchipPins(r)) pins += (pins.empty() ? "" : ", ") + std::to_string(p);
      o << "\t\t/* interrupts " << (pins.empty() ? "none" : pins) << " */ {\n"
        << "\t\t\t.address = " << hexString(r.address) << ",\n"
        << "\t\t\t.id = " << hexString(r.id) << ",\n"
        << "\t\t\t.pin_base = " << r.pinBase << ",\n"
        << "\t\t\t.pin_bitmap = { " << hexString(r.pinBitmap[0]) << ", " << hexString(r.pinBitmap[1]) << ", "
        << hexString(r.pinBitmap[2]) << ", " << hexString(r.pinBitmap[3]) << " },\n"
        << "\t\t},\n";
    }
    o << "\t},\n";
  }
  if (!cell.pioRegions.empty()) {
    o << "\t.pio_regions = {\n";
    for (const PioRegion& r : cell.pioRegions)
      o << "\t\t{ .base = " << hexString(r.base) << ", .length = " << r.length << " },\n";
    o << "\t},\n";
  }
  if (!cell.pciDevices.empty()) {
    o << "\t.pci_devices = {\n";
    for (const PciDevice& p : cell.pciDevices) {
      o << "\t\t/* " << bdfText(p.bdf) << " */ {\n"
        << "\t\t\t.type = " << pciType(p.type) << ",\n"
        << "\t\t\t.iommu = " << unsigned{p.iommu} << ",\n"
        << "\t\t\t.domain = " << p.domain << ",\n"
        << "\t\t\t.bdf = " << hexString(p.bdf) << ",\n";
      const std::array<std::uint32_t, 6> intx{kIvshmemBarMaskIntx, 0, 0, 0, 0, 0};
      if (p.barMask == intx) {
        o << "\t\t\t.bar_mask = JHC_IVSHMEM_BAR_MASK_INTX,\n";
      } else {
        o << "\t\t\t.bar_mask = {";
        for (size_t i = 0; i < 6; ++i) o << (i ? ", " : " ") << hexString(p.barMask[i]);
        o << " },\n";
      }
      o << "\t\t\t.caps_start = " << p.capsStart << ",\n"
        << "\t\t\t.num_caps = " << p.numCaps << ",\n"
        << "\t\t\t.num_msi_vectors = " << unsigned{p.numMsiVectors} << ",\n"
        << "\t\t\t.msi_flags = " << flags((p.msi64Bits ? 1u : 0u) | (p.msiMaskable ? 2u : 0u), kMsiFlags) << ",\n"
        << "\t\t\t.num_msix_vectors = " << p.numMsixVectors << ",\n"
        << "\t\t\t.msix_region_size = " << hexString(p.msixRegionSize) << ",\n"
        << "\t\t\t.msix_address = " << hexString(p.msixAddress) << ",\n"
        << "\t\t\t.shmem_regions_start = " << p.shmemRegionsStart << ",\n"
        << "\t\t\t.shmem_dev_id = " << unsigned{p.shmemDevId} << ",\n"
        << "\t\t\t.shmem_peers = " << unsigned{p.shmemPeers} << ",\n"
        << "\t\t\t.shmem_protocol = " << protocol(p.shmemProtocol) << ",\n"
        << "\t\t},\n";
    }
    o << "\t},\n";
  }
  if (!cell.pciCapabilities.empty()) {
    o << "\t.pci_caps = {\n";
    for (const PciCapability& p : cell.pciCapabilities) {
      o << "\t\t{ .id = " << hexString(p.id) << ", .start = " << hexString(p.start) << ", .len = " << p.length
        << ", .flags = " << flags(p.flags, kCapFlags) << " },\n";
    }
    o << "\t},\n";
  }
  if (!cell.streamIds.empty()) {
    o << "\t.stream_ids = {";
    for (size_t i = 0; i < cell.streamIds.size(); ++i) o << (i ? ", " : " ") << hexString(cell.streamIds[i]);
    o << " },\n";
  }
  if (!cell.qosDevices.empty()) {
    o << "\t.qos_devices = {\n";
    for (const QosDevice& q : cell.qosDevices) {
      o << "\t\t{ .name = " << cString(q.name) << ", .flags = " << flags(q.flags, kQosFlags)
        << ", .base = " << hexString(q.base) << " },\n";
    }
    o << "\t},\n";
  }
  o << "};\n";
  return o.str();
}

}  // namespace phi::jailhouse
