// Network identity: a locally administered MAC address per virtual link,
// derived from the container and unique among the allocations.
#include "resources/resource_manager.hpp"

#include <phi/error.hpp>

#include <cstdio>
#include <set>

namespace phi {

namespace {

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string formatMac(std::uint64_t bits) {
  char buffer[18];
  // 0x02 in the first octet: locally administered, unicast.
  std::snprintf(buffer, sizeof buffer, "02:%02x:%02x:%02x:%02x:%02x", unsigned(bits >> 32 & 0xff),
                unsigned(bits >> 24 & 0xff), unsigned(bits >> 16 & 0xff), unsigned(bits >> 8 & 0xff),
                unsigned(bits & 0xff));
  return buffer;
}

class NetworkManager : public ResourceManager {
 public:
  const char* name() const override { return "network"; }
  void allocate(const PartitionRequest& r, const std::string& owner, Allocation& out) override {
    out.setMacAddress({});
    if (!r.network()) return;
    std::uint64_t bits = fnv1a(owner);
    for (int attempt = 0; attempt < 1024; ++attempt, ++bits) {
      std::string mac = formatMac(bits);
      if (inUse_.insert(mac).second) {
        out.setMacAddress(mac);
        return;
      }
    }
    throw Error(ErrorCode::Internal, "no free MAC address for " + owner);
  }
  void release(const Allocation& a) override {
    if (!a.macAddress().empty()) inUse_.erase(a.macAddress());
  }
  void claim(const Allocation& a) override {
    if (!a.macAddress().empty() && !inUse_.insert(a.macAddress()).second) {
      throw Error(ErrorCode::Internal, "MAC address " + a.macAddress() + " is given to two containers");
    }
  }
  void reportFree(FreeResources&) const override {}

 private:
  std::set<std::string> inUse_;
};

}  // namespace

std::unique_ptr<ResourceManager> makeNetworkManager(const PlatformTemplate&) {
  return std::make_unique<NetworkManager>();
}

}  // namespace phi
