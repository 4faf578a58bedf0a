#!/usr/bin/env bash
# Builds a Xen dom0 initramfs from the Debian packages on this machine.
#
# Usage: build-dom0-initramfs.sh <out.cpio.gz> [options]
#   --add HOST:GUEST          copy a file or directory into dom0 at GUEST; every ELF
#                             executable/library in it gets its ldd dependencies too
#                             (an unresolved dependency is a warning)
#   --add-binary HOST:GUEST   the same for one ELF file, but an unresolved ldd
#                             dependency is an error
#   --init-script FILE        the script dom0 runs once Xen's daemons are up
#                             (default: `xl info; xl list`); run with /bin/sh from /root
#   --module NAME             load one more kernel module (with its dependencies) at boot
#   --no-hotplug              leave out bash, GNU stat, flock, /etc/xen/scripts and the loop
#                             module, which libxl's block hotplug script needs for domU disks
#                             (phy:/dev/... and raw files, which it attaches to a loop device)
#   --kver VERSION            the kernel whose modules are used (default: newest in /boot)
#
# Contents: busybox-static; xl, xenstored (C), xenconsoled, xen-init-dom0 and the other
# ELF tools of /usr/lib/xen-4.17/bin (with /usr/sbin/{xl,xenstored,...} symlinks) and
# the xenstore-* clients, plus every library ldd finds, the dynamic loader and an
# ld.so.cache; /etc/xen/scripts with bash, GNU stat and flock (the hotplug scripts); the
# kernel modules xen-evtchn, xen-gntdev, xen-gntalloc, xen-privcmd, xenfs, xen-blkback,
# xen-netback, loop (and --module ones), loaded with insmod in dependency order.
#
# dom0's /init mounts /proc /sys /dev /dev/pts /dev/shm /run and xenfs on /proc/xen (so
# don't --add below those; /tmp is not a mount, the whole root fs is in RAM anyway),
# makes /var/{lib,log,run}/xen and /var/lock, starts xenstored, xen-init-dom0 and
# xenconsoled (guest consoles logged to /var/log/xen/console/guest-NAME.log), prints
# "@@XEN-QEMU-DOM0-READY", runs the script, prints "@@XEN-QEMU-END status=N" (N = the
# script's exit status; 255 if dom0 setup failed) and powers the machine off.
# The script can `. /etc/xen-qemu/lib.sh` for helpers (xq_step, xq_begin/xq_end, xq_wait_text,
# xq_wait_gone, xq_console_log).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=common.sh
. "$here/common.sh"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }
die() { echo "build-dom0-initramfs: $*" >&2; exit 1; }

out="" init_script="" kver="" hotplug=1
adds=() modules=(xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback xen-netback)
while (($#)); do
  case "$1" in
    --add) adds+=("soft|${2:?--add needs HOST:GUEST}"); shift 2 ;;
    --add-binary) adds+=("strict|${2:?--add-binary needs HOST:GUEST}"); shift 2 ;;
    --init-script) init_script="${2:?--init-script needs FILE}"; shift 2 ;;
    --module) modules+=("${2:?--module needs NAME}"); shift 2 ;;
    --kver) kver="${2:?--kver needs VERSION}"; shift 2 ;;
    --no-hotplug) hotplug=0; shift ;;
    -h|--help) usage ;;
    -*) echo "build-dom0-initramfs: unknown option $1" >&2; usage ;;
    *) [[ -z "$out" ]] || usage; out="$1"; shift ;;
  esac
done
[[ -n "$out" ]] || usage
[[ -z "$init_script" || -r "$init_script" ]] || die "cannot read --init-script $init_script"
[[ -n "$kver" ]] || kver="$(xen_kver)"
if ((hotplug)); then modules+=(loop); fi
moddir="/lib/modules/$kver"
[[ -r "$moddir/modules.dep" ]] || die "$moddir/modules.dep missing (install linux-image-amd64)"
[[ -x "$XEN_LIBEXEC/xl" ]] || die "$XEN_LIBEXEC/xl missing (install xen-utils-$XEN_VERSION)"
busybox=/bin/busybox
if [[ ! -x "$busybox" ]] || ldd "$busybox" >/dev/null 2>&1; then  # ldd fails on a static binary
  die "$busybox missing or not static (install busybox-static)"
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
S="$stage"

