// The part of an OCI bundle's config.json runphi uses.
//
// The file is runc's input, so it is read the way runc reads it (Go's
// encoding/json into the runtime-spec structs), and no bundle runc accepts is
// refused for a reason runc would not give:
//   - duplicate keys: the last one wins (DuplicateKeys::LastWins);
//   - object keys match struct fields case-insensitively ("Root", "PATH"),
//     an exact match preferred, with Go's two non-ASCII folds (U+212A KELVIN
//     SIGN = 'k', U+017F LONG S = 's');
//   - null anywhere means "absent" (Go leaves the zero value); a null inside a
//     string array or as an annotation value is "";
//   - every field not listed in oci_spec.hpp is ignored, whatever its type.
// What Go rejects is rejected, naming the dotted field:
// a wrong JSON type, a non-integer (1.0, 1e3) or out-of-range number for an
// integer field. On top of that, what the runtime-spec marks MUST: root.path
// present and non-empty, a hook's path present and absolute, a hook's timeout
// greater than zero. Paths holding a NUL byte are refused too: they cannot be
// passed to the kernel.
//
// Error codes: malformed JSON and a wrong type are ParseError; a missing or
// invalid value is InvalidArgument.
#include <phi/error.hpp>
#include <phi/oci_spec.hpp>

#include "toolkit/json.hpp"

