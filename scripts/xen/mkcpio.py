#!/usr/bin/env python3
"""Write a gzip'd newc cpio archive (a Linux initramfs) from a staging directory.

Usage: mkcpio.py <staging-dir> <out.cpio.gz> [--nod PATH:MODE:c|b:MAJOR:MINOR]... [--level N (default 1)]

All entries are owned by root (uid/gid 0), so no root rights are needed to build an
initramfs; device nodes (such as /dev/console, which the kernel opens for /init
before anything is mounted) are added with --nod instead of mknod.
Entries are written in sorted order with a fixed mtime, so the output is reproducible.
"""
import gzip
import os
import stat
import sys

MTIME = 0


def header(out, ino, mode, nlink, size, name, rdevmajor=0, rdevminor=0):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, MTIME, size, 0, 0, rdevmajor, rdevminor, len(name_b), 0]
    out.write(b"070701" + b"".join(b"%08X" % f for f in fields))
    out.write(name_b)
    pad(out, 110 + len(name_b))


def pad(out, n):
    if n % 4:
        out.write(b"\0" * (4 - n % 4))


def main(argv):
    args = list(argv[1:])
    nods, level = [], 1
    pos = []
    while args:
        a = args.pop(0)
        if a == "--nod":
            nods.append(args.pop(0))
        elif a == "--level":
            level = int(args.pop(0))
        else:
            pos.append(a)
    if len(pos) != 2:
        sys.exit(__doc__)
    root, outpath = pos
    entries = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for n in sorted(dirnames + filenames):
            full = os.path.join(dirpath, n)
            entries.append(os.path.relpath(full, root))
    nod_names = set()
    nod_entries = []
    for spec in nods:
        path, mode, kind, major, minor = spec.split(":")
        path = path.lstrip("/")
        nod_names.add(path)
        nod_entries.append((path, int(mode, 8) | (stat.S_IFCHR if kind == "c" else stat.S_IFBLK),
                            int(major), int(minor)))
    ino = 1
    tmp = outpath + ".tmp"
    with gzip.open(tmp, "wb", compresslevel=level) as out:
        for rel in sorted(entries):
            if rel in nod_names:
                continue
            full = os.path.join(root, rel)
            st = os.lstat(full)
            perm = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(full).encode()
                header(out, ino, stat.S_IFLNK | 0o777, 1, len(target), rel)
                out.write(target)
                pad(out, len(target))
            elif stat.S_ISDIR(st.st_mode):
                header(out, ino, stat.S_IFDIR | perm, 2, 0, rel)
            elif stat.S_ISREG(st.st_mode):
                header(out, ino, stat.S_IFREG | perm, 1, st.st_size, rel)
                with open(full, "rb") as f:
                    while True:
                        chunk = f.read(1 << 20)
                        if not chunk:
                            break
                        out.write(chunk)
                pad(out, st.st_size)
            else:
                print("mkcpio: skipping special file " + rel, file=sys.stderr)
                continue
            ino += 1
        for path, mode, major, minor in nod_entries:
            header(out, ino, mode, 1, 0, path, major, minor)
            ino += 1
        header(out, 0, 0, 1, 0, "TRAILER!!!")
    os.replace(tmp, outpath)


if __name__ == "__main__":
    main(sys.argv)
