// Running OCI hooks: each gets the container state on stdin, runs without a
// shell, and is killed at its timeout.
#pragma once

#include <phi/log.hpp>
#include <phi/oci_spec.hpp>

#include <string>
#include <vector>

namespace phi {

// Runs the hooks of `point` in order; the first failure throws
// phi::Error(ChildFailed) naming the hook point, the program and its stderr.
void runHooks(const OciSpec& spec, HookPoint point, const std::string& stateJson, const Logger& log);

// Same, but failures are only logged (poststart, poststop: the spec says the
// operation goes on).
void runHooksWarnOnly(const OciSpec& spec, HookPoint point, const std::string& stateJson, const Logger& log);

}  // namespace phi
