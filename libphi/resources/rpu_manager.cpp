// Real-time cores (e.g. the ZynqMP Cortex-R5s), for ZICs with rpu_req.
#include "resources/id_pool.hpp"
#include "resources/resource_manager.hpp"

namespace phi {

namespace {

class RpuManager : public ResourceManager {
 public:
  explicit RpuManager(const PlatformTemplate& p) : pool_("RPUs", p.rpuPool()) {}
  const char* name() const override { return "rpu"; }
  void allocate(const PartitionRequest& r, const std::string&, Allocation& out) override {
    out.setRpus(pool_.take(r.rpus()));
  }
  void release(const Allocation& a) override { pool_.give(a.rpus()); }
  void claim(const Allocation& a) override { pool_.claim(a.rpus()); }
  void reportFree(FreeResources& out) const override { out.rpus = pool_.freeIds(); }

 private:
  IdPool pool_;
};

}  // namespace

std::unique_ptr<ResourceManager> makeRpuManager(const PlatformTemplate& p) {
  return std::make_unique<RpuManager>(p);
}

}  // namespace phi
