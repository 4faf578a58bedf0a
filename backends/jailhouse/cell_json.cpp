#include "cell_json.hpp"

#include "cell_serializer.hpp"
#include "toolkit/hex.hpp"
#include "toolkit/json.hpp"

#include <phi/error.hpp>

#include <json/writer.h>

#include <algorithm>
#include <set>
#include <utility>

namespace phi::jailhouse {

namespace {

using FlagNames = std::vector<NamedValue>;

// JSON names are the headers' without their prefix; the prefixed spelling of
// the headers is accepted too ("JAILHOUSE_MEM_READ" as "READ").
const FlagNames kCacheFlagNames = {{0x1, "ROOTSHARED"}};
const FlagNames kCapFlagNames = {{0x1, "WRITE"}};
const FlagNames kQosFlagNames = {{0x1, "HAS_RWQOS"}, {0x2, "HAS_REGUL"}, {0x4, "HAS_DYNQOS"}};

const std::pair<const char*, std::uint8_t> kArchNames[] = {{"x86", kArchX86}, {"arm", kArchArm}, {"arm64", kArchArm64}};

// "JAILHOUSE_MEM_READ" -> "READ" when `prefix` is "MEM".
std::string withoutHeaderPrefix(const std::string& name, const char* prefix) {
  std::string full = std::string("JAILHOUSE_") + prefix + "_";
  return name.rfind(full, 0) == 0 ? name.substr(full.size()) : name;
}

std::uint64_t flagsFrom(const JsonObject& o, const char* key, unsigned bits, const FlagNames& names, const char* prefix,
                        std::uint64_t fallback = 0) {
  if (!o.has(key)) return fallback;
  const Json::Value& v = o.raw(key);
  if (!v.isArray()) return jsonNumber(v, bits, o.origin(), o.path(key));
  std::uint64_t flags = 0;
  for (Json::ArrayIndex i = 0; i < v.size(); ++i) {
    const Json::Value& item = v[i];
    std::string where = o.path(key) + "[" + std::to_string(i) + "]";
    if (item.isString() && item.asString().rfind("0x", 0) != 0 && item.asString().rfind("0X", 0) != 0) {
      std::string name = withoutHeaderPrefix(item.asString(), prefix);
      auto it = std::find_if(names.begin(), names.end(), [&](const NamedValue& n) { return name == n.name; });
      if (it == names.end()) {
        std::string known;
        for (const NamedValue& n : names) known += std::string(known.empty() ? "" : ", ") + n.name;
        throw Error(ErrorCode::InvalidArgument,
                    o.origin() + ": \"" + where + "\": unknown flag \"" + item.asString() + "\"; known: " + known);
      }
      flags |= it->value;
    } else {
      flags |= jsonNumber(item, bits, o.origin(), where);
    }
  }
  return flags;
}

Json::Value flagsTo(std::uint64_t flags, const FlagNames& names) {
  Json::Value out(Json::arrayValue);
  for (const auto& [bit, name] : names) {
    if (bit && (flags & bit)) {
      out.append(name);
      flags &= ~bit;
    }
  }
  if (flags) out.append(hexString(flags));
  return out;
}

template <typename T>
T narrow(std::uint64_t v) {
  return static_cast<T>(v);
}

std::vector<int> idList(const JsonObject& o, const char* key) {
  std::vector<int> ids;
  if (!o.has(key)) return ids;
  const Json::Value& v = o.raw(key);
  if (!v.isArray()) o.fail(key, "must be an array of ids");
  std::set<int> seen;
  for (Json::ArrayIndex i = 0; i < v.size(); ++i) {
    std::string where = o.path(key) + "[" + std::to_string(i) + "]";
    if (!v[i].isIntegral() || v[i].type() == Json::realValue) {
      throw Error(ErrorCode::InvalidArgument, o.origin() + ": \"" + where + "\": must be an integer id");
    }
    std::uint64_t id = jsonNumber(v[i], 15, o.origin(), where);  // < 32768 = 4096 bytes of bitmap
    if (!seen.insert(static_cast<int>(id)).second) {
      throw Error(ErrorCode::InvalidArgument,
                  o.origin() + ": \"" + where + "\": " + std::to_string(id) + " is listed twice");
    }
    ids.push_back(static_cast<int>(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Json::Value idsTo(const std::vector<int>& ids) {
  Json::Value out(Json::arrayValue);
  for (int id : ids) out.append(id);
  return out;
}

Json::Value hex(std::uint64_t v) {
  return Json::Value(hexString(v));
}

}  // namespace

CellDescription cellFromJsonValue(const Json::Value& value, const std::string& origin, std::optional<Dialect> dialect,
                                  Rules rules, std::vector<std::string>* warnings) {
  JsonObject top(value, origin, "");
  CellDescription cell;
  if (dialect) {
    cell.dialect = *dialect;
    if (top.has("dialect")) (void)top.string("dialect");
  } else {
    if (!top.has("dialect")) {
      throw Error(ErrorCode::InvalidArgument,
                  origin + ": missing key \"dialect\" (or give the dialect, e.g. --dialect runphi-rev13)");
    }
    cell.dialect = parseDialect(top.string("dialect"), origin + ": \"dialect\"");
  }
  const DialectInfo& d = dialectInfo(cell.dialect);
  cell.name = top.string("name");
  if (d.architectureByte) {
    if (!top.has("architecture")) {
      throw Error(ErrorCode::InvalidArgument, origin + ": missing key \"architecture\" (\"x86\", \"arm\" or " +
                                                  "\"arm64\"): dialect " + d.name + " has an architecture byte");
    }
    const Json::Value& a = top.raw("architecture");
    if (a.isString() && a.asString().rfind("0x", 0) != 0) {
      bool found = false;
      for (const auto& [n, code] : kArchNames) {
        if (a.asString() == n) {
          cell.architecture = code;
          found = true;
        }
      }
      if (!found) top.fail("architecture", "\"" + a.asString() + "\" is not \"x86\", \"arm\" or \"arm64\"");
    } else {
      cell.architecture = narrow<std::uint8_t>(top.number("architecture", 8));
    }
  }
  cell.id = narrow<std::uint32_t>(top.number("id", 32, 0));
  cell.flags = narrow<std::uint32_t>(flagsFrom(top, "flags", 32, cellFlagNames(cell.dialect), "CELL"));
  cell.cpus = idList(top, "cpus");
  cell.cpuSetBytes = narrow<std::uint32_t>(top.number("cpu_set_bytes", 32, bitmapBytesFor(cell.cpus)));
  if (d.rcpuSet) {
    cell.rcpus = idList(top, "rcpus");
    cell.rcpuSetBytes = narrow<std::uint32_t>(top.number("rcpu_set_bytes", 32, bitmapBytesFor(cell.rcpus)));
  } else if ((top.has("rcpus") && !idList(top, "rcpus").empty()) || top.number("rcpu_set_bytes", 32, 0) != 0) {
    top.fail("rcpus", std::string("dialect ") + d.name + " has no rCPU set");
  }
  for (const JsonObject& o : top.objects("memory_regions")) {
    MemoryRegion m;
    m.physStart = o.number("phys_start", 64, 0);
    m.virtStart = o.number("virt_start", 64, 0);
    m.size = o.number("size", 64, 0);
    m.flags = flagsFrom(o, "flags", 64, memoryFlagNamesOf(cell.dialect), "MEM");
    m.colors = o.number("colors", 64, 0);
    if (d.memoryRegionBytes < 40 && m.colors) o.fail("colors", std::string("dialect ") + d.name + " has no colors");
    o.rejectUnknownKeys();
    cell.memoryRegions.push_back(m);
  }
  for (const JsonObject& o : top.objects("cache_regions")) {
    CacheRegion c;
    c.start = narrow<std::uint32_t>(o.number("start", 32));
    c.size = narrow<std::uint32_t>(o.number("size", 32));
    c.type = narrow<std::uint8_t>(o.number("type", 8));
    c.flags = narrow<std::uint16_t>(flagsFrom(o, "flags", 16, kCacheFlagNames, "CACHE"));
    o.rejectUnknownKeys();
    cell.cacheRegions.push_back(c);
  }
  for (const JsonObject& o : top.objects("irqchips")) {
    Irqchip c;
    c.address = o.number("address", 64);
    c.id = narrow<std::uint32_t>(o.number("id", 32, 0));
    c.pinBase = narrow<std::uint32_t>(o.number("pin_base", 32));
    const Json::Value& pins = o.array("pins");
    for (Json::ArrayIndex i = 0; i < pins.size(); ++i) {
      std::string where = o.path("pins") + "[" + std::to_string(i) + "]";
      auto pin = narrow<std::uint32_t>(jsonNumber(pins[i], 32, origin, where));
      if (pin < c.pinBase || pin - c.pinBase >= 128) {
        throw Error(ErrorCode::InvalidArgument, origin + ": \"" + where + "\": interrupt " + std::to_string(pin) +
                                                    " is outside this irqchip's " + std::to_string(c.pinBase) + ".." +
                                                    std::to_string(std::uint64_t{c.pinBase} + 127) +
                                                    " (add an irqchip with another pin_base)");
      }
      if (irqchipHasPin(c, pin)) {
        throw Error(ErrorCode::InvalidArgument,
                    origin + ": \"" + where + "\": interrupt " + std::to_string(pin) + " is listed twice");
      }
      irqchipAddPin(c, pin);
    }
    o.rejectUnknownKeys();
    cell.irqchips.push_back(c);
  }
  for (const JsonObject& o : top.objects("pio_regions")) {
    PioRegion p;
    p.base = narrow<std::uint16_t>(o.number("base", 16));
    p.length = narrow<std::uint16_t>(o.number("length", 16));
    o.rejectUnknownKeys();
    cell.pioRegions.push_back(p);
  }
  for (const JsonObject& o : top.objects("pci_devices")) {
    PciDevice p;
    p.type = narrow<std::uint8_t>(o.number("type", 8));
    p.iommu = narrow<std::uint8_t>(o.number("iommu", 8, 0));
    p.domain = narrow<std::uint16_t>(o.number("domain", 16, 0));
    p.bdf = narrow<std::uint16_t>(o.number("bdf", 16));
    const Json::Value& masks = o.array("bar_mask");
    if (masks.size() > 6) o.fail("bar_mask", "has " + std::to_string(masks.size()) + " entries; a device has 6 BARs");
    for (Json::ArrayIndex i = 0; i < masks.size(); ++i) {
      p.barMask[i] =
          narrow<std::uint32_t>(jsonNumber(masks[i], 32, origin, o.path("bar_mask") + "[" + std::to_string(i) + "]"));
    }
    p.capsStart = narrow<std::uint16_t>(o.number("caps_start", 16, 0));
    p.numCaps = narrow<std::uint16_t>(o.number("num_caps", 16, 0));
    p.numMsiVectors = narrow<std::uint8_t>(o.number("num_msi_vectors", 8, 0));
    p.msi64Bits = o.boolean("msi_64bits", false);
    p.msiMaskable = o.boolean("msi_maskable", false);
    p.numMsixVectors = narrow<std::uint16_t>(o.number("num_msix_vectors", 16, 0));
    p.msixRegionSize = narrow<std::uint16_t>(o.number("msix_region_size", 16, 0));
    p.msixAddress = o.number("msix_address", 64, 0);
    p.shmemRegionsStart = narrow<std::uint32_t>(o.number("shmem_regions_start", 32, 0));
    p.shmemDevId = narrow<std::uint8_t>(o.number("shmem_dev_id", 8, 0));
    p.shmemPeers = narrow<std::uint8_t>(o.number("shmem_peers", 8, 0));
    p.shmemProtocol = narrow<std::uint16_t>(o.number("shmem_protocol", 16, 0));
    o.rejectUnknownKeys();
    cell.pciDevices.push_back(p);
  }
  for (const JsonObject& o : top.objects("pci_caps")) {
    PciCapability c;
    c.id = narrow<std::uint16_t>(o.number("id", 16));
    c.start = narrow<std::uint16_t>(o.number("start", 16));
    c.length = narrow<std::uint16_t>(o.number("length", 16));
    c.flags = narrow<std::uint16_t>(flagsFrom(o, "flags", 16, kCapFlagNames, "PCICAPS"));
    o.rejectUnknownKeys();
    cell.pciCapabilities.push_back(c);
  }
  const Json::Value& sids = top.array("stream_ids");
  for (Json::ArrayIndex i = 0; i < sids.size(); ++i) {
    std::string where = "stream_ids[" + std::to_string(i) + "]";
    if (sids[i].isObject()) {
      // The ARM MMU-500 view: 15-bit id and mask_out.
      JsonObject o(sids[i], origin, where);
      auto id = o.number("id", 15);
      auto mask = o.number("mask_out", 15, 0);
      o.rejectUnknownKeys();
      cell.streamIds.push_back(narrow<std::uint32_t>(id | mask << 16));
    } else {
      cell.streamIds.push_back(narrow<std::uint32_t>(jsonNumber(sids[i], 32, origin, where)));
    }
  }
  if (!d.qosDevices && !top.array("qos_devices").empty()) {
    top.fail("qos_devices", std::string("dialect ") + d.name + " has no QoS devices");
  }
  if (d.qosDevices) {
    for (const JsonObject& o : top.objects("qos_devices")) {
      QosDevice q;
      q.name = o.string("name");
      q.flags = narrow<std::uint8_t>(flagsFrom(o, "flags", 8, kQosFlagNames, "QOS"));
      q.base = narrow<std::uint32_t>(o.number("base", 32));
      o.rejectUnknownKeys();
      cell.qosDevices.push_back(q);
    }
  }
  cell.vpciIrqBase = narrow<std::uint32_t>(top.number("vpci_irq_base", 32, 0));
  cell.cpuResetAddress = top.number("cpu_reset_address", 64, 0);
  cell.msgReplyTimeout = top.number("msg_reply_timeout", 64, 0);
  if (top.has("console")) {
    JsonObject o = top.object("console");
    Console& c = cell.console;
    c.address = o.number("address", 64, 0);
    c.size = narrow<std::uint32_t>(o.number("size", 32, 0));
    if (o.has("type")) {
      const Json::Value& t = o.raw("type");
      bool named = false;
      if (t.isString() && t.asString().rfind("0x", 0) != 0) {
        std::string name = withoutHeaderPrefix(t.asString(), "CON_TYPE");
        for (const NamedValue& n : consoleTypeNames(cell.dialect)) {
          if (name == n.name) {
            c.type = static_cast<std::uint16_t>(n.value);
            named = true;
          }
        }
        if (!named) {
          std::string known;
          for (const NamedValue& n : consoleTypeNames(cell.dialect))
            known += (known.empty() ? "" : ", ") + std::string(n.name);
          o.fail("type", "\"" + t.asString() + "\" is not a console type of dialect " + d.name + "; known: " + known);
        }
      } else {
        c.type = narrow<std::uint16_t>(o.number("type", 16));
      }
    }
    c.flags = narrow<std::uint16_t>(flagsFrom(o, "flags", 16, consoleFlagNames(), "CON"));
    c.divider = narrow<std::uint32_t>(o.number("divider", 32, 0));
    c.gateNr = narrow<std::uint32_t>(o.number("gate_nr", 32, 0));
    c.clockReg = o.number("clock_reg", 64, 0);
    o.rejectUnknownKeys();
  }
  top.rejectUnknownKeys();
  validateCell(cell, origin, rules, warnings);
  return cell;
}

CellDescription cellFromJson(const std::string& text, const std::string& origin, std::optional<Dialect> dialect,
                             Rules rules, std::vector<std::string>* warnings) {
  return cellFromJsonValue(parseJson(text, origin), origin, dialect, rules, warnings);
}

Json::Value cellToJsonValue(const CellDescription& cell) {
  const DialectInfo& d = dialectInfo(cell.dialect);
  Json::Value v(Json::objectValue);
  v["dialect"] = d.name;
  v["name"] = cell.name;
  if (d.architectureByte) {
    if (cell.architecture <= kArchArm64)
      v["architecture"] = kArchNames[cell.architecture].first;
    else
      v["architecture"] = cell.architecture;
  }
  if (cell.id != 0) v["id"] = cell.id;
  v["flags"] = flagsTo(cell.flags, cellFlagNames(cell.dialect));
  v["cpus"] = idsTo(cell.cpus);
  v["cpu_set_bytes"] = cell.cpuSetBytes;
  if (d.rcpuSet) {
    v["rcpus"] = idsTo(cell.rcpus);
    v["rcpu_set_bytes"] = cell.rcpuSetBytes;
  }
  v["vpci_irq_base"] = cell.vpciIrqBase;
  v["cpu_reset_address"] = hex(cell.cpuResetAddress);
  v["msg_reply_timeout"] = Json::UInt64(cell.msgReplyTimeout);
  Json::Value con(Json::objectValue);
  con["address"] = hex(cell.console.address);
  con["size"] = hex(cell.console.size);
  con["type"] = cell.console.type;
  con["flags"] = flagsTo(cell.console.flags, consoleFlagNames());
  con["divider"] = cell.console.divider;
  con["gate_nr"] = cell.console.gateNr;
  con["clock_reg"] = hex(cell.console.clockReg);
  v["console"] = con;

  Json::Value mem(Json::arrayValue);
  for (const MemoryRegion& m : cell.memoryRegions) {
    Json::Value r(Json::objectValue);
    r["phys_start"] = hex(m.physStart);
    r["virt_start"] = hex(m.virtStart);
    r["size"] = hex(m.size);
    r["flags"] = flagsTo(m.flags, memoryFlagNamesOf(cell.dialect));
    if (d.memoryRegionBytes == 40) r["colors"] = hex(m.colors);
    mem.append(r);
  }
  v["memory_regions"] = mem;
  Json::Value cache(Json::arrayValue);
  for (const CacheRegion& c : cell.cacheRegions) {
    Json::Value r(Json::objectValue);
    r["start"] = c.start;
    r["size"] = c.size;
    r["type"] = c.type;
    r["flags"] = flagsTo(c.flags, kCacheFlagNames);
    cache.append(r);
  }
  v["cache_regions"] = cache;
  Json::Value irq(Json::arrayValue);
  for (const Irqchip& c : cell.irqchips) {
    Json::Value r(Json::objectValue);
    r["address"] = hex(c.address);
    r["id"] = c.id;
    r["pin_base"] = c.pinBase;
    Json::Value pins(Json::arrayValue);
    for (std::uint32_t p : irqchipPins(c)) pins.append(p);
    r["pins"] = pins;
    irq.append(r);
  }
  v["irqchips"] = irq;
  Json::Value pio(Json::arrayValue);
  for (const PioRegion& p : cell.pioRegions) {
    Json::Value r(Json::objectValue);
    r["base"] = hex(p.base);
    r["length"] = p.length;
    pio.append(r);
  }
  v["pio_regions"] = pio;
  Json::Value pci(Json::arrayValue);
  for (const PciDevice& p : cell.pciDevices) {
    Json::Value r(Json::objectValue);
    r["type"] = p.type;
    r["iommu"] = p.iommu;
    r["domain"] = p.domain;
    r["bdf"] = hex(p.bdf);
    Json::Value masks(Json::arrayValue);
    for (std::uint32_t m : p.barMask) masks.append(hexString(m));
    r["bar_mask"] = masks;
    r["caps_start"] = p.capsStart;
    r["num_caps"] = p.numCaps;
    r["num_msi_vectors"] = p.numMsiVectors;
    r["msi_64bits"] = p.msi64Bits;
    r["msi_maskable"] = p.msiMaskable;
    r["num_msix_vectors"] = p.numMsixVectors;
    r["msix_region_size"] = hex(p.msixRegionSize);
    r["msix_address"] = hex(p.msixAddress);
    r["shmem_regions_start"] = p.shmemRegionsStart;
    r["shmem_dev_id"] = p.shmemDevId;
    r["shmem_peers"] = p.shmemPeers;
    r["shmem_protocol"] = hex(p.shmemProtocol);
    pci.append(r);
  }
  v["pci_devices"] = pci;
  Json::Value caps(Json::arrayValue);
  for (const PciCapability& c : cell.pciCapabilities) {
    Json::Value r(Json::objectValue);
    r["id"] = hex(c.id);
    r["start"] = hex(c.start);
    r["length"] = c.length;
    r["flags"] = flagsTo(c.flags, kCapFlagNames);
    caps.append(r);
  }
  v["pci_caps"] = caps;
  Json::Value sids(Json::arrayValue);
  for (std::uint32_t s : cell.streamIds) sids.append(hexString(s));
  v["stream_ids"] = sids;
  if (d.qosDevices) {
    Json::Value qos(Json::arrayValue);
    for (const QosDevice& q : cell.qosDevices) {
      Json::Value r(Json::objectValue);
      r["name"] = q.name;
      r["flags"] = flagsTo(q.flags, kQosFlagNames);
      r["base"] = hex(q.base);
      qos.append(r);
    }
    v["qos_devices"] = qos;
  }
  return v;
}

namespace {

// The order keys are written in: the order of the .cell file, so the JSON
// reads like the C rendering.
int keyRank(const std::string& key, bool top) {
  static const char* topOrder[] = {"dialect",        "name",           "architecture",      "id",
                                   "flags",          "cpus",           "cpu_set_bytes",     "rcpus",
                                   "rcpu_set_bytes", "vpci_irq_base",  "cpu_reset_address", "msg_reply_timeout",
                                   "console",        "memory_regions", "cache_regions",     "irqchips",
                                   "pio_regions",    "pci_devices",    "pci_caps",          "stream_ids",
                                   "qos_devices"};
  static const char* nestedOrder[] = {"name",
                                      "phys_start",
                                      "virt_start",
                                      "address",
                                      "type",
                                      "iommu",
                                      "domain",
                                      "bdf",
                                      "bar_mask",
                                      "id",
                                      "start",
                                      "base",
                                      "size",
                                      "length",
                                      "flags",
                                      "colors",
                                      "pin_base",
                                      "pins",
                                      "caps_start",
                                      "num_caps",
                                      "num_msi_vectors",
                                      "msi_64bits",
                                      "msi_maskable",
                                      "num_msix_vectors",
                                      "msix_region_size",
                                      "msix_address",
                                      "shmem_regions_start",
                                      "shmem_dev_id",
                                      "shmem_peers",
                                      "shmem_protocol",
                                      "divider",
                                      "gate_nr",
                                      "clock_reg"};
  int rank = 0;
  if (top) {
    for (const char* k : topOrder) {
      if (key == k) return rank;
      ++rank;
    }
  } else {
    for (const char* k : nestedOrder) {
      if (key == k) return rank;
      ++rank;
    }
  }
  return rank;
}

std::vector<std::string> orderedKeys(const Json::Value& v, bool top) {
  std::vector<std::string> keys = v.getMemberNames();
  std::stable_sort(keys.begin(), keys.end(),
                   [top](const std::string& a, const std::string& b) { return keyRank(a, top) < keyRank(b, top); });
  return keys;
}

std::string compact(const Json::Value& v) {
  if (v.isObject()) {
    std::string out = "{";
    bool first = true;
    for (const std::string& k : orderedKeys(v, false)) {
      out += (first ? "" : ", ") + Json::valueToQuotedString(k.c_str()) + ": " + compact(v[k]);
      first = false;
    }
    return out + "}";
  }
  if (v.isArray()) {
    std::string out = "[";
    for (Json::ArrayIndex i = 0; i < v.size(); ++i) out += (i ? ", " : "") + compact(v[i]);
    return out + "]";
  }
  if (v.isString()) return Json::valueToQuotedString(v.asCString());
  if (v.isBool()) return v.asBool() ? "true" : "false";
  if (v.isUInt64()) return std::to_string(v.asUInt64());
  if (v.isInt64()) return std::to_string(v.asInt64());
  return "null";
}

// Objects and arrays of objects one level per line; short objects and
// arrays of scalars on one line.
void pretty(const Json::Value& v, const std::string& indent, std::string& out) {
  const bool containerOfContainers =
      (v.isObject() && v.size() > 0) || (v.isArray() && v.size() > 0 && (v[0].isObject() || v[0].isArray()));
  std::string line = compact(v);
  if (!containerOfContainers || (indent.size() > 0 && line.size() + indent.size() <= 170 && !v.isArray())) {
    out += line;
    return;
  }
  const std::string inner = indent + "  ";
  if (v.isObject()) {
    out += "{\n";
    bool first = true;
    for (const std::string& k : orderedKeys(v, indent.empty())) {
      out += (first ? "" : ",\n") + inner + Json::valueToQuotedString(k.c_str()) + ": ";
      pretty(v[k], inner, out);
      first = false;
    }
    out += "\n" + indent + "}";
  } else {
    out += "[\n";
    for (Json::ArrayIndex i = 0; i < v.size(); ++i) {
      out += (i ? ",\n" : "") + inner;
      pretty(v[i], inner, out);
    }
    out += "\n" + indent + "]";
  }
}

}  // namespace

std::string cellToJson(const CellDescription& cell) {
  std::string out;
  pretty(cellToJsonValue(cell), "", out);
  return out + "\n";
}

}  // namespace phi::jailhouse
