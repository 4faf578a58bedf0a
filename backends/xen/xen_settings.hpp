// The "xen" section of a platform template.
#pragma once

#include <string>

namespace phi::xen {

struct XenSettings {
  std::string xlPath = "xl";                   // the toolstack binary
  std::string guestType = "pvh";               // xl "type": pv, pvh (x86_64); pvh on arm64
  std::string kernelCmdline = "console=hvc0";  // first part of "extra"
  bool vif = false;                            // the host has a bridge for guest networks
  std::string bridge = "xenbr0";
  std::string gicVersion;                              // arm64: "v2"/"v3"; empty = xl's default
  std::string lvmVolumeGroup;                          // for disk_type "lvm"; empty = LVM disks refused
  unsigned minGuestMemoryMiB = 0;                      // below this Xen cannot build the guest
  int shutdownTimeoutSeconds = 30;                     // SIGTERM: xl shutdown, then xl destroy after this
  std::string consoleLogDir = "/var/log/xen/console";  // xenconsoled --log=guest --log-dir
};

// Parses the platform's driver section (JSON text); unknown keys are kept for
// documentation values (dom0, machine) and ignored. Throws phi::Error naming
// `origin` and the key.
XenSettings parseXenSettings(const std::string& json, const std::string& origin);

}  // namespace phi::xen
