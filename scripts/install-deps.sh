#!/usr/bin/env bash
# Installs everything runphi needs to build, test and demo on Debian 12.
# Idempotent: installs only what is missing, and runs apt-get update at most once.
set -euo pipefail

packages=(
  # toolchain and test frameworks (present on a fresh machine, listed for completeness)
  g++ cmake ninja-build pkg-config python3 googletest libgtest-dev libgmock-dev libbenchmark-dev
  # the design card's libraries
  libjsoncpp-dev libboost-program-options-dev libboost-filesystem-dev libsystemd-dev
  # what runphi forwards to and is driven by, and what the tests build images with
  runc containerd busybox-static umoci hyperfine
  # the Jailhouse simulator's .cell cross-check compiles C
  gcc binutils
  # runphi's front end: a static C program against musl (shim/frontend, PHI_FRONTEND)
  musl-tools
  # the ABI check of libphi.so against its committed baseline (tests/abi)
  abigail-tools
  # the aarch64 preset (arm64 boards): the cross compiler, the card's libraries
  # and the test frameworks for arm64 (multiarch), qemu-user to run the tests
  g++-aarch64-linux-gnu qemu-user-static file
  libjsoncpp-dev:arm64 libboost-program-options-dev:arm64
  libgtest-dev:arm64 libgmock-dev:arm64 libbenchmark-dev:arm64
  # the fuzz preset: clang with libFuzzer and the sanitizer runtimes (tests/fuzz)
  clang libclang-rt-14-dev
)

# The :arm64 packages need arm64 as a dpkg architecture (then apt-get update,
# which the install below runs because they are missing).
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "install-deps: adding the arm64 dpkg architecture"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO dpkg --add-architecture arm64
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: everything is installed"
else
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: done"
fi

# The real Xen that the tests and the demo boot under QEMU. Where it cannot be
# installed the Xen tests say SKIP and why; everything else still runs.
"$(dirname "$0")/xen/install-deps.sh" || echo "install-deps: the Xen/QEMU packages could not be installed" >&2
