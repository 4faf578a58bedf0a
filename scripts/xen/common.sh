# shellcheck shell=bash disable=SC2034
# Shared settings for the scripts/xen/ tools. Sourced, not run.
# Everything comes from Debian 12 packages (see install-deps.sh).

XEN_VERSION="${XEN_VERSION:-4.17}"
XEN_GZ="${XEN_GZ:-/boot/xen-${XEN_VERSION}-amd64.gz}"
XEN_LIBEXEC="/usr/lib/xen-${XEN_VERSION}/bin"
XEN_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The Debian kernel used as dom0 and domU kernel: the newest /boot/vmlinuz-*
# that has a module tree (override with XEN_QEMU_KVER=6.1.0-NN-amd64).
xen_kver() {
  if [[ -n "${XEN_QEMU_KVER:-}" ]]; then echo "$XEN_QEMU_KVER"; return; fi
  local k best=""
  for k in /boot/vmlinuz-*; do
    [[ -e "$k" ]] || continue
    k="${k#/boot/vmlinuz-}"
    [[ -d "/lib/modules/$k/kernel" ]] || continue
    best="$(printf '%s\n%s\n' "$best" "$k" | sed '/^$/d' | sort -V | tail -n1)"
  done
  [[ -n "$best" ]] || { echo "xen: no /boot/vmlinuz-* with /lib/modules (install linux-image-amd64)" >&2; return 1; }
  echo "$best"
}

# Where derived images (uncompressed xen, ELF vmlinux, gzip'd vmlinux) are cached.
xen_cache_dir() {
  local d="${RUNPHI_XEN_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/runphi-xen}"
  mkdir -p "$d" && echo "$d"
}

# xen_images: make sure the cache holds, for kernel $(xen_kver):
#   xen-<ver>            Xen, gunzip'd (an ELF32 multiboot1 image; qemu's -kernel needs it uncompressed)
#   vmlinux-<kver>       the ELF payload of Debian's XZ bzImage (dom0 kernel; saves the emulated un-XZ)
#   vmlinux-<kver>.gz    the same, gzip'd (domU kernel; libxenguest un-gzips it much faster than un-XZ)
# and print the cache directory.
xen_images() {
  local kver cache
  kver="$(xen_kver)" || return 1
  cache="$(xen_cache_dir)" || return 1
  [[ -r "$XEN_GZ" ]] || { echo "xen: $XEN_GZ missing (install xen-hypervisor-${XEN_VERSION}-amd64)" >&2; return 1; }
  if [[ ! -s "$cache/xen-$XEN_VERSION" || "$XEN_GZ" -nt "$cache/xen-$XEN_VERSION" ]]; then
    zcat "$XEN_GZ" > "$cache/xen-$XEN_VERSION.tmp.$$" && mv "$cache/xen-$XEN_VERSION.tmp.$$" "$cache/xen-$XEN_VERSION" || return 1
  fi
  local vmlinuz="/boot/vmlinuz-$kver"
  if [[ ! -s "$cache/vmlinux-$kver" || "$vmlinuz" -nt "$cache/vmlinux-$kver" ]]; then
    python3 "$XEN_SCRIPTS_DIR/extract-vmlinux.py" "$vmlinuz" "$cache/vmlinux-$kver.tmp.$$" &&
      mv "$cache/vmlinux-$kver.tmp.$$" "$cache/vmlinux-$kver" || return 1
  fi
  if [[ ! -s "$cache/vmlinux-$kver.gz" || "$cache/vmlinux-$kver" -nt "$cache/vmlinux-$kver.gz" ]]; then
    gzip -c -6 -n "$cache/vmlinux-$kver" > "$cache/vmlinux-$kver.gz.tmp.$$" &&
      mv "$cache/vmlinux-$kver.gz.tmp.$$" "$cache/vmlinux-$kver.gz" || return 1
  fi
  echo "$cache"
}
