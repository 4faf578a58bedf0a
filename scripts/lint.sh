#!/usr/bin/env bash
# clang-format (check only) and clang-tidy over the project's C++ sources,
# using the compile database of the default preset.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f build/default/compile_commands.json ]] || scripts/build.sh default
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' | grep -v '^tests/consumer/')
clang-format --dry-run --Werror "${sources[@]}"
mapfile -t units < <(git ls-files 'libphi/*.cpp' 'shim/*.cpp' 'backends/*.cpp')
clang-tidy -p build/default --quiet "${units[@]}"
