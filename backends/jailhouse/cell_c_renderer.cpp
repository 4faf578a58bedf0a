#include "cell_c_renderer.hpp"

#include "cell_serializer.hpp"

#include <cstdio>
#include <deque>
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

const Names kMsiFlags = {{0x1, "JHC_PCI_MSI_64BITS"}, {0x2, "JHC_PCI_MSI_MASKABLE"}};

// The C spelling of names: runphi's own header (jhc_*, JHC_*) or the
// dialect's Jailhouse headers (jailhouse_*, JAILHOUSE_*).
struct Spelling {
  CHeader header;
  Dialect dialect;
  bool own() const { return header == CHeader::Runphi; }
  std::string macro(const char* group, const char* name) const {
    return std::string(own() ? "JHC_" : "JAILHOUSE_") + group + "_" + name;
  }
  std::string type(const char* own, const char* jailhouse) const {
    return std::string("struct ") + (this->own() ? own : jailhouse);
  }
  Names names(const std::vector<NamedValue>& values, const char* group) const {
    Names out;
    for (const NamedValue& v : values) {
      if (!v.value) continue;
      // runphi's header has one name per value; the two that differ by dialect
      // carry the dialect in theirs.
      std::string n = macro(group, v.name);
      if (own() && dialect == Dialect::A12 && std::string(group) == "MEM" && v.value == 0x100) n += "_A12";
      storage_.push_back(n);
      out.emplace_back(v.value, nullptr);
    }
    size_t first = storage_.size() - out.size();
    for (size_t i = 0; i < out.size(); ++i) out[i].second = storage_[first + i].c_str();
    return out;
  }
  mutable std::deque<std::string> storage_;
};

std::string consoleType(std::uint16_t type, const Spelling& sp) {
  for (const NamedValue& n : consoleTypeNames(sp.dialect)) {
    if (n.value != type) continue;
    std::string name = sp.macro("CON_TYPE", n.name);
    if (sp.own() && sp.dialect == Dialect::OV && type == 11) name += "_OV";
    return name;
  }
  return hexString(type);
}

std::string pciType(std::uint8_t t, const Spelling& sp) {
  switch (t) {
    case kPciTypeDevice: return sp.macro("PCI_TYPE", "DEVICE");
    case kPciTypeBridge: return sp.macro("PCI_TYPE", "BRIDGE");
    case kPciTypeIvshmem: return sp.macro("PCI_TYPE", "IVSHMEM");
    default: return hexString(t);
  }
}

