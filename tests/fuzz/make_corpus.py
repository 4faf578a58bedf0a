#!/usr/bin/env python3
"""Writes the fuzz targets' starting corpora (docs/fuzzing.md).

    make_corpus.py OUT_DIR

OUT_DIR/<target>/seeds/   inputs to mutate: tests/fuzz/seeds/<target>/, the
                          golden files (tests/golden/**), platform-templates/
OUT_DIR/<target>/limits/  nesting-depth and size cases (deeply nested JSON,
                          huge strings, long arrays, many keys): replayed as
                          they are, never truncated to the mutation length

Deterministic: the same tree gives the same files. Python 3 standard library only.
"""

import json
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
GOLDEN = os.path.join(SRC, "tests", "golden")

JSON_TARGETS = ("oci_spec", "zic_config", "platform_template", "runtime_config", "cell_serializer")
TARGETS = JSON_TARGETS + ("cell_decode", "command_line", "xl_config")

MiB = 1 << 20


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def hexdump_bytes(text):
    """`hexdump -C` text (tests/golden/jailhouse/*/expected.cell.hex) -> bytes."""
    out = bytearray()
    for line in text.splitlines():
        parts = line.split("|")[0].split()
        if len(parts) < 2:
            continue
        out.extend(int(b, 16) for b in parts[1:17])
    return bytes(out)


def golden_cases(kind):
    d = os.path.join(GOLDEN, kind)
    return [os.path.join(d, n) for n in sorted(os.listdir(d))]


def seeds(target):
    """-> {name: bytes}"""
    out = {}
    own = os.path.join(HERE, "seeds", target)
    if os.path.isdir(own):
        for n in sorted(os.listdir(own)):
            out[n] = read(os.path.join(own, n), "rb")
    if target == "zic_config":
        for case in golden_cases("jailhouse") + golden_cases("xen"):
            zic = json.loads(read(os.path.join(case, "case.json")))["zic"]
            out["golden-%s-%s.json" % (os.path.basename(os.path.dirname(case)), os.path.basename(case))] = \
                json.dumps(zic, indent=1).encode()
    elif target == "platform_template":
        tdir = os.path.join(SRC, "platform-templates")
        for n in sorted(os.listdir(tdir)):
            out["template-" + n] = read(os.path.join(tdir, n), "rb")
        out["stress-board.json"] = read(os.path.join(SRC, "tests", "partition", "stress-board.json"), "rb")
    elif target == "cell_serializer":
        for case in golden_cases("jailhouse"):
            out["golden-%s.json" % os.path.basename(case)] = read(os.path.join(case, "expected.json"), "rb")
    elif target == "cell_decode":
        for case in golden_cases("jailhouse"):
            out["golden-%s.cell" % os.path.basename(case)] = \
                hexdump_bytes(read(os.path.join(case, "expected.cell.hex")))
    elif target == "command_line":
        for i, argv in enumerate(COMMAND_LINES):
            out["argv-%02d" % i] = "\0".join(argv).encode()
    elif target == "xl_config":
        rnd = random.Random(12)
        for i in range(8):
            out["random-%d" % i] = bytes(rnd.randrange(256) for _ in range(64 + 96 * i))
        golden = {}
        for case in golden_cases("xen"):  # the golden cases' strings, as the provider reads them
            c = json.loads(read(os.path.join(case, "case.json")))
            golden[os.path.basename(case)] = "".join(
                str(x) for x in c.get("process_args", []) + [c.get("container_id", "")] + list(c["zic"].values())).encode()
        out.update(("golden-strings-" + k, v) for k, v in golden.items())
    return out


