// The part of an OCI bundle's config.json a partitioned container uses.
#pragma once

#include <phi/export.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace phi {
inline namespace v1 {

// One OCI hook (runtime-spec config.md "POSIX-platform Hooks").       since 0.2
class PHI_API OciHook {
 public:
  explicit OciHook(std::string path = {});
  ~OciHook();
  OciHook(const OciHook&);
  OciHook& operator=(const OciHook&);
  OciHook(OciHook&&) noexcept;
  OciHook& operator=(OciHook&&) noexcept;

  const std::string& path() const noexcept;  // absolute path of the program
  OciHook& setPath(std::string path);
  const std::vector<std::string>& args() const noexcept;  // argv, args[0] included when given
  OciHook& setArgs(std::vector<std::string> args);
  const std::vector<std::string>& env() const noexcept;  // KEY=VALUE
  OciHook& setEnv(std::vector<std::string> env);
  std::optional<int> timeoutSeconds() const noexcept;
  OciHook& setTimeoutSeconds(std::optional<int> seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The hook points, in the order the lifecycle reaches them.
enum class HookPoint { Prestart, CreateRuntime, CreateContainer, StartContainer, Poststart, Poststop };
PHI_API const char* hookPointName(HookPoint point) noexcept;  // "prestart", "createRuntime", ...  since 0.2

class PHI_API OciSpec {
 public:
  OciSpec();
  ~OciSpec();
  OciSpec(const OciSpec&);
  OciSpec& operator=(const OciSpec&);
  OciSpec(OciSpec&&) noexcept;
  OciSpec& operator=(OciSpec&&) noexcept;

  const std::string& ociVersion() const noexcept;
  OciSpec& setOciVersion(std::string v);
  const std::string& rootPath() const noexcept;  // root.path as written (absolute or bundle-relative)
  OciSpec& setRootPath(std::string path);
  const std::string& rootfs() const noexcept;  // root.path resolved against the bundle (absolute)
  OciSpec& setRootfs(std::string path);
  const std::map<std::string, std::string>& annotations() const noexcept;
  OciSpec& setAnnotations(std::map<std::string, std::string> annotations);
  const std::vector<std::string>& args() const noexcept;  // process.args; a driver may pass them to a Linux guest
  OciSpec& setArgs(std::vector<std::string> args);
  const std::vector<std::string>& env() const noexcept;  // process.env
  OciSpec& setEnv(std::vector<std::string> env);
  // linux.resources
  std::optional<std::int64_t> cpuQuota() const noexcept;  // cpu.quota (µs per period); <= 0 means unlimited
  OciSpec& setCpuQuota(std::optional<std::int64_t> quota);
  std::optional<std::uint64_t> cpuPeriod() const noexcept;  // cpu.period (µs)
  OciSpec& setCpuPeriod(std::optional<std::uint64_t> period);
  const std::string& cpusetCpus() const noexcept;  // cpu.cpus, e.g. "0-1,3"
  OciSpec& setCpusetCpus(std::string cpus);
  std::optional<std::int64_t> memoryLimit() const noexcept;  // memory.limit in bytes
  OciSpec& setMemoryLimit(std::optional<std::int64_t> bytes);
  const std::vector<OciHook>& hooks(HookPoint point) const noexcept;
  OciSpec& setHooks(HookPoint point, std::vector<OciHook> hooks);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Keys are matched the way runc's Go decoder matches them (case-insensitively,
// exact match preferred; the last duplicate wins); null means absent; fields not
// listed above are ignored whatever their type.
// Reads <bundle>/config.json. Throws phi::Error naming the file and the field
// (e.g. "linux.resources.cpu.quota") for a wrong type or a missing root.path.  since 0.1
PHI_API OciSpec loadOciSpec(const std::string& bundleDir);

// Same, from JSON text; `origin` names it in errors; `bundleDir` resolves root.path.  since 0.1
PHI_API OciSpec parseOciSpec(const std::string& json, const std::string& origin, const std::string& bundleDir);

}  // namespace v1
}  // namespace phi
