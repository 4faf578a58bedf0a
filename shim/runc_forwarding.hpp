// Handing a call to the real runc: the process becomes runc with the
// original argv, so stdio, the console socket, signals and the exit status
// are runc's own.
#pragma once

#include "invocation.hpp"

#include <string>
#include <vector>

namespace runphi {

// Replaces this process with `program` and `argv`. Only returns by throwing
// phi::Error(SpawnFailed).
[[noreturn]] void replaceProcess(const std::string& program, const std::vector<std::string>& argv);

// The runc binary for `configured` (runc_path), execs it with the call's
// original arguments.
[[noreturn]] void forwardToRunc(const Invocation& inv, const std::string& runcBinary);

}  // namespace runphi
