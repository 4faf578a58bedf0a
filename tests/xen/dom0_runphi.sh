#!/bin/sh
# Runs inside dom0 (busybox sh) under `subreaper`, as the --init-script of the
# xen.runphi test: runphi runs partitioned containers as real Xen domains.
#   /root/zic-marker   ZIC bundle: Debian kernel + initramfs printing RUNPHI-XEN-MARKER, then poweroff
#   /root/zic-loop     ZIC bundle: same kernel, initramfs printing a line every second
#   /root/zic-stubborn ZIC bundle: looping guest that ignores shutdown requests
# runphi's configuration is /etc/runphi/runphi.json (RUNPHI_CONFIG); the
# container process's exit status lands in /tmp/zic.status (written by subreaper).
. /etc/xen-qemu/lib.sh
export RUNPHI_CONFIG=/etc/runphi/runphi.json
R="runphi --root /run/runc"
LEDGER=/run/runPHI/resources/x86_64-xen.json

fail() {
  echo "RUNPHI-XEN-FAIL: $*"
  xl list
  tail -n 40 /var/log/runphi.log
  for f in /var/log/xen/*.log /var/log/xen/console/*.log /tmp/*.out; do
    [ -f "$f" ] && { echo "---- $f"; tail -n 15 "$f"; }
  done
  exit 1
}
only_dom0() { [ "$(xl list | tail -n +2 | wc -l)" = 1 ]; }
domain_of() { xl list | awk -v p="phi-$1-" 'index($1, p) == 1 { print $1 }'; }
status_of() { $R state "$1" | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p'; }
wait_status() {  # ID STATUS TIMEOUT_S
  n=$(( $3 * 10 ))
  while [ "$n" -gt 0 ]; do
    [ "$(status_of "$1")" = "$2" ] && return 0
    sleep 0.1; n=$((n - 1))
  done
  return 1
}
wait_file() {  # FILE TIMEOUT_S
  n=$(( $2 * 10 ))
  while [ "$n" -gt 0 ]; do [ -s "$1" ] && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}
ledger_empty() { grep -q '"allocations":{}' "$LEDGER"; }

only_dom0 || fail "xl list shows more than Domain-0 before the test"

# ---- 1. create (paused, no output) -> start (marker) -> running -> stopped, status 0 ----
rm -f /tmp/zic.status
T0=$(xq_now)
xq_begin "runphi create"
$R create --bundle /root/zic-marker --pid-file /tmp/zic.pid zic1 > /tmp/zic1.out 2>&1 || fail "runphi create zic1"
xq_end "runphi create"
T_CREATE=$(xq_since "$T0")
D=$(domain_of zic1)
[ -n "$D" ] || fail "no domain for zic1 in xl list"
xl list
case "$(xl list "$D" | awk 'NR == 2 { print $5 }')" in *p*) echo "zic1: $D is paused" ;; *) fail "$D is not paused after create" ;; esac
[ "$(status_of zic1)" = created ] || fail "state of zic1 is not created"
sleep 1
grep -q RUNPHI-XEN-MARKER /tmp/zic1.out "$(xq_console_log "$D")" 2>/dev/null && fail "guest output before start"
echo "zic1: no guest output before start"
cpus=$(sed -n 's/^cpus = "\(.*\)"/\1/p' /run/runPHI/*/zic1/driver/domain.cfg)
echo "zic1: pinned to physical CPUs $cpus"
[ "$cpus" = 1 ] || fail "zic1 pinned to '$cpus', expected the pool's CPU 1 (dom0 keeps CPU 0)"
cp /run/runPHI/*/zic1/driver/domain.cfg /tmp/zic1-domain.cfg

T1=$(xq_now)
xq_begin "runphi start"
$R start zic1 || fail "runphi start zic1"
xq_end "runphi start"
[ "$(status_of zic1)" = running ] || fail "state of zic1 is not running after start"
echo "zic1: running"
xq_wait_text /tmp/zic1.out RUNPHI-XEN-MARKER 180 || fail "no marker on the container's console"
# The benchmark counts create and start-to-marker, not this script's checks in between.
T_RUNPHI=$(awk -v c="$T_CREATE" -v s="$(xq_since "$T1")" 'BEGIN { printf "%.2f", c + s }')
echo "zic1: marker relayed by the container process after ${T_RUNPHI} s (create + start)"
wait_status zic1 stopped 120 || fail "zic1 did not stop after the guest powered off"
echo "zic1: stopped"
wait_file /tmp/zic.status 30 || fail "the container process of zic1 did not exit"
[ "$(cat /tmp/zic.status)" = 0 ] || fail "container process exit status $(cat /tmp/zic.status), expected 0 (poweroff)"
echo "zic1: container process exited 0 (poweroff)"
$R delete zic1 || fail "runphi delete zic1"
only_dom0 || fail "xl list shows more than Domain-0 after delete"
ledger_empty || fail "the CPU pool still holds zic1: $(cat $LEDGER)"
echo "zic1: deleted; xl list shows Domain-0 only; the ledger is empty"

# ---- 2. looping guest, SIGTERM: the guest shuts down, status 0 ----------------
rm -f /tmp/zic.status
$R create --bundle /root/zic-loop --pid-file /tmp/zic.pid zic2 > /tmp/zic2.out 2>&1 || fail "runphi create zic2"
$R start zic2 || fail "runphi start zic2"
xq_wait_text /tmp/zic2.out "RUNPHI-XEN-LOOP tick 2" 180 || fail "zic2 is not looping"
xq_begin "runphi kill TERM"
$R kill zic2 TERM || fail "runphi kill zic2 TERM"
xq_end "runphi kill TERM"
wait_status zic2 stopped 60 || fail "zic2 did not stop after SIGTERM"
wait_file /tmp/zic.status 30 || fail "the container process of zic2 did not exit"
[ "$(cat /tmp/zic.status)" = 0 ] || fail "zic2 exit status $(cat /tmp/zic.status), expected 0 (shut down)"
echo "zic2: SIGTERM -> guest shut down -> container process exited 0"
$R delete zic2 || fail "runphi delete zic2"
only_dom0 && ledger_empty || fail "zic2 left a domain or resources behind"

# ---- 3. a guest that ignores shutdown, SIGKILL: destroyed, status 137 ---------
rm -f /tmp/zic.status
$R create --bundle /root/zic-stubborn --pid-file /tmp/zic.pid zic3 > /tmp/zic3.out 2>&1 || fail "runphi create zic3"
$R start zic3 || fail "runphi start zic3"
xq_wait_text /tmp/zic3.out "RUNPHI-XEN-LOOP tick 2" 180 || fail "zic3 is not looping"
xq_begin "runphi kill KILL"
$R kill zic3 KILL || fail "runphi kill zic3 KILL"
xq_end "runphi kill KILL"
wait_file /tmp/zic.status 30 || fail "the container process of zic3 did not exit"
[ "$(cat /tmp/zic.status)" = 137 ] || fail "zic3 exit status $(cat /tmp/zic.status), expected 137 (destroyed)"
echo "zic3: SIGKILL -> domain destroyed -> container process exited 137"
$R delete zic3 || fail "runphi delete zic3"
only_dom0 && ledger_empty || fail "zic3 left a domain or resources behind"

# ---- 4. benchmark: the same domain by hand with xl create ---------------------
# runphi handed xl the boot files it pinned in zic1's state, gone with zic1:
# by hand, xl loads them from the bundle.
sed -e 's/^name = .*/name = "by-hand"/' \
    -e 's|^kernel = ".*/boot/|kernel = "/root/zic-marker/rootfs/boot/|' \
    -e 's|^ramdisk = ".*/boot/|ramdisk = "/root/zic-marker/rootfs/boot/|' /tmp/zic1-domain.cfg > /tmp/by-hand.cfg
T0=$(xq_now)
xl create /tmp/by-hand.cfg > /dev/null 2>&1 || fail "xl create by hand"
xq_wait_text "$(xq_console_log by-hand)" RUNPHI-XEN-MARKER 180 || fail "no marker from the domain created by hand"
T_XL=$(xq_since "$T0")
xl destroy by-hand 2>/dev/null
awk -v a="$T_RUNPHI" -v b="$T_XL" 'BEGIN { printf "RUNPHI-XEN-BENCH runphi_create_start_to_marker=%.2f s xl_create_to_marker=%.2f s ratio=%.3f\n", a, b, a / b }'

echo "RUNPHI-XEN-OK"
