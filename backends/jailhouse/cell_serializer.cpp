#include "cell_serializer.hpp"

#include <phi/error.hpp>

#include <algorithm>
#include <cstdio>
#include <set>

#include "toolkit/hex.hpp"

namespace phi::jailhouse {

namespace {

std::string at(const char* array, size_t i) {
  return std::string(array) + "[" + std::to_string(i) + "]";
}

[[noreturn]] void fail(const std::string& origin, const std::string& field, const std::string& why) {
  throw Error(ErrorCode::InvalidArgument, origin + ": " + field + ": " + why);
}

// ---------------------------------------------------------------- writing

class Writer {
 public:
  explicit Writer(size_t reserve) { out_.reserve(reserve); }
  void u8(std::uint64_t v) { out_.push_back(static_cast<char>(v & 0xff)); }
  void u16(std::uint64_t v) { le(v, 2); }
  void u32(std::uint64_t v) { le(v, 4); }
  void u64(std::uint64_t v) { le(v, 8); }
  void bytes(const char* p, size_t n) { out_.append(p, n); }
  void zeros(size_t n) { out_.append(n, '\0'); }
  void fixedString(const std::string& s, size_t width) {
    out_.append(s, 0, std::min(s.size(), width));
    if (s.size() < width) zeros(width - s.size());
  }
  void bitmap(const std::vector<int>& ids, std::uint32_t bytes) {
    size_t base = out_.size();
    zeros(bytes);
    for (int id : ids) {
      char& byte = out_[base + static_cast<size_t>(id) / 8];
      byte = static_cast<char>(static_cast<unsigned char>(byte) | (1u << (id % 8)));
    }
  }
  std::string take() { return std::move(out_); }

 private:
  void le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

// ---------------------------------------------------------------- reading

class Reader {
 public:
  Reader(const std::string& data, const std::string& origin) : data_(data), origin_(origin) {}
  std::uint64_t u8() { return le(1); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(le(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(le(4)); }
  std::uint64_t u64() { return le(8); }
  std::string raw(size_t n) {
    need(n);
    std::string s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::vector<int> bitmap(std::uint32_t bytes) {
    need(bytes);
    std::vector<int> ids;
    for (std::uint32_t i = 0; i < bytes; ++i) {
      auto b = static_cast<unsigned char>(data_[pos_ + i]);
      for (int bit = 0; bit < 8; ++bit)
        if (b & (1u << bit)) ids.push_back(static_cast<int>(i * 8 + static_cast<std::uint32_t>(bit)));
    }
    pos_ += bytes;
    return ids;
  }
  size_t pos() const { return pos_; }

 private:
  void need(size_t n) {
    if (data_.size() - pos_ < n) {
      throw Error(ErrorCode::InvalidArgument, origin_ + ": truncated: " + std::to_string(data_.size()) +
                                                  " bytes, reading " + std::to_string(n) + " more at offset " +
                                                  std::to_string(pos_));
    }
  }
  std::uint64_t le(int n) {
    need(static_cast<size_t>(n));
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= std::uint64_t{static_cast<unsigned char>(data_[pos_ + static_cast<size_t>(i)])} << (8 * i);
    pos_ += static_cast<size_t>(n);
    return v;
  }
  const std::string& data_;
  const std::string& origin_;
  size_t pos_ = 0;
};

struct Counts {
  std::uint64_t cpuSetBytes = 0, rcpuSetBytes = 0, memory = 0, cache = 0, irqchips = 0, pio = 0, pci = 0, caps = 0,
                streamIds = 0, qos = 0;
};

std::uint64_t sizeFor(const DialectInfo& d, const Counts& c) {
  return d.headerBytes + c.cpuSetBytes + c.rcpuSetBytes + c.memory * d.memoryRegionBytes + c.cache * kCacheBytes +
         c.irqchips * kIrqchipBytes + c.pio * kPioBytes + c.pci * kPciDeviceBytes + c.caps * kPciCapabilityBytes +
         c.streamIds * kStreamIdBytes + c.qos * kQosDeviceBytes;
}

Counts countsOf(const CellDescription& cell) {
  Counts c;
  c.cpuSetBytes = cell.cpuSetBytes;
  c.rcpuSetBytes = cell.rcpuSetBytes;
  c.memory = cell.memoryRegions.size();
  c.cache = cell.cacheRegions.size();
  c.irqchips = cell.irqchips.size();
  c.pio = cell.pioRegions.size();
  c.pci = cell.pciDevices.size();
  c.caps = cell.pciCapabilities.size();
  c.streamIds = cell.streamIds.size();
  c.qos = cell.qosDevices.size();
  return c;
}

// The header's counters, read without the arrays (for the length check).
Counts readCounts(const DialectInfo& d, const std::string& bytes) {
  Counts c;
  auto u32at = [&](size_t off) {
    std::uint64_t v = 0;
    for (size_t i = 0; i < 4; ++i) v |= std::uint64_t{static_cast<unsigned char>(bytes[off + i])} << (8 * i);
    return v;
  };
  size_t off = 48;
  c.cpuSetBytes = u32at(off);
  off += 4;
  if (d.rcpuSet) {
    c.rcpuSetBytes = u32at(off);
    off += 4;
  }
  std::uint64_t* fields[] = {&c.memory, &c.cache, &c.irqchips, &c.pio, &c.pci, &c.caps, &c.streamIds};
  for (std::uint64_t* f : fields) {
    *f = u32at(off);
    off += 4;
  }
  if (d.qosDevices) c.qos = u32at(off);
  return c;
}

bool signatureMatches(const DialectInfo& d, const std::string& bytes) {
  if (bytes.size() < d.headerBytes) return false;
  if (bytes.compare(0, d.signatureBytes, d.signature) != 0) return false;
  auto rev =
      static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[6]) | (static_cast<unsigned char>(bytes[7]) << 8));
  return rev == d.revision;
}

// Collects findings: a hypervisor rule always throws; a strict rule throws
// under Rules::Strict and becomes a warning under Rules::Hypervisor.
class Checker {
 public:
  Checker(const std::string& origin, Rules rules, std::vector<std::string>* warnings)
      : origin_(origin), rules_(rules), warnings_(warnings) {}
  [[noreturn]] void hypervisor(const std::string& field, const std::string& why) const { fail(origin_, field, why); }
  const std::string& origin() const { return origin_; }
  void strict(const std::string& field, const std::string& why) const {
    if (rules_ == Rules::Strict) fail(origin_, field, why);
    if (warnings_) warnings_->push_back(origin_ + ": " + field + ": " + why + " (Jailhouse accepts it)");
  }

