#!/usr/bin/env bash
# xen.runphi: boots a real Xen 4.17 + PV dom0 under qemu (TCG) with the built
# runphi, libphi, the Xen driver and runphi-monitor inside dom0, and runs
# partitioned containers as Xen domains (tests/xen/dom0_runphi.sh says what is
# checked). Also prints the create+start-to-marker benchmark against `xl
# create` by hand.
#   usage: runphi_xen_test.sh RUNPHI MONITOR XEN_DRIVER SUBREAPER [SHIM]
# (SHIM: the C++ shim the front end hands ZICs to, when runphi is the front end)
# Prints SKIP and exits 0 only when the Debian packages (qemu, xen, kernel,
# busybox) cannot be installed.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
x="$root/scripts/xen"
runphi=$1 monitor=$2 driver=$3 subreaper=$4 shim=${5:-}

if ! out="$("$x/install-deps.sh" 2>&1)"; then
  echo "$out"
  echo "SKIP: xen.runphi: the qemu/xen/kernel/busybox Debian packages cannot be installed (see above)"
  exit 0
fi
set -e
work="$(mktemp -d /tmp/xen-runphi.XXXXXX)"
if [[ "${XEN_TEST_KEEP:-0}" == 1 ]]; then echo "xen.runphi: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

eval "$("$x/images.sh")"  # DOMU_KERNEL_GZ, ...
"$x/build-guest-initramfs.sh" "$work/marker.cpio.gz" --marker RUNPHI-XEN-MARKER
"$x/build-guest-initramfs.sh" "$work/loop.cpio.gz" --marker RUNPHI-XEN-LOOP --loop
"$x/build-guest-initramfs.sh" "$work/stubborn.cpio.gz" --marker RUNPHI-XEN-LOOP --loop --ignore-shutdown

# A ZIC bundle: an OCI config.json and a rootfs whose /boot holds the guest.
bundle() {  # NAME INITRAMFS
  local b="$work/$1"
  mkdir -p "$b/rootfs/boot"
  cp "$DOMU_KERNEL_GZ" "$b/rootfs/boot/vmlinuz"
  cp "$2" "$b/rootfs/boot/initrd.cpio.gz"
  cat > "$b/rootfs/boot/config.json" <<JSON
{"os_var": "linux", "inmate": "/boot/vmlinuz", "ramdisk": "/boot/initrd.cpio.gz", "memory": 128, "net": "none"}
JSON
  cat > "$b/config.json" <<JSON
{"ociVersion": "1.0.2-dev", "root": {"path": "rootfs"}, "process": {"args": [], "cwd": "/"}}
JSON
}
bundle zic-marker "$work/marker.cpio.gz"
bundle zic-loop "$work/loop.cpio.gz"
bundle zic-stubborn "$work/stubborn.cpio.gz"

cat > "$work/runphi.json" <<JSON
{"backend": "xen", "platform_template": "/etc/runphi/x86_64-xen.json", "state_root": "/run/runPHI",
 "runc_path": "/bin/false", "driver_dir": "/usr/lib/phi/drivers",
 "monitor_path": "/usr/libexec/runphi/runphi-monitor",
 "log": {"path": "/var/log/runphi.log", "level": "debug", "journald": false}}
JSON
cat > "$work/init.sh" <<'SH'
#!/bin/sh
exec /usr/bin/subreaper /tmp/zic.pid /tmp/zic.status -- sh /root/dom0_runphi.sh
SH

"$x/build-dom0-initramfs.sh" "$work/dom0.cpio.gz" \
  --init-script "$work/init.sh" \
  --add "$root/tests/xen/dom0_runphi.sh:/root/dom0_runphi.sh" \
  --add-binary "$runphi:/usr/sbin/runphi" \
  ${shim:+--add-binary "$shim:/usr/libexec/runphi/runphi-shim"} \
  --add-binary "$driver:/usr/lib/phi/drivers/libphi-driver-xen.so" \
  --add-binary "$monitor:/usr/libexec/runphi/runphi-monitor" \
  --add-binary "$subreaper:/usr/bin/subreaper" \
  --add "$work/runphi.json:/etc/runphi/runphi.json" \
  --add "$root/platform-templates/x86_64-xen.json:/etc/runphi/x86_64-xen.json" \
  --add "$work/zic-marker:/root/zic-marker" \
  --add "$work/zic-loop:/root/zic-loop" \
  --add "$work/zic-stubborn:/root/zic-stubborn"
set +e

# The platform template describes a 2-CPU machine (dom0 keeps CPU 0).
"$x/boot.sh" --dom0-initramfs "$work/dom0.cpio.gz" --smp 2 --timeout "${XEN_TEST_TIMEOUT:-900}" \
  --log "$work/serial.log"
rc=$?
grep -q "RUNPHI-XEN-OK" "$work/serial.log" || rc=${rc/#0/1}
echo
grep -E "RUNPHI-XEN-(BENCH|FAIL|OK)" "$work/serial.log" || true
echo "xen.runphi: exit status $rc"
exit "$rc"
