#include <phi/container.hpp>
#include <phi/error.hpp>

#include "lifecycle/container_process.hpp"
#include "lifecycle/verbs.hpp"
#include "runtime/container_impl.hpp"
#include "runtime/container_state_impl.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace phi {
inline namespace v1 {

Container::Container(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Container::~Container() = default;
Container::Container(Container&&) noexcept = default;
Container& Container::operator=(Container&&) noexcept = default;

namespace {

RuntimeEnv& envOf(const std::unique_ptr<Container::Impl>& impl) {
  if (!impl) throw Error(ErrorCode::InvalidArgument, "this container handle was moved from");
  if (impl->removed) throw Error(ErrorCode::NotFound, "container \"" + impl->id + "\" was deleted");
  return *impl->env;
}

}  // namespace

const std::string& Container::id() const noexcept {
  return impl_->id;
}

ContainerState Container::state() {
  return makeContainerState(lifecycle::state(envOf(impl_), impl_->id, true));
}

ContainerState Container::recordedState() const {
  return makeContainerState(lifecycle::state(envOf(impl_), impl_->id, false));
}

void Container::start() {
  lifecycle::start(envOf(impl_), impl_->id);
}

void Container::kill(Signal signal, const KillOptions& options) {
  lifecycle::kill(envOf(impl_), impl_->id, signal, options);
}

void Container::remove(const RemoveOptions& options) {
  lifecycle::remove(envOf(impl_), impl_->id, options);
  impl_->removed = true;
}

void Container::pause() {
  lifecycle::pause(envOf(impl_), impl_->id);
}

void Container::resume() {
  lifecycle::resume(envOf(impl_), impl_->id);
}

void Container::checkpoint(const CheckpointOptions& options) {
  lifecycle::checkpoint(envOf(impl_), impl_->id, options);
}

int Container::wait() {
  ContainerRecord r = lifecycle::state(envOf(impl_), impl_->id, false);
  if (r.creatorPid != ::getpid()) {
    throw Error(ErrorCode::NotSupported, "container \"" + impl_->id +
                                             "\": only the process that created it can wait for its container "
                                             "process");
  }
  int status = 0;
  if (r.pid <= 0) return r.exitStatus < 0 ? 0 : r.exitStatus;
  while (::waitpid(r.pid, &status, 0) < 0) {
    if (errno == EINTR) continue;
    // Already reaped (delete waits for it too): its recorded status stands.
    if (errno == ECHILD) return r.exitStatus < 0 ? 0 : r.exitStatus;
    throw Error(ErrorCode::IoError, "waitpid " + std::to_string(r.pid) + ": " + std::strerror(errno));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace v1
}  // namespace phi
