// Writes the xl domain configuration (xl.cfg(5)) of a partition. Every string
// value is quoted and escaped, so no input can end a value or add a key.
#pragma once

#include "xen_settings.hpp"

#include <phi/driver/driver.hpp>

#include <string>

namespace phi::xen {

// What the writer needs beyond the context: host paths already resolved
// inside the rootfs, and the disk target when there is one.
struct XlGuestFiles {
  std::string kernel;
  std::string ramdisk;     // empty: none
  std::string diskTarget;  // file image or LVM volume; empty: no disk
};

class XlConfigWriter {
 public:
  explicit XlConfigWriter(XenSettings settings) : settings_(std::move(settings)) {}

  // Throws phi::Error when the request cannot be expressed on this host
  // (network without a bridge, memory under Xen's minimum, no CPU).
  std::string write(const PartitionContext& ctx, const XlGuestFiles& files) const;

  // "value" with xl's escapes (\\ \" \n \r \t); any other control byte has no
  // escape in libxlu and is refused with phi::Error(InvalidArgument).
  static std::string quote(const std::string& value);

 private:
  XenSettings settings_;
};

}  // namespace phi::xen
