#!/usr/bin/env python3
"""cmake/PhiTargetArch.cmake against made-up files: an ELF library and an ar
archive of each architecture, a linker script. The check must pass the
target's, refuse the other's naming the file, and ignore the script."""
import argparse
import os
import struct
import subprocess
import sys
import tempfile


def elf(machine: int) -> bytes:
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)  # 64-bit, little-endian
    return ident + struct.pack("<HHI", 3, machine, 1) + bytes(40)


def ar(members) -> bytes:
    out = b"!<arch>\n"
    for name, data in members:
        header = f"{name:<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(data):<10}`\n".encode()
        assert len(header) == 60
        out += header + data + (b"\n" if len(data) % 2 else b"")
    return out


def check(cmake, module, processor, path):
    r = subprocess.run([cmake, f"-DPHI_EXPECT_PROCESSOR={processor}", f"-DPHI_LIBRARIES={path}", "-P", module],
                       capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--cmake", required=True)
    p.add_argument("--module", required=True)
    a = p.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="phi-arch-") as tmp:
        files = {}
        for arch, machine in (("aarch64", 183), ("x86_64", 62)):
            files[f"lib{arch}.so"] = elf(machine)
            # A symbol table and a long-name table come before the first object.
            files[f"lib{arch}.a"] = ar([("/", b"\0" * 9001), ("//", b"long_object_name.o/\n"), ("a.o/", elf(machine))])
        files["libscript.so"] = b"/* GNU ld script */\nGROUP ( /lib/libc.so.6 )\n"
        for name, data in files.items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
        for want in ("aarch64", "x86_64"):
            for name in files:
                path = os.path.join(tmp, name)
                rc, out = check(a.cmake, a.module, want, path)
                ok = want in name or "script" in name
                if ok and rc != 0:
                    print(f"FAIL: {name} for {want} was refused:\n{out}")
                    failures += 1
                elif not ok and (rc == 0 or path not in out.replace("\n", "") or "not for the target" not in out):
                    print(f"FAIL: {name} for {want}: rc {rc}, expected a refusal naming the file:\n{out}")
                    failures += 1
    total = 2 * len(files)
    print(f"{total - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
