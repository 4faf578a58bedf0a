#!/usr/bin/env python3
"""Build a local busybox OCI image tarball, with no registry involved.

The image is made with umoci from the host's statically linked busybox
(Debian package busybox-static) and written as a tar of an OCI image layout
that `ctr images import` accepts.

Usage:
    python3 tests/e2e/busybox_image.py --out busybox.tar
        [--extra-files DIR] [--name docker.io/library/runphi-busybox:latest]
        [--busybox /bin/busybox] [--keep-workdir]

Prints the image reference (the name ctr will know the image by after
`ctr images import <tar>`) on stdout.

--extra-files DIR: everything below DIR is copied into the root of the image
rootfs (e.g. DIR/boot/config.json becomes /boot/config.json), on top of the
busybox files, so variants of the image can be built from the same code.

Can also be imported: build_image(out_tar, extra_files=None, name=...).

How ctr names the image: `ctr images import` (containerd 1.6) reads
index.json of the OCI layout and names each manifest after its
`org.opencontainers.image.ref.name` annotation. A full reference there
(e.g. "docker.io/library/runphi-busybox:latest") is used as is, with no
--base-name / --index-name needed; a bare tag ("latest") would only be
imported when `--base-name` is given. umoci writes the part after ':' of
--image as that annotation, and accepts a full reference there, so the
full reference is what we use.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile

GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm",
          "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}
ARCH = GOARCH.get(platform.machine(), platform.machine())

DEFAULT_NAME = "docker.io/library/runphi-busybox:latest"
UMOCI_TAG = "runphi-busybox-latest"  # tag inside the umoci working layout

PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
GROUP = "root:x:0:\nnogroup:x:65534:\n"


def _run(cmd, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError("command failed (%d): %s\nstdout: %s\nstderr: %s"
                           % (proc.returncode, " ".join(cmd), proc.stdout,
                              proc.stderr))
    return proc.stdout


def find_busybox(explicit=None):
    """Return the path of a statically linked busybox on the host."""
    candidates = [explicit] if explicit else ["/bin/busybox", "/usr/bin/busybox"]
    for cand in candidates:
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return os.path.realpath(cand)
    raise RuntimeError("no busybox binary found (install busybox-static); tried %s"
                       % candidates)


def _populate_rootfs(rootfs, busybox, extra_files):
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "root", "tmp",
              "proc", "sys", "dev", "run", "var", "home"):
        os.makedirs(os.path.join(rootfs, d), exist_ok=True)
    os.chmod(os.path.join(rootfs, "tmp"), 0o1777)
    os.chmod(os.path.join(rootfs, "root"), 0o700)
    shutil.copy2(busybox, os.path.join(rootfs, "bin", "busybox"))
    os.chmod(os.path.join(rootfs, "bin", "busybox"), 0o755)
    applets = _run([busybox, "--list-full"]).split()
    for applet in applets:
        applet = applet.strip("/")
        if not applet or "/" not in applet or applet == "bin/busybox":
            continue  # skip e.g. "linuxrc" at the top level
        dst = os.path.join(rootfs, applet)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.lexists(dst):
            continue
        os.symlink("/bin/busybox", dst)
    with open(os.path.join(rootfs, "etc", "passwd"), "w") as f:
        f.write(PASSWD)
    with open(os.path.join(rootfs, "etc", "group"), "w") as f:
        f.write(GROUP)
    if extra_files:
        if not os.path.isdir(extra_files):
            raise RuntimeError("--extra-files %s is not a directory" % extra_files)
        # copytree onto the existing rootfs, keeping symlinks as symlinks
        shutil.copytree(extra_files, rootfs, symlinks=True, dirs_exist_ok=True)


def _tar_layout(layout, out_tar):
    """Tar the OCI layout with plain relative names (oci-layout, index.json,
    blobs/...), which is what `ctr images import` expects."""
    tmp_out = out_tar + ".tmp"
    with tarfile.open(tmp_out, "w") as tar:
        for name in ("oci-layout", "index.json"):
            tar.add(os.path.join(layout, name), arcname=name)
        tar.add(os.path.join(layout, "blobs"), arcname="blobs")
    os.replace(tmp_out, out_tar)


def build_image(out_tar, extra_files=None, name=DEFAULT_NAME, busybox=None,
                workdir=None, keep_workdir=False,
                cmd=("/bin/sh",), entrypoint=None):
    """Build the image tarball at out_tar; return the image reference."""
    if shutil.which("umoci") is None:
        raise RuntimeError("umoci not found (apt-get install umoci)")
    busybox = find_busybox(busybox)
    out_tar = os.path.abspath(out_tar)
    made_workdir = workdir is None
    if made_workdir:
        workdir = tempfile.mkdtemp(prefix="runphi-busybox-img-")
    try:
        layout = os.path.join(workdir, "oci")
        bundle = os.path.join(workdir, "bundle")
        work_ref = "%s:%s" % (layout, UMOCI_TAG)
        _run(["umoci", "init", "--layout", layout])
        _run(["umoci", "new", "--image", work_ref])
        _run(["umoci", "unpack", "--image", work_ref, bundle])
        _populate_rootfs(os.path.join(bundle, "rootfs"), busybox, extra_files)
        _run(["umoci", "repack", "--image", work_ref, bundle])
        config = ["umoci", "config", "--image", work_ref,
                  "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                  "--config.workingdir", "/",
                  "--author", "runphi e2e tests",
                  "--os", "linux", "--architecture", ARCH]
        config += ["--clear=config.entrypoint"]
        for e in (entrypoint or ()):
            config += ["--config.entrypoint", e]
        config += ["--clear=config.cmd"]
        for c in cmd:
            config += ["--config.cmd", c]
        _run(config)
        # Make the final layout hold exactly one manifest, whose ref.name
        # annotation is the full image reference ctr should import it as.
        _run(["umoci", "tag", "--image", work_ref, _ref_tag(name)])
        _run(["umoci", "rm", "--image", work_ref])
        _run(["umoci", "gc", "--layout", layout])
        _fix_ref_annotation(layout, name)
        _tar_layout(layout, out_tar)
        return name
    finally:
        if made_workdir and not keep_workdir:
            _rmtree_force(workdir)


def _ref_tag(name):
    # umoci tags must match the OCI ref.name grammar; ':' and '/' are allowed
    # in the annotation but not always by umoci's tag parser, so tag with a
    # sanitised name and put the exact reference into index.json afterwards.
    return "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in name)


def _fix_ref_annotation(layout, name):
    index_path = os.path.join(layout, "index.json")
    with open(index_path) as f:
        index = json.load(f)
    if len(index.get("manifests", [])) != 1:
        raise RuntimeError("expected exactly one manifest in %s: %s"
                           % (index_path, index))
    desc = index["manifests"][0]
    desc.setdefault("annotations", {})["org.opencontainers.image.ref.name"] = name
    # ctr picks the manifest for the host platform; say which one it is
    desc["platform"] = {"architecture": ARCH, "os": "linux"}
    with open(index_path, "w") as f:
        json.dump(index, f)


def _rmtree_force(path):
    def onerror(func, p, exc):
        try:
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass
    shutil.rmtree(path, onerror=onerror)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output tarball path")
    ap.add_argument("--extra-files", default=None,
                    help="directory whose contents are copied into the rootfs")
    ap.add_argument("--name", default=DEFAULT_NAME,
                    help="image reference (default %(default)s)")
    ap.add_argument("--busybox", default=None,
                    help="static busybox binary (default /bin/busybox)")
    ap.add_argument("--workdir", default=None,
                    help="work directory (default: a fresh temp dir)")
    ap.add_argument("--keep-workdir", action="store_true")
    args = ap.parse_args(argv)
    try:
        ref = build_image(args.out, extra_files=args.extra_files,
                          name=args.name, busybox=args.busybox,
                          workdir=args.workdir, keep_workdir=args.keep_workdir)
    except RuntimeError as e:
        print("busybox_image: error: %s" % e, file=sys.stderr)
        return 1
    print(ref)
    return 0


if __name__ == "__main__":
    sys.exit(main())
