// The entry point of libphi: one runtime per configuration and runc --root
// namespace. It creates partitioned containers and finds the ones it holds;
// every lifecycle verb is then a call on the phi::Container handle. Nothing
// here prints, execs or exits: output is the caller's, errors are phi::Error,
// log lines go to the sinks of the RuntimeOptions. A Runtime may be shared by
// threads; a Container handle by one thread at a time.
#pragma once

#include <phi/container.hpp>
#include <phi/container_state.hpp>
#include <phi/create_request.hpp>
#include <phi/drivers.hpp>
#include <phi/export.hpp>
#include <phi/resources.hpp>
#include <phi/routing.hpp>
#include <phi/runtime_options.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace phi {
inline namespace v1 {

class PHI_API Runtime {
 public:
  explicit Runtime(RuntimeOptions options);  // since 0.2
  ~Runtime();
  Runtime(Runtime&&) noexcept;
  Runtime& operator=(Runtime&&) noexcept;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const RuntimeOptions& options() const noexcept;

  // A partitioned container from a ZIC bundle: validation, allocation, the
  // driver's configuration and partition, hooks, the container process.
  // Any failure undoes every step already done. AlreadyExists when the id is
  // taken in this runc root; NoDriver when no backend is configured.   since 0.2
  Container create(const CreateRequest& request);
  // Like create, but the guest comes back running from a checkpoint.   since 0.2
  Container restore(const CreateRequest& request, const RestoreOptions& options);

  // True when this runtime holds state for `id` (in its runc root).    since 0.2
  bool holds(const std::string& id) const;
  std::optional<Container> find(const std::string& id) const;  // since 0.2
  Container open(const std::string& id) const;                 // NotFound   since 0.2
  // Every container this runtime holds, as recorded, sorted by id.     since 0.2
  std::vector<ContainerState> list() const;

  // Who handles a create of `id` from `bundleDir`: runphi when it already
  // holds the id (create then fails with AlreadyExists), else decideCreate. since 0.2
  RouteDecision routeCreate(const std::string& id, const std::string& bundleDir) const;
  // Who handles any other verb on `id`: runphi exactly when it holds it. since 0.2
  RouteDecision routeExisting(const std::string& id) const;

  // The configured platform's pools and who holds what. InvalidArgument
  // when no platform template is configured.                           since 0.2
  ResourceView resources() const;
  // The drivers this runtime loads its backend from.                   since 0.2
  DriverRegistry& drivers() noexcept;
  const DriverRegistry& drivers() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace phi
