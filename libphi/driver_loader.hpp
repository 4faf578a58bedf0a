// Loads a driver module, libphi-driver-<name>.so, and checks its descriptor
// before running any of its code.
#pragma once

#include <phi/driver.hpp>

#include <memory>
#include <string>
#include <vector>

namespace phi {

// Directories searched, in order: `configured` (runphi.json driver_dir) if set,
// $PHI_DRIVER_DIR, then the install directory.
std::vector<std::string> driverSearchPath(const std::string& configured);

// Throws phi::Error(NoDriver) naming every place looked at, or a wrong ABI.
std::unique_ptr<Driver> loadDriver(const std::string& name, const std::string& configuredDir);

}  // namespace phi
