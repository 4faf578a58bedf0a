#include <phi/oci_spec.hpp>

#include "model/value_class.hpp"

#include <array>

namespace phi {
inline namespace v1 {

struct OciHook::Impl {
  std::string path;
  std::vector<std::string> args, env;
  std::optional<int> timeoutSeconds;
};

OciHook::OciHook(std::string path) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
}
PHI_VALUE_CLASS_MEMBERS(OciHook)
PHI_FIELD(OciHook, const std::string&, std::string, path, setPath, path)
PHI_FIELD(OciHook, const std::vector<std::string>&, std::vector<std::string>, args, setArgs, args)
PHI_FIELD(OciHook, const std::vector<std::string>&, std::vector<std::string>, env, setEnv, env)
PHI_FIELD(OciHook, std::optional<int>, std::optional<int>, timeoutSeconds, setTimeoutSeconds, timeoutSeconds)

const char* hookPointName(HookPoint point) noexcept {
  switch (point) {
    case HookPoint::Prestart: return "prestart";
    case HookPoint::CreateRuntime: return "createRuntime";
    case HookPoint::CreateContainer: return "createContainer";
    case HookPoint::StartContainer: return "startContainer";
    case HookPoint::Poststart: return "poststart";
    case HookPoint::Poststop: return "poststop";
  }
  return "unknown";
}

struct OciSpec::Impl {
  std::string ociVersion, rootPath, rootfs;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> args, env;
  std::optional<std::int64_t> cpuQuota;
  std::optional<std::uint64_t> cpuPeriod;
  std::string cpusetCpus;
  std::optional<std::int64_t> memoryLimit;
  std::array<std::vector<OciHook>, 6> hooks;
};

OciSpec::OciSpec() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(OciSpec)
PHI_FIELD(OciSpec, const std::string&, std::string, ociVersion, setOciVersion, ociVersion)
PHI_FIELD(OciSpec, const std::string&, std::string, rootPath, setRootPath, rootPath)
PHI_FIELD(OciSpec, const std::string&, std::string, rootfs, setRootfs, rootfs)
using Annotations = std::map<std::string, std::string>;
PHI_FIELD(OciSpec, const Annotations&, Annotations, annotations, setAnnotations, annotations)
PHI_FIELD(OciSpec, const std::vector<std::string>&, std::vector<std::string>, args, setArgs, args)
PHI_FIELD(OciSpec, const std::vector<std::string>&, std::vector<std::string>, env, setEnv, env)
PHI_FIELD(OciSpec, std::optional<std::int64_t>, std::optional<std::int64_t>, cpuQuota, setCpuQuota, cpuQuota)
PHI_FIELD(OciSpec, std::optional<std::uint64_t>, std::optional<std::uint64_t>, cpuPeriod, setCpuPeriod, cpuPeriod)
PHI_FIELD(OciSpec, const std::string&, std::string, cpusetCpus, setCpusetCpus, cpusetCpus)
PHI_FIELD(OciSpec, std::optional<std::int64_t>, std::optional<std::int64_t>, memoryLimit, setMemoryLimit, memoryLimit)

const std::vector<OciHook>& OciSpec::hooks(HookPoint point) const noexcept {
  return impl_->hooks[static_cast<std::size_t>(point)];
}

OciSpec& OciSpec::setHooks(HookPoint point, std::vector<OciHook> hooks) {
  impl_->hooks[static_cast<std::size_t>(point)] = std::move(hooks);
  return *this;
}

}  // namespace v1
}  // namespace phi
