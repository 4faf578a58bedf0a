#include <phi/error.hpp>
#include <phi/runtime.hpp>

#include "lifecycle/runtime_env.hpp"
#include "lifecycle/verbs.hpp"
#include "resources/resource_ledger.hpp"
#include "resources/resource_view_impl.hpp"
#include "runtime/container_impl.hpp"
#include "runtime/container_state_impl.hpp"

namespace phi {
inline namespace v1 {

struct Runtime::Impl {
  std::shared_ptr<RuntimeEnv> env;
};

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
  return makeContainer(impl_->env, id);
}

Container Runtime::open(const std::string& id) const {
  if (!holds(id)) throw Error(ErrorCode::NotFound, "container \"" + id + "\" does not exist");
  return makeContainer(impl_->env, id);
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
