#include <phi/driver/command.hpp>

#include "model/value_class.hpp"
#include "sdk/process.hpp"

namespace phi {
inline namespace v1 {

struct CommandOptions::Impl {
  std::string input;
  int timeoutSeconds = 0;
};

CommandOptions::CommandOptions() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(CommandOptions)
PHI_FIELD(CommandOptions, const std::string&, std::string, input, setInput, input)
PHI_FIELD(CommandOptions, int, int, timeoutSeconds, setTimeoutSeconds, timeoutSeconds)

struct CommandResult::Impl {
  ProcessResult r;
};

CommandResult::CommandResult() : impl_(std::make_unique<Impl>()) {}
CommandResult::CommandResult(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PHI_VALUE_CLASS_MEMBERS(CommandResult)
PHI_GETTER(CommandResult, int, exitCode, r.exitCode)
PHI_GETTER(CommandResult, int, signal, r.signal)
PHI_GETTER(CommandResult, bool, timedOut, r.timedOut)
PHI_GETTER(CommandResult, const std::string&, out, r.out)
PHI_GETTER(CommandResult, const std::string&, err, r.err)

std::string CommandResult::describe(const std::vector<std::string>& argv) const {
  return describeFailure(argv, impl_->r);
}

namespace {

ProcessOptions convert(const CommandOptions& o) {
  ProcessOptions p;
  p.input = o.input();
  p.timeoutSeconds = o.timeoutSeconds();
  return p;
}

CommandResult wrap(ProcessResult r) {
  auto impl = std::make_unique<CommandResult::Impl>();
  impl->r = std::move(r);
  return CommandResult(std::move(impl));
}

}  // namespace

CommandResult runCommand(const std::vector<std::string>& argv, const CommandOptions& options) {
  return wrap(runProcess(argv, convert(options)));
}

CommandResult runCommandChecked(const std::vector<std::string>& argv, const CommandOptions& options) {
  return wrap(runProcessChecked(argv, convert(options)));
}

}  // namespace v1
}  // namespace phi
