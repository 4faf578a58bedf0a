#include "cell_generator.hpp"

#include "cell_serializer.hpp"
#include "toolkit/hex.hpp"
#include "toolkit/json.hpp"

#include <phi/error.hpp>

#include <algorithm>
#include <optional>
#include <set>

namespace phi::jailhouse {

GuestKind guestKindOf(const ZicConfig& zic) {
  if (zic.os() == GuestOs::Linux) return GuestKind::Linux;
  return zic.rpuReq() ? GuestKind::Rpu : GuestKind::BareMetal;
}

const char* guestKindName(GuestKind kind) {
  switch (kind) {
    case GuestKind::BareMetal: return "bare-metal";
    case GuestKind::Linux: return "linux";
    case GuestKind::Rpu: return "rpu";
  }
  return "?";
}

const MemoryRegion* regionAt(const CellDescription& cell, std::uint64_t addr) {
  for (const MemoryRegion& m : cell.memoryRegions) {
    if (m.size && !(m.flags & kMemCommRegion) && addr >= m.virtStart && addr - m.virtStart < m.size) return &m;
  }
  return nullptr;
}

namespace {

struct Builder {
  const CellRequest& req;
  const JailhouseSettings& s;
  CellDescription cell;
  std::vector<std::string> labels;  // one per memory region, for messages

  [[noreturn]] void fail(const std::string& why) const {
    throw Error(ErrorCode::InvalidArgument,
                "cell \"" + req.name + "\" on platform \"" + req.platform->name() + "\": " + why);
  }

