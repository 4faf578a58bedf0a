"""A throwaway containerd for the end-to-end tests, shared by
containerd_test.py (busybox through runphi vs runc) and
containerd_zic_test.py (partitioned containers through runphi).

Python 3 standard library only.  What it provides:

- ContainerdEnv: a private containerd under one temp dir (own config.toml,
  root, state, socket; CRI plugin disabled; overlayfs snapshotter) with
  RUNPHI_CONFIG in its environment, so the runc.v2 shims it starts, and the
  runphi they exec, inherit it.  The runphi configuration is
  {"runc_path", "state_root", "log"} plus whatever `runphi_config` adds.
  stop() is idempotent and does all cleanup, even after a failed start:
  tasks and containers, containerd, leftover shims, runc and runphi
  containers, runphi-monitor processes, mounts under the temp dir, cgroups
  of the namespace, files.
- run_cmd / CmdResult: a subprocess call with a timeout, printable.
- parse_exit_status: the exit status `ctr tasks rm` reports.
- EventWatcher: `ctr events` in the background, for exact exit statuses.
- run_unittest_main: unittest.main with cleanup on SIGTERM/SIGHUP/Ctrl-C and
  a closing summary line "<name>: N passed, N failed, N skipped".
"""

import atexit
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import busybox_image  # noqa: E402

CTR_TIMEOUT = 60          # seconds for any one ctr call
STARTUP_TIMEOUT = 30      # seconds for containerd to answer
STOP_TIMEOUT = 15         # seconds for containerd to exit after SIGTERM
STATE_TIMEOUT = 15        # seconds for a task to reach a state

REQUIRED_TOOLS = ("containerd", "ctr", "containerd-shim-runc-v2")


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


def read_file(path, binary=False):
    try:
        with open(path, "rb" if binary else "r") as f:
            return f.read()
    except OSError:
        return b"" if binary else ""


def parse_exit_status(res):
    """`ctr tasks rm` exits 0 and logs a warning naming a non-zero exit code;
    no warning means 0."""
    m = re.search(r"exit with non-zero exit code (\d+)", res.err)
    return int(m.group(1)) if m else 0


def missing_tools():
    return [b for b in REQUIRED_TOOLS if shutil.which(b) is None]


def proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0")[:-1]]
    except OSError:
        return []


