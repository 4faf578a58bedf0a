#!/bin/sh
# Runs inside dom0 (busybox sh), as the --init-script of the xen.smoke test.
# Expects /root/vmlinux.gz (domU kernel) and the guest initramfs images
# /root/guest-{marker,loop,stubborn,disk}.cpio.gz.
. /etc/xen-qemu/lib.sh

xq_begin "dom0 script"
NFAIL=0

dump_logs() {
  for f in /var/log/xen/*.log /var/log/xen/console/*.log; do
    [ -f "$f" ] || continue
    echo "---- $f (last 25 lines)"
    tail -n 25 "$f"
  done
}
fail() {
  echo "SMOKE-FAIL: $*"
  xl list
  dump_logs
  exit 1
}
only_dom0() { [ "$(xl list | tail -n +2 | wc -l)" = 1 ] && xl list | grep -q '^Domain-0 '; }

# cfg NAME RAMDISK: write /root/NAME.cfg, a PV domU on pCPU 1 (dom0 is pinned to pCPU 0).
cfg() {
  cat > "/root/$1.cfg" <<EOF
name = "$1"
type = "pv"
kernel = "/root/vmlinux.gz"
ramdisk = "$2"
extra = "console=hvc0 clocksource=xen"
memory = 128
vcpus = 1
cpus = "1"
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOF
}

# ---- 1. xl info ---------------------------------------------------------------
xq_begin "xl info"
xl info > /tmp/xl-info.txt || fail "xl info"
xq_end "xl info"
grep -E '^(nr_cpus|total_memory|free_memory|xen_version|xen_scheduler|virt_caps)' /tmp/xl-info.txt
xl list
only_dom0 || fail "xl list does not show Domain-0 alone"

# ---- 2. guest1: create -p, paused, unpause, marker, poweroff -------------------
cfg guest1 /root/guest-marker.cpio.gz
xq_begin "xl create -p"
xl create -p /root/guest1.cfg || fail "xl create -p guest1"
xq_end "xl create -p"
xl list
state=$(xl list guest1 | awk 'NR == 2 { print $5 }')
case "$state" in *p*) echo "guest1 state $state: paused" ;; *) fail "guest1 not paused (state '$state')" ;; esac
echo "---- xl list -l guest1 (paused), first lines:"
xl list -l guest1 > /tmp/guest1.json || fail "xl list -l"
head -n 12 /tmp/guest1.json
xq_begin "xl unpause -> marker on console"
xl unpause guest1 || fail "xl unpause"
log1=$(xq_console_log guest1)
xq_wait_text "$log1" GUEST-MARKER-OK 90 || fail "no GUEST-MARKER-OK on guest1's console"
xq_end "xl unpause -> marker on console"
echo "---- guest1 console line: $(grep -F GUEST-MARKER-OK "$log1" | head -n 1)"
xq_begin "marker -> guest1 gone (poweroff, on_poweroff=destroy)"
xq_wait_gone guest1 60 || fail "guest1 still exists after its poweroff"
xq_end "marker -> guest1 gone (poweroff, on_poweroff=destroy)"
xl list
only_dom0 || fail "xl list shows more than Domain-0 after guest1"
xq_step guest1-done

# ---- 3. guest2: loops until `xl shutdown` (its /sbin/poweroff powers off) ------------
cfg guest2 /root/guest-loop.cpio.gz
xq_begin "xl create (guest2, not paused)"
xl create /root/guest2.cfg || fail "xl create guest2"
xq_end "xl create (guest2, not paused)"
xq_wait_text "$(xq_console_log guest2)" "GUEST-LOOP tick 2" 90 || fail "guest2 does not tick"
xq_begin "xl shutdown -w guest2"
if timeout 60 xl shutdown -w guest2; then
  xq_end "xl shutdown -w guest2"
  grep -q GUEST-POWEROFF-REQUESTED "$(xq_console_log guest2)" || fail "guest2 did not see the shutdown request"
else
  echo "xl shutdown -w guest2 failed or timed out"; NFAIL=$((NFAIL + 1))
fi
xl destroy guest2 2>/dev/null && echo "guest2 needed xl destroy"
xq_wait_gone guest2 30 || fail "guest2 still exists"
only_dom0 || fail "xl list shows more than Domain-0 after guest2"

# ---- 4. guest3: ignores `xl shutdown`, so the timeout expires and xl destroy removes it ----
cfg guest3 /root/guest-stubborn.cpio.gz
xl create /root/guest3.cfg || fail "xl create guest3"
xq_wait_text "$(xq_console_log guest3)" "GUEST-LOOP tick 2" 90 || fail "guest3 does not tick"
xq_begin "timeout 5 xl shutdown -w guest3 (ignored)"
if timeout 5 xl shutdown -w guest3; then
  fail "xl shutdown -w guest3 returned although the guest ignores it"
fi
xq_end "timeout 5 xl shutdown -w guest3 (ignored)"
grep -q GUEST-POWEROFF-IGNORED "$(xq_console_log guest3)" || fail "guest3 did not see the shutdown request"
xl list guest3 >/dev/null 2>&1 || fail "guest3 gone although it ignored the shutdown"
xq_begin "xl destroy guest3"
xl destroy guest3 || fail "xl destroy guest3"
xq_wait_gone guest3 30 || fail "guest3 still exists after xl destroy"
xq_end "xl destroy guest3"
xl list
only_dom0 || fail "xl list shows more than Domain-0 after guest3"

# ---- 5. guest4: a raw-file disk (libxl's block hotplug script puts it on a loop device) ----
dd if=/dev/zero of=/root/disk4.img bs=1M count=8 2>/dev/null || fail "dd"
cfg guest4 /root/guest-disk.cpio.gz
echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=/root/disk4.img' ]" >> /root/guest4.cfg
xq_begin "xl create -p (guest4, one disk)"
xl create -p /root/guest4.cfg || fail "xl create guest4 (disk)"
xq_end "xl create -p (guest4, one disk)"
xl block-list guest4
xq_begin "xl unpause -> marker (guest4, loads xen-blkfront)"
xl unpause guest4 || fail "xl unpause guest4"
xq_wait_text "$(xq_console_log guest4)" GUEST-DISK-OK 90 || fail "no GUEST-DISK-OK on guest4's console"
xq_end "xl unpause -> marker (guest4, loads xen-blkfront)"
grep -q "GUEST-DISK xvda 16384" "$(xq_console_log guest4)" || fail "guest4 does not see an 8 MiB xvda"
grep "GUEST-DISK xvda" "$(xq_console_log guest4)"
xq_begin "marker -> guest4 gone (disk detached)"
xq_wait_gone guest4 60 || fail "guest4 still exists after its poweroff"
xq_end "marker -> guest4 gone (disk detached)"
[ -z "$(losetup -a)" ] || fail "loop device left behind: $(losetup -a)"
only_dom0 || fail "xl list shows more than Domain-0 after guest4"

xq_end "dom0 script"
[ "$NFAIL" = 0 ] || fail "$NFAIL check(s) failed"
echo "SMOKE-OK"
