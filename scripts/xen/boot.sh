#!/usr/bin/env bash
# Boots Xen 4.17 with a PV dom0 under qemu (TCG: this machine's KVM cannot run Xen).
#
# Usage: boot.sh --dom0-initramfs FILE [options]
#   --timeout S        kill qemu after S seconds (default 600)
#   --log FILE         also write the serial log to FILE
#   --smp N            physical CPUs Xen sees (default 4; dom0 gets 1, pinned to CPU 0)
#   --mem MIB          machine memory (default 2048)
#   --dom0-mem SIZE    dom0 memory (default 512M; `xl create` needs >= 256M, and the
#                      initramfs lives in dom0's RAM)
#   --xen-args "..."   more Xen command-line options
#   --dom0-args "..."  more dom0 kernel command-line options
#   --accel A          qemu accelerator (default tcg)
#   --dry-run          print the qemu command and exit
#
# The serial console (Xen's, and dom0's hvc0 through Xen) goes to stdout and the log.
# Exit status: the dom0 script's, from "@@XEN-QEMU-END status=N"; 124 on timeout,
# 125 if qemu exited without the marker (see serial_runner.py).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=common.sh
. "$here/common.sh"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }

initrd="" timeout=600 log="" smp=4 mem=2048 dom0_mem=512M xen_args="" dom0_args="" accel=tcg dry=0
while (($#)); do
  case "$1" in
    --dom0-initramfs) initrd="${2:?}"; shift 2 ;;
    --timeout) timeout="${2:?}"; shift 2 ;;
    --log) log="${2:?}"; shift 2 ;;
    --smp) smp="${2:?}"; shift 2 ;;
    --mem) mem="${2:?}"; shift 2 ;;
    --dom0-mem) dom0_mem="${2:?}"; shift 2 ;;
    --xen-args) xen_args="${2?}"; shift 2 ;;
    --dom0-args) dom0_args="${2?}"; shift 2 ;;
    --accel) accel="${2:?}"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) usage ;;
    *) echo "boot.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ -n "$initrd" ]] || usage
[[ -r "$initrd" ]] || { echo "boot.sh: cannot read $initrd" >&2; exit 2; }
qemu="${QEMU:-qemu-system-x86_64}"
command -v "$qemu" >/dev/null || { echo "boot.sh: $qemu not found (scripts/xen/install-deps.sh)" >&2; exit 2; }

cache="$(xen_images)"
kver="$(xen_kver)"
xen="$cache/xen-$XEN_VERSION"        # qemu's multiboot loader needs the uncompressed ELF
vmlinux="$cache/vmlinux-$kver"       # dom0 kernel: ELF, no un-XZ under emulation

# Xen: serial console on COM1 (qemu's -serial stdio); dom0 small and pinned to pCPU 0 so
# domUs can be pinned to the others; smap=0 works around qemu TCG's IRETQ vs SMAP (dom0
# dies with "Unhandled: vec 14" otherwise); bootscrub=0 saves seconds of emulated memset.
xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=${dom0_mem},max:${dom0_mem} dom0_max_vcpus=1 dom0_vcpus_pin"
xen_cmdline+=" loglvl=all guest_loglvl=all console_timestamps=boot smap=0 bootscrub=0 ${xen_args}"
# dom0: console on Xen's PV console (hvc0), Xen clocksource (TCG's TSC drifts).
dom0_cmdline="console=hvc0 earlyprintk=xen clocksource=xen ${dom0_args}"

trim() { local v="$*"; v="${v#"${v%%[![:space:]]*}"}"; printf '%s' "${v%"${v##*[![:space:]]}"}"; }
xen_cmdline="$(trim "$xen_cmdline")"
dom0_cmdline="$(trim "$dom0_cmdline")"

# qemu -initrd takes "module args,module args": a comma inside is written ",,".
esc() { printf '%s' "${1//,/,,}"; }
modules="$(esc "$vmlinux") $(esc "$dom0_cmdline"),$(esc "$(readlink -f "$initrd")")"

cmd=("$qemu" -machine q35 -accel "$accel" -cpu max -smp "$smp" -m "$mem"
     -nographic -monitor none -serial stdio -parallel none -net none -no-reboot
     -kernel "$xen" -append "$xen_cmdline" -initrd "$modules")
[[ "$accel" == tcg ]] && cmd[4]="tcg,tb-size=256"

if ((dry)); then printf '%q ' "${cmd[@]}"; echo; exit 0; fi
echo "boot.sh: $(printf '%q ' "${cmd[@]}")"
runner=(python3 "$here/serial_runner.py" --timeout "$timeout")
[[ -n "$log" ]] && runner+=(--log "$log")
exec "${runner[@]}" -- "${cmd[@]}"
