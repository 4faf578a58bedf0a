// A Container handle: the runtime's environment and the container's id.
#pragma once

#include <phi/container.hpp>

#include "lifecycle/runtime_env.hpp"

#include <memory>
#include <string>

namespace phi {
inline namespace v1 {

struct Container::Impl {
  std::shared_ptr<RuntimeEnv> env;
  std::string id;
  bool removed = false;
};

}  // namespace v1
}  // namespace phi

namespace phi {

inline Container makeContainer(std::shared_ptr<RuntimeEnv> env, std::string id) {
  auto impl = std::make_unique<Container::Impl>();
  impl->env = std::move(env);
  impl->id = std::move(id);
  return Container(std::move(impl));
}

}  // namespace phi
