// Running the `jailhouse` CLI for one partition: each command line and its
// result (exit status, stderr) go to the container's log at debug, so a
// board's log shows exactly what the hypervisor was asked and answered.
#pragma once

#include "jailhouse_settings.hpp"

#include <phi/driver/command.hpp>
#include <phi/driver/partition_context.hpp>

#include <string>
#include <vector>

namespace phi::jailhouse {

// Runs `argv` with the settings' timeout; a non-zero exit is returned.
CommandResult runJailhouse(const PartitionContext& ctx, const JailhouseSettings& s,
                           const std::vector<std::string>& argv);

// Same, but a non-zero exit, a signal or a timeout throws
// phi::Error(ChildFailed) with the command line and its stderr.
CommandResult runJailhouseChecked(const PartitionContext& ctx, const JailhouseSettings& s,
                                  const std::vector<std::string>& argv);

}  // namespace phi::jailhouse
