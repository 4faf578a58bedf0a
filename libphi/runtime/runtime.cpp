#include <phi/error.hpp>
#include <phi/runtime.hpp>

#include "lifecycle/container_process_protocol.hpp"
#include "lifecycle/runtime_env.hpp"
#include "lifecycle/verbs.hpp"
#include "resources/resource_ledger.hpp"
#include "resources/resource_view_impl.hpp"
#include "runtime/container_impl.hpp"
#include "runtime/container_state_impl.hpp"

#include <unistd.h>

namespace phi {
inline namespace v1 {

struct Runtime::Impl {
  std::shared_ptr<RuntimeEnv> env;
};

namespace {

// The environment every call about container `id` works in: the settings
// its create recorded in its state directory (backend, platform, driver
// directory, monitor, runc), whatever this caller's flags or environment
// say, so Podman's cleanup process, containerd's shim and a human see the
// same container. This caller's state root (where it was found), runc
// --root and log sinks stay.
std::shared_ptr<RuntimeEnv> envFor(const std::shared_ptr<RuntimeEnv>& env, const std::string& id) {
  const std::string path = env->store.containerDir(id) + "/" + container_process::kRecordedConfigFile;
  if (::access(path.c_str(), R_OK) != 0) return env;
  RuntimeOptions recorded;
  try {
    recorded = RuntimeOptions::fromFile(path);
  } catch (const Error& e) {
    env->log.forContainer(id).warn(std::string("ignoring its recorded configuration: ") + e.what());
    return env;
  }
  const RuntimeOptions& mine = env->options;
  if (recorded.backend() == mine.backend() && recorded.platformTemplate() == mine.platformTemplate() &&
      recorded.driverDir() == mine.driverDir() && recorded.monitorPath() == mine.monitorPath() &&
      recorded.runcPath() == mine.runcPath()) {
    return env;
  }
  env->log.forContainer(id).debug("using the configuration it was created with (" + path + ")");
  RuntimeOptions options = mine;
  options.setBackend(recorded.backend())
      .setPlatformTemplate(recorded.platformTemplate())
      .setDriverDir(recorded.driverDir())
      .setMonitorPath(recorded.monitorPath())
      .setRuncPath(recorded.runcPath());
  return std::make_shared<RuntimeEnv>(std::move(options));
}

}  // namespace

Runtime::Runtime(RuntimeOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->env = std::make_shared<RuntimeEnv>(std::move(options));
}
Runtime::~Runtime() = default;
Runtime::Runtime(Runtime&&) noexcept = default;
Runtime& Runtime::operator=(Runtime&&) noexcept = default;

const RuntimeOptions& Runtime::options() const noexcept {
  return impl_->env->options;
}

Container Runtime::create(const CreateRequest& request) {
  ContainerRecord record = lifecycle::create(*impl_->env, request, "");
  return makeContainer(impl_->env, record.id);
}

Container Runtime::restore(const CreateRequest& request, const RestoreOptions& options) {
  if (options.imagePath().empty()) {
    throw Error(ErrorCode::InvalidArgument, "restore of a partitioned container needs --image-path");
  }
  ContainerRecord record = lifecycle::create(*impl_->env, request, options.imagePath());
  return makeContainer(impl_->env, record.id);
}

bool Runtime::holds(const std::string& id) const {
  return impl_->env->store.holds(id);
}

std::optional<Container> Runtime::find(const std::string& id) const {
  if (!holds(id)) return std::nullopt;
  return makeContainer(envFor(impl_->env, id), id);
}

Container Runtime::open(const std::string& id) const {
  if (!holds(id)) throw Error(ErrorCode::NotFound, "container \"" + id + "\" does not exist");
  return makeContainer(envFor(impl_->env, id), id);
}

std::vector<ContainerState> Runtime::list() const {
  std::vector<ContainerState> out;
  std::vector<std::string> unreadable;
  for (const ContainerRecord& r : impl_->env->store.list(&unreadable)) out.push_back(makeContainerState(r));
  for (const std::string& why : unreadable) impl_->env->log.warn("list: skipping a container: " + why);
  return out;
}

RouteDecision Runtime::routeCreate(const std::string& id, const std::string& bundleDir) const {
  // runc refuses such an id with its own error; runphi never holds one.
  if (!isValidContainerId(id)) return {Route::Runc, "\"" + id + "\" is not a container id runc accepts"};
  if (holds(id)) return {Route::Runphi, "runphi holds state for this id"};
  return decideCreate(bundleDir.empty() ? "." : bundleDir);
}

RouteDecision Runtime::routeExisting(const std::string& id) const {
  if (!isValidContainerId(id)) return {Route::Runc, "\"" + id + "\" is not a container id runc accepts"};
  if (holds(id)) return {Route::Runphi, "runphi holds state for this id"};
  return {Route::Runc, "not a partitioned container"};
}

ResourceView Runtime::resources() const {
  const RuntimeEnv& env = *impl_->env;
  if (env.options.platformTemplate().empty()) {
    throw Error(ErrorCode::InvalidArgument, "no \"platform_template\" configured: no resources to show");
  }
  PlatformTemplate platform = loadPlatformTemplate(env.options.platformTemplate());
  return makeResourceView(ResourceLedger(env.options.stateRoot(), platform), env.store);
}

DriverRegistry& Runtime::drivers() noexcept {
  return impl_->env->drivers;
}

const DriverRegistry& Runtime::drivers() const noexcept {
  return impl_->env->drivers;
}

}  // namespace v1
}  // namespace phi