#include <json/value.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace phi {
inline namespace v1 {

namespace {

// The sum of a partitioned container's annotation keys and values
// (Kubernetes' own limit for an object's annotations).
constexpr std::size_t kMaxAnnotationBytes = std::size_t{256} << 10;

std::string shown(const Json::Value& value) {
  return shownJson(value, 120);
}

char asciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Go's encoding/json key matching (bytes.EqualFold against an ASCII field
// name): ASCII case folding plus the two non-ASCII runes that fold to ASCII.
bool foldEqual(std::string_view key, std::string_view field) {
  std::size_t i = 0;
  for (char f : field) {
    char lf = asciiLower(f);
    if (i < key.size() && asciiLower(key[i]) == lf) {
      ++i;
    } else if (lf == 'k' && key.substr(i, 3) == "\xE2\x84\xAA") {
      i += 3;
    } else if (lf == 's' && key.substr(i, 2) == "\xC5\xBF") {
      i += 2;
    } else {
      return false;
    }
  }
  return i == key.size();
}

// The member `field` of object `obj` as Go would find it, or nullptr when it
// is absent or null.
const Json::Value* member(const Json::Value& obj, std::string_view field) {
  if (const Json::Value* exact = obj.find(field.data(), field.data() + field.size())) {
    return exact->isNull() ? nullptr : exact;
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (foldEqual(it.name(), field)) return it->isNull() ? nullptr : &*it;
  }
  return nullptr;
}

class OciParser {
 public:
  explicit OciParser(const std::string& origin) : origin_(origin) {}

  [[noreturn]] void typeError(const std::string& path, const char* expected, const Json::Value& got) const {
    throw Error(ErrorCode::ParseError, origin_ + ": \"" + path + "\": expected " + expected + ", got " + shown(got));
  }

  [[noreturn]] void invalid(const std::string& path, const std::string& what) const {
    throw Error(ErrorCode::InvalidArgument, origin_ + ": \"" + path + "\": " + what);
  }

  // The object at parent.field, nullptr when absent/null.
  const Json::Value* object(const Json::Value& parent, std::string_view field, const std::string& path) const {
    const Json::Value* v = member(parent, field);
    if (v && !v->isObject()) typeError(path, "an object", *v);
    return v;
  }

  std::optional<std::string> string(const Json::Value& parent, std::string_view field, const std::string& path) const {
    const Json::Value* v = member(parent, field);
    if (!v) return std::nullopt;
    if (!v->isString()) typeError(path, "a string", *v);
    return v->asString();
  }

  std::vector<std::string> stringArray(const Json::Value& parent, std::string_view field,
                                       const std::string& path) const {
    std::vector<std::string> out;
    const Json::Value* v = member(parent, field);
    if (!v) return out;
    if (!v->isArray()) typeError(path, "an array of strings", *v);
    out.reserve(v->size());
    for (Json::ArrayIndex i = 0; i < v->size(); ++i) {
      const Json::Value& item = (*v)[i];
      if (item.isNull()) {
        out.emplace_back();
      } else if (item.isString()) {
        out.push_back(item.asString());
      } else {
        typeError(path + "[" + std::to_string(i) + "]", "a string", item);
      }
    }
    return out;
  }

  // An integer literal (Go refuses 1.0 and 1e3 for integer fields).
  std::optional<std::int64_t> int64(const Json::Value& parent, std::string_view field, const std::string& path) const {
    const Json::Value* v = member(parent, field);
    if (!v) return std::nullopt;
    if (v->type() == Json::intValue) return v->asInt64();
    if (v->type() == Json::uintValue) invalid(path, shown(*v) + " is out of range for a 64-bit signed integer");
    typeError(path, "an integer", *v);
  }

  std::optional<std::uint64_t> uint64(const Json::Value& parent, std::string_view field,
                                      const std::string& path) const {
    const Json::Value* v = member(parent, field);
    if (!v) return std::nullopt;
    if (v->type() == Json::uintValue) return v->asUInt64();
    if (v->type() == Json::intValue && v->asInt64() >= 0) return static_cast<std::uint64_t>(v->asInt64());
    typeError(path, "an unsigned integer", *v);
  }

  void noNul(const std::string& path, const std::string& value) const {
    if (value.find('\0') != std::string::npos) invalid(path, shown(Json::Value(value)) + " contains a NUL byte");
  }

  std::vector<OciHook> hooks(const Json::Value& parent, std::string_view field, const std::string& path) const {
    std::vector<OciHook> out;
    const Json::Value* v = member(parent, field);
    if (!v) return out;
    if (!v->isArray()) typeError(path, "an array of hooks", *v);
    for (Json::ArrayIndex i = 0; i < v->size(); ++i) {
      std::string at = path + "[" + std::to_string(i) + "]";
      const Json::Value& item = (*v)[i];
      if (!item.isNull() && !item.isObject()) typeError(at, "an object", item);
      static const Json::Value kEmpty(Json::objectValue);
      const Json::Value& h = item.isNull() ? kEmpty : item;  // Go: a null hook is a zero hook
      std::string hookPath = string(h, "path", at + ".path").value_or("");
      if (hookPath.empty()) invalid(at + ".path", "is required (an absolute path)");
      noNul(at + ".path", hookPath);
      if (hookPath.front() != '/') invalid(at + ".path", shown(Json::Value(hookPath)) + " is not an absolute path");
      OciHook hook(hookPath);
      hook.setArgs(stringArray(h, "args", at + ".args"));
      hook.setEnv(stringArray(h, "env", at + ".env"));
      if (auto t = int64(h, "timeout", at + ".timeout")) {
        if (*t <= 0) invalid(at + ".timeout", std::to_string(*t) + " must be greater than 0 (seconds)");
        if (*t > INT_MAX)
          invalid(at + ".timeout", std::to_string(*t) + " is too large (at most " + std::to_string(INT_MAX) + ")");
        hook.setTimeoutSeconds(static_cast<int>(*t));
      }
      out.push_back(std::move(hook));
    }
    return out;
  }

 private:
  const std::string& origin_;
};

// root.path against the bundle, absolute and lexically normal (runc:
// filepath.Join(bundle, root.path)). A relative bundle is taken from the
// current directory.
std::string resolveRootfs(const std::string& rootPath, const std::string& bundleDir, const std::string& origin) {
  namespace fs = std::filesystem;
  fs::path p(rootPath);
  if (!p.is_absolute()) {
    fs::path bundle(bundleDir.empty() ? "." : bundleDir);
    if (!bundle.is_absolute()) {
      std::error_code ec;
      fs::path cwd = fs::current_path(ec);
      if (ec)
        throw Error(ErrorCode::IoError,
                    origin + ": cannot resolve root.path against the current directory: " + ec.message());
      bundle = cwd / bundle;
    }
    p = bundle / p;
  }
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

OciSpec fromJson(const Json::Value& root, const std::string& origin, const std::string& bundleDir) {
  OciParser p(origin);
  if (!root.isObject()) {
    throw Error(ErrorCode::ParseError, origin + ": top level must be a JSON object, got " + shown(root));
  }
  OciSpec spec;
  spec.setOciVersion(p.string(root, "ociVersion", "ociVersion").value_or(""));

  const Json::Value* rootObj = p.object(root, "root", "root");
  std::string rootPath = rootObj ? p.string(*rootObj, "path", "root.path").value_or("") : "";
  if (rootPath.empty())
    p.invalid("root.path", "is required (the container's rootfs, absolute or relative to the bundle)");
  p.noNul("root.path", rootPath);
  spec.setRootPath(rootPath);
  spec.setRootfs(resolveRootfs(rootPath, bundleDir, origin));

  if (const Json::Value* annotations = p.object(root, "annotations", "annotations")) {
    std::map<std::string, std::string> values;
    for (auto it = annotations->begin(); it != annotations->end(); ++it) {
      std::string key = it.name();
      if (it->isNull()) {
        values[key] = "";
      } else if (it->isString()) {
        values[key] = it->asString();
      } else {
        p.typeError("annotations." + key, "a string", *it);
      }
    }
    // Kept in state.json, read by every later call, shown by state: a
    // partitioned container's annotations are bounded as Kubernetes bounds them.
    std::size_t total = 0;
    for (const auto& [k, v] : values) total += k.size() + v.size();
    if (total > kMaxAnnotationBytes) {
      p.invalid("annotations", "hold " + std::to_string(total) + " bytes, at most " +
                                   std::to_string(kMaxAnnotationBytes) + " for a partitioned container");
    }
    spec.setAnnotations(std::move(values));
  }

  if (const Json::Value* process = p.object(root, "process", "process")) {
    spec.setArgs(p.stringArray(*process, "args", "process.args"));
    spec.setEnv(p.stringArray(*process, "env", "process.env"));
  }

  if (const Json::Value* linuxObj = p.object(root, "linux", "linux")) {
    if (const Json::Value* resources = p.object(*linuxObj, "resources", "linux.resources")) {
      if (const Json::Value* cpu = p.object(*resources, "cpu", "linux.resources.cpu")) {
        spec.setCpuQuota(p.int64(*cpu, "quota", "linux.resources.cpu.quota"));
        spec.setCpuPeriod(p.uint64(*cpu, "period", "linux.resources.cpu.period"));
        spec.setCpusetCpus(p.string(*cpu, "cpus", "linux.resources.cpu.cpus").value_or(""));
      }
      if (const Json::Value* memory = p.object(*resources, "memory", "linux.resources.memory")) {
        spec.setMemoryLimit(p.int64(*memory, "limit", "linux.resources.memory.limit"));
      }
    }
  }

  if (const Json::Value* hooks = p.object(root, "hooks", "hooks")) {
    for (HookPoint point : {HookPoint::Prestart, HookPoint::CreateRuntime, HookPoint::CreateContainer,
                            HookPoint::StartContainer, HookPoint::Poststart, HookPoint::Poststop}) {
      std::string name = hookPointName(point);
      spec.setHooks(point, p.hooks(*hooks, name, "hooks." + name));
    }
  }
  return spec;
}

}  // namespace

OciSpec parseOciSpec(const std::string& json, const std::string& origin, const std::string& bundleDir) {
  return fromJson(parseJson(json, origin, DuplicateKeys::LastWins), origin, bundleDir);
}

OciSpec loadOciSpec(const std::string& bundleDir) {
  std::string bundle = bundleDir.empty() ? "." : bundleDir;
  std::string path = bundle + "/config.json";
  return fromJson(readJsonFile(path, DuplicateKeys::LastWins), path, bundle);
}

}  // namespace v1
}  // namespace phi
