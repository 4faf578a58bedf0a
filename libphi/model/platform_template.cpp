#include <phi/platform.hpp>

#include "model/value_class.hpp"

namespace phi {
inline namespace v1 {

struct TickSourceSpec::Impl {
  std::string kind = "monotonic";
  std::uint64_t address = 0;
  std::uint64_t frequencyHz = 1000000000;
  unsigned widthBits = 64;
};

TickSourceSpec::TickSourceSpec() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(TickSourceSpec)
PHI_FIELD(TickSourceSpec, const std::string&, std::string, kind, setKind, kind)
PHI_FIELD(TickSourceSpec, std::uint64_t, std::uint64_t, address, setAddress, address)
PHI_FIELD(TickSourceSpec, std::uint64_t, std::uint64_t, frequencyHz, setFrequencyHz, frequencyHz)
PHI_FIELD(TickSourceSpec, unsigned, unsigned, widthBits, setWidthBits, widthBits)

struct PlatformTemplate::Impl {
  std::string name, description, driver, dialect, arch;
  unsigned cpuCount = 0;
  std::vector<int> cpuPool;
  std::vector<MemoryRange> memoryPool;
  std::uint64_t pageSize = 4096;
  std::uint64_t defaultMemoryBytes = 64ull * 1024 * 1024;
  std::vector<int> pciBdfPool;
  std::vector<MemoryRange> commWindows;
  std::vector<int> rpuPool;
  TickSourceSpec tickSource;
  std::string driverSettingsJson;
  std::string sourcePath;
};

PlatformTemplate::PlatformTemplate() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(PlatformTemplate)
PHI_FIELD(PlatformTemplate, const std::string&, std::string, name, setName, name)
PHI_FIELD(PlatformTemplate, const std::string&, std::string, description, setDescription, description)
PHI_FIELD(PlatformTemplate, const std::string&, std::string, driver, setDriver, driver)
PHI_FIELD(PlatformTemplate, const std::string&, std::string, dialect, setDialect, dialect)
PHI_FIELD(PlatformTemplate, const std::string&, std::string, arch, setArch, arch)
PHI_FIELD(PlatformTemplate, unsigned, unsigned, cpuCount, setCpuCount, cpuCount)
PHI_FIELD(PlatformTemplate, const std::vector<int>&, std::vector<int>, cpuPool, setCpuPool, cpuPool)
PHI_FIELD(PlatformTemplate, const std::vector<MemoryRange>&, std::vector<MemoryRange>, memoryPool, setMemoryPool,
          memoryPool)
PHI_FIELD(PlatformTemplate, std::uint64_t, std::uint64_t, pageSize, setPageSize, pageSize)
PHI_FIELD(PlatformTemplate, std::uint64_t, std::uint64_t, defaultMemoryBytes, setDefaultMemoryBytes, defaultMemoryBytes)
PHI_FIELD(PlatformTemplate, const std::vector<int>&, std::vector<int>, pciBdfPool, setPciBdfPool, pciBdfPool)
PHI_FIELD(PlatformTemplate, const std::vector<MemoryRange>&, std::vector<MemoryRange>, commWindows, setCommWindows,
          commWindows)
PHI_FIELD(PlatformTemplate, const std::vector<int>&, std::vector<int>, rpuPool, setRpuPool, rpuPool)
PHI_FIELD(PlatformTemplate, const TickSourceSpec&, TickSourceSpec, tickSource, setTickSource, tickSource)
PHI_FIELD(PlatformTemplate, const std::string&, std::string, driverSettingsJson, setDriverSettingsJson,
          driverSettingsJson)
PHI_FIELD(PlatformTemplate, const std::string&, std::string, sourcePath, setSourcePath, sourcePath)

}  // namespace v1
}  // namespace phi
