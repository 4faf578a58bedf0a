#include "model/value_class.hpp"
#include "resources/resource_view_impl.hpp"

namespace phi {

ResourceView makeResourceView(const ResourceLedger& ledger, const StateStore& store) {
  auto impl = std::unique_ptr<ResourceView::Impl>(new ResourceView::Impl{ledger.platform(), {}, {}, store});
  // One read under the ledger's lock: the free pools and the records agree.
  impl->allocations = ledger.allocations();
  impl->free = ledger.freeResources(impl->allocations);
  return ResourceView(std::move(impl));
}

}  // namespace phi

namespace phi {
inline namespace v1 {

ResourceView::ResourceView(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PHI_VALUE_CLASS_MEMBERS(ResourceView)

const PlatformTemplate& ResourceView::platform() const noexcept {
  return impl_->platform;
}
const std::vector<int>& ResourceView::freeCpus() const noexcept {
  return impl_->free.cpus;
}
const std::vector<int>& ResourceView::freeRpus() const noexcept {
  return impl_->free.rpus;
}
const std::vector<int>& ResourceView::freePciBdfs() const noexcept {
  return impl_->free.pciBdfs;
}
const std::vector<MemoryRange>& ResourceView::freeMemory() const noexcept {
  return impl_->free.memory;
}
const std::vector<MemoryRange>& ResourceView::freeCommWindows() const noexcept {
  return impl_->free.commWindows;
}
const std::map<std::string, Allocation>& ResourceView::allocations() const noexcept {
  return impl_->allocations;
}

std::optional<Allocation> ResourceView::allocationOf(const std::string& id) const {
  auto it = impl_->allocations.find(impl_->store.ownerKey(id));
  if (it == impl_->allocations.end()) return std::nullopt;
  return it->second;
}

bool ResourceView::idle() const noexcept {
  return impl_->allocations.empty();
}

}  // namespace v1
}  // namespace phi
