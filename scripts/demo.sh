#!/usr/bin/env bash
# The README's main job: installs what is missing, builds, then
#  1. boots a real Xen 4.17 machine under QEMU, where runphi runs partitioned
#     containers as Xen domains (create paused, start, the guest's marker on
#     the container's console, poweroff, SIGTERM, SIGKILL, delete);
#  2. runs an ordinary busybox container through runphi under a private
#     containerd (forwarded to runc).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh default
cmake --build --preset default --target subreaper >/dev/null

echo "==== 1. partitioned containers on a real Xen (QEMU, TCG) ===="
tests/xen/runphi_xen_test.sh build/default/shim/runphi build/default/shim/runphi-monitor \
  build/default/drivers/libphi-driver-xen.so build/default/tests/xen/subreaper

echo "==== 2. an ordinary container through runphi under containerd ===="
scripts/demo-containerd.sh build/default/shim/runphi
