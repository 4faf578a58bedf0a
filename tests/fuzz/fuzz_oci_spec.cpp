// An OCI bundle's config.json (phi::parseOciSpec): any bytes are refused with
// phi::Error or give a spec whose rootfs is an absolute path.
#include "fuzz_support.hpp"

#include <phi/error.hpp>
#include <phi/oci_spec.hpp>
#include <phi/partition.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = phi::fuzz::bytesOf(data, size);
  try {
    phi::OciSpec spec = phi::parseOciSpec(text, "config.json", "/bundle");
    phi::fuzz::require(!spec.rootfs().empty() && spec.rootfs().front() == '/', "root.path resolves to an absolute path",
                       spec.rootfs());
    // The cpuset as create reads it: bounded, linear (issue 13).
    if (!spec.cpusetCpus().empty()) (void)phi::parseCpuList(spec.cpusetCpus(), "linux.resources.cpu.cpus");
  } catch (const phi::Error&) {
  }
  return 0;
}
