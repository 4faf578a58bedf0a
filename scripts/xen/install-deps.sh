#!/usr/bin/env bash
# Installs the Debian packages needed to boot Xen 4.17 under QEMU (TCG):
# the hypervisor, the xl toolstack, the dom0/domU kernel, busybox and qemu.
# Idempotent: installs only what is missing, and runs apt-get update at most once.
# Exit status: 0 when everything is installed afterwards, non-zero otherwise.
set -euo pipefail

packages=(xen-hypervisor-4.17-amd64 xen-utils-4.17 linux-image-amd64 busybox-static qemu-system-x86)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "xen/install-deps: everything is installed"
  exit 0
fi

echo "xen/install-deps: installing ${missing[*]}"
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
$SUDO apt-get update -qq || echo "xen/install-deps: apt-get update failed; trying the install anyway" >&2
# Installing xen-hypervisor / linux-image in a container runs update-grub and
# initramfs hooks; they may fail harmlessly, so look at the result, not the hooks.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null || true

still=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || still+=("$p")
done
if ((${#still[@]})); then
  echo "xen/install-deps: could not install: ${still[*]}" >&2
  exit 1
fi
echo "xen/install-deps: done"
