// A ResourceView is a snapshot of one platform's ledger.
#pragma once

#include <phi/resources.hpp>

#include "resources/resource_ledger.hpp"
#include "runtime/state_store.hpp"

namespace phi {
inline namespace v1 {

struct ResourceView::Impl {
  PlatformTemplate platform;
  FreeResources free;
  std::map<std::string, Allocation> allocations;
  StateStore store;  // maps a container id of the runtime's runc root to its owner key
};

}  // namespace v1
}  // namespace phi

namespace phi {

ResourceView makeResourceView(const ResourceLedger& ledger, const StateStore& store);

}  // namespace phi
