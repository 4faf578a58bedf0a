// Shared-memory windows between a partition and the host: one per network
// link and per extra channel, each a whole window from the platform's list.
#include "resources/memory_pool.hpp"
#include "resources/resource_manager.hpp"

#include <phi/error.hpp>

namespace phi {

namespace {

class CommunicationManager : public ResourceManager {
 public:
  explicit CommunicationManager(const PlatformTemplate& p) : pool_("shared-memory windows", p.commWindows(), 1) {}
  const char* name() const override { return "communication"; }
  void allocate(const PartitionRequest& r, const std::string&, Allocation& out) override {
    unsigned wanted = (r.network() ? 1u : 0u) + r.commChannels();
    if (unsigned free = pool_.wholeRangesFree(); wanted > free) {
      throw Error(ErrorCode::NotFound, "not enough shared-memory windows: asked " + std::to_string(wanted) + ", free " +
                                           std::to_string(free));
    }
    std::vector<MemoryRange> windows;
    for (unsigned i = 0; i < wanted; ++i) windows.push_back(pool_.takeWhole());
    out.setCommWindows(std::move(windows));
  }
  void release(const Allocation& a) override {
    for (const MemoryRange& w : a.commWindows()) pool_.give(w);
  }
  void claim(const Allocation& a) override {
    for (const MemoryRange& w : a.commWindows()) pool_.claim(w);
  }
  void reportFree(FreeResources& out) const override { out.commWindows = pool_.freeRanges(); }

 private:
  MemoryPool pool_;
};

}  // namespace

std::unique_ptr<ResourceManager> makeCommunicationManager(const PlatformTemplate& p) {
  return std::make_unique<CommunicationManager>(p);
}

}  // namespace phi
