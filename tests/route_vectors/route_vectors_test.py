"""The shared route vectors (vectors.json) against both implementations of
"who handles this call": libphi's router, through the C++ shim alone, and the
front end (runphi), which must either forward exactly the calls libphi
forwards or hand them to the shim.

Each row runs twice in a fresh directory: once as `runphi-shim <argv>`, once
as `runphi <argv>`. runc is a fake that prints who sent the call (the loop
guard's RUNPHI_FORWARDED marker names the sender), so the test sees:
  shim alone:  runc (the shim forwarded) | runphi (it answered or refused)
  front end:   runc (the front end execed runc itself) | shim (handed over)
and checks, besides the pinned values, that the end result through the
front end is the shim's own.

usage: route_vectors_test.py --runphi <front end> --shim <runphi-shim>
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def escape_component(text):
    """libphi's escapePathComponent (runtime/state_store.cpp)."""
    out = ""
    for i, b in enumerate(text.encode()):
        c = chr(b)
        plain = (c.isascii() and c.isalnum()) or c in "_-" or (c == "." and i > 0)
        out += c if plain else "%%%02X" % b
    return out or "%"


def fill(value, names):
    if isinstance(value, str):
        for k, v in names.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, list):
        return [fill(v, names) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    return value


def prepare(vector, defaults_bundle, tmp):
    """Lays out config, state and bundle for one run; returns (env, cwd, argv)."""
    names = {"tmp": tmp, "bundle": os.path.join(tmp, "bundle"), "state": os.path.join(tmp, "state"),
             "fakerunc": os.path.join(tmp, "bin", "runc")}
    os.makedirs(os.path.join(tmp, "bin"))
    with open(names["fakerunc"], "w") as f:
        # The marker is "<pid>:<sender>:<runc>": print the sender.
        f.write('#!/bin/sh\nm=${RUNPHI_FORWARDED#*:}\necho "FORWARDED-BY ${m%%:*}"\n')
    os.chmod(names["fakerunc"], 0o755)

    config_path = os.path.join(tmp, "runphi.json")
    config = vector.get("config", {"state_root": "{state}", "runc_path": "{fakerunc}"})
    if isinstance(config, dict) and config.get("dir"):
        os.mkdir(config_path)
    elif isinstance(config, dict) and "raw" in config:
        with open(config_path, "w") as f:
            f.write(fill(config["raw"], names))
    elif config is not None:
        with open(config_path, "w") as f:
            json.dump(fill(config, names), f)

    for root, cid in vector.get("state", []):
        d = os.path.join(names["state"], escape_component(root or "/run/runc"), escape_component(cid))
        os.makedirs(d)

    if "bundle" in vector:
        b = names["bundle"]
        spec = dict(defaults_bundle)
        spec.update(vector["bundle"])
        os.makedirs(b)
        if spec.get("config") is not None:
            with open(os.path.join(b, "config.json"), "w") as f:
                c = spec["config"]
                f.write(fill(c["raw"], names) if "raw" in c else json.dumps(fill(c, names)))
        for d in spec.get("dirs", []):
            os.makedirs(os.path.join(b, d), exist_ok=True)
        for path, text in spec.get("files", {}).items():
            os.makedirs(os.path.dirname(os.path.join(b, path)), exist_ok=True)
            with open(os.path.join(b, path), "w") as f:
                f.write(text)
        for path, target in spec.get("symlinks", {}).items():
            os.makedirs(os.path.dirname(os.path.join(b, path)), exist_ok=True)
            os.symlink(target, os.path.join(b, path))

    env = {"PATH": os.path.join(tmp, "bin") + ":/usr/sbin:/usr/bin:/sbin:/bin",
           "RUNPHI_CONFIG": config_path if config is not None else os.path.join(tmp, "no-such-runphi.json")}
    env.update(vector.get("env", {}))
    cwd = fill(vector.get("cwd", "{tmp}"), names)
    return env, cwd, fill(vector["argv"], names)


def run(program, vector, defaults_bundle):
    tmp = tempfile.mkdtemp(prefix="runphi-route-")
    try:
        env, cwd, argv = prepare(vector, defaults_bundle, tmp)
        r = subprocess.run([program, *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=30)
        sender = None
        for line in r.stdout.decode(errors="replace").splitlines():
            if line.startswith("FORWARDED-BY "):
                sender = line.split(" ", 1)[1]
        return sender, r
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runphi", required=True, help="the front end")
    parser.add_argument("--shim", required=True, help="runphi-shim (libphi's router)")
    parser.add_argument("--vectors", default=os.path.join(HERE, "vectors.json"))
    args = parser.parse_args()
    args.runphi, args.shim = os.path.abspath(args.runphi), os.path.abspath(args.shim)
    with open(args.vectors) as f:
        table = json.load(f)

    failures = 0
    for v in table["vectors"]:
        problems = []
        shim_sender, shim_run = run(args.shim, v, table["defaults_bundle"])
        libphi = "runc" if shim_sender else "runphi"
        front_sender, front_run = run(args.runphi, v, table["defaults_bundle"])
        front = "runc" if front_sender == "runphi" else "shim"
        through_front = "runc" if front_sender else "runphi"
        if shim_sender not in (None, "runphi-shim"):
            problems.append("the shim's call reached runc marked by %r" % shim_sender)
        if v.get("libphi") is not None and libphi != v["libphi"]:
            problems.append("libphi routes to %s, the table says %s" % (libphi, v["libphi"]))
        if front != v["front"]:
            problems.append("the front end %s, the table says %s" % (
                "forwarded it" if front == "runc" else "handed it to the shim", v["front"]))
        if front == "runc" and libphi != "runc":
            problems.append("DISAGREEMENT: the front end forwarded a call libphi handles")
        if through_front != libphi:
            problems.append("through the front end the call went to %s, through the shim alone to %s" %
                            (through_front, libphi))
        if problems:
            failures += 1
            print("FAIL %s (argv %r)" % (v["name"], v["argv"]))
            for p in problems:
                print("     " + p)
            for name, r in (("shim", shim_run), ("front end", front_run)):
                print("     %s: rc=%d stdout=%r stderr=%r" % (name, r.returncode, r.stdout[-300:], r.stderr[-300:]))
        else:
            print("ok   %s: libphi %s, front end %s" % (v["name"], libphi, front))
    print("route vectors: %d passed, %d failed" % (len(table["vectors"]) - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
