#include "xen_settings.hpp"

#include <phi/error.hpp>

#include "toolkit/json.hpp"

namespace phi::xen {

XenSettings parseXenSettings(const std::string& json, const std::string& origin) {
  Json::Value v = parseJson(json, origin);
  if (!v.isObject()) throw Error(ErrorCode::ParseError, origin + ": \"xen\" section is not a JSON object");
  JsonObject x(v, origin, "xen");
  XenSettings s;
  s.xlPath = x.string("xl_path", s.xlPath);
  s.guestType = x.string("guest_type", s.guestType);
  s.kernelCmdline = x.string("kernel_cmdline", s.kernelCmdline);
  s.bridge = x.string("bridge", s.bridge);
  s.gicVersion = x.string("gic_version", s.gicVersion);
  s.lvmVolumeGroup = x.string("lvm_volume_group", s.lvmVolumeGroup);
  s.consoleLogDir = x.string("console_log_dir", s.consoleLogDir);
  s.vif = x.boolean("vif", s.vif);
  s.minGuestMemoryMiB = static_cast<unsigned>(x.number("min_guest_memory_mib", 32, s.minGuestMemoryMiB));
  if (x.has("shutdown_timeout_seconds")) {
    std::uint64_t t = x.number("shutdown_timeout_seconds", 31);
    if (t == 0) x.fail("shutdown_timeout_seconds", "must be a positive integer");
    s.shutdownTimeoutSeconds = static_cast<int>(t);
  }
  if (s.guestType != "pv" && s.guestType != "pvh") {
    x.fail("guest_type", "is \"" + s.guestType + "\"; expected pv or pvh");
  }
  // Other keys document the board (dom0, machine) and are not read.
  return s;
}

}  // namespace phi::xen
