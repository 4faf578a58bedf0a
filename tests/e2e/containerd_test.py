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

Skips (exit 0, "SKIP: <reason>") only when containerd, ctr or the runc v2
shim are not installed.
"""

import argparse
import atexit
import base64
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import busybox_image  # noqa: E402

ARGS = None          # parsed command line (set in main)
ENV = None           # the running ContainerdEnv (set in setUpModule)

CTR_TIMEOUT = 60          # seconds for any one ctr call
STARTUP_TIMEOUT = 30      # seconds for containerd to answer
STOP_TIMEOUT = 15         # seconds for containerd to exit after SIGTERM
STATE_TIMEOUT = 15        # seconds for a task to reach a state


def log(msg):
    print("[e2e] %s" % msg, file=sys.stderr, flush=True)


class CmdResult:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def __repr__(self):
        return ("$ %s\n-> rc=%d\n-- stdout --\n%s-- stderr --\n%s"
                % (shlex.join(self.argv), self.rc, self.out, self.err))


def run_cmd(argv, timeout=CTR_TIMEOUT, env=None, check=False):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout, env=env)
        res = CmdResult(argv, p.returncode, p.stdout, p.stderr)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        res = CmdResult(argv, -999, out, err + "\n<timed out after %ss>" % timeout)
    if check and res.rc != 0:
        raise AssertionError("command failed:\n%r" % res)
    return res


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


# --------------------------------------------------------------------------

class ContainerdEnv:
    """A throwaway containerd under one temp dir. stop() is idempotent and
    does all cleanup: tasks, containerd, leftover shims and containers,
    mounts under the temp dir, cgroups of our namespace, files."""

    def __init__(self, runphi, runc, keep_tmp=False):
        self.runphi = runphi
        self.runc = runc
        self.keep_tmp = keep_tmp
        self.tmp = tempfile.mkdtemp(prefix="runphi-e2e-")
        os.chmod(self.tmp, 0o755)
        self.ns = "runphi-e2e-%d" % os.getpid()
        self.sock = os.path.join(self.tmp, "containerd.sock")
        self.root = os.path.join(self.tmp, "root")
        self.state = os.path.join(self.tmp, "state")
        self.config = os.path.join(self.tmp, "config.toml")
        self.containerd_log = os.path.join(self.tmp, "containerd.log")
        self.runphi_config = os.path.join(self.tmp, "runphi.json")
        self.runphi_log = os.path.join(self.tmp, "runphi.log")
        self.runphi_state = os.path.join(self.tmp, "runphi-state")
        self.proc = None
        self.stopped = False
        self.image = None

    # ---- start -----------------------------------------------------------
    def start(self):
        with open(self.config, "w") as f:
            f.write(self._config_toml())
        with open(self.runphi_config, "w") as f:
            json.dump({"runc_path": self.runc,
                       "state_root": self.runphi_state,
                       "log": {"path": self.runphi_log, "level": "debug"}},
                      f, indent=2)
        env = dict(os.environ)
        env["RUNPHI_CONFIG"] = self.runphi_config
        self.logf = open(self.containerd_log, "w")
        log("starting containerd (tmp %s, namespace %s)" % (self.tmp, self.ns))
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            ["containerd", "--config", self.config],
            stdin=subprocess.DEVNULL, stdout=self.logf, stderr=subprocess.STDOUT,
            env=env, start_new_session=True)
        deadline = t0 + STARTUP_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("containerd exited with %d during startup:\n%s"
                                   % (self.proc.returncode, self.log_tail()))
            if os.path.exists(self.sock):
                r = run_cmd(self.ctr_base() + ["version"], timeout=5)
                if r.rc == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("containerd did not answer within %ss:\n%s"
                                   % (STARTUP_TIMEOUT, self.log_tail()))
            time.sleep(0.1)
        log("containerd up in %.2fs" % (time.monotonic() - t0))
        snap = run_cmd(self.ctr_base() + ["plugins", "ls"], check=True).out
        if not re.search(r"io\.containerd\.snapshotter\.v1\s+overlayfs\s+\S+\s+ok", snap):
            raise RuntimeError("overlayfs snapshotter not ok:\n%s" % snap)

    def _config_toml(self):
        # CRI is disabled: it needs CNI and is not used by ctr. Other plugins
        # that cannot load here (aufs, btrfs, zfs, devmapper) are skipped by
        # containerd on its own.
        return """version = 2
