#include "jailhouse_settings.hpp"

#include "toolkit/hex.hpp"
#include "toolkit/json.hpp"

#include <phi/error.hpp>

#include <algorithm>

namespace phi::jailhouse {

namespace {

RegionSpec region(const JsonObject& o, bool needVirt, std::uint64_t defaultFlags = 0) {
  RegionSpec r;
  r.physStart = o.number("phys_start", 64);
  r.virtStart = needVirt ? o.number("virt_start", 64) : o.number("virt_start", 64, r.physStart);
  r.size = o.number("size", 64);
  r.flags = o.has("flags") ? o.number("flags", 64) : defaultFlags;
  if (!o.has("flags") && defaultFlags == 0) o.fail("flags", "missing");
  o.rejectUnknownKeys();
  if (r.size == 0) o.fail("size", "must be > 0");
  return r;
}

WindowSection section(const JsonObject& o) {
  WindowSection s;
  s.offset = o.number("offset", 64);
  s.size = o.number("size", 64);
  s.flags = o.number("flags", 64);
  o.rejectUnknownKeys();
  return s;
}

std::array<std::uint32_t, 6> barMask(const JsonObject& o, const char* key, Dialect dialect) {
  const Json::Value& v = o.raw(key);
  std::array<std::uint32_t, 6> mask{};
  if (v.isString()) {
    std::string name = v.asString();
    if (name == "INTX")
      mask = {0xfffff000, 0, 0, 0, 0, 0};
    else if (name == "MSIX")
      mask = {0xfffff000, dialect == Dialect::A12 ? 0xfffffe00u : 0xfffff000u, 0, 0, 0, 0};
    else if (name == "INTX_64K" && dialect != Dialect::A12)
      mask = {0xffff0000, 0, 0, 0, 0, 0};
    else if (name == "MSIX_64K" && dialect != Dialect::A12)
      mask = {0xffff0000, 0xffff0000, 0, 0, 0, 0};
    else
      o.fail(key, "\"" + name + "\" is not INTX, MSIX, INTX_64K or MSIX_64K (the 64K presets not in upstream-v0.12)");
    return mask;
  }
  if (!v.isArray() || v.size() > 6) o.fail(key, "must be a preset name or an array of up to 6 masks");
  for (Json::ArrayIndex i = 0; i < v.size(); ++i) {
    mask[i] = static_cast<std::uint32_t>(jsonNumber(v[i], 32, o.origin(), o.path(key) + "[" + std::to_string(i) + "]"));
  }
  return mask;
}

IvshmemPciSpec pciSpec(const JsonObject& o, Dialect dialect, bool allowBdfDevId) {
  IvshmemPciSpec p;
  p.type = static_cast<std::uint8_t>(o.number("type", 8));
  if (p.type != kPciTypeIvshmem) o.fail("type", "must be 3 (IVSHMEM)");
  p.domain = static_cast<std::uint16_t>(o.number("domain", 16));
  p.barMask = barMask(o, "bar_mask", dialect);
  const Json::Value& dev = o.raw("dev_id");
  if (dev.isString() && dev.asString() == "bdf") {
    if (!allowBdfDevId) o.fail("dev_id", "\"bdf\" is only for the demo device");
    p.devIdIsBdf = true;
  } else {
    p.devId = static_cast<std::uint8_t>(o.number("dev_id", 8));
  }
  p.peers = static_cast<std::uint8_t>(o.number("peers", 8));
  if (p.peers == 0 || p.peers > kIvshmemMaxPeers) o.fail("peers", "must be 1.." + std::to_string(kIvshmemMaxPeers));
  if (!p.devIdIsBdf && p.devId >= p.peers) o.fail("dev_id", "must be below peers");
  p.protocol = static_cast<std::uint16_t>(o.number("protocol", 16));
  o.rejectUnknownKeys();
  return p;
}

int smallInt(const JsonObject& o, const char* key, int max) {
  std::uint64_t v = o.number(key, 32);
  if (v > static_cast<std::uint64_t>(max)) o.fail(key, std::to_string(v) + " is more than " + std::to_string(max));
  return static_cast<int>(v);
}

std::vector<std::string> names(const JsonObject& o, const char* key, const std::vector<std::string>& known) {
  std::vector<std::string> out;
  const Json::Value& a = o.array(key);
  for (Json::ArrayIndex i = 0; i < a.size(); ++i) {
    std::string where = key + std::string("[") + std::to_string(i) + "]";
    if (!a[i].isString()) o.fail(where, "must be a string");
    std::string n = a[i].asString();
    if (std::find(known.begin(), known.end(), n) == known.end()) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      o.fail(where, "\"" + n + "\" is not one of " + list);
    }
    if (std::find(out.begin(), out.end(), n) != out.end()) o.fail(where, "\"" + n + "\" is listed twice");
    out.push_back(n);
  }
  return out;
}

std::vector<std::string> stringArray(const JsonObject& o, const char* key) {
  std::vector<std::string> out;
  const Json::Value& a = o.array(key);
  for (Json::ArrayIndex i = 0; i < a.size(); ++i) {
    if (!a[i].isString()) o.fail(key + std::string("[") + std::to_string(i) + "]", "must be a string");
    out.push_back(a[i].asString());
  }
  return out;
}

}  // namespace

