// What every lifecycle step of one Runtime works with: its settings, its
// log, the state of its runc root and its drivers. Runtime and each
// Container handle share one.
#pragma once

#include <phi/drivers.hpp>
#include <phi/log.hpp>
#include <phi/runtime_options.hpp>

#include "runtime/install_layout.hpp"
#include "runtime/state_store.hpp"

#include <string>

namespace phi {

struct RuntimeEnv {
  explicit RuntimeEnv(RuntimeOptions o)
      : options(std::move(o.setPlatformTemplate(install_layout::resolvePlatformTemplate(o.platformTemplate())))),
        log(options.logger()),
        store(options.stateRoot(), options.runcRoot()),
        drivers(options.driverDir()) {}

  RuntimeOptions options;
  Logger log;
  StateStore store;
  DriverRegistry drivers;

  // The driver's per-host directory under the state root.
  std::string driverStateDir(const std::string& driver) const { return options.stateRoot() + "/drivers/" + driver; }
  // The runphi CLI the container process runs to deliver signals.
  std::string cliPath() const;
};

}  // namespace phi