# runc command lines as containerd, Docker and the parity suite send them (argv[1..]).
COMMAND_LINES = [
    ["--root", "/run/containerd/runc/k8s.io", "--log", "/run/log.json", "--log-format", "json",
     "create", "--bundle", "/run/b", "--pid-file", "/run/b/init.pid", "--console-socket", "/tmp/s", "c1"],
    ["--root", "/r", "start", "c1"],
    ["--root", "/r", "state", "c1"],
    ["--root", "/r", "kill", "--all", "c1", "SIGKILL"],
    ["--root", "/r", "kill", "c1", "-9"],
    ["--root", "/r", "delete", "--force", "c1"],
    ["--root", "/r", "exec", "--process", "/tmp/p.json", "--detach", "--pid-file", "/p", "c1"],
    ["exec", "-e", "A=b", "--env=C=d", "-t", "c1", "sh", "-c", "echo --not-a-flag"],
    ["ps", "--format", "json", "c1", "-ef"],
    ["list", "-q", "--format=json"],
    ["--debug=false", "--systemd-cgroup", "--rootless", "auto", "run", "-d", "--keep", "-b", "/b", "c2"],
    ["--runphi-config", "/etc/runphi/runphi.json", "--root", "/r", "create", "c3"],
    ["-runphi-config=/x.json", "state", "c3"],
    ["update", "--resources", "-", "--memory", "64M", "--pids-limit", "50", "c1"],
    ["checkpoint", "--image-path", "/img", "--leave-running", "--empty-ns", "network", "--empty-ns", "ipc", "c1"],
    ["restore", "--image-path", "/img", "--bundle", "/b", "-d", "c1"],
    ["events", "--stats", "--interval=5s", "c1"],
    ["spec", "--rootless", "--bundle", "/b"],
    ["help", "exec"], ["--help"], ["-v"], ["create", "--help"], ["features"],
    ["guest-status", "c1"], ["pause", "c1"], ["resume", "c1"],
    ["--", "state", "c1"], ["state", "--", "-c1"], [""], [],
]


