#!/usr/bin/env bash
# xen.smoke: boots a real Xen 4.17 + PV dom0 under qemu (TCG) and runs PV domUs in it:
# xl info; xl create -p (paused in xl list), xl unpause, marker on the domU console,
# poweroff -> gone; a looping domU stopped by xl shutdown -w; one that ignores the
# shutdown, so the timeout expires and xl destroy removes it; a domU with a raw-file disk.
#
# Prints SKIP and exits 0 only when the Debian packages (qemu, xen, kernel, busybox)
# cannot be installed. Environment: XEN_SMOKE_TIMEOUT (qemu timeout, default 600 s),
# XEN_SMOKE_KEEP=1 keeps the work directory (initramfs images, serial log).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
x="$root/scripts/xen"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
T0=$(now)

t=$(now)
if ! out="$("$x/install-deps.sh" 2>&1)"; then
  echo "$out"
  echo "SKIP: xen.smoke: the qemu/xen/kernel/busybox Debian packages cannot be installed (see above)"
  exit 0
fi
echo "$out"
for f in "$(command -v qemu-system-x86_64 || echo /nonexistent)" /boot/xen-4.17-amd64.gz /usr/lib/xen-4.17/bin/xl /bin/busybox; do
  if [[ ! -e "$f" ]]; then
    echo "SKIP: xen.smoke: ${f/\/nonexistent/qemu-system-x86_64} is missing although install-deps.sh succeeded"
    exit 0
  fi
done
T_DEPS=$(since "$t")

set -e
work="$(mktemp -d /tmp/xen-smoke.XXXXXX)"
if [[ "${XEN_SMOKE_KEEP:-0}" == 1 ]]; then echo "xen.smoke: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

t=$(now)
eval "$("$x/images.sh")"   # XEN, DOM0_KERNEL, DOMU_KERNEL_GZ, ...
"$x/build-guest-initramfs.sh" "$work/guest-marker.cpio.gz" --marker GUEST-MARKER-OK
"$x/build-guest-initramfs.sh" "$work/guest-loop.cpio.gz" --marker GUEST-LOOP --loop
"$x/build-guest-initramfs.sh" "$work/guest-stubborn.cpio.gz" --marker GUEST-LOOP --loop --ignore-shutdown
"$x/build-guest-initramfs.sh" "$work/guest-disk.cpio.gz" --marker GUEST-DISK-OK --blkfront
"$x/build-dom0-initramfs.sh" "$work/dom0.cpio.gz" \
  --init-script "$root/tests/xen/dom0_smoke.sh" \
  --add "$DOMU_KERNEL_GZ:/root/vmlinux.gz" \
  --add "$work/guest-marker.cpio.gz:/root/guest-marker.cpio.gz" \
  --add "$work/guest-loop.cpio.gz:/root/guest-loop.cpio.gz" \
  --add "$work/guest-stubborn.cpio.gz:/root/guest-stubborn.cpio.gz" \
  --add "$work/guest-disk.cpio.gz:/root/guest-disk.cpio.gz"
T_BUILD=$(since "$t")
set +e

t=$(now)
"$x/boot.sh" --dom0-initramfs "$work/dom0.cpio.gz" --timeout "${XEN_SMOKE_TIMEOUT:-600}" --log "$work/serial.log"
rc=$?
T_BOOT=$(since "$t")

echo
echo "==== xen.smoke timings (wall seconds) ===="
printf '%-56s %6s\n' "install-deps (check/install)" "$T_DEPS"
printf '%-56s %6s\n' "build images (kernel, initramfs x5)" "$T_BUILD"
printf '%-56s %6s\n' "qemu run (boot.sh, start to exit)" "$T_BOOT"
ready=$(sed -n 's/^boot: *\([0-9.]*\)  dom0 ready.*/\1/p' "$work/serial.log" | head -n1)
printf '%-56s %6s\n' "  qemu start -> dom0 ready (host clock)" "${ready:-?}"
sed -n 's/^boot: took *\([0-9.]*\)  \(.*\)$/\2|\1/p' "$work/serial.log" | while IFS='|' read -r what secs; do
  printf '%-56s %6s\n' "  $what" "$secs"
done
printf '%-56s %6s\n' "whole test" "$(since "$T0")"

if [[ $rc -ne 0 ]]; then
  echo "FAIL: xen.smoke: boot.sh exited $rc (dom0 script status, 124 timeout, 125 no end marker)"
  exit 1
fi
if ! grep -q '^SMOKE-OK' "$work/serial.log"; then
  echo "FAIL: xen.smoke: no SMOKE-OK in the serial log"
  exit 1
fi
echo "PASS: xen.smoke"
