// Partition RAM: first fit over the platform's memory pool, page-aligned.
#include "resources/memory_pool.hpp"
#include "resources/resource_manager.hpp"

namespace phi {

namespace {

class MemoryManager : public ResourceManager {
 public:
  explicit MemoryManager(const PlatformTemplate& p) : pool_("memory", p.memoryPool(), p.pageSize()) {}
  const char* name() const override { return "memory"; }
  void allocate(const PartitionRequest& r, const std::string&, Allocation& out) override {
    out.setMemory({pool_.take(r.memoryBytes())});
  }
  void release(const Allocation& a) override {
    for (const MemoryRange& m : a.memory()) pool_.give(m);
  }
  void claim(const Allocation& a) override {
    for (const MemoryRange& m : a.memory()) pool_.claim(m);
  }
  void reportFree(FreeResources& out) const override { out.memory = pool_.freeRanges(); }

 private:
  MemoryPool pool_;
};

}  // namespace

std::unique_ptr<ResourceManager> makeMemoryManager(const PlatformTemplate& p) {
  return std::make_unique<MemoryManager>(p);
}

}  // namespace phi
