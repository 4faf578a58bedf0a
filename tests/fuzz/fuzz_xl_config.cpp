// The xl configuration writer (backends/xen). Fuzzed values go everywhere a
// file name, an argument, an id or a "xen" section value reaches the file;
// the result is read back with an independent reader of xl's syntax
// (xl_config_reader.hpp). Whatever the values, the file has each documented
// key once (docs/xen.md), every string reads back as exactly the value that
// was written, and the vif spec holds exactly mac= and bridge=.
#include "fuzz_support.hpp"
#include "xl_config_reader.hpp"
#include "xl_config_writer.hpp"

#include <phi/error.hpp>
#include <phi/oci_spec.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include <fuzzer/FuzzedDataProvider.h>
#include <json/writer.h>

#include <map>
#include <set>

namespace {

using phi::fuzz::require;
using phi::fuzz::XlSetting;
using phi::fuzz::XlValue;

std::string macFrom(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) return in.ConsumeRandomLengthString(40);
  static const char* hex = "0123456789abcdef";
  std::string mac = "00:16:3e";
  for (int i = 0; i < 3; ++i) {
    auto b = in.ConsumeIntegral<std::uint8_t>();
    mac += std::string(":") + hex[b >> 4] + hex[b & 15];
  }
  return mac;
}

// "a, b ,c" -> {"a", "b", "c"}: how xl splits a device spec string.
std::vector<std::string> specParts(const std::string& spec) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = spec.find(',', start);
    std::string part = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t b = part.find_first_not_of(" \t"), e = part.find_last_not_of(" \t");
    parts.push_back(b == std::string::npos ? "" : part.substr(b, e - b + 1));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

const XlValue& single(const std::map<std::string, XlSetting>& keys, const std::string& key, XlValue::Kind kind,
                      const std::string& cfg) {
  auto it = keys.find(key);
  require(it != keys.end(), "key " + key + " is present", cfg);
  require(it->second.value.kind == kind, "key " + key + " has the documented type", cfg);
  return it->second.value;
}

void requireString(const std::map<std::string, XlSetting>& keys, const std::string& key, const std::string& want,
                   const std::string& cfg) {
  require(single(keys, key, XlValue::Kind::String, cfg).text == want, key + " reads back as written", cfg);
}

