#!/usr/bin/env bash
# The README's main job: installs what is missing, builds, and runs a busybox
# container through runphi under a private containerd.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh default
scripts/demo-containerd.sh build/default/shim/runphi