 private:
  const std::string& origin_;
  Rules rules_;
  std::vector<std::string>* warnings_;
};

void validateName(const std::string& name, size_t maxBytes, const Checker& check, const std::string& field) {
  if (name.empty()) check.strict(field, "is empty");
  if (name.size() > maxBytes) {
    fail(check.origin(), field,
         "\"" + name + "\" is " + std::to_string(name.size()) + " bytes; at most " + std::to_string(maxBytes) + " fit");
  }
  for (char ch : name) {
    auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u > 0x7e) {
      check.strict(field, "contains byte " + hexByte(u) + "; only printable ASCII is allowed");
      return;
    }
  }
}

void validateBitmap(const std::vector<int>& ids, std::uint32_t bytes, const Checker& check, const char* field,
                    const char* sizeField) {
  if (bytes > kMaxCpuSetBytes) {
    check.hypervisor(sizeField, std::to_string(bytes) + " bytes is more than Jailhouse accepts (" +
                                    std::to_string(kMaxCpuSetBytes) + ")");
  }
  if (bytes % 8 != 0) check.strict(sizeField, std::to_string(bytes) + " is not a multiple of 8 bytes (one u64 word)");
  std::set<int> seen;
  for (size_t i = 0; i < ids.size(); ++i) {
    int id = ids[i];
    if (id < 0 || static_cast<std::uint64_t>(id) >= std::uint64_t{bytes} * 8) {
      check.hypervisor(at(field, i), std::to_string(id) + " does not fit a " + std::to_string(bytes) + "-byte bitmap");
    }
    if (!seen.insert(id).second) check.hypervisor(at(field, i), std::to_string(id) + " is listed twice");
    if (i > 0 && ids[i - 1] > id) check.hypervisor(at(field, i), "ids must be in ascending order");
  }
}

}  // namespace

void validateCell(const CellDescription& cell, const std::string& origin, Rules rules,
                  std::vector<std::string>* warnings) {
  const Checker check(origin, rules, warnings);
  const DialectInfo& d = dialectInfo(cell.dialect);
  const std::string dn = std::string(" (dialect ") + d.name + ")";
  validateName(cell.name, kMaxNameLength, check, "name");
  if (!d.architectureByte && cell.architecture != 0) {
    check.hypervisor("architecture", "dialect " + std::string(d.name) + " has no architecture byte");
  }
  if (cell.architecture > kArchArm64) {
    check.strict("architecture", std::to_string(cell.architecture) + " is not 0 (x86), 1 (arm) or 2 (arm64)");
  }
  if (cell.flags & ~d.knownCellFlags)
    check.strict("flags", "unknown bits " + hexString(cell.flags & ~d.knownCellFlags) + dn);
  validateBitmap(cell.cpus, cell.cpuSetBytes, check, "cpus", "cpu_set_bytes");
  if (!d.rcpuSet && (cell.rcpuSetBytes != 0 || !cell.rcpus.empty())) {
    check.hypervisor("rcpus", std::string("dialect ") + d.name + " has no rCPU set");
  }
  validateBitmap(cell.rcpus, cell.rcpuSetBytes, check, "rcpus", "rcpu_set_bytes");
  if (!d.qosDevices && !cell.qosDevices.empty()) {
    check.hypervisor("qos_devices", std::string("dialect ") + d.name + " has no QoS devices");
  }

  for (size_t i = 0; i < cell.memoryRegions.size(); ++i) {
    const MemoryRegion& m = cell.memoryRegions[i];
    std::string f = at("memory_regions", i);
    if (m.flags & ~d.knownMemoryFlags) {
      check.strict(f + ".flags", "unknown bits " + hexString(m.flags & ~d.knownMemoryFlags) + dn);
    }
    if ((m.flags & kMemTmpRootRemap) && (d.knownMemoryFlags & kMemTmpRootRemap)) {
      check.strict(f + ".flags", "TMP_ROOT_REMAP is the hypervisor's own flag");
    }
    if (d.memoryRegionBytes < 40 && m.colors != 0)
      check.hypervisor(f + ".colors", "dialect " + std::string(d.name) + " has no colors");
    // The hypervisor reads colors only with COLORED (jailhouse-cell-format.md §3.3).
    if (m.colors != 0 && !(m.flags & kMemColored)) check.strict(f + ".colors", "set without the COLORED flag");
    if (m.physStart + m.size < m.physStart) check.hypervisor(f, "phys_start + size wraps around");
    if (m.virtStart + m.size < m.virtStart) check.hypervisor(f, "virt_start + size wraps around");
    if ((m.flags & kMemCommRegion) && m.physStart != 0) {
      check.strict(f + ".phys_start", "is not 0 for the communication region (the hypervisor places it)");
    }
  }
  for (size_t i = 0; i < cell.cacheRegions.size(); ++i) {
    const CacheRegion& c = cell.cacheRegions[i];
    std::string f = at("cache_regions", i);
    if (c.type < 1 || c.type > 3)
      check.hypervisor(f + ".type", std::to_string(c.type) + " is not 1 (L3 code), 2 (L3 data) or 3 (L3)");
    if (c.size == 0) check.hypervisor(f + ".size", "must be > 0");
    if (c.flags & ~0x1u) check.strict(f + ".flags", "unknown bits " + hexString(c.flags & ~0x1u));
  }
  for (size_t i = 0; i < cell.irqchips.size(); ++i) {
    const Irqchip& c = cell.irqchips[i];
    if (c.pinBase % 32 != 0)
      check.hypervisor(at("irqchips", i) + ".pin_base", std::to_string(c.pinBase) + " is not a multiple of 32");
    // Its 128 interrupts are u32 numbers: past 2^32 - 1 they would wrap around.
    if (std::uint64_t{c.pinBase} + 128 > std::uint64_t{1} << 32) {
      check.hypervisor(at("irqchips", i) + ".pin_base",
                       std::to_string(c.pinBase) + " + 128 interrupts go past 4294967295");
    }
  }
  const size_t caps = cell.pciCapabilities.size();
  for (size_t i = 0; i < cell.pciDevices.size(); ++i) {
    const PciDevice& p = cell.pciDevices[i];
    std::string f = at("pci_devices", i);
    if (p.type < kPciTypeDevice || p.type > kPciTypeIvshmem) {
      check.strict(f + ".type", std::to_string(p.type) + " is not 1 (device), 2 (bridge) or 3 (ivshmem)");
    }
    if (std::size_t{p.capsStart} + p.numCaps > caps) {
      check.strict(f + ".caps_start", "capabilities " + std::to_string(p.capsStart) + ".." +
                                          std::to_string(p.capsStart + p.numCaps) + " are outside the " +
                                          std::to_string(caps) + " of pci_caps");
    }
    if (p.type == kPciTypeIvshmem) {
      // Jailhouse only requires a peer id below 12 and the regions; peer ids
      // at or above shmem_peers occur in upstream's own configs.
      if (p.shmemDevId >= kIvshmemMaxPeers) {
        check.hypervisor(f + ".shmem_dev_id",
                         std::to_string(p.shmemDevId) + " is not below " + std::to_string(kIvshmemMaxPeers));
      }
      if (p.shmemPeers == 0 || p.shmemPeers > kIvshmemMaxPeers) {
        check.strict(f + ".shmem_peers",
                     std::to_string(p.shmemPeers) + " is not 1.." + std::to_string(kIvshmemMaxPeers));
      }
      if (p.shmemDevId >= p.shmemPeers) {
        check.strict(f + ".shmem_dev_id",
                     std::to_string(p.shmemDevId) + " is not below shmem_peers " + std::to_string(p.shmemPeers));
      }
      if (std::uint64_t{p.shmemRegionsStart} + 2 + p.shmemPeers > cell.memoryRegions.size()) {
        check.hypervisor(f + ".shmem_regions_start",
                         "regions " + std::to_string(p.shmemRegionsStart) + ".." +
                             std::to_string(std::uint64_t{p.shmemRegionsStart} + 2 + p.shmemPeers - 1) +
                             " (state table, read/write section, one output per peer) are not all among the " +
                             std::to_string(cell.memoryRegions.size()) + " memory regions");
      }
      if (p.numMsixVectors > kIvshmemMaxMsix) {
        check.hypervisor(f + ".num_msix_vectors", std::to_string(p.numMsixVectors) + " is more than ivshmem's " +
                                                      std::to_string(kIvshmemMaxMsix));
      }
    }
  }
  for (size_t i = 0; i < cell.qosDevices.size(); ++i) {
    const QosDevice& q = cell.qosDevices[i];
    // Root cells (system configs) may hold empty entries; the hypervisor only
    // matches names.
    validateName(q.name, kQosNameBytes, check, at("qos_devices", i) + ".name");
    if (q.flags & ~0x7u) check.strict(at("qos_devices", i) + ".flags", "unknown bits " + hexString(q.flags & ~0x7u));
  }
  // The cell's console is only passed to the inmate (comm region): the
  // hypervisor never reads its type.
  if (cell.console.type > d.maxConsoleType) {
    check.strict("console.type", std::to_string(cell.console.type) + " is not a console type of dialect " + d.name +
                                     " (0.." + std::to_string(d.maxConsoleType) + ")");
  }
  if (cell.console.flags & ~kConsoleKnownFlags) {
    check.strict("console.flags", "reserved bits " + hexString(cell.console.flags & ~kConsoleKnownFlags) + " are set");
  }
  std::uint64_t size = cellFileSize(cell);
  if (size > kMaxConfigBytes) {
    check.hypervisor("size", "the cell takes " + std::to_string(size) + " bytes; Jailhouse maps at most " +
                                 std::to_string(kMaxConfigBytes) + " (16 pages)");
  }
}

std::uint64_t cellFileSize(const CellDescription& cell) {
  return sizeFor(dialectInfo(cell.dialect), countsOf(cell));
}

std::string serializeCell(const CellDescription& cell, const std::string& origin, Rules rules,
                          std::vector<std::string>* warnings) {
  validateCell(cell, origin, rules, warnings);
  const DialectInfo& d = dialectInfo(cell.dialect);
  Writer w(static_cast<size_t>(cellFileSize(cell)));
  w.bytes(d.signature, d.signatureBytes);
  if (d.architectureByte) w.u8(cell.architecture);
  w.u16(d.revision);
  w.fixedString(cell.name, kNameBytes);
  w.u32(cell.id);
  w.u32(cell.flags);
  w.u32(cell.cpuSetBytes);
  if (d.rcpuSet) w.u32(cell.rcpuSetBytes);
  w.u32(cell.memoryRegions.size());
  w.u32(cell.cacheRegions.size());
  w.u32(cell.irqchips.size());
  w.u32(cell.pioRegions.size());
  w.u32(cell.pciDevices.size());
  w.u32(cell.pciCapabilities.size());
  w.u32(cell.streamIds.size());
  if (d.qosDevices) w.u32(cell.qosDevices.size());
  w.u32(cell.vpciIrqBase);
  w.u64(cell.cpuResetAddress);
  w.u64(cell.msgReplyTimeout);
  const Console& c = cell.console;
  w.u64(c.address);
  w.u32(c.size);
  w.u16(c.type);
  w.u16(c.flags);
  w.u32(c.divider);
  w.u32(c.gateNr);
  w.u64(c.clockReg);

  w.bitmap(cell.cpus, cell.cpuSetBytes);
  if (d.rcpuSet) w.bitmap(cell.rcpus, cell.rcpuSetBytes);
  for (const MemoryRegion& m : cell.memoryRegions) {
    w.u64(m.physStart);
    w.u64(m.virtStart);
    w.u64(m.size);
    w.u64(m.flags);
    if (d.memoryRegionBytes == 40) w.u64(m.colors);
  }
  for (const CacheRegion& m : cell.cacheRegions) {
    w.u32(m.start);
    w.u32(m.size);
    w.u8(m.type);
    w.u8(0);
    w.u16(m.flags);
  }
  for (const Irqchip& m : cell.irqchips) {
    w.u64(m.address);
    w.u32(m.id);
    w.u32(m.pinBase);
    for (std::uint32_t word : m.pinBitmap) w.u32(word);
  }
  for (const PioRegion& m : cell.pioRegions) {
    w.u16(m.base);
    w.u16(m.length);
  }
  for (const PciDevice& p : cell.pciDevices) {
    w.u8(p.type);
    w.u8(p.iommu);
    w.u16(p.domain);
    w.u16(p.bdf);
    for (std::uint32_t mask : p.barMask) w.u32(mask);
    w.u16(p.capsStart);
    w.u16(p.numCaps);
    w.u8(p.numMsiVectors);
    w.u8((p.msi64Bits ? 0x1u : 0u) | (p.msiMaskable ? 0x2u : 0u));
    w.u16(p.numMsixVectors);
    w.u16(p.msixRegionSize);
    w.u64(p.msixAddress);
    w.u32(p.shmemRegionsStart);
    w.u8(p.shmemDevId);
    w.u8(p.shmemPeers);
    w.u16(p.shmemProtocol);
  }
  for (const PciCapability& p : cell.pciCapabilities) {
    w.u16(p.id);
    w.u16(p.start);
    w.u16(p.length);
    w.u16(p.flags);
  }
  for (std::uint32_t sid : cell.streamIds) w.u32(sid);
  for (const QosDevice& q : cell.qosDevices) {
    w.fixedString(q.name, kQosNameBytes);
    w.u8(q.flags);
    w.u32(q.base);
  }
  return w.take();
}

std::vector<Dialect> candidateDialects(const std::string& bytes) {
  std::vector<Dialect> out;
  for (Dialect dialect : allDialects()) {
    const DialectInfo& d = dialectInfo(dialect);
    if (signatureMatches(d, bytes) && sizeFor(d, readCounts(d, bytes)) == bytes.size()) out.push_back(dialect);
  }
  // C and OV have one layout: the console type is all that can tell them
  // apart (11 exists only in the Omnivisor fork's numbering).
  auto c = std::find(out.begin(), out.end(), Dialect::C);
  auto ov = std::find(out.begin(), out.end(), Dialect::OV);
  if (c != out.end() && ov != out.end()) {
    const size_t typeAt = dialectInfo(Dialect::C).headerBytes - kConsoleBytes + 12;
    auto type = static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[typeAt]) |
                                           (static_cast<unsigned char>(bytes[typeAt + 1]) << 8));
    out.erase(type > dialectInfo(Dialect::C).maxConsoleType ? c : ov);
  }
  return out;
}

