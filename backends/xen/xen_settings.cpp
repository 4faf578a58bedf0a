#include "xen_settings.hpp"

#include <phi/error.hpp>

#include <json/reader.h>

#include <memory>

namespace phi::xen {

XenSettings parseXenSettings(const std::string& json, const std::string& origin) {
  XenSettings s;
  Json::Value v;
  Json::CharReaderBuilder builder;
  std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
  std::string errors;
  if (!reader->parse(json.data(), json.data() + json.size(), &v, &errors) || !v.isObject()) {
    throw Error(ErrorCode::ParseError, origin + ": \"xen\" section is not a JSON object");
  }
  auto str = [&](const char* key, std::string& out) {
    if (!v.isMember(key)) return;
    if (!v[key].isString()) throw Error(ErrorCode::InvalidArgument, origin + ": \"xen." + key + "\" must be a string");
    out = v[key].asString();
  };
  str("xl_path", s.xlPath);
  str("guest_type", s.guestType);
  str("kernel_cmdline", s.kernelCmdline);
  str("bridge", s.bridge);
  str("gic_version", s.gicVersion);
  str("lvm_volume_group", s.lvmVolumeGroup);
  str("console_log_dir", s.consoleLogDir);
  if (v.isMember("vif")) {
    if (!v["vif"].isBool()) throw Error(ErrorCode::InvalidArgument, origin + ": \"xen.vif\" must be true or false");
    s.vif = v["vif"].asBool();
  }
  if (v.isMember("min_guest_memory_mib")) {
    if (!v["min_guest_memory_mib"].isUInt()) {
      throw Error(ErrorCode::InvalidArgument, origin + ": \"xen.min_guest_memory_mib\" must be a positive integer");
    }
    s.minGuestMemoryMiB = v["min_guest_memory_mib"].asUInt();
  }
  if (v.isMember("shutdown_timeout_seconds")) {
    if (!v["shutdown_timeout_seconds"].isInt() || v["shutdown_timeout_seconds"].asInt() <= 0) {
      throw Error(ErrorCode::InvalidArgument, origin + ": \"xen.shutdown_timeout_seconds\" must be a positive integer");
    }
    s.shutdownTimeoutSeconds = v["shutdown_timeout_seconds"].asInt();
  }
  if (s.guestType != "pv" && s.guestType != "pvh") {
    throw Error(ErrorCode::InvalidArgument,
                origin + ": \"xen.guest_type\" is \"" + s.guestType + "\"; expected pv or pvh");
  }
  return s;
}

}  // namespace phi::xen
