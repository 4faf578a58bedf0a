// The options objects of the lifecycle calls.
#include <phi/container.hpp>
#include <phi/create_request.hpp>

#include "model/value_class.hpp"

namespace phi {
inline namespace v1 {

struct CreateRequest::Impl {
  std::string id, bundle, pidFile, consoleSocket;
  int stdinFd = -1, stdoutFd = -1, stderrFd = -1;
};

CreateRequest::CreateRequest(std::string id, std::string bundleDir) : impl_(std::make_unique<Impl>()) {
  impl_->id = std::move(id);
  impl_->bundle = std::move(bundleDir);
}
PHI_VALUE_CLASS_MEMBERS(CreateRequest)
PHI_GETTER(CreateRequest, const std::string&, id, id)
PHI_GETTER(CreateRequest, const std::string&, bundle, bundle)
PHI_FIELD(CreateRequest, const std::string&, std::string, pidFile, setPidFile, pidFile)
PHI_FIELD(CreateRequest, const std::string&, std::string, consoleSocket, setConsoleSocket, consoleSocket)
PHI_GETTER(CreateRequest, int, stdinFd, stdinFd)
PHI_GETTER(CreateRequest, int, stdoutFd, stdoutFd)
PHI_GETTER(CreateRequest, int, stderrFd, stderrFd)

CreateRequest& CreateRequest::setStdio(int stdinFd, int stdoutFd, int stderrFd) {
  impl_->stdinFd = stdinFd;
  impl_->stdoutFd = stdoutFd;
  impl_->stderrFd = stderrFd;
  return *this;
}

struct RestoreOptions::Impl {
  std::string imagePath;
};

RestoreOptions::RestoreOptions(std::string imagePath) : impl_(std::make_unique<Impl>(Impl{std::move(imagePath)})) {}
PHI_VALUE_CLASS_MEMBERS(RestoreOptions)
PHI_GETTER(RestoreOptions, const std::string&, imagePath, imagePath)

struct KillOptions::Impl {
  bool all = false;
};

KillOptions::KillOptions() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(KillOptions)
PHI_FIELD(KillOptions, bool, bool, all, setAll, all)

struct RemoveOptions::Impl {
  bool force = false;
};

RemoveOptions::RemoveOptions() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(RemoveOptions)
PHI_FIELD(RemoveOptions, bool, bool, force, setForce, force)

struct CheckpointOptions::Impl {
  std::string imagePath;
  bool leaveRunning = false;
};

CheckpointOptions::CheckpointOptions(std::string imagePath)
    : impl_(std::make_unique<Impl>(Impl{std::move(imagePath), false})) {}
PHI_VALUE_CLASS_MEMBERS(CheckpointOptions)
PHI_GETTER(CheckpointOptions, const std::string&, imagePath, imagePath)
PHI_FIELD(CheckpointOptions, bool, bool, leaveRunning, setLeaveRunning, leaveRunning)

}  // namespace v1
}  // namespace phi