std::string JailhouseSettings::rootCpusAssignedListPath() const {
  if (!rootCpusAssignedList.empty() && rootCpusAssignedList.front() == '/') return rootCpusAssignedList;
  return sysfsRoot + "/" + rootCpusAssignedList;
}

JailhouseSettings parseJailhouseSettings(const PlatformTemplate& platform) {
  const std::string origin =
      platform.sourcePath().empty() ? "platform \"" + platform.name() + "\"" : platform.sourcePath();
  Json::Value root = parseJson(platform.driverSettingsJson(), origin);
  JsonObject j(root, origin, "jailhouse");
  JailhouseSettings s;
  s.dialect = parseDialect(platform.dialect(), origin + ": \"dialect\"");
  const DialectInfo& d = dialectInfo(s.dialect);

  s.cli = j.string("cli", s.cli);
  if (s.cli.empty()) j.fail("cli", "must not be empty");
  s.sysfsRoot = j.string("sysfs_root", s.sysfsRoot);
  if (s.sysfsRoot.empty() || s.sysfsRoot.front() != '/') j.fail("sysfs_root", "must be an absolute path");
  while (s.sysfsRoot.size() > 1 && s.sysfsRoot.back() == '/') s.sysfsRoot.pop_back();
  s.preamble = j.string("preamble", "");

  // The dialect's facts, spelled out in the template: they must agree.
  {
    JsonObject h = j.object("cell_header");
    std::string sig = h.string("signature");
    if (sig != d.signature) h.fail("signature", "\"" + sig + "\" is not \"" + d.signature + "\" of dialect " + d.name);
    if (h.number("revision", 16) != d.revision)
      h.fail("revision", "is not " + std::to_string(d.revision) + " of dialect " + d.name);
    if (h.number("header_bytes", 16) != d.headerBytes)
      h.fail("header_bytes", "is not " + std::to_string(d.headerBytes) + " of dialect " + d.name);
    if (h.number("memory_region_bytes", 16) != d.memoryRegionBytes) {
      h.fail("memory_region_bytes", "is not " + std::to_string(d.memoryRegionBytes) + " of dialect " + d.name);
    }
    if (d.architectureByte) {
      s.architecture = static_cast<std::uint8_t>(h.number("architecture_code", 8));
      if (s.architecture > kArchArm64) h.fail("architecture_code", "must be 0 (x86), 1 (arm) or 2 (arm64)");
      std::uint8_t expected = platform.arch() == "x86_64" ? kArchX86 : kArchArm64;
      if (s.architecture != expected) {
        h.fail("architecture_code",
               std::to_string(s.architecture) + " does not match \"arch\": \"" + platform.arch() + "\"");
      }
    } else if (h.has("architecture_code")) {
      h.fail("architecture_code", std::string("dialect ") + d.name + " has no architecture byte");
    }
    h.rejectUnknownKeys();
  }
  s.cellFlags = static_cast<std::uint32_t>(j.number("cell_flags", 32, kDefaultCellFlags));
  if (s.cellFlags & ~d.knownCellFlags) {
    j.fail("cell_flags", "unknown bits " + hexString(s.cellFlags & ~d.knownCellFlags) + " in dialect " + d.name);
  }
  s.vpciIrqBase = static_cast<std::uint32_t>(j.number("vpci_irq_base", 32));
  s.cpuResetAddress = j.number("cpu_reset_address", 64);
  s.msgReplyTimeout = j.number("msg_reply_timeout", 64, 0);
  {
    JsonObject c = j.object("console");
    s.console.type = static_cast<std::uint16_t>(c.number("type", 16));
    (void)c.string("type_name", "");
    s.console.address = c.number("address", 64);
    s.console.size = static_cast<std::uint32_t>(c.number("size", 32, 0));
    s.console.flags = static_cast<std::uint16_t>(c.number("flags", 16));
    s.console.divider = static_cast<std::uint32_t>(c.number("divider", 32, 0));
    s.console.gateNr = static_cast<std::uint32_t>(c.number("gate_nr", 32, 0));
    s.console.clockReg = c.number("clock_reg", 64, 0);
    c.rejectUnknownKeys();
  }
  s.uart = region(j.object("uart"), true);
  {
    JsonObject irq = j.object("irqchip");
    s.gicAddress = irq.number("address", 64);
    s.pinBase = static_cast<std::uint32_t>(irq.number("pin_base", 32));
    if (s.pinBase % 32 != 0) irq.fail("pin_base", "must be a multiple of 32");
    if (irq.has("uart_pin")) s.uartPin = static_cast<std::uint32_t>(irq.number("uart_pin", 32));
    s.ivshmemPin = static_cast<std::uint32_t>(irq.number("ivshmem_pin", 32, 0));
    s.ivshmemPinFromBdf = irq.boolean("ivshmem_pin_from_bdf", false);
    const Json::Value& extra = irq.array("extra_pins");
    for (Json::ArrayIndex i = 0; i < extra.size(); ++i) {
      s.extraPins.push_back(static_cast<std::uint32_t>(
          jsonNumber(extra[i], 32, origin, irq.path("extra_pins") + "[" + std::to_string(i) + "]")));
    }
    irq.rejectUnknownKeys();
    for (std::uint32_t pin : s.extraPins) {
      if (pin < s.pinBase) irq.fail("extra_pins", "interrupt " + std::to_string(pin) + " is below pin_base");
    }
    if (s.uartPin && *s.uartPin < s.pinBase) irq.fail("uart_pin", "is below pin_base");
  }
  if (j.has("ram0")) {
    JsonObject o = j.object("ram0");
    Ram0Spec r;
    r.size = o.number("size", 64);
    r.virtStart = o.number("virt_start", 64);
    r.flags = o.number("flags", 64);
    if (!o.boolean("from_pool", true))
      o.fail("from_pool", "only true (carved from the partition's memory) is supported");
    o.rejectUnknownKeys();
    if (r.size == 0 || r.size % platform.pageSize()) o.fail("size", "must be a positive multiple of the page size");
    s.ram0 = r;
  }
  {
    JsonObject o = j.object("ram");
    s.ramVirtStart = o.number("virt_start", 64);
    s.ramFlags = o.number("flags", 64);
    o.rejectUnknownKeys();
  }
  if (j.has("tcm")) {
    JsonObject o = j.object("tcm");
    TcmSpec t;
    t.onlyWithRpu = o.boolean("only_with_rpu", true);
    t.a = region(o.object("a"), true);
    t.b = region(o.object("b"), true);
    o.rejectUnknownKeys();
    s.tcm = t;
  }
  {
    JsonObject o = j.object("comm_region");
    s.commVirtStart = o.number("virt_start", 64);
    s.commSize = o.number("size", 64);
    s.commFlags = o.number("flags", 64);
    o.rejectUnknownKeys();
    if (!(s.commFlags & kMemCommRegion)) o.fail("flags", "must include COMM_REGION (0x20)");
  }
  if (j.has("ivshmem_net")) {
    JsonObject o = j.object("ivshmem_net");
    IvshmemNetSpec n;
    n.base = o.number("base", 64);
    n.bdfStride = o.number("bdf_stride", 64);
    n.firstBdf = smallInt(o, "first_bdf", 0xffff);
    n.span = o.number("span", 64);
    if (o.number("regions", 8) != 4) o.fail("regions", "must be 4 (state table, read/write section, two outputs)");
    n.state = section(o.object("state"));
    n.rw = section(o.object("rw"));
    n.in = section(o.object("in"));
    n.out = section(o.object("out"));
    n.pci = pciSpec(o.object("pci"), s.dialect, false);
    o.rejectUnknownKeys();
    for (const WindowSection* w : {&n.state, &n.rw, &n.in, &n.out}) {
      if (w->offset + w->size > n.span) o.fail("span", hexString(n.span) + " does not hold every section");
    }
    if (n.pci.peers != 2) o.fail("pci", "a virtual-network link has 2 peers");
    s.ivshmemNet = n;
  }
  if (j.has("ivshmem_demo")) {
    JsonObject o = j.object("ivshmem_demo");
    IvshmemDemoSpec demo;
    demo.bdf = smallInt(o, "bdf", 0xffff);
    for (const JsonObject& r : o.objects("regions")) {
      RegionSpec reg;
      reg.physStart = reg.virtStart = r.number("start", 64);
      reg.size = r.number("size", 64);
      reg.flags = r.number("flags", 64);
      r.rejectUnknownKeys();
      demo.regions.push_back(reg);
    }
    demo.pci = pciSpec(o.object("pci"), s.dialect, true);
    std::string when = o.string("when", "with_net");
    if (when != "with_net" && when != "always") o.fail("when", "\"" + when + "\" is not \"with_net\" or \"always\"");
    demo.withoutNet = when == "always";
    if (demo.withoutNet && demo.pci.devIdIsBdf) {
      o.fail("pci",
             "dev_id \"bdf\" takes the network BDF, which a cell without network has none of: "
             "give a number, or \"when\": \"with_net\"");
    }
    demo.outputWriteFollowsDevId = o.boolean("output_write_follows_dev_id", false);
    o.rejectUnknownKeys();
    if (demo.regions.size() != 2u + demo.pci.peers) {
      o.fail("regions", std::to_string(demo.regions.size()) + " regions, but " + std::to_string(demo.pci.peers) +
                            " peers need " + std::to_string(2u + demo.pci.peers));
    }
    s.ivshmemDemo = demo;
  }
  s.memRegions = names(j, "mem_regions",
                       {"IVSHMEM_DEMO", "IVSHMEM_NET", "UART", "RAM0", "RAM", "TCM_A", "TCM_B", "COMM_REGION",
                        "SYSTEM_COUNTER", "BOOT_TIME_SHM"});
  s.pciDevices = names(j, "pci_devices", {"IVSHMEM_DEMO", "IVSHMEM_NET"});
  for (const char* must : {"RAM", "COMM_REGION"}) {
    if (std::find(s.memRegions.begin(), s.memRegions.end(), must) == s.memRegions.end()) {
      j.fail("mem_regions", std::string("must list ") + must);
    }
  }
  auto listed = [&](const std::vector<std::string>& list, const char* name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  if (listed(s.memRegions, "RAM0") && !s.ram0) j.fail("mem_regions", "lists RAM0 but there is no \"ram0\"");
  if ((listed(s.memRegions, "TCM_A") || listed(s.memRegions, "TCM_B")) && !s.tcm)
    j.fail("mem_regions", "lists TCM_A/TCM_B but there is no \"tcm\"");
  if (listed(s.memRegions, "IVSHMEM_NET") != listed(s.pciDevices, "IVSHMEM_NET") ||
      (listed(s.memRegions, "IVSHMEM_NET") && !s.ivshmemNet)) {
    j.fail("mem_regions", "IVSHMEM_NET must be in both mem_regions and pci_devices, with an \"ivshmem_net\" section");
  }
  if (listed(s.memRegions, "IVSHMEM_DEMO") != listed(s.pciDevices, "IVSHMEM_DEMO") ||
      (listed(s.memRegions, "IVSHMEM_DEMO") && !s.ivshmemDemo)) {
    j.fail("mem_regions", "IVSHMEM_DEMO must be in both mem_regions and pci_devices, with an \"ivshmem_demo\" section");
  }
  s.streamIds = static_cast<unsigned>(smallInt(j, "stream_ids", 1024));
  if (d.rcpuSet) {
    s.rcpuSetBytes = static_cast<std::uint32_t>(j.number("rcpu_set_bytes", 32, 8));
    if (s.rcpuSetBytes % 8 || s.rcpuSetBytes > kMaxCpuSetBytes)
      j.fail("rcpu_set_bytes", "must be a multiple of 8, at most 4096");
    for (int r : platform.rpuPool()) {
      if (static_cast<std::uint64_t>(r) >= std::uint64_t{s.rcpuSetBytes} * 8) {
        j.fail("rcpu_set_bytes", "RPU " + std::to_string(r) + " does not fit the rCPU bitmap");
      }
    }
  } else if (j.has("rcpu_set_bytes")) {
    j.fail("rcpu_set_bytes", std::string("dialect ") + d.name + " has no rCPU set");
  }
  s.rcpuFirmwareDir = j.string("rcpu_firmware_dir", s.rcpuFirmwareDir);
  if (j.has("system_counter")) s.systemCounter = region(j.object("system_counter"), false);
  if (j.has("boot_time_shm"))
    s.bootTimeShm = region(j.object("boot_time_shm"), false, kMemRead | kMemWrite | kMemRootShared);
  if (listed(s.memRegions, "SYSTEM_COUNTER") && !s.systemCounter)
    j.fail("mem_regions", "lists SYSTEM_COUNTER without \"system_counter\"");
  if (listed(s.memRegions, "BOOT_TIME_SHM") && !s.bootTimeShm)
    j.fail("mem_regions", "lists BOOT_TIME_SHM without \"boot_time_shm\"");
  {
    JsonObject r = j.object("root_cell");
    s.rootCellId = smallInt(r, "id", 0x7fffffff);
    s.rootCellName = r.string("name", "");
    (void)r.string("cpus", "");
    (void)r.string("rcpus", "");
    (void)r.string("fpga_regions", "");
    s.rootCpusAssignedList =
        r.string("cpus_assigned_list", "cells/" + std::to_string(s.rootCellId) + "/cpus_assigned_list");
    r.rejectUnknownKeys();
  }
  s.linuxCmdline = j.string("linux_cmdline", "");
  s.linuxLoaderSize = j.number("linux_loader_size", 64, s.ram0 ? s.ram0->size : 0x10000);
  if (s.linuxLoaderSize == 0 || s.linuxLoaderSize % platform.pageSize()) {
    j.fail("linux_loader_size", "must be a positive multiple of the page size");
  }
  if (j.has("console_relay")) {
    const Json::Value& v = j.raw("console_relay");
    if (v.isString() && v.asString() == "none") {
      // nothing to relay
    } else {
      JsonObject c = j.object("console_relay");
      if (c.has("path")) s.consoleRelay.path = c.string("path");
      s.consoleRelay.argv = stringArray(c, "argv");
      c.rejectUnknownKeys();
      if (s.consoleRelay.path.empty() == s.consoleRelay.argv.empty()) {
        j.fail("console_relay", "must be \"none\" or an object with exactly one of \"path\" and \"argv\"");
      }
    }
  }
  s.cliTimeoutSeconds = j.has("cli_timeout_seconds") ? smallInt(j, "cli_timeout_seconds", 3600) : 60;
  if (s.cliTimeoutSeconds == 0) j.fail("cli_timeout_seconds", "must be > 0");
  j.rejectUnknownKeys();
  return s;
}

}  // namespace phi::jailhouse
