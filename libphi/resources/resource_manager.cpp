#include "resources/resource_manager.hpp"

namespace phi {

std::vector<std::unique_ptr<ResourceManager>> makeResourceManagers(const PlatformTemplate& p) {
  std::vector<std::unique_ptr<ResourceManager>> all;
  all.push_back(makeCpuManager(p));
  all.push_back(makeRpuManager(p));
  all.push_back(makeMemoryManager(p));
  all.push_back(makeDeviceManager(p));
  all.push_back(makeCommunicationManager(p));
  all.push_back(makeNetworkManager(p));
  return all;
}

}  // namespace phi
