# Cross build for arm64 boards (qemu-arm64, ZCU104, Kria KV260) on a Debian
# x86_64 machine with the arm64 multiarch packages (scripts/install-deps.sh):
# the compilers of g++-aarch64-linux-gnu, the target's libraries from
# /usr/lib/aarch64-linux-gnu, and the test binaries run through qemu-user.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(PHI_TARGET_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${PHI_TARGET_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${PHI_TARGET_TRIPLET}-g++)
# Multiarch, not a sysroot: the target's libraries live beside the host's, in
# their own directory, which CMake's find_* commands pick by this name.
set(CMAKE_LIBRARY_ARCHITECTURE ${PHI_TARGET_TRIPLET})

# pkg-config reads only the target's .pc files: without this it falls back to
# the host's directories and hands out amd64 libraries. PKG_CONFIG_PATH would
# be searched first, so it is cleared.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${PHI_TARGET_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
unset(ENV{PKG_CONFIG_SYSROOT_DIR})

# ctest and gtest_discover_tests run target binaries through qemu-user; -L /
# points it at the multiarch loader (/lib/ld-linux-aarch64.so.1), and
# PHI_UNDER_QEMU_USER tells the few tests of what qemu-user emulates
# differently from a kernel (tests/unit/test_support.hpp) where they run.
find_program(PHI_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(PHI_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${PHI_QEMU_AARCH64};-L;/;-E;PHI_UNDER_QEMU_USER=1"
      CACHE STRING "runs aarch64 binaries on the build machine")
endif()
