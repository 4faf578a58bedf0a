// CPUs: the platform's pool never includes the host's (root cell's, dom0's) CPUs.
#include "resources/id_pool.hpp"
#include "resources/resource_manager.hpp"

namespace phi {

namespace {

class CpuManager : public ResourceManager {
 public:
  explicit CpuManager(const PlatformTemplate& p) : pool_("CPUs", p.cpuPool()) {}
  const char* name() const override { return "cpu"; }
  void allocate(const PartitionRequest& r, const std::string&, Allocation& out) override {
    out.setCpus(pool_.take(r.cpus()));
  }
  void release(const Allocation& a) override { pool_.give(a.cpus()); }
  void claim(const Allocation& a) override { pool_.claim(a.cpus()); }
  void reportFree(FreeResources& out) const override { out.cpus = pool_.freeIds(); }
  void skipHeld(const HeldByHypervisor& held) override {
    pool_.withhold(held.cpus, "held by a partition runphi did not create");
  }

 private:
  IdPool pool_;
};

}  // namespace

std::unique_ptr<ResourceManager> makeCpuManager(const PlatformTemplate& p) {
  return std::make_unique<CpuManager>(p);
}

}  // namespace phi
