// ContainerState is a view of the record libphi keeps on disk.
#pragma once

#include <phi/container_state.hpp>

#include "runtime/state_store.hpp"

namespace phi {
inline namespace v1 {

struct ContainerState::Impl {
  ContainerRecord record;
};

}  // namespace v1
}  // namespace phi

namespace phi {

inline ContainerState makeContainerState(const ContainerRecord& record) {
  auto impl = std::make_unique<ContainerState::Impl>();
  impl->record = record;
  return ContainerState(std::move(impl));
}

}  // namespace phi
