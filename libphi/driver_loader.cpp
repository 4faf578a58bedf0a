#include "driver_loader.hpp"

#include <phi/error.hpp>

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>

namespace phi {

std::vector<std::string> driverSearchPath(const std::string& configured) {
  std::vector<std::string> dirs;
  if (!configured.empty()) dirs.push_back(configured);
  if (const char* env = std::getenv("PHI_DRIVER_DIR"); env && *env) dirs.emplace_back(env);
  dirs.emplace_back(PHI_DRIVER_INSTALL_DIR);
  return dirs;
}

std::unique_ptr<Driver> loadDriver(const std::string& name, const std::string& configuredDir) {
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      throw Error(ErrorCode::InvalidArgument, "backend \"" + name + "\" is not a valid driver name");
    }
  }
  std::string file = "libphi-driver-" + name + ".so";
  std::string looked;
  for (const std::string& dir : driverSearchPath(configuredDir)) {
    std::string path = dir + "/" + file;
    looked += (looked.empty() ? "" : ", ") + path;
    if (::access(path.c_str(), R_OK) != 0) continue;
    // Modules stay loaded for the life of the process: drivers may leave
    // threads or atexit handlers behind.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!handle) throw Error(ErrorCode::NoDriver, "cannot load driver " + path + ": " + ::dlerror());
    auto* module = static_cast<const PhiDriverModule*>(::dlsym(handle, "phi_driver_module"));
    if (!module) throw Error(ErrorCode::NoDriver, path + " is not a runphi driver (no phi_driver_module)");
    if (module->abiVersion != PHI_DRIVER_ABI_VERSION) {
      throw Error(ErrorCode::NoDriver, path + " was built for driver ABI " + std::to_string(module->abiVersion) +
                                           ", this runphi needs " + std::to_string(PHI_DRIVER_ABI_VERSION));
    }
    if (!module->name || name != module->name) {
      throw Error(ErrorCode::NoDriver, path + " calls itself \"" + std::string(module->name ? module->name : "") +
                                           "\", expected \"" + name + "\"");
    }
    return std::unique_ptr<Driver>(module->create());
  }
  throw Error(ErrorCode::NoDriver, "driver \"" + name + "\" not found (looked for " + looked + ")");
}

}  // namespace phi
