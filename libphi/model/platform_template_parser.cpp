// Platform templates: parsing and validation of platform-templates/*.json.
// The schema and every rule are documented in docs/platform-templates.md.
//
// Error codes: malformed JSON, a value of the wrong JSON type and a string
// that is not a valid "0x..." number are ParseError; a missing or unknown key
// and a value that breaks a rule (range, duplicate, overlap, alignment) are
// InvalidArgument. Every message starts with the origin (file) and names the
// key path, e.g. `qemu-arm64.json: "cpus.pool[2]": CPU 7 is out of range 0..3`.
#include <phi/error.hpp>
#include <phi/platform.hpp>

#include "toolkit/hex.hpp"
#include "toolkit/json.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace phi {
inline namespace v1 {

namespace {

constexpr unsigned kMaxCpus = 4096;
constexpr std::uint64_t kMinPageSize = 4096;
constexpr std::uint64_t kMaxPageSize = 1ull << 30;
constexpr int kMaxBdf = 0xffff;
constexpr int kMaxRpu = 63;  // an rCPU set is one u64 bitmap in the Omnivisor cell format
constexpr std::size_t kMaxShownValue = 60;

const char* const kDrivers[] = {"jailhouse", "xen", "test"};
const char* const kArches[] = {"arm64", "x86_64"};

std::string hex(std::uint64_t v) {
  return hexString(v);
}

std::string quoted(const std::string& key) {
  return "\"" + key + "\"";
}

std::string rangeText(const MemoryRange& r) {
  return "[" + hex(r.start) + "-" + hex(r.end()) + ")";
}

// A JSON value as it appears in the file, cut short if long.
std::string shown(const Json::Value& v) {
  return shownJson(v, kMaxShownValue);
}

std::string join(const char* const* first, const char* const* last) {
  std::string out;
  for (const char* const* p = first; p != last; ++p) {
    if (!out.empty()) out += ", ";
    out += quoted(*p);
  }
  return out;
}

class Validator {
 public:
  explicit Validator(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(ErrorCode code, const std::string& message) const {
    throw Error(code, origin_ + ": " + message);
  }
  // `"key": why`, a rule broken by the value.
  [[noreturn]] void invalid(const std::string& key, const std::string& why) const {
    fail(ErrorCode::InvalidArgument, quoted(key) + ": " + why);
  }
  // `"key": must be X, got V`, a value of the wrong JSON type.
  [[noreturn]] void wrongType(const std::string& key, const std::string& expected, const Json::Value& v) const {
    fail(ErrorCode::ParseError, quoted(key) + ": must be " + expected + ", got " + shown(v));
  }

  static std::string child(const std::string& prefix, const std::string& name) {
    return prefix.empty() ? name : prefix + "." + name;
  }
  static std::string index(const std::string& prefix, Json::ArrayIndex i) {
    return prefix + "[" + std::to_string(i) + "]";
  }

  void rejectUnknownKeys(const Json::Value& obj, const std::set<std::string>& known, const std::string& prefix,
                         const std::string& why = "") const {
    for (const std::string& name : obj.getMemberNames()) {
      if (!known.count(name)) fail(ErrorCode::InvalidArgument, "unknown key " + quoted(child(prefix, name)) + why);
    }
  }

  const Json::Value& require(const Json::Value& obj, const char* name, const std::string& prefix,
                             const std::string& why = "") const {
    if (!obj.isMember(name)) fail(ErrorCode::InvalidArgument, "missing key " + quoted(child(prefix, name)) + why);
    return obj[name];
  }

  const Json::Value& object(const Json::Value& v, const std::string& key) const {
    if (!v.isObject()) wrongType(key, "an object", v);
    return v;
  }

  const Json::Value& array(const Json::Value& v, const std::string& key) const {
    if (!v.isArray()) wrongType(key, "an array", v);
    return v;
  }

  std::string string(const Json::Value& v, const std::string& key, bool allowEmpty) const {
    if (!v.isString()) wrongType(key, "a string", v);
    std::string s = v.asString();
    if (s.empty() && !allowEmpty) invalid(key, "must not be empty");
    return s;
  }

  // A JSON integer (not 1.0, not "1") within [lo, hi].
  std::uint64_t integer(const Json::Value& v, const std::string& key, std::uint64_t lo, std::uint64_t hi) const {
    bool isInt = v.type() == Json::intValue || v.type() == Json::uintValue;
    if (!isInt) wrongType(key, "an integer", v);
    if (v.type() == Json::intValue && v.asInt64() < 0) {
      invalid(key, std::to_string(v.asInt64()) + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    std::uint64_t n = v.asUInt64();
    if (n < lo || n > hi) {
      invalid(key, std::to_string(n) + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    return n;
  }

  // An address or a size: a non-negative JSON integer or a "0x..." hex string
  // of at most 64 significant bits. Nothing else (no decimal strings, no
  // signs, no blanks, no floats).
  std::uint64_t number(const Json::Value& v, const std::string& key) const {
    if (v.type() == Json::intValue || v.type() == Json::uintValue) {
      if (v.type() == Json::intValue && v.asInt64() < 0) {
        invalid(key, std::to_string(v.asInt64()) + " is negative");
      }
      return v.asUInt64();
    }
    if (!v.isString()) wrongType(key, "an integer or a hex string \"0x...\"", v);
    const std::string s = v.asString();
    auto bad = [&](const std::string& why) {
      fail(ErrorCode::ParseError, quoted(key) + ": " + shown(v) + " is not a hex string \"0x...\" (" + why + ")");
    };
    HexNumber n = parseHex(s);
    switch (n.error) {
      case HexError::None: break;
      case HexError::NoPrefix: bad("it must start with 0x"); break;
      case HexError::NoDigits: bad("no digits after 0x"); break;
      case HexError::BadDigit: bad("'" + std::string(1, n.badChar) + "' is not a hex digit"); break;
      case HexError::TooWide: bad("more than 64 bits"); break;
    }
    return n.value;
  }

  // A list of small non-negative ids (CPUs, BDFs, RPUs): each a JSON
  // integer in lo..hi, none twice.
  std::vector<int> idList(const Json::Value& v, const std::string& key, int lo, int hi, const char* noun) const {
    array(v, key);
    std::vector<int> out;
    std::map<int, std::string> seen;
    for (Json::ArrayIndex i = 0; i < v.size(); ++i) {
      const std::string k = index(key, i);
      const Json::Value& e = v[i];
      if (e.type() != Json::intValue && e.type() != Json::uintValue) wrongType(k, "an integer", e);
      const std::string rangeText = " is out of range " + std::to_string(lo) + ".." + std::to_string(hi);
      if (e.type() == Json::intValue && (e.asInt64() < lo || e.asInt64() > hi)) {
        invalid(k, std::string(noun) + " " + std::to_string(e.asInt64()) + rangeText);
      }
      if (e.type() == Json::uintValue) invalid(k, std::string(noun) + " " + std::to_string(e.asUInt64()) + rangeText);
      int id = static_cast<int>(e.asInt64());
      auto [it, inserted] = seen.emplace(id, k);
      if (!inserted) {
        invalid(k,
                std::string(noun) + " " + std::to_string(id) + " is listed twice (also at " + quoted(it->second) + ")");
      }
      out.push_back(id);
    }
    return out;
  }

  // {"start": ..., "size": ...}: size > 0, both multiples of `align`, and
  // start + size representable (the end, one past the last byte, must not
  // wrap past 2^64 - 1).
  MemoryRange range(const Json::Value& v, const std::string& key, std::uint64_t align) const {
    object(v, key);
    rejectUnknownKeys(v, {"start", "size"}, key);
    MemoryRange r;
    r.start = number(require(v, "start", key), child(key, "start"));
    r.size = number(require(v, "size", key), child(key, "size"));
    if (r.size == 0) invalid(child(key, "size"), "must not be 0");
    if (r.size > std::numeric_limits<std::uint64_t>::max() - r.start) {
      invalid(key, hex(r.start) + " + " + hex(r.size) + " wraps around the end of the 64-bit address space");
    }
    if (r.start % align != 0) {
      invalid(child(key, "start"), hex(r.start) + " is not aligned to the page size " + hex(align));
    }
    if (r.size % align != 0) {
      invalid(child(key, "size"), hex(r.size) + " is not a multiple of the page size " + hex(align));
    }
    return r;
  }

  // No two ranges of `ranges` (named by `keys`) share a byte; reports the
  // first range that overlaps an earlier one against the first of those.
  // The earlier ranges are disjoint until then, so kept by start each new one
  // needs only the neighbours it reaches (n log n: a pool may be long).
  void noOverlap(const std::vector<MemoryRange>& ranges, const std::vector<std::string>& keys) const {
    std::map<std::uint64_t, std::size_t> earlier;  // start -> index
    for (std::size_t j = 0; j < ranges.size(); ++j) {
      const MemoryRange& b = ranges[j];
      auto it = earlier.upper_bound(b.start);
      if (it != earlier.begin() && ranges[std::prev(it)->second].end() > b.start) --it;
      std::size_t first = ranges.size();
      for (; it != earlier.end() && it->first < b.end(); ++it) first = std::min(first, it->second);
      if (first < ranges.size()) {
        fail(ErrorCode::InvalidArgument, quoted(keys[j]) + " " + rangeText(b) + " overlaps " + quoted(keys[first]) +
                                             " " + rangeText(ranges[first]));
      }
      earlier.emplace(b.start, j);
    }
  }

 private:
  std::string origin_;
};

void parseCpus(const Validator& val, const Json::Value& root, PlatformTemplate& t) {
  const Json::Value& cpus = val.object(val.require(root, "cpus", ""), "cpus");
  val.rejectUnknownKeys(cpus, {"count", "pool"}, "cpus");
  t.setCpuCount(static_cast<unsigned>(val.integer(val.require(cpus, "count", "cpus"), "cpus.count", 1, kMaxCpus)));
  const Json::Value& pool = val.require(cpus, "pool", "cpus");
  t.setCpuPool(val.idList(pool, "cpus.pool", 0, static_cast<int>(t.cpuCount()) - 1, "CPU"));
  if (t.cpuPool().empty()) val.invalid("cpus.pool", "must not be empty");
  if (t.cpuPool().size() == t.cpuCount()) {
    val.invalid("cpus.pool", "takes all " + std::to_string(t.cpuCount()) +
                                 " CPUs; at least one must stay with the host (root cell or dom0)");
  }
}

void parseMemory(const Validator& val, const Json::Value& root, PlatformTemplate& t) {
  const Json::Value& mem = val.object(val.require(root, "memory", ""), "memory");
  val.rejectUnknownKeys(mem, {"page_size", "default_partition_size", "pool"}, "memory");
  if (mem.isMember("page_size")) {
    std::uint64_t p = val.number(mem["page_size"], "memory.page_size");
    if (p < kMinPageSize || p > kMaxPageSize || (p & (p - 1)) != 0) {
      val.invalid("memory.page_size",
                  hex(p) + " is not a power of two in " + hex(kMinPageSize) + ".." + hex(kMaxPageSize));
    }
    t.setPageSize(p);
  }
  const Json::Value& pool = val.array(val.require(mem, "pool", "memory"), "memory.pool");
  if (pool.empty()) val.invalid("memory.pool", "must not be empty");
  std::vector<std::string> keys;
  std::vector<MemoryRange> ranges;
  for (Json::ArrayIndex i = 0; i < pool.size(); ++i) {
    keys.push_back(Validator::index("memory.pool", i));
    ranges.push_back(val.range(pool[i], keys.back(), t.pageSize()));
  }
  val.noOverlap(ranges, keys);
  t.setMemoryPool(ranges);

  if (mem.isMember("default_partition_size")) {
    t.setDefaultMemoryBytes(val.number(mem["default_partition_size"], "memory.default_partition_size"));
  }
  const std::string dk = "memory.default_partition_size";
  if (t.defaultMemoryBytes() == 0) val.invalid(dk, "must not be 0");
  if (t.defaultMemoryBytes() % t.pageSize() != 0) {
    val.invalid(dk, hex(t.defaultMemoryBytes()) + " is not a multiple of the page size " + hex(t.pageSize()));
  }
  std::uint64_t total = 0;
  for (const MemoryRange& r : t.memoryPool()) {
    total = r.size > std::numeric_limits<std::uint64_t>::max() - total ? std::numeric_limits<std::uint64_t>::max()
                                                                       : total + r.size;
  }
  if (t.defaultMemoryBytes() > total) {
    val.invalid(dk, hex(t.defaultMemoryBytes()) + " is larger than the whole memory pool (" + hex(total) + ")");
  }
}

void parseComm(const Validator& val, const Json::Value& root, PlatformTemplate& t) {
  if (!root.isMember("comm")) return;
  const Json::Value& comm = val.object(root["comm"], "comm");
  val.rejectUnknownKeys(comm, {"windows"}, "comm");
  const Json::Value& windows = val.array(val.require(comm, "windows", "comm"), "comm.windows");
  std::vector<MemoryRange> all = t.memoryPool();
  std::vector<MemoryRange> windowRanges;
  std::vector<std::string> keys;
  for (Json::ArrayIndex i = 0; i < t.memoryPool().size(); ++i) keys.push_back(Validator::index("memory.pool", i));
  for (Json::ArrayIndex i = 0; i < windows.size(); ++i) {
    keys.push_back(Validator::index("comm.windows", i));
    MemoryRange r = val.range(windows[i], keys.back(), t.pageSize());
    windowRanges.push_back(r);
    all.push_back(r);
  }
  t.setCommWindows(windowRanges);
  // Memory pool ranges are already known not to overlap each other, so any
  // overlap found here involves a window.
  val.noOverlap(all, keys);
}

void parseTickSource(const Validator& val, const Json::Value& root, PlatformTemplate& t) {
  TickSourceSpec ts;  // monotonic: CLOCK_MONOTONIC in nanoseconds
  t.setTickSource(ts);
  if (!root.isMember("tick_source")) return;
  const std::string k = "tick_source";
  const Json::Value& v = val.object(root["tick_source"], k);
  ts.setKind(val.string(val.require(v, "kind", k), "tick_source.kind", false));
  if (ts.kind() == "monotonic") {
    val.rejectUnknownKeys(v, {"kind"}, k, " (kind \"monotonic\" takes no other key)");
    return;
  }
  const bool mmio = ts.kind() == "mmio-counter";
  if (!mmio && ts.kind() != "arm-generic-timer") {
    val.invalid("tick_source.kind",
                shown(v["kind"]) + " is not one of \"monotonic\", \"mmio-counter\", \"arm-generic-timer\"");
  }
  const std::string needs = " (kind " + quoted(ts.kind()) + " needs it)";
  if (mmio) {
    val.rejectUnknownKeys(v, {"kind", "address", "frequency_hz", "width_bits"}, k);
    ts.setAddress(val.number(val.require(v, "address", k, needs), "tick_source.address"));
  } else {
    val.rejectUnknownKeys(v, {"kind", "frequency_hz", "width_bits"}, k,
                          " (kind \"arm-generic-timer\" takes frequency_hz and width_bits)");
  }
  ts.setFrequencyHz(val.integer(val.require(v, "frequency_hz", k, needs), "tick_source.frequency_hz", 0,
                                std::numeric_limits<std::uint64_t>::max()));
  if (ts.frequencyHz() == 0) val.invalid("tick_source.frequency_hz", "must be greater than 0");
  ts.setWidthBits(64);
  if (v.isMember("width_bits")) {
    const Json::Value& w = v["width_bits"];
    if (w.type() != Json::intValue && w.type() != Json::uintValue)
      val.wrongType("tick_source.width_bits", "an integer", w);
    if (!(w.type() == Json::intValue && (w.asInt64() == 32 || w.asInt64() == 64))) {
      val.invalid("tick_source.width_bits", shown(w) + " is not 32 or 64");
    }
    ts.setWidthBits(static_cast<unsigned>(w.asInt64()));
  }
  if (mmio && ts.address() % (ts.widthBits() / 8) != 0) {
    val.invalid("tick_source.address",
                hex(ts.address()) + " is not aligned to the " + std::to_string(ts.widthBits() / 8) + "-byte counter");
  }
  t.setTickSource(ts);
}

PlatformTemplate fromJson(const Json::Value& root, const std::string& origin) {
  Validator val(origin);
  if (!root.isObject()) val.fail(ErrorCode::ParseError, "the top level must be a JSON object, got " + shown(root));
  val.rejectUnknownKeys(root,
                        {"name", "description", "driver", "dialect", "arch", "cpus", "memory", "pci", "comm", "rpus",
                         "tick_source", "jailhouse", "xen", "test"},
                        "");

  PlatformTemplate t;
  t.setName(val.string(val.require(root, "name", ""), "name", false));
  for (char c : t.name()) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) val.invalid("name", shown(root["name"]) + " may hold only letters, digits, '-', '_' and '.'");
  }
  if (root.isMember("description")) t.setDescription(val.string(root["description"], "description", true));

  t.setDriver(val.string(val.require(root, "driver", ""), "driver", false));
  bool knownDriver = false;
  for (const char* d : kDrivers) knownDriver = knownDriver || t.driver() == d;
  if (!knownDriver) {
    val.invalid("driver", shown(root["driver"]) + " is not one of " + join(std::begin(kDrivers), std::end(kDrivers)));
  }
  t.setDialect(val.string(val.require(root, "dialect", ""), "dialect", false));
  t.setArch(val.string(val.require(root, "arch", ""), "arch", false));
  bool knownArch = false;
  for (const char* a : kArches) knownArch = knownArch || t.arch() == a;
  if (!knownArch) {
    val.invalid("arch", shown(root["arch"]) + " is not one of " + join(std::begin(kArches), std::end(kArches)));
  }

  parseCpus(val, root, t);
  parseMemory(val, root, t);

  if (root.isMember("pci")) {
    const Json::Value& pci = val.object(root["pci"], "pci");
    val.rejectUnknownKeys(pci, {"ivshmem_bdfs"}, "pci");
    t.setPciBdfPool(val.idList(val.require(pci, "ivshmem_bdfs", "pci"), "pci.ivshmem_bdfs", 0, kMaxBdf, "BDF"));
  }
  parseComm(val, root, t);
  if (root.isMember("rpus")) t.setRpuPool(val.idList(root["rpus"], "rpus", 0, kMaxRpu, "RPU"));
  parseTickSource(val, root, t);

  // Exactly the driver's own section; another driver's section is a mistake
  // (a template copied from another board), not something to ignore.
  for (const char* d : kDrivers) {
    if (t.driver() != d && root.isMember(d)) {
      val.fail(ErrorCode::InvalidArgument, "key " + quoted(d) + " is the section of driver " + quoted(d) +
                                               ", but \"driver\" is " + quoted(t.driver()));
    }
  }
  if (root.isMember(t.driver())) {
    t.setDriverSettingsJson(toCompactJson(val.object(root[t.driver()], t.driver())));
  } else if (t.driver() == "test") {
    t.setDriverSettingsJson("{}");
  } else {
    val.fail(ErrorCode::InvalidArgument,
             "missing key " + quoted(t.driver()) + " (driver " + quoted(t.driver()) + " needs its own section)");
  }
  return t;
}

}  // namespace

PlatformTemplate parsePlatformTemplate(const std::string& json, const std::string& origin) {
  return fromJson(parseJson(json, origin, DuplicateKeys::Reject), origin);
}

PlatformTemplate loadPlatformTemplate(const std::string& path) {
  PlatformTemplate t = fromJson(readJsonFile(path, DuplicateKeys::Reject), path);
  t.setSourcePath(path);
  return t;
}

}  // namespace v1
}  // namespace phi
