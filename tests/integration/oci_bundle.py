"""Build a minimal busybox OCI bundle for integration tests.

Python 3 standard library only.  Reusable from other tests, e.g.::

    import oci_bundle
    path = oci_bundle.make_bundle(tmpdir, runc="/usr/sbin/runc",
                                  args=["sleep", "1000"],
                                  annotations={"example.com/key": "v"})

The rootfs is populated from the static busybox binary (Debian package
busybox-static installs it as /bin/busybox) plus one symlink per applet in
rootfs/bin, and config.json is generated with `<runc> spec` and then edited
as JSON (process.terminal=false, process.args, optional annotations, ...).
"""

import json
import os
import shutil
import subprocess

# Where a static busybox is usually found; the first statically linked one wins.
BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")

# Applets linked when `busybox --list` is unavailable for some reason.
FALLBACK_APPLETS = (
    "sh", "ash", "sleep", "echo", "cat", "top", "ps", "ls", "pwd", "env",
    "true", "false", "kill", "id", "printf", "test", "[", "mkdir", "rm",
    "touch", "grep", "head", "tail", "wc", "date", "hostname", "uname",
)

# Directories every rootfs gets (mount points and the usual top level).
ROOTFS_DIRS = ("bin", "dev", "proc", "sys", "tmp", "etc", "root", "var",
               "run", "home")


class BundleError(RuntimeError):
    pass


def _is_static_elf(path):
    """Best-effort check that `path` is a statically linked ELF binary
    (no PT_INTERP program header), without relying on `file`/`ldd`."""
    try:
        with open(path, "rb") as f:
            data = f.read(64)
            if data[:4] != b"\x7fELF":
                return False
            is64 = data[4] == 2
            little = data[5] == 1
            order = "little" if little else "big"
            if is64:
                phoff = int.from_bytes(data[32:40], order)
                phentsize = int.from_bytes(data[54:56], order)
                phnum = int.from_bytes(data[56:58], order)
            else:
                phoff = int.from_bytes(data[28:32], order)
                phentsize = int.from_bytes(data[42:44], order)
                phnum = int.from_bytes(data[44:46], order)
            f.seek(phoff)
            table = f.read(phentsize * phnum)
        for i in range(phnum):
            p_type = int.from_bytes(table[i * phentsize:i * phentsize + 4], order)
            if p_type == 3:  # PT_INTERP -> dynamically linked
                return False
        return True
    except OSError:
        return False


def find_busybox(explicit=None):
    """Return the path of a static busybox, or raise BundleError."""
    candidates = [explicit] if explicit else []
    candidates += [os.environ.get("BUSYBOX", "")] + list(BUSYBOX_CANDIDATES)
    which = shutil.which("busybox")
    if which:
        candidates.append(which)
    for c in candidates:
        if c and os.path.isfile(c) and _is_static_elf(c):
            return os.path.realpath(c)
    raise BundleError("no static busybox found (install Debian package "
                      "busybox-static, or set BUSYBOX=/path/to/static/busybox)")