std::string protocol(std::uint16_t p, const Spelling& sp) {
  if (p == kShmemProtoUndefined) return sp.macro("SHMEM_PROTO", "UNDEFINED");
  if (p == kShmemProtoVeth) return sp.macro("SHMEM_PROTO", "VETH");
  if (p >= 0xc000) return sp.macro("SHMEM_PROTO", "VIRTIO_BACK") + " + " + std::to_string(p - 0xc000);
  if (p >= 0x8000) return sp.macro("SHMEM_PROTO", "VIRTIO_FRONT") + " + " + std::to_string(p - 0x8000);
  if (p >= 0x4000) return sp.macro("SHMEM_PROTO", "CUSTOM") + " + " + std::to_string(p - 0x4000);
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

std::string renderCellC(const CellDescription& cell, CHeader header) {
  const DialectInfo& d = dialectInfo(cell.dialect);
  const bool wide = d.memoryRegionBytes == 40;
  const Spelling sp{header, cell.dialect, {}};
  const bool own = sp.own();
  const std::string u64 = own ? "uint64_t" : "__u64";
  const std::string packed = own ? "JHC_PACKED" : "__attribute__((packed))";
  const std::string arraySize = own ? "JHC_ARRAY_SIZE" : "ARRAY_SIZE";
  const Names cellFlags = sp.names(cellFlagNames(cell.dialect), "CELL");
  const Names memFlags = sp.names(memoryFlagNamesOf(cell.dialect), "MEM");
  const Names conFlags = sp.names(consoleFlagNames(), "CON");
  const Names cacheFlags = sp.names({{0x1, "ROOTSHARED"}}, "CACHE");
  const Names capFlags = sp.names({{0x1, "WRITE"}}, "PCICAPS");
  // runPHI's QoS flag macros are not part of the facts: numbers there.
  const Names qosFlags = own ? sp.names({{0x1, "HAS_RWQOS"}, {0x2, "HAS_REGUL"}, {0x4, "HAS_DYNQOS"}}, "QOS") : Names{};

  std::ostringstream o;
  o << "/*\n * Jailhouse cell " << cString(cell.name) << ": dialect " << d.name << " (" << d.shortName << ": \""
    << d.signature << "\" revision " << d.revision << ", " << cellFileSize(cell) << " bytes).\n"
    << " * Generated by runphi; the .cell beside it holds the same bytes, written in-process.\n";
  if (own) {
    o << " * Rebuild: gcc -c -I<dir of " << kRunphiCellHeader << "> this.c -o this.o &&\n";
  } else if (d.upstream || cell.dialect == Dialect::OV) {
    o << " * Rebuild against the hypervisor's headers: gcc -c -I<jailhouse>/include\n"
      << " *          -I<jailhouse>/include/arch/<arch> this.c -o this.o &&\n";
  } else {
    o << " * Rebuild against runPHI's include directory (cell-config.h of this dialect):\n"
      << " *          gcc -c -D__LINUX_COMPILER_TYPES_H -I<dir> this.c -o this.o &&\n";
  }
  o << " *          objcopy -O binary -j .data this.o this.cell\n */\n";
  if (own) {
    o << "#include \"" << kRunphiCellHeader << "\"\n\n";
  } else if (d.upstream || cell.dialect == Dialect::OV) {
    o << "#include <jailhouse/types.h>\n#include <jailhouse/cell-config.h>\n\n";
  } else {
    o << "#include \"types.h\"\n#include \"cell-config.h\"\n\n";
  }

  o << "struct {\n\t" << (own ? "struct jhc_cell_desc_" + std::string(d.cStructSuffix) : "struct jailhouse_cell_desc")
    << " cell;\n";
  if (cell.cpuSetBytes) o << "\t" << u64 << " cpus[" << cell.cpuSetBytes / 8 << "];\n";
  if (d.rcpuSet && cell.rcpuSetBytes) o << "\t" << u64 << " rcpus[" << cell.rcpuSetBytes / 8 << "];\n";
  auto decl = [&](const std::string& type, const char* field, size_t n) {
    if (n) o << "\t" << type << " " << field << "[" << n << "];\n";
  };
  decl(sp.type(wide ? "jhc_memory_bc" : "jhc_memory_a", "jailhouse_memory"), "mem_regions", cell.memoryRegions.size());
  decl(sp.type("jhc_cache", "jailhouse_cache"), "cache_regions", cell.cacheRegions.size());
  decl(sp.type("jhc_irqchip", "jailhouse_irqchip"), "irqchips", cell.irqchips.size());
  decl(sp.type("jhc_pio", "jailhouse_pio"), "pio_regions", cell.pioRegions.size());
  decl(sp.type("jhc_pci_device", "jailhouse_pci_device"), "pci_devices", cell.pciDevices.size());
  decl(sp.type("jhc_pci_capability", "jailhouse_pci_capability"), "pci_caps", cell.pciCapabilities.size());
  // Stream IDs: a plain u32 in v0.12, a union (u32 id, or the MMU-500 view) later.
  const bool streamUnion = !own && cell.dialect != Dialect::A12;
  decl(own ? "uint32_t" : streamUnion ? "union jailhouse_stream_id" : "__u32", "stream_ids", cell.streamIds.size());
  decl(sp.type("jhc_qos_device", "jailhouse_qos_device"), "qos_devices", cell.qosDevices.size());
  o << "} " << packed << " config = {\n";

  o << "\t.cell = {\n";
  if (own) {
    o << "\t\t.signature = " << (d.signatureBytes == 6 ? "JHC_SIGNATURE_JHCELL" : "JHC_SIGNATURE_JHCLL") << ",\n";
  } else {
    o << "\t\t.signature = JAILHOUSE_CELL_DESC_SIGNATURE,\n";
  }
  if (d.architectureByte) {
    static const char* ownArch[] = {"JHC_ARCH_X86", "JHC_ARCH_ARM", "JHC_ARCH_ARM64"};
    static const char* jhArch[] = {"JAILHOUSE_X86", "JAILHOUSE_ARM", "JAILHOUSE_ARM64"};
    o << "\t\t.architecture = "
      << (cell.architecture <= kArchArm64 ? (own ? ownArch : jhArch)[cell.architecture] : hexString(cell.architecture))
      << ",\n";
  }
  o << "\t\t.revision = " << (own ? "JHC_REVISION_" + std::string(d.shortName) : "JAILHOUSE_CONFIG_REVISION") << ",\n";
  o << "\t\t.name = " << cString(cell.name) << ",\n";
  if (cell.id) o << "\t\t.id = " << cell.id << ",\n";
  o << "\t\t.flags = " << flags(cell.flags, cellFlags) << ",\n";
  o << "\t\t.cpu_set_size = " << (cell.cpuSetBytes ? "sizeof(config.cpus)" : "0") << ",\n";
  if (d.rcpuSet) o << "\t\t.rcpu_set_size = " << (cell.rcpuSetBytes ? "sizeof(config.rcpus)" : "0") << ",\n";
  auto count = [&](const char* field, const char* array, size_t n) {
    o << "\t\t." << field << " = " << (n ? arraySize + "(config." + array + ")" : std::string("0")) << ",\n";
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
    << "\t\t\t.type = " << consoleType(c.type, sp) << ",\n"
    << "\t\t\t.flags = " << flags(c.flags, conFlags) << ",\n"
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
        << "\t\t\t.flags = " << flags(m.flags, memFlags) << ",\n";
      if (wide) o << "\t\t\t.colors = " << hexString(m.colors) << ",\n";
      o << "\t\t},\n";
    }
    o << "\t},\n";
  }
  if (!cell.cacheRegions.empty()) {
    o << "\t.cache_regions = {\n";
    for (const CacheRegion& r : cell.cacheRegions) {
      o << "\t\t{ .start = " << r.start << ", .size = " << r.size << ", .type = " << unsigned{r.type}
        << ", .flags = " << flags(r.flags, cacheFlags) << " },\n";
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
        << "\t\t\t.type = " << pciType(p.type, sp) << ",\n"
        << "\t\t\t.iommu = " << unsigned{p.iommu} << ",\n"
        << "\t\t\t.domain = " << p.domain << ",\n"
        << "\t\t\t.bdf = " << hexString(p.bdf) << ",\n";
      const std::array<std::uint32_t, 6> intx{kIvshmemBarMaskIntx, 0, 0, 0, 0, 0};
      if (p.barMask == intx) {
        o << "\t\t\t.bar_mask = " << sp.macro("IVSHMEM", "BAR_MASK_INTX") << ",\n";
      } else {
        o << "\t\t\t.bar_mask = {";
        for (size_t i = 0; i < 6; ++i) o << (i ? ", " : " ") << hexString(p.barMask[i]);
        o << " },\n";
      }
      o << "\t\t\t.caps_start = " << p.capsStart << ",\n"
        << "\t\t\t.num_caps = " << p.numCaps << ",\n"
        << "\t\t\t.num_msi_vectors = " << unsigned{p.numMsiVectors} << ",\n";
      if (own) {
        o << "\t\t\t.msi_flags = " << flags((p.msi64Bits ? 1u : 0u) | (p.msiMaskable ? 2u : 0u), kMsiFlags) << ",\n";
      } else {
        // Jailhouse's headers have two one-bit fields at byte +35.
        o << "\t\t\t.msi_64bits = " << (p.msi64Bits ? 1 : 0) << ",\n"
          << "\t\t\t.msi_maskable = " << (p.msiMaskable ? 1 : 0) << ",\n";
      }
      o << "\t\t\t.num_msix_vectors = " << p.numMsixVectors << ",\n"
        << "\t\t\t.msix_region_size = " << hexString(p.msixRegionSize) << ",\n"
        << "\t\t\t.msix_address = " << hexString(p.msixAddress) << ",\n"
        << "\t\t\t.shmem_regions_start = " << p.shmemRegionsStart << ",\n"
        << "\t\t\t.shmem_dev_id = " << unsigned{p.shmemDevId} << ",\n"
        << "\t\t\t.shmem_peers = " << unsigned{p.shmemPeers} << ",\n"
        << "\t\t\t.shmem_protocol = " << protocol(p.shmemProtocol, sp) << ",\n"
        << "\t\t},\n";
    }
    o << "\t},\n";
  }
  if (!cell.pciCapabilities.empty()) {
    o << "\t.pci_caps = {\n";
    for (const PciCapability& p : cell.pciCapabilities) {
      o << "\t\t{ .id = " << hexString(p.id) << ", .start = " << hexString(p.start) << ", .len = " << p.length
        << ", .flags = " << flags(p.flags, capFlags) << " },\n";
    }
    o << "\t},\n";
  }
  if (!cell.streamIds.empty()) {
    o << "\t.stream_ids = {";
    for (size_t i = 0; i < cell.streamIds.size(); ++i) {
      o << (i ? ", " : " ")
        << (streamUnion ? "{ .id = " + hexString(cell.streamIds[i]) + " }" : hexString(cell.streamIds[i]));
    }
    o << " },\n";
  }
  if (!cell.qosDevices.empty()) {
    o << "\t.qos_devices = {\n";
    for (const QosDevice& q : cell.qosDevices) {
      o << "\t\t{ .name = " << cString(q.name) << ", .flags = " << flags(q.flags, qosFlags)
        << ", .base = " << hexString(q.base) << " },\n";
    }
    o << "\t},\n";
  }
  o << "};\n";
  return o.str();
}

}  // namespace phi::jailhouse
