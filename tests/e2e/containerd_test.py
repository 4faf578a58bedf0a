#!/usr/bin/env python3
"""End-to-end test: runphi used by a real containerd in place of runc.

Usage (as root):
    python3 tests/e2e/containerd_test.py --runphi build/default/shim/runphi \
        --runc /usr/sbin/runc [--no-runphi-log-check] [--keep-tmp] [-v]
        [unittest args, e.g. ContainerdE2E.test_a_ctr_run_rm]

What it does: starts a throwaway containerd (own config.toml, root, state and
socket under one temp dir; CRI plugin disabled; overlayfs snapshotter) with
RUNPHI_CONFIG in its environment, so the runc.v2 shims it starts, and the
runphi they exec, inherit it. It imports a busybox OCI image built locally
(tests/e2e/busybox_image.py, no registry) and runs containers with
`ctr run --runc-binary <runphi>` and `--runc-binary <real runc>`, comparing
what a user sees (output, exit statuses, task states).

How ctr (containerd 1.6) passes runc options: for the runtime
io.containerd.runc.v2, `ctr run --runc-binary X` stores runc Options
{BinaryName: X} (type containerd.runc.v1.Options) in the container record;
containerd hands them to containerd-shim-runc-v2, which writes them to the
bundle's options.json and execs X for every runc call. `--runtime-config-path`
is ignored by ctr for io.containerd.runc.v2 (it is only sent for other
runtimes), and `ctr containers create` has no --runc-binary; runtime entries
with options in config.toml exist only for the CRI plugin, which ctr does not
use. Test (b) therefore names the runtime explicitly and checks, besides
runphi's log, the container record, the bundle's options.json and the live
shim process.

--no-runphi-log-check: development mode, when --runphi is not runphi (e.g.
the real runc) and so writes no runphi log; everything else is still checked.

The containerd environment (ContainerdEnv, cleanup, summary line) lives in
containerd_env.py, shared with containerd_zic_test.py.

Skips (exit 0, "SKIP: <reason>") only when containerd, ctr or the runc v2
shim are not installed.
"""

import argparse
import base64
import json
import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import containerd_env  # noqa: E402
from containerd_env import (STATE_TIMEOUT, ContainerdEnv, log,  # noqa: E402
                            parse_exit_status, read_file)

ARGS = None          # parsed command line (set in main)
ENV = None           # the running ContainerdEnv (set in setUpModule)


# --------------------------------------------------------------------------
# minimal protobuf reader for containerd.runc.v1.Options (field 6 = binary_name)

