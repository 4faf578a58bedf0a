#!/usr/bin/env bash
# Builds a tiny PV domU initramfs (busybox-static only).
#
# Usage: build-guest-initramfs.sh <out.cpio.gz> --marker TEXT [--loop | --crash | --exit-init]
#                                 [--ignore-shutdown] [--blkfront]
#
# The guest's /init mounts /proc, /sys and /dev, prints TEXT on its console
# (hvc0 with extra="console=hvc0") and then:
#   default            powers the domain off (busybox poweroff -f), so on_poweroff applies;
#   --loop             prints "<TEXT> tick N" every second forever (for shutdown/kill tests);
#   --crash            panics the kernel (sysrq c), so on_crash applies;
#   --exit-init        lets /init exit with status 3 (the kernel panics: on_crash applies).
# `xl shutdown` makes the guest kernel run /sbin/poweroff (orderly_poweroff); here that
# prints "GUEST-POWEROFF-REQUESTED" and powers off. With --ignore-shutdown it prints
# "GUEST-POWEROFF-IGNORED" and does nothing, so `xl shutdown -w` never finishes and only
# `xl destroy` removes the domain (the "SIGKILL" path).
# --blkfront adds the kernel's xen-blkfront module: /init loads it and prints
# "GUEST-DISK <name> <512-byte sectors>" for each xvd* disk before the marker.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }

out="" marker="" ignore=0 ending=poweroff blkfront=0
while (($#)); do
  case "$1" in
    --marker) marker="${2:?--marker needs TEXT}"; shift 2 ;;
    --loop) ending=loop; shift ;;
    --crash) ending=crash; shift ;;
    --exit-init) ending='exit'; shift ;;
    --ignore-shutdown) ignore=1; shift ;;
    --blkfront) blkfront=1; shift ;;
    -h|--help) usage ;;
    -*) echo "build-guest-initramfs: unknown option $1" >&2; usage ;;
    *) [[ -z "$out" ]] || usage; out="$1"; shift ;;
  esac
done
[[ -n "$out" && -n "$marker" ]] || usage
busybox="$(command -v busybox || true)"
[[ -x /bin/busybox ]] && busybox=/bin/busybox
[[ -n "$busybox" ]] || { echo "build-guest-initramfs: busybox (busybox-static) not installed" >&2; exit 1; }
if ldd "$busybox" >/dev/null 2>&1; then  # ldd fails on a static binary
  echo "build-guest-initramfs: $busybox is not static (install busybox-static)" >&2; exit 1
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,etc}
cp "$busybox" "$stage/bin/busybox"
for a in sh echo cat mount sleep poweroff uname dmesg; do ln -s busybox "$stage/bin/$a"; done

# The marker goes into a file, so any text (quotes, $) is printed verbatim.
printf '%s\n' "$marker" > "$stage/etc/marker"

cat > "$stage/init" <<'INIT'
#!/bin/sh
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
dmesg -n 1
m="$(cat /etc/marker)"
if [ -e /etc/blkfront.ko ]; then
  insmod /etc/blkfront.ko
  sleep 1
  for d in /sys/block/xvd*; do [ -e "$d" ] && echo "GUEST-DISK ${d##*/} $(cat "$d/size")"; done
fi
echo "$m"
case "$(cat /etc/ending)" in
  loop)
    n=0
    while :; do n=$((n + 1)); echo "$m tick $n"; sleep 1; done ;;
  crash)
    echo "GUEST-CRASHING"
    echo 1 > /proc/sys/kernel/sysrq
    echo c > /proc/sysrq-trigger ;;
  exit)
    echo "GUEST-INIT-EXITING"
    exit 3 ;;
esac
busybox poweroff -f
INIT
chmod 755 "$stage/init"
echo "$ending" > "$stage/etc/ending"
if ((blkfront)); then
  kver="$(. "$here/common.sh"; xen_kver)"
  ko="$(find "/lib/modules/$kver" -name 'xen-blkfront.ko*' | head -n1)"
  [[ -n "$ko" ]] || { echo "build-guest-initramfs: xen-blkfront.ko not found for $kver" >&2; exit 1; }
  cp "$ko" "$stage/etc/blkfront.ko"
  ln -s busybox "$stage/bin/insmod"
fi

if ((ignore)); then
  printf '#!/bin/sh\necho GUEST-POWEROFF-IGNORED >/dev/console\nexit 0\n' > "$stage/sbin/poweroff"
else
  printf '#!/bin/sh\necho GUEST-POWEROFF-REQUESTED >/dev/console\nexec /bin/busybox poweroff -f\n' > "$stage/sbin/poweroff"
fi
chmod 755 "$stage/sbin/poweroff"
# The kernel's reboot path (ctrl-alt-del / `xl reboot`) runs /sbin/reboot.
printf '#!/bin/sh\nexec /bin/busybox reboot -f\n' > "$stage/sbin/reboot"
chmod 755 "$stage/sbin/reboot"

mkdir -p "$(dirname "$out")"
python3 "$here/mkcpio.py" "$stage" "$out" --nod /dev/console:600:c:5:1 --nod /dev/null:666:c:1:3
echo "build-guest-initramfs: wrote $out ($(du -h "$out" | cut -f1))"