root = "{root}"
state = "{state}"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "{sock}"

[ttrpc]
  address = "{sock}.ttrpc"

[debug]
  address = "{tmp}/debug.sock"
  level = "debug"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "{tmp}/opt"

[plugins."io.containerd.grpc.v1.cri"]
  disable_tcp_service = true
""".format(root=self.root, state=self.state, sock=self.sock, tmp=self.tmp)

    def log_tail(self, n=40):
        try:
            with open(self.containerd_log) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "<no containerd log>"

    # ---- ctr -------------------------------------------------------------
    def ctr_base(self):
        return ["ctr", "--address", self.sock, "--namespace", self.ns]

    def ctr(self, *args, timeout=CTR_TIMEOUT, check=False):
        return run_cmd(self.ctr_base() + list(args), timeout=timeout, check=check)

    def import_image(self):
        tar = os.path.join(self.tmp, "busybox.tar")
        t0 = time.monotonic()
        ref = busybox_image.build_image(
            tar, workdir=os.path.join(self.tmp, "image-build"))
        self.ctr("images", "import", tar, check=True)
        refs = self.ctr("images", "ls", "-q", check=True).out.split()
        if ref not in refs:
            raise RuntimeError("image %s not in `ctr images ls`: %s" % (ref, refs))
        log("image %s built and imported in %.2fs" % (ref, time.monotonic() - t0))
        self.image = ref
        return ref

    def task_status(self, cid):
        r = self.ctr("tasks", "ls")
        for line in r.out.splitlines()[1:]:
            parts = line.split()
            if parts and parts[0] == cid:
                return parts[-1]
        return None

    def wait_status(self, cid, want, timeout=STATE_TIMEOUT):
        deadline = time.monotonic() + timeout
        st = None
        while time.monotonic() < deadline:
            st = self.task_status(cid)
            if st == want:
                return st
            time.sleep(0.1)
        return st

    def bundle(self, cid):
        return os.path.join(self.state, "io.containerd.runtime.v2.task",
                            self.ns, cid)

    def runphi_log_text(self):
        try:
            with open(self.runphi_log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # ---- stop / cleanup --------------------------------------------------
    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        log("cleanup: tasks and containers")
        if self.proc is not None and self.proc.poll() is None:
            try:
                self._remove_all_containers()
            except Exception as e:  # keep cleaning up
                log("cleanup: removing containers failed: %s" % e)
        log("cleanup: stopping containerd")
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log("cleanup: containerd ignored SIGTERM, killing it")
                self.proc.kill()
                self.proc.wait(10)
        if getattr(self, "logf", None):
            self.logf.close()
        self._kill_leftover_shims()
        self._remove_leftover_runc_containers()
        self._unmount_under_tmp()
        self._remove_cgroups()
        runc_root = os.path.join("/run/containerd/runc", self.ns)
        shutil.rmtree(runc_root, ignore_errors=True)
        if self.keep_tmp:
            log("cleanup: keeping %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
            if os.path.exists(self.tmp):
                log("cleanup: WARNING could not remove %s" % self.tmp)

    def _remove_all_containers(self):
        for line in self.ctr("tasks", "ls", timeout=20).out.splitlines()[1:]:
            parts = line.split()
            if not parts:
                continue
            cid = parts[0]
            if parts[-1] != "STOPPED":
                self.ctr("tasks", "kill", "-s", "SIGKILL", cid, timeout=20)
                self.wait_status(cid, "STOPPED", timeout=10)
            self.ctr("tasks", "rm", "-f", cid, timeout=20)
        for cid in self.ctr("containers", "ls", "-q", timeout=20).out.split():
            self.ctr("containers", "rm", cid, timeout=20)

    def _our_shim_pids(self):
        pids = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if (argv and b"containerd-shim" in argv[0]
                    and self.sock.encode() in argv):
                pids.append(int(d))
        return pids

    def _kill_leftover_shims(self):
        for pid in self._our_shim_pids():
            log("cleanup: killing leftover shim pid %d" % pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _remove_leftover_runc_containers(self):
        root = os.path.join("/run/containerd/runc", self.ns)
        if not os.path.isdir(root) or not os.listdir(root):
            return
        r = run_cmd([self.runc, "--root", root, "list", "-q"], timeout=20)
        for cid in r.out.split():
            log("cleanup: runc delete --force leftover %s" % cid)
            run_cmd([self.runc, "--root", root, "delete", "--force", cid],
                    timeout=20)

    def _unmount_under_tmp(self):
        prefix = self.tmp.rstrip("/") + "/"
        for _ in range(5):
            points = []
            with open("/proc/self/mountinfo") as f:
                for line in f:
                    mp = line.split()[4].replace("\\040", " ")
                    if mp.startswith(prefix) or mp == self.tmp:
                        points.append(mp)
            if not points:
                return
            for mp in sorted(points, key=len, reverse=True):
                log("cleanup: umount %s" % mp)
                r = run_cmd(["umount", mp], timeout=20)
                if r.rc != 0:
                    run_cmd(["umount", "-l", mp], timeout=20)

    def _remove_cgroups(self):
        base = "/sys/fs/cgroup"
        cands = [os.path.join(base, self.ns)]
        if os.path.isdir(base):
            for h in os.listdir(base):
                cands.append(os.path.join(base, h, self.ns))
        for path in cands:
            if not os.path.isdir(path):
                continue
            # children first (containers' cgroups, normally already gone)
            for dirpath, dirnames, _ in os.walk(path, topdown=False):
                try:
                    os.rmdir(dirpath)
                except OSError:
                    pass


# --------------------------------------------------------------------------

def _cleanup_env():
    global ENV
    if ENV is not None:
        ENV.stop()


def setUpModule():
    global ENV
    missing = [b for b in ("containerd", "ctr", "containerd-shim-runc-v2")
               if shutil.which(b) is None]
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


def read_file(path, binary=False):
    try:
        with open(path, "rb" if binary else "r") as f:
            return f.read()
    except OSError:
        return b"" if binary else ""


def parse_exit_status(res):
    """`ctr tasks rm` exits 0 and logs a warning naming a non-zero exit code."""
    m = re.search(r"exit with non-zero exit code (\d+)", res.err)
    return int(m.group(1)) if m else 0


def force_remove(cid):
    """Best-effort removal of a container after a (possibly failed) test."""
    st = ENV.task_status(cid)
    if st is not None:
        if st != "STOPPED":
            ENV.ctr("tasks", "kill", "-s", "SIGKILL", cid, timeout=20)
            ENV.wait_status(cid, "STOPPED", timeout=10)
        ENV.ctr("tasks", "rm", "-f", cid, timeout=20)
    if cid in ENV.ctr("containers", "ls", "-q", timeout=20).out.split():
        ENV.ctr("containers", "rm", cid, timeout=20)


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
    # SIGTERM/SIGHUP stop the run like Ctrl-C (unittest swallows SystemExit
    # raised inside a test, but not KeyboardInterrupt) and clean up.
    atexit.register(_cleanup_env)
    got = []

    def on_signal(signum, _frame):
        got.append(signum)
        raise KeyboardInterrupt

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False)
    except KeyboardInterrupt:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        log("interrupted; cleaning up")
        _cleanup_env()
        print("containerd_e2e: interrupted", flush=True)
        sys.exit(128 + (got[0] if got else signal.SIGINT))
    res = prog.result
    failed = {id(getattr(t, "test_case", t)) for t, _ in res.failures + res.errors}
    failed_n = len(failed) + len(res.unexpectedSuccesses)
    skipped_n = len(res.skipped)
    passed_n = max(res.testsRun - failed_n - skipped_n, 0)
    _cleanup_env()
    # a plain closing line that CI tooling can read
    print("containerd_e2e: %d passed, %d failed, %d skipped"
          % (passed_n, failed_n, skipped_n), flush=True)
    sys.exit(0 if res.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