def proc_comm_state(pid):
    """(comm, state letter) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
    except OSError:
        return None
    lp, rp = text.find("("), text.rfind(")")
    return text[lp + 1:rp], text[rp + 2:].split()[0]


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


# --------------------------------------------------------------------------

class ContainerdEnv:
    """A throwaway containerd under one temp dir. stop() is idempotent and
    does all cleanup: tasks, containerd, leftover shims and containers,
    mounts under the temp dir, cgroups of our namespace, files."""

    def __init__(self, runphi, runc, keep_tmp=False, runphi_config=None,
                 prefix="runphi-e2e-"):
        self.runphi = runphi
        self.runc = runc
        self.keep_tmp = keep_tmp
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.tmp, 0o755)
        self.ns = "%s%d" % (prefix, os.getpid())
        self.sock = os.path.join(self.tmp, "containerd.sock")
        self.root = os.path.join(self.tmp, "root")
        self.state = os.path.join(self.tmp, "state")
        self.config = os.path.join(self.tmp, "config.toml")
        self.containerd_log = os.path.join(self.tmp, "containerd.log")
        self.runphi_config = os.path.join(self.tmp, "runphi.json")
        self.runphi_log = os.path.join(self.tmp, "runphi.log")
        self.runphi_state = os.path.join(self.tmp, "runphi-state")
        # the runc --root the runc.v2 shim passes (its default Root + namespace)
        self.runc_root = os.path.join("/run/containerd/runc", self.ns)
        self.runphi_config_data = {
            "runc_path": self.runc,
            "state_root": self.runphi_state,
            "log": {"path": self.runphi_log, "level": "debug"},
        }
        self.runphi_config_data.update(runphi_config or {})
        self.proc = None
        self.stopped = False
        self.image = None
        self.watchers = []

    # ---- start -----------------------------------------------------------
    def start(self):
        with open(self.config, "w") as f:
            f.write(self._config_toml())
        with open(self.runphi_config, "w") as f:
            json.dump(self.runphi_config_data, f, indent=2)
        env = self.runphi_env()
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

    def runphi_env(self):
        env = dict(os.environ)
        env.pop("RUNPHI_DEBUG_LEVEL", None)
        env["RUNPHI_CONFIG"] = self.runphi_config
        return env

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

    def import_image(self, extra_files=None, name=busybox_image.DEFAULT_NAME,
                     tag="busybox"):
        """Build a busybox image (with `extra_files` copied over its rootfs),
        import it, and return its reference. The first one imported is also
        self.image."""
        tar = os.path.join(self.tmp, "%s.tar" % tag)
        t0 = time.monotonic()
        ref = busybox_image.build_image(
            tar, extra_files=extra_files, name=name,
            workdir=os.path.join(self.tmp, "image-build-%s" % tag))
        self.ctr("images", "import", tar, check=True)
        refs = self.ctr("images", "ls", "-q", check=True).out.split()
        if ref not in refs:
            raise RuntimeError("image %s not in `ctr images ls`: %s" % (ref, refs))
        log("image %s built and imported in %.2fs" % (ref, time.monotonic() - t0))
        if self.image is None:
            self.image = ref
        return ref

    def tasks(self):
        """{task id: (pid, status)} from `ctr tasks ls`."""
        out = {}
        for line in self.ctr("tasks", "ls").out.splitlines()[1:]:
            parts = line.split()
            if len(parts) >= 3:
                out[parts[0]] = (int(parts[1]) if parts[1].isdigit() else -1, parts[-1])
        return out

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

    def containers(self):
        return self.ctr("containers", "ls", "-q").out.split()

    def bundle(self, cid):
        return os.path.join(self.state, "io.containerd.runtime.v2.task",
                            self.ns, cid)

    def runphi_log_text(self):
        try:
            with open(self.runphi_log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def force_remove(self, cid):
        """Best-effort removal of a container after a (possibly failed) test."""
        st = self.task_status(cid)
        if st is not None:
            if st != "STOPPED":
                self.ctr("tasks", "kill", "-s", "SIGKILL", cid, timeout=20)
                self.wait_status(cid, "STOPPED", timeout=10)
            self._remove_task(cid)
        if cid in self.ctr("containers", "ls", "-q", timeout=20).out.split():
            self.ctr("containers", "rm", cid, timeout=20)

    def _remove_task(self, cid):
        self.ctr("tasks", "rm", "-f", cid, timeout=20)
        if self.task_status(cid) == "STOPPED":
            # `rm -f` kills first, which runphi refuses for a stopped
            # partitioned container; a plain rm of a stopped task works
            self.ctr("tasks", "rm", cid, timeout=20)

    def monitor_pids(self):
        """Live runphi-monitor processes of this containerd (their --root is
        our namespace's runc root)."""
        found = []
        for pid in all_pids():
            st = proc_comm_state(pid)
            if st is None or st[0] != "runphi-monitor" or st[1] in ("Z", "X"):
                continue
            argv = proc_cmdline(pid)
            if self.runc_root in argv or any(a.startswith(self.tmp) for a in argv):
                found.append(pid)
        return found

    def event_watcher(self):
        w = EventWatcher(self.ctr_base())
        self.watchers.append(w)
        return w

    # ---- stop / cleanup --------------------------------------------------
    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        for w in self.watchers:
            w.stop()
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
        self._remove_leftover_runphi_containers()
        self._remove_leftover_runc_containers()
        self._kill_leftover_monitors()
        self._unmount_under_tmp()
        self._remove_cgroups()
        shutil.rmtree(self.runc_root, ignore_errors=True)
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
            self._remove_task(cid)
        for cid in self.ctr("containers", "ls", "-q", timeout=20).out.split():
            self.ctr("containers", "rm", cid, timeout=20)

    def _our_shim_pids(self):
        pids = []
        for pid in all_pids():
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if (argv and b"containerd-shim" in argv[0]
                    and self.sock.encode() in argv):
                pids.append(pid)
        return pids

    def _kill_leftover_shims(self):
        for pid in self._our_shim_pids():
            log("cleanup: killing leftover shim pid %d" % pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _remove_leftover_runphi_containers(self):
        """Partitioned containers runphi still holds for our runc root:
        `runphi delete --force` (destroys the partition, releases the
        ledger)."""
        state_dirs = []
        if os.path.isdir(self.runphi_state):
            for rk in os.listdir(self.runphi_state):
                if rk in ("resources", "drivers"):
                    continue
                d = os.path.join(self.runphi_state, rk)
                if os.path.isdir(d):
                    state_dirs += [os.path.join(d, c) for c in os.listdir(d)]
        for d in state_dirs:
            rec = {}
            try:
                with open(os.path.join(d, "state.json")) as f:
                    rec = json.load(f)
            except (OSError, ValueError):
                pass
            cid = rec.get("id")
            if not cid:
                continue
            log("cleanup: runphi delete --force leftover %s" % cid)
            run_cmd([self.runphi, "--root", self.runc_root, "delete", "--force", cid],
                    timeout=30, env=self.runphi_env())

    def _remove_leftover_runc_containers(self):
        root = self.runc_root
        if not os.path.isdir(root) or not os.listdir(root):
            return
        r = run_cmd([self.runc, "--root", root, "list", "-q"], timeout=20)
        for cid in r.out.split():
            log("cleanup: runc delete --force leftover %s" % cid)
            run_cmd([self.runc, "--root", root, "delete", "--force", cid],
                    timeout=20)

    def _kill_leftover_monitors(self):
        for pid in self.monitor_pids():
            log("cleanup: killing leftover runphi-monitor pid %d" % pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

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

class EventWatcher:
    """`ctr events` in the background. containerd 1.6's ctr prints one line
    per event: "<time, with spaces> <namespace> <topic> <json of the event>",
    the JSON made by Go's encoding/json from the event struct, whose fields
    are all omitempty: a /tasks/exit event with exit status 0 has no
    "exit_status" key at all. Start it before the event happens: ctr events
    shows only what is published after it subscribed."""

    def __init__(self, ctr_base):
        self.lines = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(ctr_base + ["events"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, start_new_session=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append(line.rstrip("\n"))

    def events(self, topic=None):
        """[(topic, dict)] seen so far."""
        out = []
        with self.lock:
            lines = list(self.lines)
        for line in lines:
            # "2026-11-23 12:37:36.602401239 +0000 UTC <ns> /tasks/exit {...}"
            m = re.search(r" (/[a-z]\S*) (\{.*\})\s*$", line)
            if not m:
                continue
            if topic is not None and m.group(1) != topic:
                continue
            try:
                out.append((m.group(1), json.loads(m.group(2))))
            except ValueError:
                continue
        return out

    def exit_status(self, cid, timeout=10.0):
        """Exit status of the init process of task `cid` from its
        /tasks/exit event, or None when none came within `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            for _, ev in self.events("/tasks/exit"):
                if ev.get("container_id") == cid and ev.get("id", cid) == cid:
                    return int(ev.get("exit_status", 0))
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


# --------------------------------------------------------------------------

def runphi_records(env):
    """{container id: state.json} of every container runphi holds."""
    out = {}
    root = env.runphi_state
    if not os.path.isdir(root):
        return out
    for rk in os.listdir(root):
        if rk in ("resources", "drivers"):
            continue
        d = os.path.join(root, rk)
        if not os.path.isdir(d):
            continue
        for c in os.listdir(d):
            try:
                with open(os.path.join(d, c, "state.json")) as f:
                    rec = json.load(f)
            except (OSError, ValueError):
                rec = {"id": c, "unreadable": True}
            out[rec.get("id", c)] = rec
    return out


def ledger(env, platform):
    """The resource ledger's allocations for `platform` ({} before the first)."""
    text = read_file(os.path.join(env.runphi_state, "resources", platform + ".json"))
    if not text:
        return {}
    data = json.loads(text)
    assert data.get("platform") == platform, data
    return data["allocations"]


def ledger_entry(env, platform, cid):
    """(owner, allocation) of container `cid` (owner key "<escaped runc
    root>/<escaped id>"; the tests' ids need no escaping), or (None, None)."""
    for owner, alloc in ledger(env, platform).items():
        if owner.rsplit("/", 1)[-1] == cid:
            return owner, alloc
    return None, None


class ZicTaskCase(unittest.TestCase):
    """Base of the ZIC end-to-end tests: one busybox container (forwarded to
    runc) runs next to the ZICs for the whole class, and the assertions on
    ctr tasks they share. Subclasses provide context() -> (ContainerdEnv,
    EventWatcher, busybox image) and may extend explain()."""
    maxDiff = None
    bb = None
    GUEST_END_TIMEOUT = 10.0

    @classmethod
    def context(cls):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        env, _, image = cls.context()
        cls.bb = "bb-%d" % os.getpid()
        cls.bb_out = os.path.join(env.tmp, "%s.out" % cls.bb)
        r = env.ctr("run", "-d", "--runc-binary", env.runphi,
                    "--log-uri", "file://" + cls.bb_out, image, cls.bb,
                    "sh", "-c", "echo bb-ready; exec sleep 100000")
        if r.rc != 0:
            raise AssertionError("busybox ctr run -d failed:\n%r" % r)
        st = env.wait_status(cls.bb, "RUNNING")
        if st != "RUNNING":
            raise AssertionError("busybox task is %s, not RUNNING" % st)
        cls.bb_pid = env.tasks()[cls.bb][0]
        cls.bb_stat = read_file("/proc/%d/stat" % cls.bb_pid)
        log("busybox %s running, pid %d" % (cls.bb, cls.bb_pid))

    @classmethod
    def tearDownClass(cls):
        if cls.bb:
            cls.context()[0].force_remove(cls.bb)

    def explain(self, res=None):
        env = self.context()[0]
        return "%s\n--- runphi log (tail) ---\n%s\n--- containerd log (tail) ---\n%s" % (
            repr(res) if res is not None else "",
            "".join(env.runphi_log_text().splitlines(True)[-30:]), env.log_tail(20))

    def assertRc(self, res, rc, what=""):
        self.assertEqual(res.rc, rc, "%s\n%s" % (what, self.explain(res)))

    def wait_for(self, predicate, what, timeout=STATE_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("timed out after %.1fs waiting for %s\n%s"
                          % (timeout, what, self.explain()))
            time.sleep(0.05)

    def stopped_with(self, cid, want_status, t0):
        """Waits for `ctr task ls` to show the task STOPPED (bounded), then
        checks its exit status from the /tasks/exit event."""
        env, events, _ = self.context()
        st = env.wait_status(cid, "STOPPED", timeout=self.GUEST_END_TIMEOUT)
        took = time.monotonic() - t0
        self.assertEqual(st, "STOPPED", "task %s not STOPPED within %.0fs\n%s"
                         % (cid, self.GUEST_END_TIMEOUT, self.explain()))
        status = events.exit_status(cid)
        log("%s: STOPPED after %.2fs, /tasks/exit status %s" % (cid, took, status))
        self.assertEqual(status, want_status, "exit status in /tasks/exit of %s; events:\n%s\n%s"
                         % (cid, events.events("/tasks/exit"), self.explain()))
        return took


def run_unittest_main(name, argv, cleanup):
    """unittest.main(argv) with `cleanup` run on exit, on SIGTERM/SIGHUP and
    on Ctrl-C; prints "<name>: N passed, N failed, N skipped" (or
    "<name>: interrupted") last and exits with 0 only when all passed."""
    atexit.register(cleanup)
    got = []

    def on_signal(signum, _frame):
        # unittest swallows SystemExit raised inside a test, but not
        # KeyboardInterrupt
        got.append(signum)
        raise KeyboardInterrupt

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        prog = unittest.main(argv=argv, exit=False)
    except KeyboardInterrupt:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        log("interrupted; cleaning up")
        cleanup()
        print("%s: interrupted" % name, flush=True)
        sys.exit(128 + (got[0] if got else signal.SIGINT))
    res = prog.result
    failed = {id(getattr(t, "test_case", t)) for t, _ in res.failures + res.errors}
    failed_n = len(failed) + len(res.unexpectedSuccesses)
    skipped_n = len(res.skipped)
    xfail_n = len(res.expectedFailures)
    passed_n = max(res.testsRun - failed_n - skipped_n - xfail_n, 0)
    cleanup()
    # a plain closing line that CI tooling can read
    line = "%s: %d passed, %d failed, %d skipped" % (name, passed_n, failed_n, skipped_n)
    if xfail_n:
        line += ", %d expected failures" % xfail_n
    print(line, flush=True)
    sys.exit(0 if res.wasSuccessful() else 1)