def limits(target):
    """Nesting-depth and size cases -> {name: bytes}."""
    out = {}
    if target in JSON_TARGETS:
        for depth in (64, 999, 1000, 1001, 100000):
            out["nested-array-%d.json" % depth] = b"[" * depth + b"]" * depth
            out["nested-object-%d.json" % depth] = b'{"a":' * depth + b"1" + b"}" * depth
        out["unterminated-nesting.json"] = b"[" * MiB
        out["huge-string.json"] = b'"' + b"x" * MiB + b'"'
        out["huge-number.json"] = b"1" * MiB
        out["many-keys.json"] = json.dumps({"k%d" % i: i for i in range(100000)}).encode()
        out["long-array.json"] = json.dumps(list(range(200000))).encode()
        out["escaped-unicode.json"] = b'"' + b"\\ud83d\\ude00" * 100000 + b'"'
        out["bad-surrogates.json"] = b'["\\ud800", "\\udc00", "\\ud800\\u0041", "\\u0000"]'
        out["numbers.json"] = (b"[1e400, -1e400, 18446744073709551616, -9223372036854775809, "
                               b"18446744073709551615, -9223372036854775808, 0.5, -0, 1E-400]")
    # The same shapes inside fields each parser reads.
    if target == "oci_spec":
        base = {"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "process": {"args": ["sh"]}}
        out.update(fields(base, {
            "deep-ignored-field": ("x", nested(5000)),
            "deep-annotation": ("annotations", {"a": nested(990)}),
            "huge-root-path": ("root", {"path": "r" * MiB}),
            "huge-annotation": ("annotations", {"a": "v" * MiB}),
            "many-annotations": ("annotations", {"k%d" % i: "v" for i in range(100000)}),
            "long-args": ("process", {"args": ["a"] * 200000}),
            "many-hooks": ("hooks", {"prestart": [{"path": "/bin/h", "args": ["h"] * 10}] * 20000}),
            "huge-cpus": ("linux", {"resources": {"cpu": {"cpus": "0-1," * MiB}}}),
            # issue 13: every range over every CPU, 200 kB (5 s in a set<int>)
            "overlapping-cpus": ("linux", {"resources": {"cpu": {"cpus": ",".join(["0-8191"] * 30000)}}}),
            "cpus-at-the-limit": ("linux", {"resources": {"cpu": {"cpus": ("0," * 20480)[:40960]}}}),
            # issue 13: just over a ZIC's 256 KiB of annotations
            "annotations-over-limit": ("annotations", {"a": "v" * ((256 << 10) + 1)}),
            "huge-cpu-period": ("linux", {"resources": {"cpu": {"quota": 150000, "period": 2 ** 64 - 1}}}),
        }))
    elif target == "zic_config":
        base = {"os_var": "linux", "inmate": "/boot/Image"}
        out.update(fields(base, {
            "huge-kernel": ("kernel", "/" + "k" * MiB),
            "deep-unknown": ("netconf", nested(990)),
            "huge-memory": ("memory", 10 ** 30),
        }))
    elif target == "platform_template":
        base = json.loads(read(os.path.join(SRC, "platform-templates", "test-board.json")))
        pool = [{"start": "0x%x" % (i * 0x1000), "size": "0x1000"} for i in range(20000)]
        out.update(fields(base, {
            "many-memory-ranges": ("memory", dict(base.get("memory", {}), pool=pool)),
            "many-cpus": ("cpus", {"count": 100000, "pool": list(range(1, 100000))}),
            "huge-name": ("name", "n" * MiB),
            "deep-driver-section": ("test", nested(990)),
        }))
    elif target == "runtime_config":
        out.update(fields({}, {
            "huge-state-root": ("state_root", "/" + "s" * MiB),
            "deep-log": ("log", nested(990)),
        }))
    elif target == "cell_serializer":
        base = json.loads(read(os.path.join(GOLDEN, "jailhouse", "zcu104-linux", "expected.json")))
        region = base["memory_regions"][0]
        out.update(fields(base, {
            "many-regions": ("memory_regions", [region] * 5000),
            "huge-name": ("name", "n" * MiB),
            "many-cpus": ("cpus", list(range(40000))),
        }))
    elif target == "cell_decode":
        for n, b in seeds(target).items():
            out["truncated-" + n] = b[:len(b) // 2]
            out["padded-" + n] = b + b"\0" * MiB
        out["huge-counts.cell"] = b"JHCELL\x0d\x00" + b"\xff" * 1024
    elif target == "command_line":
        out["huge-argument"] = b"\0".join([b"create", b"--bundle", b"b" * MiB, b"c"])
        out["many-arguments"] = b"\0".join([b"exec", b"c"] + [b"-e", b"A=b"] * 50000)
        out["many-flags"] = b"\0".join([b"--debug"] * 100000 + [b"list"])
        out["many-runphi-config"] = b"\0".join([b"--runphi-config", b"/x.json"] * 50000 + [b"list"])
    elif target == "xl_config":
        out["huge-input"] = bytes(random.Random(7).randrange(256) for _ in range(MiB))
    return out


def nested(depth):
    v = 1
    for _ in range(depth):
        v = [v]
    return v


def fields(base, cases):
    out = {}
    for name, (key, value) in cases.items():
        doc = dict(base)
        doc[key] = value
        # json.dumps recurses: build deep values by text for depths Python refuses.
        out[name + ".json"] = dumps_deep(doc)
    return out


def dumps_deep(v):
    if isinstance(v, list) and len(v) == 1 and isinstance(v[0], list):
        depth, inner = 0, v
        while isinstance(inner, list) and len(inner) == 1 and isinstance(inner[0], list):
            inner, depth = inner[0], depth + 1
        return b"[" * depth + dumps_deep(inner) + b"]" * depth
    if isinstance(v, dict):
        return b"{" + b",".join(json.dumps(k).encode() + b":" + dumps_deep(x) for k, x in v.items()) + b"}"
    if isinstance(v, list):
        return b"[" + b",".join(dumps_deep(x) for x in v) + b"]"
    return json.dumps(v).encode()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    for target in TARGETS:
        for kind, files in (("seeds", seeds(target)), ("limits", limits(target))):
            d = os.path.join(root, target, kind)
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            for name, data in files.items():
                with open(os.path.join(d, name), "wb") as f:
                    f.write(data)
    print("make_corpus: %s" % ", ".join(
        "%s %d+%d" % (t, len(os.listdir(os.path.join(root, t, "seeds"))),
                      len(os.listdir(os.path.join(root, t, "limits")))) for t in TARGETS))


if __name__ == "__main__":
    main()
