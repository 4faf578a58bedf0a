// The name a partition gets in the hypervisor: at most 31 characters
// (Jailhouse's limit), only [a-z0-9-], and starting with "phi-" so no tool
// can take it for a numeric id. A 32-bit hash can collide (on purpose, too),
// so the name a container gets is reserved in the resource ledger under its
// lock (ResourceLedger::allocate): candidate 0, else 1, 2, ... until one no
// other container holds.
#pragma once

#include <string>

namespace phi {

// Candidate `attempt` for (runc root, container id); candidate 0 is the name
// earlier versions gave.
std::string partitionNameFor(const std::string& runcRoot, const std::string& containerId, unsigned attempt = 0);

}  // namespace phi
