#include <phi/command.hpp>

#include "process.hpp"

namespace phi {

namespace {

CommandResult convert(ProcessResult r) {
  return {r.exitCode, r.signal, r.timedOut, std::move(r.out), std::move(r.err)};
}

ProcessOptions convert(const CommandOptions& o) {
  ProcessOptions p;
  p.input = o.input;
  p.timeoutSeconds = o.timeoutSeconds;
  return p;
}

}  // namespace

CommandResult runCommand(const std::vector<std::string>& argv, const CommandOptions& options) {
  return convert(runProcess(argv, convert(options)));
}

CommandResult runCommandChecked(const std::vector<std::string>& argv, const CommandOptions& options) {
  return convert(runProcessChecked(argv, convert(options)));
}

}  // namespace phi
