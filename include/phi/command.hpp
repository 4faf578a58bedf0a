// Running a program for a driver: an argv (never a shell), every exit status
// checked, stderr kept for the error message.
#pragma once

#include <phi/export.hpp>

#include <string>
#include <vector>

namespace phi {

struct CommandOptions {
  std::string input;       // written to stdin, then closed
  int timeoutSeconds = 0;  // > 0: killed with SIGKILL after that long
};

struct CommandResult {
  int exitCode = -1;  // -1 when killed by a signal
  int signal = 0;
  bool timedOut = false;
  std::string out, err;
};

// Runs argv[0] (a path, or a name looked up in PATH). A program that cannot
// be started throws phi::Error(SpawnFailed); a non-zero exit is returned.
PHI_API CommandResult runCommand(const std::vector<std::string>& argv, const CommandOptions& options = {});

// Same, but a non-zero exit, a signal or a timeout throws
// phi::Error(ChildFailed): "`argv...` exited with status N: <stderr>".
PHI_API CommandResult runCommandChecked(const std::vector<std::string>& argv, const CommandOptions& options = {});

}  // namespace phi
