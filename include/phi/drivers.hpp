// The hypervisor drivers a runtime can use: modules (libphi-driver-<name>.so)
// found on a search path, or drivers an embedder registers in-process.
#pragma once

#include <phi/driver/driver.hpp>
#include <phi/export.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace phi {
inline namespace v1 {

class PHI_API DriverInfo {
 public:
  ~DriverInfo();
  DriverInfo(const DriverInfo&);
  DriverInfo& operator=(const DriverInfo&);
  DriverInfo(DriverInfo&&) noexcept;
  DriverInfo& operator=(DriverInfo&&) noexcept;

  const std::string& name() const noexcept;
  // The module file; empty for a driver registered in-process.
  const std::string& path() const noexcept;
  unsigned abiVersion() const noexcept;  // PHI_DRIVER_ABI_VERSION it was built with
  DriverCapabilities capabilities() const;

  struct Impl;
  PHI_LOCAL explicit DriverInfo(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

using DriverFactory = std::function<std::unique_ptr<Driver>()>;

class PHI_API DriverRegistry {
 public:
  // Searches `configuredDir` (runphi.json "driver_dir") if set, then
  // $PHI_DRIVER_DIR, then the install directory.                       since 0.2
  explicit DriverRegistry(std::string configuredDir = {});
  ~DriverRegistry();
  DriverRegistry(DriverRegistry&&) noexcept;
  DriverRegistry& operator=(DriverRegistry&&) noexcept;
  DriverRegistry(const DriverRegistry&) = delete;
  DriverRegistry& operator=(const DriverRegistry&) = delete;

  std::vector<std::string> searchPath() const;  // since 0.2
  // Every driver that can be loaded: the registered ones, then each module
  // of the search path (the first of a name wins), sorted by name. A module
  // that fails its checks is left out.                                 since 0.2
  std::vector<DriverInfo> list() const;
  // A new instance of driver `name`. A registered driver wins over a module.
  // A module's descriptor (ABI version, name) is checked before any of its
  // code runs. Throws phi::Error(NoDriver) naming every place looked at.   since 0.2
  std::unique_ptr<Driver> load(const std::string& name) const;
  DriverInfo info(const std::string& name) const;  // same checks, NoDriver  since 0.2

  // Makes driver `name` available without a module (a driver compiled into
  // the embedding program, a test double).                             since 0.2
  void add(std::string name, DriverFactory factory);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace phi
