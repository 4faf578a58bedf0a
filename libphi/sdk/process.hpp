// Running other programs without a shell: an argv, posix_spawn, every exit
// status checked and stderr kept for the error message.
#pragma once

#include <string>
#include <vector>

namespace phi {

struct ProcessResult {
  int exitCode = -1;      // exit status, or -1 when killed by a signal
  int signal = 0;         // terminating signal, 0 when it exited
  std::string out;        // everything written to stdout
  std::string err;        // everything written to stderr
  bool timedOut = false;  // killed at ProcessOptions::timeoutSeconds
};

struct ProcessOptions {
  std::string program;                            // the file to run; empty = argv[0]
  std::string input;                              // written to the program's stdin, then closed
  const std::vector<std::string>* env = nullptr;  // KEY=VALUE list; null = inherit ours
  int timeoutSeconds = 0;                         // > 0: SIGKILL after that long, reported as a signal
};

// Runs argv[0] (a path, or a name looked up in PATH) with `argv`, waits for
// it and captures its output. Throws phi::Error(SpawnFailed) when it cannot
// be started; a non-zero exit is reported in the result, not thrown.
ProcessResult runProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Like runProcess, but a non-zero exit or a signal throws
// phi::Error(ChildFailed) whose message holds the command and its stderr.
ProcessResult runProcessChecked(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// "`prog arg...` exited with status N: <stderr>" for error messages.
std::string describeFailure(const std::vector<std::string>& argv, const ProcessResult& result);

}  // namespace phi
