#!/usr/bin/env bash
# Demo: containerd using runphi in place of runc.
#
# Usage (as root):
#   scripts/demo-containerd.sh [--runc PATH] [--no-log-check] [RUNPHI]
#
#   RUNPHI          runphi binary (default: build/default/shim/runphi,
#                   relative to the repository root)
#   --runc PATH     the real runc runphi forwards to (default: runc on PATH)
#   --no-log-check  do not require runphi's log to show the calls (for trying
#                   the demo with something that is not runphi, e.g. runc)
#
# Starts a throwaway containerd (config, root, state, socket in a temp dir)
# with RUNPHI_CONFIG in its environment, imports a locally built busybox image
# (tests/e2e/busybox_image.py, no registry), runs a container through
# `ctr run --runc-binary RUNPHI`, shows a detached one in `ctr task ls`, then
# stops everything and removes all it made. Exits non-zero on any failure.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNPHI=""
RUNC=""
LOG_CHECK=1

while [ $# -gt 0 ]; do
    case "$1" in
        --runc) RUNC="$2"; shift 2 ;;
        --runc=*) RUNC="${1#--runc=}"; shift ;;
        --no-log-check) LOG_CHECK=0; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        -*) echo "unknown option: $1" >&2; exit 2 ;;
        *) RUNPHI="$1"; shift ;;
    esac
done
RUNPHI="${RUNPHI:-$REPO/build/default/shim/runphi}"
RUNC="${RUNC:-$(command -v runc || true)}"

