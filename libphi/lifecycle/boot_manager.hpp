// The boot resources of a partition: the guest images inside the rootfs.
// Checked before anything is allocated, so a ZIC naming a missing or
// escaping file fails early with the field at fault.
#pragma once

#include <phi/zic_config.hpp>

#include <cstdint>
#include <string>

namespace phi {

// Every image the ZIC config names must be a regular file inside the rootfs
// (resolved with the rootfs as "/"), and a bare-metal image must fit in
// `memoryBytes`. Throws phi::Error naming the field and the path.
void checkBootImages(const std::string& rootfs, const ZicConfig& zic, std::uint64_t memoryBytes);

}  // namespace phi
