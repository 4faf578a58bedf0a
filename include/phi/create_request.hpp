// What Runtime::create needs to know about a new container.
#pragma once

#include <phi/export.hpp>

#include <memory>
#include <string>

namespace phi {
inline namespace v1 {

class PHI_API CreateRequest {
 public:
  // A container `id` from the OCI bundle in `bundleDir` (config.json and
  // the rootfs it names).                                              since 0.2
  CreateRequest(std::string id, std::string bundleDir);
  ~CreateRequest();
  CreateRequest(const CreateRequest&);
  CreateRequest& operator=(const CreateRequest&);
  CreateRequest(CreateRequest&&) noexcept;
  CreateRequest& operator=(CreateRequest&&) noexcept;

  const std::string& id() const noexcept;
  const std::string& bundle() const noexcept;

  // Where the container process's pid is written (runc's --pid-file).  since 0.2
  const std::string& pidFile() const noexcept;
  CreateRequest& setPidFile(std::string path);
  // runc's --console-socket: the guest console goes to a pty whose master
  // is sent there.                                                      since 0.2
  const std::string& consoleSocket() const noexcept;
  CreateRequest& setConsoleSocket(std::string path);
  // The container process's stdin, stdout and stderr (the guest console
  // goes to stdout). -1, the default, is /dev/null; the runphi CLI passes
  // its own 0, 1, 2 (containerd's FIFOs).                              since 0.2
  int stdinFd() const noexcept;
  int stdoutFd() const noexcept;
  int stderrFd() const noexcept;
  CreateRequest& setStdio(int stdinFd, int stdoutFd, int stderrFd);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runtime::restore: the guest comes back running from a checkpoint.
class PHI_API RestoreOptions {
 public:
  explicit RestoreOptions(std::string imagePath);  // since 0.2
  ~RestoreOptions();
  RestoreOptions(const RestoreOptions&);
  RestoreOptions& operator=(const RestoreOptions&);
  RestoreOptions(RestoreOptions&&) noexcept;
  RestoreOptions& operator=(RestoreOptions&&) noexcept;

  // The directory Container::checkpoint wrote.
  const std::string& imagePath() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace phi