# A merged-/usr layout like Debian 12's, so host paths from ldd (/lib/..., /lib64/...)
# land where the guest's loader looks.
mkdir -p "$S"/usr/{bin,sbin,lib,lib64} "$S"/{dev,proc,sys,run,tmp,root,etc/xen,etc/xen-qemu,mnt}
ln -s usr/bin "$S/bin"; ln -s usr/sbin "$S/sbin"; ln -s usr/lib "$S/lib"; ln -s usr/lib64 "$S/lib64"
mkdir -p "$S"/var/{lib/xen,log/xen/console}
ln -s ../run "$S/var/run"; ln -s ../run/lock "$S/var/lock"

declare -A have=()       # guest paths already copied
declare -A libdirs=()    # guest dirs holding copied libraries (for ld.so.cache)
unresolved=()

# put HOST GUEST: copy one file (following symlinks), creating parent dirs.
put() {
  local host="$1" guest="$2"
  [[ -n "${have[$guest]:-}" ]] && return 0
  mkdir -p "$S$(dirname "$guest")"
  rm -f "$S$guest"   # may be a busybox applet symlink: replace it, don't write through it
  cp -L --preserve=mode "$host" "$S$guest"
  have[$guest]=1
}

is_elf() { [[ -f "$1" ]] && [[ "$(head -c4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" == '177ELF' ]]; }

# deps FILE MODE: copy FILE's shared-library dependencies (and the loader) to their
# host paths in the guest. MODE strict makes an unresolved dependency an error.
deps() {
  local file="$1" mode="$2" line lib
  local out
  out="$(ldd "$file" 2>/dev/null)" || return 0   # static, or not loadable here: nothing to add
  while IFS= read -r line; do
    lib=""
    if [[ "$line" =~ ^[[:space:]]*([^[:space:]]+)\ =\>\ not\ found ]]; then
      unresolved+=("$file: ${BASH_REMATCH[1]}")
      [[ "$mode" == strict ]] && die "$file needs ${BASH_REMATCH[1]}, which ldd cannot find"
      continue
    elif [[ "$line" =~ =\>\ (/[^[:space:]]+) ]]; then
      lib="${BASH_REMATCH[1]}"
    elif [[ "$line" =~ ^[[:space:]]*(/[^[:space:]]+) ]]; then
      lib="${BASH_REMATCH[1]}"
    fi
    [[ -n "$lib" && -e "$lib" ]] || continue
    put "$lib" "$lib"
    libdirs[$(dirname "$lib")]=1
    # glibc dlopen()s libgcc_s for pthread_cancel and unwinding ("libgcc_s.so.1 must be
    # installed for pthread_cancel to work" kills `xl create` without it); ldd cannot see that.
    if [[ "$(basename "$lib")" == libc.so.6 && -e "$(dirname "$lib")/libgcc_s.so.1" ]]; then
      put "$(dirname "$lib")/libgcc_s.so.1" "$(dirname "$lib")/libgcc_s.so.1"
    fi
  done <<<"$out"
}

# add_tree HOST GUEST MODE: copy a file or a directory; ELF files get their deps.
add_tree() {
  local host="$1" guest="$2" mode="$3" f rel
  if [[ -d "$host" ]]; then
    mkdir -p "$S$guest"
    cp -a "$host/." "$S$guest/"
    while IFS= read -r -d '' f; do
      rel="${f#"$host"}"
      if is_elf "$f"; then
        deps "$f" "$mode"
        if [[ "$f" == *.so* ]]; then libdirs[$guest$(dirname "$rel")]=1; fi
      fi
    done < <(find "$host" -type f -print0)
  elif [[ -e "$host" ]]; then
    if [[ "$mode" == strict ]] && ! is_elf "$host"; then die "--add-binary $host is not an ELF file"; fi
    mkdir -p "$S$(dirname "$guest")"
    rm -f "$S$guest"; cp -L --preserve=mode "$host" "$S$guest"
    have[$guest]=1
    if is_elf "$host"; then
      deps "$host" "$mode"
      if [[ "$host" == *.so* ]]; then libdirs[$(dirname "$guest")]=1; fi
    fi
  else
    die "no such file: $host"
  fi
}

# --- busybox -------------------------------------------------------------------
put "$busybox" /usr/bin/busybox
while IFS= read -r applet; do
  [[ -e "$S/$applet" || -L "$S/$applet" ]] || ln -s /usr/bin/busybox "$S/$applet"
done < <("$busybox" --list-full)