  size_t add(const std::string& label, const MemoryRegion& m) {
    cell.memoryRegions.push_back(m);
    labels.push_back(label);
    return cell.memoryRegions.size() - 1;
  }
  size_t add(const std::string& label, const RegionSpec& r) {
    return add(label, MemoryRegion{r.physStart, r.virtStart, r.size, r.flags, 0});
  }
};

std::string range(std::uint64_t start, std::uint64_t size) {
  return "[" + hexString(start) + ", " + hexString(start + size) + ")";
}

}  // namespace

CellDescription generateCell(const CellRequest& req) {
  const JailhouseSettings& s = *req.settings;
  const PlatformTemplate& platform = *req.platform;
  const Allocation& alloc = *req.allocation;
  const ZicConfig& zic = *req.zic;
  const DialectInfo& d = dialectInfo(s.dialect);
  const GuestKind kind = guestKindOf(zic);
  Builder b{req, s, {}, {}};
  CellDescription& c = b.cell;

  c.dialect = s.dialect;
  c.name = req.name;
  if (d.architectureByte) c.architecture = s.architecture;
  c.flags = s.cellFlags;
  c.vpciIrqBase = s.vpciIrqBase;
  c.msgReplyTimeout = s.msgReplyTimeout;
  c.console = s.console;

  // CPUs and rCPUs.
  c.cpus = alloc.cpus();
  std::sort(c.cpus.begin(), c.cpus.end());
  for (int cpu : c.cpus) {
    if (cpu < 0 || static_cast<unsigned>(cpu) >= platform.cpuCount()) {
      b.fail("CPU " + std::to_string(cpu) + " is not one of the board's " + std::to_string(platform.cpuCount()));
    }
  }
  std::vector<int> boardIds{static_cast<int>(platform.cpuCount()) - 1};
  c.cpuSetBytes = std::max(bitmapBytesFor(boardIds), bitmapBytesFor(c.cpus));
  if (kind == GuestKind::Rpu) {
    if (!d.rcpuSet) {
      b.fail(std::string("rpu_req needs real-time cores in the cell, but dialect ") + d.name +
             " has no rCPU set (an Omnivisor board such as zcu104 has)");
    }
    if (alloc.rpus().empty()) b.fail("rpu_req, but the allocation holds no RPU");
    if (!c.cpus.empty()) b.fail("an RPU guest gets no application CPU, but the allocation holds some");
  } else {
    if (c.cpus.empty()) b.fail("no CPU was allocated");
    if (!alloc.rpus().empty()) b.fail(std::string("RPUs were allocated to a ") + guestKindName(kind) + " guest");
  }
  if (d.rcpuSet) {
    c.rcpus = alloc.rpus();
    std::sort(c.rcpus.begin(), c.rcpus.end());
    c.rcpuSetBytes = s.rcpuSetBytes;
    for (int r : c.rcpus) {
      if (r < 0 || static_cast<std::uint64_t>(r) >= std::uint64_t{c.rcpuSetBytes} * 8) {
        b.fail("RPU " + std::to_string(r) + " does not fit the " + std::to_string(c.rcpuSetBytes) + "-byte rCPU set");
      }
    }
  }

  // The network link: a BDF and its window, or nothing at all.
  const bool net = zic.net() == NetMode::Virtual;
  if (net != !alloc.pciBdfs().empty()) {
    b.fail(net ? "net is \"virtual\" but no PCI BDF was allocated" : "a PCI BDF was allocated but net is off");
  }
  int bdf = -1;
  MemoryRange window;
  if (net) {
    bdf = alloc.pciBdfs().front();
    if (alloc.commWindows().empty())
      b.fail("PCI BDF " + std::to_string(bdf) + " was allocated without a shared-memory window");
    window = alloc.commWindows().front();
    if (!s.ivshmemNet) b.fail("net is on, but the platform's jailhouse section has no ivshmem_net");
    if (window.size < s.ivshmemNet->span) {
      b.fail("the window " + range(window.start, window.size) + " is smaller than the ivshmem-net span " +
             hexString(s.ivshmemNet->span));
    }
    if (bdf < 0 || bdf > 0x1fff)
      b.fail("BDF " + std::to_string(bdf) + " does not fit the 16-bit bus/device/function field");
  }

  // Memory: RAM0 (bare-metal on QEMU) or the Linux loader first, carved
  // from the allocation's start; the rest is RAM.
  if (alloc.memory().empty()) b.fail("no memory was allocated");
  std::vector<MemoryRange> ram = alloc.memory();
  const bool linux = kind == GuestKind::Linux;
  const bool listsRam0 = std::find(s.memRegions.begin(), s.memRegions.end(), "RAM0") != s.memRegions.end();
  std::optional<MemoryRegion> first;  // RAM0 or the Linux loader
  if (linux || (listsRam0 && s.ram0)) {
    std::uint64_t size = linux ? s.linuxLoaderSize : s.ram0->size;
    if (ram.front().size <= size) {
      b.fail("the allocated memory " + range(ram.front().start, ram.front().size) + " leaves nothing after the " +
             hexString(size) + "-byte " + (linux ? "Linux loader" : "RAM0") + " region");
    }
    std::uint64_t virt = s.ram0 ? s.ram0->virtStart : 0;
    std::uint64_t flags = s.ram0 ? s.ram0->flags : (kMemRead | kMemWrite | kMemExecute | kMemLoadable);
    first = MemoryRegion{ram.front().start, virt, size, flags, 0};
    ram.front().start += size;
    ram.front().size -= size;
  }

  int demoStart = -1, netStart = -1;
  for (const std::string& what : s.memRegions) {
    if (what == "IVSHMEM_DEMO") {
      if (!net && !s.ivshmemDemo->withoutNet) continue;
      demoStart = static_cast<int>(c.memoryRegions.size());
      const IvshmemDemoSpec& demo = *s.ivshmemDemo;
      const std::uint64_t devId = demo.pci.devIdIsBdf ? static_cast<std::uint64_t>(bdf) : demo.pci.devId;
      size_t i = 0;
      for (const RegionSpec& r : demo.regions) {
        RegionSpec region = r;
        // Regions 2.. are the peers' outputs; only this cell's own is writable.
        if (demo.outputWriteFollowsDevId && i >= 2) {
          region.flags = (r.flags & ~kMemWrite) | (i - 2 == devId ? kMemWrite : 0);
        }
        b.add("IVSHMEM_DEMO[" + std::to_string(i++) + "]", region);
      }
    } else if (what == "IVSHMEM_NET") {
      if (!net) continue;
      const IvshmemNetSpec& n = *s.ivshmemNet;
      netStart = static_cast<int>(c.memoryRegions.size());
      auto sectionRegion = [&](const char* label, const WindowSection& w) {
        MemoryRegion m;
        if (w.size) m = MemoryRegion{window.start + w.offset, window.start + w.offset, w.size, w.flags, 0};
        b.add(std::string("IVSHMEM_NET ") + label, m);
      };
      sectionRegion("state table", n.state);
      sectionRegion("read/write section", n.rw);
      sectionRegion("input", n.in);
      sectionRegion("output", n.out);
    } else if (what == "UART") {
      b.add("UART", s.uart);
    } else if (what == "RAM0") {
      if (first) b.add(linux ? "Linux loader" : "RAM0", *first);
    } else if (what == "RAM") {
      if (first && !listsRam0) b.add(linux ? "Linux loader" : "RAM0", *first);
      std::uint64_t virt = s.ramVirtStart;
      size_t i = 0;
      for (const MemoryRange& r : ram) {
        if (r.size == 0) continue;
        MemoryRegion m{r.start, linux ? r.start : virt, r.size, linux ? (s.ramFlags | kMemDma) : s.ramFlags, 0};
        b.add(ram.size() > 1 ? "RAM[" + std::to_string(i++) + "]" : std::string("RAM"), m);
        virt += r.size;
      }
    } else if (what == "TCM_A" || what == "TCM_B") {
      if (s.tcm->onlyWithRpu && kind != GuestKind::Rpu) continue;
      b.add(what, what == "TCM_A" ? s.tcm->a : s.tcm->b);
    } else if (what == "COMM_REGION") {
      b.add("COMM_REGION", MemoryRegion{0, s.commVirtStart, s.commSize, s.commFlags, 0});
    } else if (what == "SYSTEM_COUNTER") {
      b.add(what, *s.systemCounter);
    } else if (what == "BOOT_TIME_SHM") {
      b.add(what, *s.bootTimeShm);
    }
  }

  // Interrupts: the UART's, the ones the platform always grants, and the
  // network device's INTx when there is one.
  std::set<std::uint32_t> pins;
  if (s.uartPin) pins.insert(*s.uartPin);
  pins.insert(s.extraPins.begin(), s.extraPins.end());
  if (net) {
    std::uint32_t pin = s.ivshmemPinFromBdf ? 32 + s.vpciIrqBase + static_cast<std::uint32_t>(bdf & 3) : s.ivshmemPin;
    if (pin == 0) b.fail("net is on, but the platform's irqchip has no ivshmem_pin");
    pins.insert(pin);
  }
  if (demoStart >= 0 && s.ivshmemPinFromBdf) {
    pins.insert(32 + s.vpciIrqBase + static_cast<std::uint32_t>(s.ivshmemDemo->bdf & 3));
  }
  for (std::uint32_t pin : pins) {
    std::uint32_t base = s.pinBase + (pin - s.pinBase) / 128 * 128;
    auto chip = std::find_if(c.irqchips.begin(), c.irqchips.end(), [&](const Irqchip& i) { return i.pinBase == base; });
    if (chip == c.irqchips.end()) {
      Irqchip fresh;
      fresh.address = s.gicAddress;
      fresh.pinBase = base;
      c.irqchips.push_back(fresh);
      chip = c.irqchips.end() - 1;
    }
    irqchipAddPin(*chip, pin);
  }

  // PCI devices, each pointing at its regions.
  for (const std::string& what : s.pciDevices) {
    const bool demo = what == "IVSHMEM_DEMO";
    if (demo ? demoStart < 0 : !net) continue;
    const IvshmemPciSpec& spec = demo ? s.ivshmemDemo->pci : s.ivshmemNet->pci;
    PciDevice p;
    p.type = spec.type;
    p.domain = spec.domain;
    p.bdf = static_cast<std::uint16_t>((demo ? s.ivshmemDemo->bdf : bdf) << 3);
    p.barMask = spec.barMask;
    p.shmemRegionsStart = static_cast<std::uint32_t>(demo ? demoStart : netStart);
    if (spec.devIdIsBdf) {
      if (bdf >= spec.peers) {
        b.fail("the demo ivshmem device takes the network BDF " + std::to_string(bdf) +
               " as its peer id, but has only " + std::to_string(spec.peers) + " peers");
      }
      p.shmemDevId = static_cast<std::uint8_t>(bdf);
    } else {
      p.shmemDevId = spec.devId;
    }
    p.shmemPeers = spec.peers;
    p.shmemProtocol = spec.protocol;
    c.pciDevices.push_back(p);
  }
  c.streamIds.assign(s.streamIds, 0);

  // Where the CPUs start.
  if (linux) {
    c.cpuResetAddress = first->virtStart;
  } else {
    c.cpuResetAddress = zic.startingVaddress().value_or(s.cpuResetAddress);
    if (kind == GuestKind::BareMetal) {
      const MemoryRegion* m = regionAt(c, c.cpuResetAddress);
      if (!m || (m->flags & (kMemWrite | kMemLoadable)) != (kMemWrite | kMemLoadable)) {
        std::string loadable;
        for (const MemoryRegion& r : c.memoryRegions) {
          if ((r.flags & (kMemWrite | kMemLoadable)) == (kMemWrite | kMemLoadable)) {
            loadable += (loadable.empty() ? "" : ", ") + range(r.virtStart, r.size);
          }
        }
        b.fail(std::string(zic.startingVaddress().has_value() ? "starting_vaddress " : "the reset address ") +
               hexString(c.cpuResetAddress) + " is not in the cell's loadable RAM (" + loadable + ")");
      }
    }
  }

  // No two regions at the same guest address.
  for (size_t i = 0; i < c.memoryRegions.size(); ++i) {
    const MemoryRegion& x = c.memoryRegions[i];
    if (!x.size) continue;
    for (size_t k = i + 1; k < c.memoryRegions.size(); ++k) {
      const MemoryRegion& y = c.memoryRegions[k];
      if (!y.size) continue;
      if (x.virtStart < y.virtStart + y.size && y.virtStart < x.virtStart + x.size) {
        b.fail(b.labels[i] + " " + range(x.virtStart, x.size) + " and " + b.labels[k] + " " +
               range(y.virtStart, y.size) + " overlap in the cell's address space");
      }
    }
  }
  validateCell(c, "cell \"" + req.name + "\"");
  return c;
}

}  // namespace phi::jailhouse
