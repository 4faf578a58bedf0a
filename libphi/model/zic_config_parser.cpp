// The ZIC image configuration (<rootfs>/boot/config.json): every field of
// runPHI's format, read strictly. docs/zic-config.md is the user-facing
// description of the rules enforced here; keep the two in step.
//
// Error codes: malformed JSON, a non-object top level and a field of the wrong
// JSON type are ParseError; a well-typed field with a bad value, an unknown
// key, a missing os_var and a cross-field conflict are InvalidArgument. Every
// message starts with the origin, then names the field ("os_var") and shows
// the offending value as JSON.
#include <phi/error.hpp>
#include <phi/routing.hpp>
#include <phi/zic_config.hpp>

#include "sdk/rootfs_path.hpp"
#include "toolkit/hex.hpp"
#include "toolkit/json.hpp"
#include "toolkit/system_error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json/value.h>

#include <array>
#include <cerrno>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace phi {
inline namespace v1 {

namespace {

constexpr std::uint64_t kPageSize = 0x1000;
// memory and disk_size are MiB; a larger value would overflow a byte count.
constexpr std::uint64_t kMaxMiB = std::numeric_limits<std::uint64_t>::max() >> 20;
// A ZIC config is a few hundred bytes; refuse to slurp anything huge.
constexpr std::size_t kMaxConfigBytes = std::size_t{1024} * 1024;

constexpr std::array<std::string_view, 3> kOsValues = {"zephyr", "baremetal", "linux"};
constexpr std::array<std::string_view, 4> kNetOff = {"none", "no", "off", "false"};
constexpr std::array<std::string_view, 4> kNetOn = {"virtual", "yes", "on", "true"};

// Every key the format knows, in the order they are checked and documented.
// "initrd" and "netconf" are upstream leftovers: type-checked, then ignored.
constexpr std::array<std::string_view, 15> kKnownKeys = {
    "os_var",  "inmate", "starting_vaddress", "net",        "rpu_req",   "kernel", "dtb",    "cpio",
    "ramdisk", "memory", "disk_type",         "disk_image", "disk_size", "initrd", "netconf"};

// A value as it would appear in JSON, shortened for messages.
std::string shown(const Json::Value& value) {
  return shownJson(value, 120);
}

std::string shownString(const std::string& s) {
  return shown(Json::Value(s));
}

template <std::size_t N>
std::string listOf(const std::array<std::string_view, N>& values) {
  std::string out;
  for (std::string_view v : values) {
    if (!out.empty()) out += ", ";
    out += "\"";
    out += v;
    out += "\"";
  }
  return out;
}

template <std::size_t N>
bool oneOf(const std::array<std::string_view, N>& values, const std::string& s) {
  for (std::string_view v : values) {
    if (v == s) return true;
  }
  return false;
}

class ZicParser {
 public:
  ZicParser(const Json::Value& root, const std::string& origin) : root_(root), origin_(origin) {}

  ZicConfig parse() {
    rejectUnknownKeys();
    ZicConfig config;
    readOs(config);
    if (auto s = optionalPath("inmate")) config.setInmate(*s);
    readStartingVaddress(config);
    readNet(config);
    if (has("rpu_req")) config.setRpuReq(boolean("rpu_req"));
    if (auto s = optionalPath("kernel")) config.setKernel(*s);
    if (auto s = optionalPath("dtb")) config.setDtb(*s);
    if (auto s = optionalPath("cpio")) config.setCpio(*s);
    if (auto s = optionalPath("ramdisk")) config.setRamdisk(*s);
    if (has("memory")) config.setMemoryMiB(mebibytes("memory"));
    readDiskType(config);
    if (auto s = optionalPath("disk_image")) config.setDiskImage(*s);
    if (has("disk_size")) config.setDiskSizeMiB(mebibytes("disk_size"));
    if (has("initrd")) (void)string("initrd");    // upstream, unused
    if (has("netconf")) (void)string("netconf");  // upstream, unused
    checkCrossFields(config);
    return config;
  }

 private:
  [[noreturn]] void typeError(const std::string& field, const std::string& expected) const {
    throw Error(ErrorCode::ParseError,
                origin_ + ": \"" + field + "\": expected " + expected + ", got " + shown(root_[field]));
  }

  // `what` follows the field, e.g. `"memory": 0 must be greater than 0`.
  [[noreturn]] void invalid(const std::string& field, const std::string& what) const {
    throw Error(ErrorCode::InvalidArgument, origin_ + ": \"" + field + "\": " + what);
  }

  bool has(const char* field) const { return root_.isMember(field); }

  void rejectUnknownKeys() const {
    for (const std::string& key : root_.getMemberNames()) {
      bool known = false;
      for (std::string_view k : kKnownKeys) known = known || k == key;
      if (!known) {
        std::string name = shownString(key);  // the key itself may hold quotes or control bytes
        throw Error(ErrorCode::InvalidArgument, origin_ + ": " + name + ": unknown key (value " + shown(root_[key]) +
                                                    "); known keys: " + listOf(kKnownKeys));
      }
    }
  }

  std::string string(const char* field) const {
    const Json::Value& v = root_[field];
    if (!v.isString()) typeError(field, "a string");
    return v.asString();
  }

  bool boolean(const char* field) const {
    const Json::Value& v = root_[field];
    if (!v.isBool()) typeError(field, "true or false");
    return v.asBool();
  }

  // A JSON integer literal >= 0 (not 512.0, not 1e3, not "512"), > 0, and
  // small enough that the size in bytes fits 64 bits.
  std::uint64_t mebibytes(const char* field) const {
    const Json::Value& v = root_[field];
    std::uint64_t n = 0;
    if (v.type() == Json::uintValue) {
      n = v.asUInt64();
    } else if (v.type() == Json::intValue && v.asInt64() >= 0) {
      n = static_cast<std::uint64_t>(v.asInt64());
    } else {
      typeError(field, "an unsigned integer (MiB)");
    }
    if (n == 0) invalid(field, "0 must be greater than 0 (MiB); leave the key out for the default");
    if (n > kMaxMiB) invalid(field, shown(v) + " is too large (at most " + std::to_string(kMaxMiB) + " MiB)");
    return n;
  }

  // A rootfs path: non-empty, no NUL. "boot/x" and "/boot/x" both name
  // <rootfs>/boot/x; the relative form is stored with a leading "/".
  std::optional<std::string> optionalPath(const char* field) const {
    if (!has(field)) return std::nullopt;
    std::string s = string(field);
    if (s.empty()) invalid(field, "\"\" must not be empty (a path inside the rootfs, e.g. \"/boot/x\")");
    if (s.find('\0') != std::string::npos) invalid(field, shownString(s) + " contains a NUL byte");
    if (s.front() != '/') s.insert(s.begin(), '/');
    return s;
  }

  void readOs(ZicConfig& config) const {
    if (!has("os_var")) {
      throw Error(ErrorCode::InvalidArgument, origin_ + ": \"os_var\" is required (one of " + listOf(kOsValues) + ")");
    }
    std::string os = string("os_var");
    if (os == "zephyr") {
      config.setOs(GuestOs::Zephyr);
    } else if (os == "baremetal") {
      config.setOs(GuestOs::BareMetal);
    } else if (os == "linux") {
      config.setOs(GuestOs::Linux);
    } else {
      invalid("os_var", shownString(os) + " is not one of " + listOf(kOsValues));
    }
    config.setOsVar(os);
  }

  void readStartingVaddress(ZicConfig& config) const {
    if (!has("starting_vaddress")) return;
    std::string s = string("starting_vaddress");
    std::string v = shownString(s);
    if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
      invalid("starting_vaddress", v + " is not a hexadecimal address \"0x...\"");
    }
    HexNumber parsed = parseHex(s);
    if (parsed.error == HexError::TooWide) invalid("starting_vaddress", v + " does not fit 64 bits");
    if (!parsed) invalid("starting_vaddress", v + " is not a hexadecimal address \"0x...\"");
    std::uint64_t address = parsed.value;
    if (address == 0) invalid("starting_vaddress", v + " must not be zero; leave the key out instead");
    if (address % kPageSize != 0) invalid("starting_vaddress", v + " is not aligned to a 4 KiB page (0x1000)");
    config.setStartingVaddress(address);
  }

  void readNet(ZicConfig& config) const {
    if (!has("net")) return;
    std::string s = string("net");
    if (oneOf(kNetOff, s)) {
      config.setNet(NetMode::None);
    } else if (oneOf(kNetOn, s)) {
      config.setNet(NetMode::Virtual);
    } else {
      invalid("net", shownString(s) + " is neither off (" + listOf(kNetOff) + ") nor on (" + listOf(kNetOn) + ")");
    }
  }

  void readDiskType(ZicConfig& config) const {
    if (!has("disk_type")) return;
    std::string s = string("disk_type");
    if (s.empty()) {
      config.setDiskType(DiskType::None);
    } else if (s == "file") {
      config.setDiskType(DiskType::File);
    } else if (s == "lvm") {
      config.setDiskType(DiskType::Lvm);
    } else {
      invalid("disk_type", shownString(s) + " is not one of \"file\", \"lvm\" (or \"\" for no disk)");
    }
  }

  void checkCrossFields(const ZicConfig& c) const {
    const bool isLinux = c.os() == GuestOs::Linux;
    const std::string os = "\"os_var\": " + shownString(c.osVar());
    auto linuxOnly = [&](const char* field, const std::string& value) {
      if (has(field) && !isLinux) {
        invalid(field, shownString(value) + " is only valid with \"os_var\": \"linux\", not with " + os);
      }
    };
    linuxOnly("kernel", c.kernel());
    linuxOnly("dtb", c.dtb());
    linuxOnly("cpio", c.cpio());
    linuxOnly("ramdisk", c.ramdisk());
    if (c.rpuReq() && isLinux) {
      invalid("rpu_req",
              "true is only valid with a bare-metal \"os_var\" (\"zephyr\" or \"baremetal\"), not with " + os);
    }

    std::string diskType = has("disk_type") ? "\"disk_type\" is " + shownString(root_["disk_type"].asString())
                                            : "there is no \"disk_type\"";
    if (c.diskType() == DiskType::File && !has("disk_image")) {
      invalid("disk_type", "\"file\" requires \"disk_image\" (the image file inside the rootfs)");
    }
    if (has("disk_image") && c.diskType() != DiskType::File) {
      invalid("disk_image", shownString(c.diskImage()) + " requires \"disk_type\": \"file\", but " + diskType);
    }
    if (has("disk_size") && c.diskType() != DiskType::Lvm) {
      invalid("disk_size", std::to_string(c.diskSizeMiB()) + " requires \"disk_type\": \"lvm\", but " + diskType);
    }
  }

  const Json::Value& root_;
  const std::string& origin_;
};

}  // namespace

ZicConfig parseZicConfig(const std::string& json, const std::string& origin) {
  Json::Value root = parseJson(json, origin, DuplicateKeys::Reject);
  if (!root.isObject()) {
    throw Error(ErrorCode::ParseError, origin + ": top level must be a JSON object, got " + shown(root));
  }
  return ZicParser(root, origin).parse();
}

ZicConfig loadZicConfig(const std::string& rootfs) {
  std::string origin = rootfs;
  while (origin.size() > 1 && origin.back() == '/') origin.pop_back();
  origin += origin == "/" ? kZicConfigPath : std::string("/") + kZicConfigPath;

  // Resolved with the rootfs as "/": a symlinked boot/ or config.json, "..",
  // absolute or relative, never leaves the rootfs.
  return parseZicConfig(readFileInRootfs(rootfs, kZicConfigPath, kMaxConfigBytes, origin), origin);
}

}  // namespace v1
}  // namespace phi