def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def decode_runc_options(raw):
    """Return {field_number: value} for the length-delimited/varint fields."""
    fields, i = {}, 0
    while i < len(raw):
        key, i = _varint(raw, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = _varint(raw, i)
        elif wt == 2:
            ln, i = _varint(raw, i)
            val = raw[i:i + ln].decode("utf-8", "replace")
            i += ln
        else:
            raise ValueError("unexpected wire type %d" % wt)
        fields[num] = val
    return fields


def _cleanup_env():
    global ENV
    if ENV is not None:
        ENV.stop()


def setUpModule():
    global ENV
    missing = containerd_env.missing_tools()
    if missing:
        msg = "%s not installed (apt-get install containerd)" % ", ".join(missing)
        print("SKIP: %s" % msg, flush=True)
        raise unittest.SkipTest(msg)
    if os.geteuid() != 0:
        raise RuntimeError("the containerd e2e test must run as root")
    for what, path in (("--runphi", ARGS.runphi), ("--runc", ARGS.runc)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise RuntimeError("%s %s is not an executable file" % (what, path))
    ENV = ContainerdEnv(ARGS.runphi, ARGS.runc, keep_tmp=ARGS.keep_tmp)
    # module cleanups also run when setUpModule fails part way
    unittest.addModuleCleanup(_cleanup_env)
    ENV.start()
    ENV.import_image()


class ContainerdE2E(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.env = ENV
        self.image = ENV.image

    def binaries(self):
        return (("runphi", ENV.runphi), ("runc", ENV.runc))

    def check_runphi_log(self, cid, call=None):
        if ARGS.no_runphi_log_check:
            return
        text = ENV.runphi_log_text()
        lines = [l for l in text.splitlines() if cid in l]
        self.assertTrue(lines, "runphi log %s has no line with container id %s;"
                        " log is:\n%s" % (ENV.runphi_log, cid, text[-4000:]))
        if call:
            self.assertTrue(any(re.search(r"\b%s\b" % call, l) for l in lines),
                            "runphi log has no %r call for %s; its lines for it:\n%s"
                            % (call, cid, "\n".join(lines)))

    def assertRc(self, res, rc, what=""):
        self.assertEqual(res.rc, rc, "%s\n%r" % (what, res))

    # ---- (a) ---------------------------------------------------------------
    def test_a_ctr_run_rm(self):
        """ctr run --rm --runc-binary: same output and exit status as runc."""
        results = {}
        for name, binary in self.binaries():
            cid = "a-%s-%d" % (name, os.getpid())
            t0 = time.monotonic()
            r = ENV.ctr("run", "--rm", "--runc-binary", binary, self.image, cid,
                        "sh", "-c", "echo hello-from-busybox; exit 3")
            log("(a) %s: rc=%d in %.2fs, stdout=%r" % (name, r.rc,
                                                       time.monotonic() - t0, r.out))
            results[name] = (r.out, r.rc)
            self.assertEqual((r.out, r.rc), ("hello-from-busybox\n", 3), repr(r))
            # --rm: nothing left behind
            self.assertIsNone(ENV.task_status(cid))
            self.assertNotIn(cid, ENV.ctr("containers", "ls", "-q").out.split())
            if name == "runphi":
                self.check_runphi_log(cid, "create")
        self.assertEqual(results["runphi"], results["runc"])

    # ---- (b) ---------------------------------------------------------------
    def _shim_scenario(self, name, binary):
        """Detached container on the runc.v2 shim with BinaryName=binary;
        returns what a user sees, after checking the plumbing."""
        cid = "b-%s-%d" % (name, os.getpid())
        out_file = os.path.join(ENV.tmp, "%s.out" % cid)
        r = ENV.ctr("run", "-d", "--runtime", "io.containerd.runc.v2",
                    "--runc-binary", binary, "--log-uri", "file://" + out_file,
                    self.image, cid,
                    "sh", "-c", "echo init-started; exec sleep 1000")
        self.assertRc(r, 0, "ctr run -d")
        seen = {}
        try:
            self.assertEqual(ENV.wait_status(cid, "RUNNING"), "RUNNING")
            # the container record holds runc Options{BinaryName}
            info = json.loads(ENV.ctr("containers", "info", cid, check=True).out)
            rt = info["Runtime"]
            self.assertEqual(rt["Name"], "io.containerd.runc.v2")
            self.assertEqual(rt["Options"]["type_url"], "containerd.runc.v1.Options")
            opts = decode_runc_options(base64.b64decode(rt["Options"]["value"]))
            self.assertEqual(opts.get(6), binary, "BinaryName in %s" % opts)
            # ... which the shim wrote to the bundle
            with open(os.path.join(ENV.bundle(cid), "options.json")) as f:
                self.assertEqual(json.load(f).get("binary_name"), binary)
            # ... and a runc v2 shim for this container of our containerd runs
            shims = [p for p in ENV._our_shim_pids()
                     if ("-id\0%s\0" % cid).encode() in read_file(
                         "/proc/%d/cmdline" % p, binary=True)]
            self.assertEqual(len(shims), 1, "shim processes for %s" % cid)
            exe = os.readlink("/proc/%d/exe" % shims[0])
            self.assertTrue(exe.endswith("containerd-shim-runc-v2"), exe)
            # exec goes through the same binary
            e = ENV.ctr("tasks", "exec", "--exec-id", "x1", cid,
                        "sh", "-c", "echo exec-ok; exit 5")
            seen["exec"] = (e.out, e.rc)
            self.assertEqual(seen["exec"], ("exec-ok\n", 5), repr(e))
            ps = ENV.ctr("tasks", "ps", cid, check=True)
            seen["ps_lines"] = len(ps.out.strip().splitlines())
            if name == "runphi":
                self.check_runphi_log(cid, "create")
                self.check_runphi_log(cid, "start")
                self.check_runphi_log(cid, "exec")
            k = ENV.ctr("tasks", "kill", "-s", "SIGKILL", cid)
            self.assertRc(k, 0, "ctr tasks kill")
            seen["status_after_kill"] = ENV.wait_status(cid, "STOPPED")
            d = ENV.ctr("tasks", "rm", cid)
            seen["task_rm_rc"] = d.rc
            seen["exit_status"] = parse_exit_status(d)
            c = ENV.ctr("containers", "rm", cid)
            seen["container_rm_rc"] = c.rc
            with open(out_file) as f:
                seen["output"] = f.read()
        finally:
            force_remove(cid)
        return seen

    def test_b_runc_v2_shim_binary_name(self):
        """runc.v2 shim with BinaryName=runphi really execs runphi."""
        results = {name: self._shim_scenario(name, b) for name, b in self.binaries()}
        log("(b) runphi: %s" % results["runphi"])
        log("(b) runc:   %s" % results["runc"])
        self.assertEqual(results["runphi"]["exit_status"], 137)
        self.assertEqual(results["runphi"]["output"], "init-started\n")
        self.assertEqual(results["runphi"], results["runc"])

    # ---- (c) ---------------------------------------------------------------
    def _detached_scenario(self, name, binary, signame, script):
        cid = "c-%s-%s-%d" % (name, signame.lower(), os.getpid())
        out_file = os.path.join(ENV.tmp, "%s.out" % cid)
        seen = {}
        r = ENV.ctr("run", "-d", "--runc-binary", binary,
                    "--log-uri", "file://" + out_file, self.image, cid,
                    "sh", "-c", script)
        self.assertRc(r, 0, "ctr run -d")
        try:
            seen["status_started"] = ENV.wait_status(cid, "RUNNING")
            # wait for the script to have set its trap and said so
            deadline = time.monotonic() + STATE_TIMEOUT
            while time.monotonic() < deadline:
                if "ready" in read_file(out_file):
                    break
                time.sleep(0.1)
            seen["task_ls_pid_ok"] = self._task_pid(cid) > 0
            k = ENV.ctr("tasks", "kill", "-s", signame, cid)
            seen["kill_rc"] = k.rc
            seen["status_after_kill"] = ENV.wait_status(cid, "STOPPED")
            d = ENV.ctr("tasks", "rm", cid)
            seen["task_rm_rc"] = d.rc
            seen["exit_status"] = parse_exit_status(d)
            seen["task_gone"] = ENV.task_status(cid) is None
            c = ENV.ctr("containers", "rm", cid)
            seen["container_rm_rc"] = c.rc
            seen["container_gone"] = cid not in ENV.ctr(
                "containers", "ls", "-q").out.split()
            with open(out_file) as f:
                seen["output"] = f.read()
            if name == "runphi":
                self.check_runphi_log(cid, "create")
                self.check_runphi_log(cid, "kill")
                self.check_runphi_log(cid, "delete")
        finally:
            force_remove(cid)
        return seen

    def _task_pid(self, cid):
        for line in ENV.ctr("tasks", "ls").out.splitlines()[1:]:
            parts = line.split()
            if parts and parts[0] == cid and parts[1].isdigit():
                return int(parts[1])
        return -1

    def test_c_detached_kill(self):
        """ctr run -d; task ls RUNNING; kill; STOPPED with the signal's
        status; task rm and container rm; same as runc."""
        cases = [
            # SIGKILL cannot be caught: exit status 128+9
            ("SIGKILL", "echo ready; exec sleep 1000",
             {"exit_status": 137, "output": "ready\n"}),
            # SIGTERM (ctr's default signal) caught by the container's shell
            ("SIGTERM",
             "trap 'echo got-term; exit 42' TERM; echo ready;"
             " while :; do sleep 0.1; done",
             {"exit_status": 42, "output": "ready\ngot-term\n"}),
        ]
        for signame, script, expect in cases:
            with self.subTest(signal=signame):
                results = {name: self._detached_scenario(name, b, signame, script)
                           for name, b in self.binaries()}
                log("(c) %s runphi: %s" % (signame, results["runphi"]))
                log("(c) %s runc:   %s" % (signame, results["runc"]))
                want = {"status_started": "RUNNING", "task_ls_pid_ok": True,
                        "kill_rc": 0, "status_after_kill": "STOPPED",
                        "task_rm_rc": 0, "task_gone": True,
                        "container_rm_rc": 0, "container_gone": True}
                want.update(expect)
                self.assertEqual(results["runphi"], want)
                self.assertEqual(results["runphi"], results["runc"])


def force_remove(cid):
    """Best-effort removal of a container after a (possibly failed) test."""
    ENV.force_remove(cid)


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runphi", required=True, help="runphi binary under test")
    ap.add_argument("--runc", required=True, help="the real runc binary")
    ap.add_argument("--no-runphi-log-check", action="store_true",
                    help="do not require runphi's log (when --runphi is not runphi)")
    ap.add_argument("--keep-tmp", action="store_true",
                    help="keep the temp dir (containerd is still stopped)")
    ARGS, rest = ap.parse_known_args()
    ARGS.runphi = os.path.abspath(ARGS.runphi)
    ARGS.runc = os.path.abspath(ARGS.runc)
    containerd_env.run_unittest_main("containerd_e2e", [sys.argv[0]] + rest,
                                     _cleanup_env)


if __name__ == "__main__":
    main()