def busybox_applets(busybox):
    try:
        out = subprocess.run([busybox, "--list"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=10,
                             check=True).stdout.decode()
        applets = [a for a in out.split() if a and "/" not in a]
        if applets:
            return applets
    except (OSError, subprocess.SubprocessError):
        pass
    return list(FALLBACK_APPLETS)


def populate_rootfs(rootfs, busybox=None):
    """Fill directory `rootfs` with busybox, applet symlinks in /bin, and a
    minimal /etc (passwd, group, hostname).  Returns `rootfs`."""
    busybox = find_busybox(busybox)
    for d in ROOTFS_DIRS:
        os.makedirs(os.path.join(rootfs, d), exist_ok=True)
    os.chmod(os.path.join(rootfs, "tmp"), 0o1777)
    target = os.path.join(rootfs, "bin", "busybox")
    shutil.copy2(busybox, target)
    os.chmod(target, 0o755)
    for applet in busybox_applets(busybox):
        if applet == "busybox":
            continue
        link = os.path.join(rootfs, "bin", applet)
        if not os.path.lexists(link):
            os.symlink("busybox", link)
    etc = os.path.join(rootfs, "etc")
    with open(os.path.join(etc, "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n"
                "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    with open(os.path.join(etc, "group"), "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")
    return rootfs


def generate_spec(bundle_dir, runc, timeout=30):
    """Run `<runc> spec` inside `bundle_dir` and return the parsed config."""
    cfg_path = os.path.join(bundle_dir, "config.json")
    if os.path.exists(cfg_path):
        os.unlink(cfg_path)
    proc = subprocess.run([runc, "spec"], cwd=bundle_dir,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)
    if proc.returncode != 0:
        raise BundleError("%s spec failed (rc=%d): %s" % (
            runc, proc.returncode, proc.stderr.decode(errors="replace")))
    with open(cfg_path) as f:
        return json.load(f)


def edit_config(bundle_dir, mutate):
    """Load bundle_dir/config.json, call mutate(config) (which edits it in
    place), write it back.  Returns the config."""
    cfg_path = os.path.join(bundle_dir, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    mutate(cfg)
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=2)
    return cfg


def make_bundle(bundle_dir, runc, args=("sh",), annotations=None, env=None,
                cwd=None, readonly_root=None, hostname=None, mutate=None,
                busybox=None):
    """Create an OCI bundle in `bundle_dir` (created if missing).

    runc          -- runc binary used for `runc spec`.
    args          -- process.args.
    annotations   -- dict merged into config annotations.
    env           -- list of "K=V" appended to process.env.
    cwd           -- process.cwd.
    readonly_root -- override root.readonly (spec default: true).
    hostname      -- override hostname.
    mutate        -- optional callable(config) for anything else.

    process.terminal is always set to false.  Returns the bundle path.
    """
    os.makedirs(bundle_dir, exist_ok=True)
    populate_rootfs(os.path.join(bundle_dir, "rootfs"), busybox)
    generate_spec(bundle_dir, runc)

    def _edit(cfg):
        proc = cfg.setdefault("process", {})
        proc["terminal"] = False
        proc["args"] = list(args)
        if env:
            proc.setdefault("env", []).extend(env)
        if cwd is not None:
            proc["cwd"] = cwd
        if readonly_root is not None:
            cfg.setdefault("root", {})["readonly"] = bool(readonly_root)
        if hostname is not None:
            cfg["hostname"] = hostname
        if annotations:
            cfg.setdefault("annotations", {}).update(annotations)
        if mutate is not None:
            mutate(cfg)

    edit_config(bundle_dir, _edit)
    return bundle_dir


def set_args(bundle_dir, args):
    """Replace process.args of an existing bundle."""
    def _m(cfg):
        cfg["process"]["args"] = list(args)
    edit_config(bundle_dir, _m)


def process_json(args, cwd="/", env=None, terminal=False):
    """A minimal OCI process object, e.g. for `runc exec --process`."""
    return {
        "terminal": terminal,
        "user": {"uid": 0, "gid": 0},
        "args": list(args),
        "env": list(env or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                            "/usr/bin:/sbin:/bin"]),
        "cwd": cwd,
    }


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="build a busybox OCI bundle")
    ap.add_argument("bundle_dir")
    ap.add_argument("--runc", default=shutil.which("runc") or "/usr/sbin/runc")
    ap.add_argument("--annotation", action="append", default=[],
                    metavar="KEY=VALUE")
    ap.add_argument("args", nargs=argparse.REMAINDER,
                    help="process.args (default: sh); put them last")
    ns = ap.parse_args()
    ann = dict(a.split("=", 1) for a in ns.annotation)
    args = ns.args[1:] if ns.args[:1] == ["--"] else ns.args
    print(make_bundle(ns.bundle_dir, ns.runc, args or ["sh"], ann))