const std::string& onlyListItem(const std::map<std::string, XlSetting>& keys, const std::string& key,
                                const std::string& cfg) {
  const XlValue& v = single(keys, key, XlValue::Kind::List, cfg);
  require(v.items.size() == 1 && v.items[0].kind == XlValue::Kind::String, key + " is a list of one string", cfg);
  return v.items[0].text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  auto str = [&] { return in.ConsumeRandomLengthString(200); };

  // The platform's "xen" section, read by the driver's own parser.
  Json::Value section(Json::objectValue);
  section["guest_type"] = in.ConsumeBool() ? "pvh" : "pv";
  section["kernel_cmdline"] = str();
  section["vif"] = in.ConsumeBool();
  section["bridge"] = str();
  if (in.ConsumeBool()) section["gic_version"] = str();
  if (in.ConsumeBool()) section["lvm_volume_group"] = str();
  section["min_guest_memory_mib"] = in.ConsumeIntegralInRange<unsigned>(0, 256);

  phi::ZicConfig zic;
  zic.setOs(in.PickValueInArray({phi::GuestOs::Zephyr, phi::GuestOs::BareMetal, phi::GuestOs::Linux}));
  zic.setNet(in.ConsumeBool() ? phi::NetMode::Virtual : phi::NetMode::None);
  phi::OciSpec spec;
  std::vector<std::string> args;
  for (int n = in.ConsumeIntegralInRange(0, 6); n > 0; --n) args.push_back(str());
  spec.setArgs(args);
  phi::Allocation allocation;
  std::vector<int> cpuIds;
  for (int n = in.ConsumeIntegralInRange(0, 8); n > 0; --n) cpuIds.push_back(in.ConsumeIntegralInRange(0, 255));
  allocation.setCpus(cpuIds);
  std::uint64_t mib = in.ConsumeIntegralInRange<std::uint64_t>(0, 1u << 20);
  allocation.setMemory(
      {{0x40000000, mib * 1024 * 1024 + (in.ConsumeBool() ? 0 : in.ConsumeIntegral<std::uint16_t>())}});
  allocation.setMacAddress(macFrom(in));
  phi::PlatformTemplate platform;
  platform.setName("fuzz-board");

  phi::PartitionContext ctx;
  ctx.setContainerId(str()).setPartitionName(str()).setSpec(spec).setZic(zic).setPlatform(platform).setAllocation(
      allocation);
  phi::xen::XlGuestFiles files;
  files.kernel = str();
  if (in.ConsumeBool()) files.ramdisk = str();
  if (in.ConsumeBool()) files.diskTarget = str();

  phi::xen::XenSettings settings;
  std::string cfg;
  try {
    settings = phi::xen::parseXenSettings(Json::writeString(Json::StreamWriterBuilder(), section), "platform.json");
    cfg = phi::xen::XlConfigWriter(settings).write(ctx, files);
  } catch (const phi::Error&) {
    return 0;
  }

  std::vector<XlSetting> parsed;
  try {
    parsed = phi::fuzz::readXlConfig(cfg);
  } catch (const phi::fuzz::XlSyntaxError& e) {
    phi::fuzz::violated(std::string("the writer's output is valid xl syntax: ") + e.what(), cfg);
  }
  static const std::set<std::string> documented = {"name",   "type",        "kernel",      "ramdisk",  "extra",
                                                   "memory", "maxmem",      "vcpus",       "cpus",     "disk",
                                                   "vif",    "gic_version", "on_poweroff", "on_crash", "on_reboot"};
  std::map<std::string, XlSetting> keys;
  for (const XlSetting& s : parsed) {
    require(documented.count(s.key) == 1, "only documented keys: " + s.key, cfg);
    require(!s.append, "no += in a generated file", cfg);
    require(keys.emplace(s.key, s).second, "each key once: " + s.key, cfg);
  }

  requireString(keys, "name", ctx.partitionName(), cfg);
  requireString(keys, "type", settings.guestType, cfg);
  requireString(keys, "kernel", files.kernel, cfg);
  require(keys.count("ramdisk") == (files.ramdisk.empty() ? 0u : 1u), "ramdisk only when there is one", cfg);
  if (!files.ramdisk.empty()) requireString(keys, "ramdisk", files.ramdisk, cfg);
  std::string extra = settings.kernelCmdline + (files.diskTarget.empty() ? "" : " root=/dev/xvda");
  if (zic.os() == phi::GuestOs::Linux) {
    for (const std::string& a : spec.args()) extra += " " + a;
  }
  requireString(keys, "extra", extra, cfg);
  std::string m = std::to_string(allocation.memory()[0].size / (1024 * 1024));
  require(single(keys, "memory", XlValue::Kind::Number, cfg).text == m, "memory in MiB", cfg);
  require(single(keys, "maxmem", XlValue::Kind::Number, cfg).text == m, "maxmem in MiB", cfg);
  require(single(keys, "vcpus", XlValue::Kind::Number, cfg).text == std::to_string(allocation.cpus().size()),
          "vcpus counts the CPUs", cfg);
  std::string cpus;
  for (int c : allocation.cpus()) cpus += (cpus.empty() ? "" : ",") + std::to_string(c);
  requireString(keys, "cpus", cpus, cfg);

  require(keys.count("disk") == (files.diskTarget.empty() ? 0u : 1u), "disk only with a disk target", cfg);
  if (!files.diskTarget.empty()) {
    // xl-disk-configuration(5): target= comes last and takes the rest, commas included.
    const std::string& disk = onlyListItem(keys, "disk", cfg);
    const std::string head = "format=raw, vdev=xvda, access=rw, target=";
    require(disk.compare(0, head.size(), head) == 0 && disk.substr(head.size()) == files.diskTarget,
            "the disk spec's target is the disk target, last", cfg);
  }
  bool net = zic.net() == phi::NetMode::Virtual;
  require(keys.count("vif") == (net ? 1u : 0u), "vif only with a network", cfg);
  if (net) {
    std::vector<std::string> parts = specParts(onlyListItem(keys, "vif", cfg));
    require(
        parts.size() == 2 && parts[0] == "mac=" + allocation.macAddress() && parts[1] == "bridge=" + settings.bridge,
        "the vif spec holds exactly mac= and bridge=", cfg);
  }
  require(keys.count("gic_version") == (settings.gicVersion.empty() ? 0u : 1u), "gic_version only when set", cfg);
  if (!settings.gicVersion.empty()) requireString(keys, "gic_version", settings.gicVersion, cfg);
  requireString(keys, "on_poweroff", "preserve", cfg);
  requireString(keys, "on_crash", "preserve", cfg);
  requireString(keys, "on_reboot", "destroy", cfg);
  return 0;
}
