// Running a program for a driver: an argv (never a shell), every exit status
// checked, stderr kept for the error message.
#pragma once

#include <phi/export.hpp>

#include <memory>
#include <string>
#include <vector>

namespace phi {
inline namespace v1 {

class PHI_API CommandOptions {
 public:
  CommandOptions();
  ~CommandOptions();
  CommandOptions(const CommandOptions&);
  CommandOptions& operator=(const CommandOptions&);
  CommandOptions(CommandOptions&&) noexcept;
  CommandOptions& operator=(CommandOptions&&) noexcept;

  const std::string& input() const noexcept;  // written to stdin, then closed
  CommandOptions& setInput(std::string text);
  int timeoutSeconds() const noexcept;  // > 0: killed with SIGKILL after that long
  CommandOptions& setTimeoutSeconds(int seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PHI_API CommandResult {
 public:
  CommandResult();
  ~CommandResult();
  CommandResult(const CommandResult&);
  CommandResult& operator=(const CommandResult&);
  CommandResult(CommandResult&&) noexcept;
  CommandResult& operator=(CommandResult&&) noexcept;

  int exitCode() const noexcept;  // -1 when killed by a signal
  int signal() const noexcept;
  bool timedOut() const noexcept;
  const std::string& out() const noexcept;
  const std::string& err() const noexcept;
  // "`argv...` exited with status N: <stderr>", for error messages.
  std::string describe(const std::vector<std::string>& argv) const;

  struct Impl;
  PHI_LOCAL explicit CommandResult(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// Runs argv[0] (a path, or a name looked up in PATH). A program that cannot
// be started throws phi::Error(SpawnFailed); a non-zero exit is returned.  since 0.1
PHI_API CommandResult runCommand(const std::vector<std::string>& argv, const CommandOptions& options = {});

// Same, but a non-zero exit, a signal or a timeout throws
// phi::Error(ChildFailed): "`argv...` exited with status N: <stderr>".  since 0.1
PHI_API CommandResult runCommandChecked(const std::vector<std::string>& argv, const CommandOptions& options = {});

}  // namespace v1
}  // namespace phi