CellDescription decodeCellGuessingDialect(const std::string& bytes, const std::string& origin, Rules rules,
                                          std::vector<std::string>* warnings) {
  std::vector<Dialect> fits = candidateDialects(bytes);
  if (fits.size() == 1) return decodeCell(bytes, fits[0], origin, rules, warnings);
  if (fits.empty()) {
    std::string sig = bytes.substr(0, std::min<size_t>(bytes.size(), 6));
    for (char& ch : sig)
      if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7e) ch = '?';
    throw Error(ErrorCode::InvalidArgument, origin + ": not a Jailhouse cell of any known dialect (" +
                                                std::to_string(bytes.size()) + " bytes, starting \"" + sig +
                                                "\"); give the dialect to see why it does not fit");
  }
  std::string names;
  for (Dialect dialect : fits) names += std::string(names.empty() ? "" : ", ") + dialectInfo(dialect).name;
  throw Error(ErrorCode::InvalidArgument, origin + ": fits several dialects (" + names + "); give the dialect");
}

CellDescription decodeCell(const std::string& bytes, Dialect dialect, const std::string& origin, Rules rules,
                           std::vector<std::string>* warnings) {
  const DialectInfo& d = dialectInfo(dialect);
  const std::string dn = std::string("dialect ") + d.name;
  if (bytes.size() < d.headerBytes) {
    throw Error(ErrorCode::InvalidArgument, origin + ": " + std::to_string(bytes.size()) +
                                                " bytes is shorter than the " + std::to_string(d.headerBytes) +
                                                "-byte cell header of " + dn);
  }
  if (bytes.compare(0, d.signatureBytes, d.signature) != 0) {
    std::string sig = bytes.substr(0, d.signatureBytes);
    for (char& ch : sig)
      if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7e) ch = '?';
    throw Error(ErrorCode::InvalidArgument, origin + ": signature \"" + sig + "\" is not \"" + d.signature + "\" of " +
                                                dn + " (not a cell configuration?)");
  }
  Reader r(bytes, origin);
  CellDescription cell;
  cell.dialect = dialect;
  r.raw(d.signatureBytes);
  if (d.architectureByte) cell.architecture = static_cast<std::uint8_t>(r.u8());
  std::uint16_t revision = r.u16();
  if (revision != d.revision) {
    throw Error(ErrorCode::InvalidArgument, origin + ": revision " + std::to_string(revision) + " is not " +
                                                std::to_string(d.revision) + " of " + dn);
  }
  Counts counts = readCounts(d, bytes);
  std::uint64_t expected = sizeFor(d, counts);
  if (expected != bytes.size()) {
    throw Error(ErrorCode::InvalidArgument, origin + ": the header's counts make " + std::to_string(expected) +
                                                " bytes in " + dn + ", but the file has " +
                                                std::to_string(bytes.size()) + " (another dialect?)");
  }
  std::string name = r.raw(kNameBytes);
  size_t nul = name.find('\0');
  if (nul == std::string::npos) throw Error(ErrorCode::InvalidArgument, origin + ": name is not NUL-terminated");
  if (name.find_first_not_of('\0', nul) != std::string::npos) {
    throw Error(ErrorCode::InvalidArgument, origin + ": name has bytes after its terminating NUL");
  }
  cell.name = name.substr(0, nul);
  cell.id = r.u32();
  cell.flags = r.u32();
  cell.cpuSetBytes = r.u32();
  if (d.rcpuSet) cell.rcpuSetBytes = r.u32();
  for (int i = 0; i < 7; ++i) r.u32();  // counters, read above
  if (d.qosDevices) r.u32();
  cell.vpciIrqBase = r.u32();
  cell.cpuResetAddress = r.u64();
  cell.msgReplyTimeout = r.u64();
  Console& c = cell.console;
  c.address = r.u64();
  c.size = r.u32();
  c.type = r.u16();
  c.flags = r.u16();
  c.divider = r.u32();
  c.gateNr = r.u32();
  c.clockReg = r.u64();

  cell.cpus = r.bitmap(cell.cpuSetBytes);
  if (d.rcpuSet) cell.rcpus = r.bitmap(cell.rcpuSetBytes);
  for (std::uint64_t i = 0; i < counts.memory; ++i) {
    MemoryRegion m;
    m.physStart = r.u64();
    m.virtStart = r.u64();
    m.size = r.u64();
    m.flags = r.u64();
    if (d.memoryRegionBytes == 40) m.colors = r.u64();
    cell.memoryRegions.push_back(m);
  }
  for (std::uint64_t i = 0; i < counts.cache; ++i) {
    CacheRegion m;
    m.start = r.u32();
    m.size = r.u32();
    m.type = static_cast<std::uint8_t>(r.u8());
    if (r.u8() != 0)
      throw Error(ErrorCode::InvalidArgument, origin + ": " + at("cache_regions", i) + ": padding byte is not 0");
    m.flags = r.u16();
    cell.cacheRegions.push_back(m);
  }
  for (std::uint64_t i = 0; i < counts.irqchips; ++i) {
    Irqchip m;
    m.address = r.u64();
    m.id = r.u32();
    m.pinBase = r.u32();
    for (std::uint32_t& word : m.pinBitmap) word = r.u32();
    cell.irqchips.push_back(m);
  }
  for (std::uint64_t i = 0; i < counts.pio; ++i) {
    PioRegion m;
    m.base = r.u16();
    m.length = r.u16();
    cell.pioRegions.push_back(m);
  }
  for (std::uint64_t i = 0; i < counts.pci; ++i) {
    PciDevice p;
    p.type = static_cast<std::uint8_t>(r.u8());
    p.iommu = static_cast<std::uint8_t>(r.u8());
    p.domain = r.u16();
    p.bdf = r.u16();
    for (std::uint32_t& mask : p.barMask) mask = r.u32();
    p.capsStart = r.u16();
    p.numCaps = r.u16();
    p.numMsiVectors = static_cast<std::uint8_t>(r.u8());
    std::uint64_t bits = r.u8();
    if (bits & ~0x3u) {
      throw Error(ErrorCode::InvalidArgument,
                  origin + ": " + at("pci_devices", i) + ": reserved MSI bits " + hexString(bits & ~0x3u) + " are set");
    }
    p.msi64Bits = bits & 0x1u;
    p.msiMaskable = bits & 0x2u;
    p.numMsixVectors = r.u16();
    p.msixRegionSize = r.u16();
    p.msixAddress = r.u64();
    p.shmemRegionsStart = r.u32();
    p.shmemDevId = static_cast<std::uint8_t>(r.u8());
    p.shmemPeers = static_cast<std::uint8_t>(r.u8());
    p.shmemProtocol = r.u16();
    cell.pciDevices.push_back(p);
  }
  for (std::uint64_t i = 0; i < counts.caps; ++i) {
    PciCapability p;
    p.id = r.u16();
    p.start = r.u16();
    p.length = r.u16();
    p.flags = r.u16();
    cell.pciCapabilities.push_back(p);
  }
  for (std::uint64_t i = 0; i < counts.streamIds; ++i) cell.streamIds.push_back(r.u32());
  for (std::uint64_t i = 0; i < counts.qos; ++i) {
    QosDevice q;
    std::string qname = r.raw(kQosNameBytes);
    size_t end = qname.find('\0');
    q.name = qname.substr(0, end);
    if (end != std::string::npos && qname.find_first_not_of('\0', end) != std::string::npos) {
      throw Error(ErrorCode::InvalidArgument, origin + ": " + at("qos_devices", i) + ": name has bytes after its NUL");
    }
    q.flags = static_cast<std::uint8_t>(r.u8());
    q.base = r.u32();
    cell.qosDevices.push_back(q);
  }
  validateCell(cell, origin, rules, warnings);
  return cell;
}

}  // namespace phi::jailhouse
