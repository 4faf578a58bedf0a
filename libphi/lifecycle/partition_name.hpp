// The name a partition gets in the hypervisor: unique per (runc root,
// container id), at most 31 characters (Jailhouse's limit), only [a-z0-9-],
// and starting with "phi-" so no tool can take it for a numeric id.
#pragma once

#include <string>

namespace phi {

std::string partitionNameFor(const std::string& runcRoot, const std::string& containerId);

}  // namespace phi