# --- the Xen toolstack ----------------------------------------------------------
for f in "$XEN_LIBEXEC"/*; do
  is_elf "$f" || continue
  put "$f" "$f"
  deps "$f" strict
done
for t in xl xenstored xenconsoled xen-init-dom0 xenconsole xenstore-control xentop xenpm xen-diag xenperf; do
  if [[ -e "$XEN_LIBEXEC/$t" ]]; then ln -sfn "$XEN_LIBEXEC/$t" "$S/usr/sbin/$t"; fi
done
if [[ -x /usr/bin/xenstore ]]; then
  put /usr/bin/xenstore /usr/bin/xenstore
  deps /usr/bin/xenstore strict
  for t in read write ls list exists rm chmod watch; do ln -sfn xenstore "$S/usr/bin/xenstore-$t"; done
fi
[[ -r /etc/xen/xl.conf ]] && put /etc/xen/xl.conf /etc/xen/xl.conf
if ((hotplug)); then
  # libxl runs /etc/xen/scripts/block (bash) for every disk; busybox has the rest
  # (losetup, logger, readlink) but not flock; GNU stat because locking.sh was written
  # for it (`stat -L -c %D.%i /dev/stdin FILE` must print two lines).
  [[ -d /etc/xen/scripts ]] || die "/etc/xen/scripts missing (install xen-utils-common)"
  for b in /bin/bash /usr/bin/flock /usr/bin/stat; do
    [[ -x "$b" ]] || die "$b missing"
    put "$b" "/usr/bin/$(basename "$b")"
    deps "$b" strict
  done
  mkdir -p "$S/etc/xen"
  cp -a /etc/xen/scripts "$S/etc/xen/"
fi

# --- kernel modules, in dependency order ---------------------------------------
declare -A mod_done=()
mod_order=()
modpath() {  # NAME -> path relative to $moddir, from modules.dep
  local want="${1//-/_}"
  awk -F: -v w="$want" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n);
                          if (n == w) { print $1; exit } }' "$moddir/modules.dep"
}
moddeps() {  # relpath -> its dependencies' relpaths
  awk -F': *' -v p="$1" '$1 == p { print $2; exit }' "$moddir/modules.dep" | tr ' ' '\n' | sed '/^$/d'
}
add_module() {  # relpath, deps first
  local rel="$1" d
  [[ -n "${mod_done[$rel]:-}" ]] && return 0
  mod_done[$rel]=1
  while IFS= read -r d; do add_module "$d"; done < <(moddeps "$rel")
  put "$moddir/$rel" "/lib/modules/$kver/$rel"
  mod_order+=("/lib/modules/$kver/$rel")
}
for m in "${modules[@]}"; do
  rel="$(modpath "$m")"
  if [[ -z "$rel" ]]; then
    grep -qE "^CONFIG_$(echo "${m//-/_}" | tr '[:lower:]' '[:upper:]')=y" "/boot/config-$kver" 2>/dev/null && continue
    die "kernel module $m not found in $moddir"
  fi
  add_module "$rel"
done
printf '%s\n' "${mod_order[@]}" > "$S/etc/xen-qemu/modules"

# --- extra files ----------------------------------------------------------------
for a in "${adds[@]+"${adds[@]}"}"; do
  mode="${a%%|*}"; spec="${a#*|}"
  host="${spec%%:*}"; guest="${spec#*:}"
  [[ "$spec" == *:* && -n "$host" && "$guest" == /* ]] || die "bad --add $spec (want HOST:/GUEST/PATH)"
  add_tree "$host" "$guest" "$mode"
done

# --- config, init, helpers --------------------------------------------------------
cat > "$S/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
EOF
cat > "$S/etc/group" <<'EOF'
root:x:0:
EOF
echo dom0 > "$S/etc/hostname"
# ld.so.cache so libraries added under other directories are found (e.g. a build tree).
printf '%s\n' "${!libdirs[@]}" | sort -u > "$S/etc/ld.so.conf"
ldconfig -r "$S" 2>/dev/null || ldconfig -r "$S" -X

if [[ -n "$init_script" ]]; then
  cp "$init_script" "$S/etc/xen-qemu/script"
else
  printf '#!/bin/sh\nset -e\nxl info\nxl list\n' > "$S/etc/xen-qemu/script"
fi
chmod 755 "$S/etc/xen-qemu/script"

cat > "$S/etc/xen-qemu/lib.sh" <<'EOF'
# Helpers for dom0 scripts: . /etc/xen-qemu/lib.sh
# xq_now: seconds since dom0's kernel started (centiseconds).
xq_now() { cut -d' ' -f1 /proc/uptime; }
# xq_since T0: seconds elapsed since xq_now printed T0.
xq_since() { awk -v a="$1" -v b="$(xq_now)" 'BEGIN { printf "%.2f", b - a }'; }
# xq_step NAME...: print a step line; the host's boot.sh records its host time too.
xq_step() { echo "@@STEP $* (dom0 uptime $(xq_now) s)"; }
# xq_begin NAME / xq_end NAME: mark a timed step; boot.sh prints its host-clock duration
# ("took", host clock; dom0's clock agrees with it to a few %).
xq_begin() { xq_step "$* begin"; }
xq_end() { xq_step "$* end"; }
# xq_wait_text FILE TEXT TIMEOUT_S: wait until FILE contains TEXT (fixed string).
xq_wait_text() {
  local f="$1" t="$2" n=$(( ${3:-30} * 10 ))
  while [ "$n" -gt 0 ]; do
    grep -qF -- "$t" "$f" 2>/dev/null && return 0
    sleep 0.1; n=$((n - 1))
  done
  return 1
}
# xq_wait_gone NAME TIMEOUT_S: wait until domain NAME no longer exists.
xq_wait_gone() {
  local d="$1" n=$(( ${2:-30} * 10 ))
  while [ "$n" -gt 0 ]; do
    xl domid "$d" >/dev/null 2>&1 || return 0
    sleep 0.1; n=$((n - 1))
  done
  return 1
}
# xq_console_log NAME: the file xenconsoled logs domain NAME's console to.
xq_console_log() { echo "/var/log/xen/console/guest-$1.log"; }
EOF

cat > "$S/init" <<'EOF'
#!/bin/sh
# dom0 /init, generated by scripts/xen/build-dom0-initramfs.sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/xen-4.17/bin HOME=/root TERM=linux
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
# devtmpfs has no /dev/fd, /dev/stdin... (udev makes them); scripts need them
# (the hotplug scripts' locking.sh stats /dev/stdin, and spins forever without it).
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
# /tmp stays on the (RAM) root fs: files --add'ed under /tmp, e.g. libraries from a
# build tree in /tmp, must not be hidden by a mount.
chmod 1777 /tmp
exec </dev/console >/dev/console 2>&1
. /etc/xen-qemu/lib.sh

finish() {
  sync
  echo
  echo "@@XEN-QEMU-END status=$1"
  sync
  # For dom0, poweroff -f is SCHEDOP_shutdown(poweroff): Xen then powers the machine off.
  poweroff -f
  sleep 5
  echo o > /proc/sysrq-trigger
  while :; do sleep 1; done
}
fail() { echo "dom0-init: FAILED: $*"; finish 255; }

xq_step dom0-init
hostname dom0
# Kernel messages past this point: warnings and worse only (keeps the script's output readable).
dmesg -n 4
mkdir -p /run/xen /run/lock /var/lib/xen /var/log/xen/console /var/lib/xenstored
syslogd -O /var/log/messages 2>/dev/null

for m in $(cat /etc/xen-qemu/modules); do
  insmod "$m" || echo "dom0-init: insmod $m failed"
done
mount -t xenfs xenfs /proc/xen || fail "mount xenfs"
grep -q control_d /proc/xen/capabilities || fail "not the control domain ($(cat /proc/xen/capabilities))"
for d in evtchn privcmd gntdev; do [ -e /dev/xen/$d ] || fail "/dev/xen/$d missing"; done

XENSTORED_ROOTDIR=/var/lib/xenstored xenstored --pid-file /run/xenstored.pid || fail "xenstored"
n=100
until xenstore-read -s / >/dev/null 2>&1; do
  n=$((n - 1)); [ "$n" -gt 0 ] || fail "xenstored does not answer"
  sleep 0.1
done
xen-init-dom0 || fail "xen-init-dom0"
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console || fail "xenconsoled"
xq_step dom0-ready
echo "@@XEN-QEMU-DOM0-READY"

cd /root
/bin/sh /etc/xen-qemu/script
finish $?
EOF
chmod 755 "$S/init"

if ((${#unresolved[@]})); then
  printf 'build-dom0-initramfs: warning: unresolved library: %s\n' "${unresolved[@]}" >&2
fi
mkdir -p "$(dirname "$out")"
python3 "$here/mkcpio.py" "$S" "$out" --nod /dev/console:600:c:5:1 --nod /dev/null:666:c:1:3
echo "build-dom0-initramfs: wrote $out ($(du -h "$out" | cut -f1); $(du -sh "$S" | cut -f1) unpacked; kernel $kver)"
