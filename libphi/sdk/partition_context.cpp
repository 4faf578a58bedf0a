#include <phi/driver/partition_context.hpp>

#include "model/value_class.hpp"

namespace phi {
inline namespace v1 {

struct PartitionContext::Impl {
  std::string containerId, partitionName, bundle, rootfs, workDir, driverStateDir;
  OciSpec spec;
  ZicConfig zic;
  PlatformTemplate platform;
  Allocation allocation;
  Logger log;
};

PartitionContext::PartitionContext() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(PartitionContext)
PHI_FIELD(PartitionContext, const std::string&, std::string, containerId, setContainerId, containerId)
PHI_FIELD(PartitionContext, const std::string&, std::string, partitionName, setPartitionName, partitionName)
PHI_FIELD(PartitionContext, const std::string&, std::string, bundle, setBundle, bundle)
PHI_FIELD(PartitionContext, const std::string&, std::string, rootfs, setRootfs, rootfs)
PHI_FIELD(PartitionContext, const std::string&, std::string, workDir, setWorkDir, workDir)
PHI_FIELD(PartitionContext, const std::string&, std::string, driverStateDir, setDriverStateDir, driverStateDir)
PHI_FIELD(PartitionContext, const OciSpec&, OciSpec, spec, setSpec, spec)
PHI_FIELD(PartitionContext, const ZicConfig&, ZicConfig, zic, setZic, zic)
PHI_FIELD(PartitionContext, const PlatformTemplate&, PlatformTemplate, platform, setPlatform, platform)
PHI_FIELD(PartitionContext, const Allocation&, Allocation, allocation, setAllocation, allocation)
PHI_FIELD(PartitionContext, const Logger&, Logger, log, setLog, log)

}  // namespace v1
}  // namespace phi
