// Why the hypervisor refused or ignored a cell: `jailhouse cell create`
// answers only with an errno, and EINVAL mostly means the platform
// template's dialect or architecture is not the running Jailhouse's (a fork-
// dialect cell on upstream Jailhouse: "Not a cell configuration" in the
// kernel log). The errors name that likely cause.
#pragma once

#include "jailhouse_settings.hpp"

#include <phi/driver/command.hpp>
#include <phi/driver/partition_context.hpp>
#include <phi/error.hpp>

#include <string>
#include <vector>

namespace phi::jailhouse {

// The error for a `cell create` that exited non-zero: the command line, its
// stderr and, for EINVAL, the likely cause.
Error cellCreateRefused(const PartitionContext& ctx, const JailhouseSettings& s, const std::vector<std::string>& argv,
                        const CommandResult& result);

// The error for a `cell create` that exited 0 without a cell appearing
// (upstream master's answer to a foreign architecture byte).
Error cellCreateIgnored(const PartitionContext& ctx, const JailhouseSettings& s, const std::vector<std::string>& argv,
                        const CommandResult& result);

}  // namespace phi::jailhouse
