// PCI devices: the virtual (ivshmem) BDFs a partition's links use. The
// irqchip pins follow from the BDF in the driver's generator.
#include "resources/id_pool.hpp"
#include "resources/resource_manager.hpp"

namespace phi {

namespace {

class DeviceManager : public ResourceManager {
 public:
  explicit DeviceManager(const PlatformTemplate& p) : pool_("PCI BDFs", p.pciBdfPool()) {}
  const char* name() const override { return "device"; }
  void allocate(const PartitionRequest& r, const std::string&, Allocation& out) override {
    out.setPciBdfs(pool_.take((r.network() ? 1u : 0u) + r.commChannels()));
  }
  void release(const Allocation& a) override { pool_.give(a.pciBdfs()); }
  void claim(const Allocation& a) override { pool_.claim(a.pciBdfs()); }
  void reportFree(FreeResources& out) const override { out.pciBdfs = pool_.freeIds(); }

 private:
  IdPool pool_;
};

}  // namespace

std::unique_ptr<ResourceManager> makeDeviceManager(const PlatformTemplate& p) {
  return std::make_unique<DeviceManager>(p);
}

}  // namespace phi