section() { printf '\n===== %s =====\n' "$*"; }
die() { echo "demo: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
for b in containerd ctr containerd-shim-runc-v2 python3; do
    command -v "$b" >/dev/null || die "$b not found (apt-get install containerd runc umoci busybox-static)"
done
[ -x "$RUNPHI" ] || die "runphi not found at $RUNPHI (build it: cmake --preset default && cmake --build --preset default)"
{ [ -n "$RUNC" ] && [ -x "$RUNC" ]; } || die "real runc not found (apt-get install runc, or --runc PATH)"
RUNPHI="$(realpath "$RUNPHI")"
RUNC="$(realpath "$RUNC")"

TMP="$(mktemp -d /tmp/runphi-demo.XXXXXX)"
chmod 755 "$TMP"
NS="runphi-demo-$$"
SOCK="$TMP/containerd.sock"
CTD_PID=""
IMAGE="docker.io/library/runphi-busybox:latest"
CTR=(ctr --address "$SOCK" --namespace "$NS")

our_shims() {
    # pids of containerd shims started by our containerd (matched by socket)
    local p
    for p in /proc/[0-9]*; do
        if tr '\0' '\n' 2>/dev/null < "$p/cmdline" | grep -qxF -- "$SOCK"; then
            case "$(tr '\0' ' ' 2>/dev/null < "$p/cmdline")" in
                *containerd-shim*) echo "${p#/proc/}" ;;
            esac
        fi
    done
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    section "cleanup"
    if [ -n "$CTD_PID" ] && kill -0 "$CTD_PID" 2>/dev/null; then
        local id
        for id in $(timeout 20 "${CTR[@]}" tasks ls -q 2>/dev/null); do
            timeout 20 "${CTR[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1
            sleep 0.2
            timeout 20 "${CTR[@]}" tasks rm -f "$id" >/dev/null 2>&1
        done
        for id in $(timeout 20 "${CTR[@]}" containers ls -q 2>/dev/null); do
            timeout 20 "${CTR[@]}" containers rm "$id" >/dev/null 2>&1
        done
        echo "stopping containerd (pid $CTD_PID)"
        kill -TERM "$CTD_PID"
        local _
        for _ in $(seq 1 100); do
            kill -0 "$CTD_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$CTD_PID" 2>/dev/null && kill -KILL "$CTD_PID"
        wait "$CTD_PID" 2>/dev/null
    fi
    local pid
    for pid in $(our_shims); do
        echo "killing leftover shim $pid"
        kill -KILL "$pid" 2>/dev/null
    done
    local runc_root="/run/containerd/runc/$NS"
    if [ -d "$runc_root" ]; then
        for id in $("$RUNC" --root "$runc_root" list -q 2>/dev/null); do
            echo "removing leftover runc container $id"
            "$RUNC" --root "$runc_root" delete --force "$id" >/dev/null 2>&1
        done
        rm -rf "$runc_root"
    fi
    # unmount anything left under the temp dir, deepest first
    local mp
    awk -v p="$TMP/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo \
        | sort -r | while read -r mp; do
            echo "umount $mp"
            umount "$mp" 2>/dev/null || umount -l "$mp"
        done
    # the per-namespace parent cgroups runc leaves behind (cgroup v1 and v2)
    find /sys/fs/cgroup -maxdepth 2 -type d -name "$NS" 2>/dev/null \
        | while read -r d; do find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
    rm -rf "$TMP"
    if [ "$rc" -eq 0 ]; then
        echo "demo: OK"
    else
        echo "demo: FAILED (exit $rc)" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail_with_logs() {
    echo "demo: error: $*" >&2
    echo "--- containerd log (tail) ---" >&2
    tail -n 30 "$TMP/containerd.log" >&2 || true
    if [ -f "$TMP/runphi.log" ]; then
        echo "--- runphi log (tail) ---" >&2
        tail -n 30 "$TMP/runphi.log" >&2 || true
    fi
    exit 1
}

section "setup"
echo "runphi:     $RUNPHI"
echo "real runc:  $RUNC"
echo "temp dir:   $TMP"
echo "namespace:  $NS"
cat > "$TMP/runphi.json" <<EOF
{"runc_path": "$RUNC", "state_root": "$TMP/runphi-state", "log": {"path": "$TMP/runphi.log", "level": "debug"}}
EOF
cat > "$TMP/config.toml" <<EOF
version = 2
root = "$TMP/root"
state = "$TMP/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$SOCK"

[ttrpc]
  address = "$SOCK.ttrpc"

[debug]
  address = "$TMP/debug.sock"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$TMP/opt"
EOF

section "start containerd"
RUNPHI_CONFIG="$TMP/runphi.json" containerd --config "$TMP/config.toml" \
    </dev/null >"$TMP/containerd.log" 2>&1 &
CTD_PID=$!
up=0
for _ in $(seq 1 300); do     # up to 30 s
    kill -0 "$CTD_PID" 2>/dev/null || fail_with_logs "containerd exited during startup"
    if [ -S "$SOCK" ] && "${CTR[@]}" version >/dev/null 2>&1; then up=1; break; fi
    sleep 0.1
done
[ "$up" -eq 1 ] || fail_with_logs "containerd did not come up within 30 s"
"${CTR[@]}" version
echo "containerd pid $CTD_PID, RUNPHI_CONFIG=$TMP/runphi.json"

section "build and import busybox image"
python3 "$REPO/tests/e2e/busybox_image.py" --out "$TMP/busybox.tar" --name "$IMAGE"
"${CTR[@]}" images import "$TMP/busybox.tar"
"${CTR[@]}" images ls

section "ctr run --rm --runc-binary runphi"
DEMO_ID="demo-hello-$$"
set +e
# shellcheck disable=SC2016 # expanded inside the container
"${CTR[@]}" run --rm --runc-binary "$RUNPHI" "$IMAGE" "$DEMO_ID" \
    sh -c 'echo "hostname: $(hostname)"; echo "uname:    $(uname -srm)";
           echo "pid 1:    $(cat /proc/1/comm)"; echo "hello from busybox, run by containerd through runphi"' \
    </dev/null
run_rc=$?
set -e
[ "$run_rc" -eq 0 ] || fail_with_logs "ctr run exited with $run_rc"

section "detached container: ctr run -d, ctr task ls"
DET_ID="demo-detached-$$"
"${CTR[@]}" run -d --runc-binary "$RUNPHI" --log-uri "file://$TMP/$DET_ID.out" \
    "$IMAGE" "$DET_ID" sh -c 'echo detached container up; exec sleep 1000' </dev/null
status=""
for _ in $(seq 1 100); do
    status="$("${CTR[@]}" tasks ls | awk -v id="$DET_ID" '$1 == id { print $3 }')"
    [ "$status" = RUNNING ] && break
    sleep 0.1
done
"${CTR[@]}" tasks ls
[ "$status" = RUNNING ] || fail_with_logs "$DET_ID is '$status', not RUNNING"
# shellcheck disable=SC2016
"${CTR[@]}" tasks exec --exec-id demo-exec "$DET_ID" sh -c 'echo "exec inside $(hostname): $(ps | wc -l) lines of ps"' </dev/null

section "stop the detached container"
"${CTR[@]}" tasks kill -s SIGKILL "$DET_ID"
for _ in $(seq 1 100); do
    status="$("${CTR[@]}" tasks ls | awk -v id="$DET_ID" '$1 == id { print $3 }')"
    [ "$status" = STOPPED ] && break
    sleep 0.1
done
"${CTR[@]}" tasks ls
[ "$status" = STOPPED ] || fail_with_logs "$DET_ID is '$status', not STOPPED"
"${CTR[@]}" tasks rm "$DET_ID"
"${CTR[@]}" containers rm "$DET_ID"
echo "container output: $(cat "$TMP/$DET_ID.out")"
"${CTR[@]}" containers ls

section "runphi log"
if [ -f "$TMP/runphi.log" ]; then
    cat "$TMP/runphi.log"
    if [ "$LOG_CHECK" -eq 1 ]; then
        for id in "$DEMO_ID" "$DET_ID"; do
            grep -qF -- "$id" "$TMP/runphi.log" || fail_with_logs "runphi log does not mention $id"
        done
        echo "runphi log shows both containers: runphi was in the path"
    fi
elif [ "$LOG_CHECK" -eq 1 ]; then
    fail_with_logs "runphi wrote no log at $TMP/runphi.log"
else
    echo "(no runphi log; --no-log-check given)"
fi
