// Everything a driver operation may look at for one partition. libphi builds
// it; a driver's own tests may build one with the setters.
#pragma once

#include <phi/export.hpp>
#include <phi/log.hpp>
#include <phi/oci_spec.hpp>
#include <phi/partition.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include <memory>
#include <string>

namespace phi {
inline namespace v1 {

class PHI_API PartitionContext {
 public:
  PartitionContext();
  ~PartitionContext();
  PartitionContext(const PartitionContext&);
  PartitionContext& operator=(const PartitionContext&);
  PartitionContext(PartitionContext&&) noexcept;
  PartitionContext& operator=(PartitionContext&&) noexcept;

  const std::string& containerId() const noexcept;
  PartitionContext& setContainerId(std::string id);
  // Hypervisor-safe: [a-z0-9-], <= 31 chars, never all digits.
  const std::string& partitionName() const noexcept;
  PartitionContext& setPartitionName(std::string name);
  const std::string& bundle() const noexcept;
  PartitionContext& setBundle(std::string path);
  // The container's boot files as libphi pinned them at create: a private
  // directory laid out like the rootfs, holding exactly the images the ZIC
  // config names (and /boot/cmdline when the image has one), each the very
  // file libphi opened and checked inside the rootfs. Resolve them with
  // resolveInRootfs(rootfs(), path); never read the bundle's rootfs by path
  // for anything a partition loads (it can change after the check). The
  // container's own rootfs is spec().rootfs().
  const std::string& rootfs() const noexcept;
  PartitionContext& setRootfs(std::string path);
  // This container's private directory for the driver (exists).
  const std::string& workDir() const noexcept;
  PartitionContext& setWorkDir(std::string path);
  // The driver's per-host directory under the state root (exists).
  const std::string& driverStateDir() const noexcept;
  PartitionContext& setDriverStateDir(std::string path);
  const OciSpec& spec() const noexcept;
  PartitionContext& setSpec(OciSpec spec);
  const ZicConfig& zic() const noexcept;
  PartitionContext& setZic(ZicConfig zic);
  const PlatformTemplate& platform() const noexcept;
  PartitionContext& setPlatform(PlatformTemplate platform);
  const Allocation& allocation() const noexcept;
  PartitionContext& setAllocation(Allocation allocation);
  // Bound to this container; logs nowhere unless libphi's caller installed sinks.
  const Logger& log() const noexcept;
  PartitionContext& setLog(Logger log);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace phi
