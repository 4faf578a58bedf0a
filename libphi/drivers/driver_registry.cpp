#include <phi/drivers.hpp>
#include <phi/error.hpp>

#include "model/value_class.hpp"
#include "runtime/install_layout.hpp"
#include "sdk/trusted_file.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>

namespace phi {
inline namespace v1 {

struct DriverInfo::Impl {
  std::string name, path;
  unsigned abiVersion = 0;
  DriverCapabilities capabilities;
};

DriverInfo::DriverInfo(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PHI_VALUE_CLASS_MEMBERS(DriverInfo)
PHI_GETTER(DriverInfo, const std::string&, name, name)
PHI_GETTER(DriverInfo, const std::string&, path, path)
PHI_GETTER(DriverInfo, unsigned, abiVersion, abiVersion)

DriverCapabilities DriverInfo::capabilities() const {
  return impl_->capabilities;
}

namespace {

constexpr const char* kPrefix = "libphi-driver-";
constexpr const char* kSuffix = ".so";

void checkName(const std::string& name) {
  bool ok = !name.empty();
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  if (!ok) throw Error(ErrorCode::InvalidArgument, "backend \"" + name + "\" is not a valid driver name");
}

// Opens `path` and checks its descriptor before any of its code runs.
// Modules stay loaded for the life of the process: drivers may leave
// threads or atexit handlers behind.
const PhiDriverModule& openModule(const std::string& path, const std::string& name) {
  requireTrustedFile(path, "driver");  // its code runs as runphi
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!handle) throw Error(ErrorCode::NoDriver, "cannot load driver " + path + ": " + ::dlerror());
  auto* module = static_cast<const PhiDriverModule*>(::dlsym(handle, "phi_driver_module"));
  if (!module) throw Error(ErrorCode::NoDriver, path + " is not a runphi driver (no phi_driver_module)");
  if (module->abiVersion != PHI_DRIVER_ABI_VERSION) {
    throw Error(ErrorCode::NoDriver, path + " was built for driver ABI " + std::to_string(module->abiVersion) +
                                         ", this libphi needs " + std::to_string(PHI_DRIVER_ABI_VERSION));
  }
  if (!module->name || name != module->name) {
    throw Error(ErrorCode::NoDriver, path + " calls itself \"" + std::string(module->name ? module->name : "") +
                                         "\", expected \"" + name + "\"");
  }
  return *module;
}

}  // namespace

struct DriverRegistry::Impl {
  std::string configuredDir;
  mutable std::mutex mutex;
  std::map<std::string, DriverFactory> registered;

  // The module file of `name`, or "" with `looked` listing every place tried.
  std::string findModule(const std::string& name, const std::vector<std::string>& dirs, std::string& looked) const {
    for (const std::string& dir : dirs) {
      std::string path = dir + "/" + kPrefix + name + kSuffix;
      looked += (looked.empty() ? "" : ", ") + path;
      if (::access(path.c_str(), R_OK) == 0) return path;
    }
    return {};
  }

  DriverFactory registeredFactory(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = registered.find(name);
    return it == registered.end() ? DriverFactory{} : it->second;
  }
};

DriverRegistry::DriverRegistry(std::string configuredDir) : impl_(std::make_unique<Impl>()) {
  impl_->configuredDir = std::move(configuredDir);
}
DriverRegistry::~DriverRegistry() = default;
DriverRegistry::DriverRegistry(DriverRegistry&&) noexcept = default;
DriverRegistry& DriverRegistry::operator=(DriverRegistry&&) noexcept = default;

std::vector<std::string> DriverRegistry::searchPath() const {
  std::vector<std::string> dirs;
  if (!impl_->configuredDir.empty()) dirs.push_back(impl_->configuredDir);
  if (const char* env = std::getenv("PHI_DRIVER_DIR"); env && *env) dirs.emplace_back(env);
  for (std::string& dir : install_layout::driverDirs()) dirs.push_back(std::move(dir));
  return dirs;
}

void DriverRegistry::add(std::string name, DriverFactory factory) {
  checkName(name);
  if (!factory) throw Error(ErrorCode::InvalidArgument, "driver \"" + name + "\": no factory given");
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->registered[std::move(name)] = std::move(factory);
}

std::unique_ptr<Driver> DriverRegistry::load(const std::string& name) const {
  checkName(name);
  if (DriverFactory factory = impl_->registeredFactory(name)) {
    std::unique_ptr<Driver> driver = factory();
    if (!driver) throw Error(ErrorCode::NoDriver, "registered driver \"" + name + "\" made no driver");
    return driver;
  }
  std::string looked;
  std::string path = impl_->findModule(name, searchPath(), looked);
  if (path.empty()) throw Error(ErrorCode::NoDriver, "driver \"" + name + "\" not found (looked for " + looked + ")");
  return std::unique_ptr<Driver>(openModule(path, name).create());
}

DriverInfo DriverRegistry::info(const std::string& name) const {
  auto impl = std::make_unique<DriverInfo::Impl>();
  impl->name = name;
  if (!impl_->registeredFactory(name)) {
    std::string looked;
    impl->path = impl_->findModule(name, searchPath(), looked);
    if (impl->path.empty()) {
      throw Error(ErrorCode::NoDriver, "driver \"" + name + "\" not found (looked for " + looked + ")");
    }
    impl->abiVersion = openModule(impl->path, name).abiVersion;
  } else {
    impl->abiVersion = PHI_DRIVER_ABI_VERSION;
  }
  impl->capabilities = load(name)->capabilities();
  return DriverInfo(std::move(impl));
}

std::vector<DriverInfo> DriverRegistry::list() const {
  std::vector<std::string> names;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (const auto& [name, factory] : impl_->registered) names.push_back(name);
  }
  for (const std::string& dir : searchPath()) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;
    while (dirent* e = ::readdir(d)) {
      std::string file = e->d_name;
      const std::string prefix = kPrefix, suffix = kSuffix;
      if (file.size() <= prefix.size() + suffix.size() || file.rfind(prefix, 0) != 0 ||
          file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      names.push_back(file.substr(prefix.size(), file.size() - prefix.size() - suffix.size()));
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<DriverInfo> out;
  for (const std::string& name : names) {
    try {
      out.push_back(info(name));
    } catch (const Error&) {
      // not a usable driver: left out
    }
  }
  return out;
}

}  // namespace v1
}  // namespace phi
