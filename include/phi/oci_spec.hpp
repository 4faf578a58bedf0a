// The part of an OCI bundle's config.json a partitioned container uses.
#pragma once

#include <phi/export.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace phi {

// One OCI hook (runtime-spec config.md "POSIX-platform Hooks").
struct OciHook {
  std::string path;               // absolute path of the program
  std::vector<std::string> args;  // argv, args[0] included when given
  std::vector<std::string> env;   // KEY=VALUE
  std::optional<int> timeoutSeconds;
};

struct OciHooks {
  std::vector<OciHook> prestart;  // deprecated in the spec, still run
  std::vector<OciHook> createRuntime;
  std::vector<OciHook> createContainer;
  std::vector<OciHook> startContainer;
  std::vector<OciHook> poststart;
  std::vector<OciHook> poststop;
};

struct OciSpec {
  std::string ociVersion;
  std::string rootPath;  // root.path as written (absolute or bundle-relative)
  std::string rootfs;    // root.path resolved against the bundle (absolute)
  std::map<std::string, std::string> annotations;
  std::vector<std::string> args;  // process.args; a driver may pass them to a Linux guest
  std::vector<std::string> env;   // process.env
  // linux.resources
  std::optional<int64_t> cpuQuota;     // cpu.quota (µs per period); <= 0 means unlimited
  std::optional<uint64_t> cpuPeriod;   // cpu.period (µs)
  std::string cpusetCpus;              // cpu.cpus, e.g. "0-1,3"
  std::optional<int64_t> memoryLimit;  // memory.limit in bytes
  OciHooks hooks;
};

// Keys are matched the way runc's Go decoder matches them (case-insensitively,
// exact match preferred; the last duplicate wins); null means absent; fields not
// listed above are ignored whatever their type.
// Reads <bundle>/config.json. Throws phi::Error naming the file and the field
// (e.g. "linux.resources.cpu.quota") for a wrong type or a missing root.path.
PHI_API OciSpec loadOciSpec(const std::string& bundleDir);

// Same, from JSON text; `origin` names it in errors; `bundleDir` resolves root.path.
PHI_API OciSpec parseOciSpec(const std::string& json, const std::string& origin, const std::string& bundleDir);

}  // namespace phi
