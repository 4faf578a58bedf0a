#!/usr/bin/env python3
"""Extract the ELF vmlinux from a Debian bzImage (/boot/vmlinuz-*).

Usage: extract-vmlinux.py <bzImage> <out-vmlinux>

Debian's kernels are XZ-compressed; the payload is found by the XZ magic and
decompressed with lzma (trailing data after the stream is ignored). Gzip and
zstd-less fallbacks: gzip magic is tried too. The result must be an ELF file.
"""
import gzip
import lzma
import sys
import zlib


def try_xz(data, off):
    d = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    try:
        return d.decompress(data[off:])
    except lzma.LZMAError:
        return None


def try_gzip(data, off):
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return d.decompress(data[off:])
    except zlib.error:
        return None


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data = open(sys.argv[1], "rb").read()
    for magic, fn in ((b"\xfd7zXZ\x00", try_xz), (b"\x1f\x8b\x08", try_gzip)):
        off = data.find(magic)
        while off >= 0:
            out = fn(data, off)
            if out and out[:4] == b"\x7fELF":
                with open(sys.argv[2], "wb") as f:
                    f.write(out)
                return
            off = data.find(magic, off + 1)
    sys.exit("extract-vmlinux: no XZ/gzip ELF payload found in " + sys.argv[1])


if __name__ == "__main__":
    main()
