#!/usr/bin/env bash
# Prepares (once, cached) and prints the boot images as KEY=PATH lines, for scripts that
# put a domU kernel into dom0 (e.g. build-dom0-initramfs.sh --add "$DOMU_KERNEL_GZ:/root/vmlinux.gz"):
#   XEN             Xen, uncompressed (qemu -kernel)
#   DOM0_KERNEL     the Debian kernel's ELF vmlinux (boot.sh's dom0 module)
#   DOMU_KERNEL_GZ  the same, gzip'd (11 MB; `xl create` un-gzips it: a few s under TCG)
#   DOMU_KERNEL     the same ELF (66 MB; `xl create` is fastest with it, but dom0's
#                   initramfs grows by that much)
#   KVER            the kernel version (its modules are the ones dom0 loads)
# Usage: eval "$(scripts/xen/images.sh)"
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=common.sh
. "$here/common.sh"
cache="$(xen_images)"
kver="$(xen_kver)"
echo "XEN=$cache/xen-$XEN_VERSION"
echo "DOM0_KERNEL=$cache/vmlinux-$kver"
echo "DOMU_KERNEL_GZ=$cache/vmlinux-$kver.gz"
echo "DOMU_KERNEL=$cache/vmlinux-$kver"
echo "KVER=$kver"
