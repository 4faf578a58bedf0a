"""A private runphi installation for partition-core tests: a state root, a
runc --root, a runphi.json pointing at the test driver, ZIC bundles, and
readers for everything runphi and the test driver leave on disk.

Python 3 standard library only.  The process importing this module becomes a
child subreaper (like containerd's shim): container processes
(runphi-monitor) orphaned by `runphi create` are re-parented to it, reaped at
once by a background thread, and their exit statuses recorded
(Reaper.status_of).

Layout of one ZicEnv (under /dev/shm when writable, else /tmp):

    <tmp>/runphi.json             the configuration (RUNPHI_CONFIG)
    <tmp>/runphi.log              runphi's log (debug)
    <tmp>/state/                  state_root
    <tmp>/runc-root[-N]/          runc --root values (never created by runc)
    <tmp>/bundles/<name>/         ZIC bundles
    <tmp>/out/                    stdout/stderr files of runphi calls
"""

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import oci_bundle  # noqa: E402

MIB = 1024 * 1024
TIMEOUT = 60  # seconds for any single runphi call
INMATE_SIZE = 4096


# ---------------------------------------------------------------- reaping

class Reaper:
    """Makes this process a child subreaper and reaps orphaned descendants
    (runphi-monitor, stray `runphi guest-status`) as soon as they exit.

    Children this process spawns itself (subprocess) are registered in
    `mine` under `lock` and never touched: subprocess reaps those.  spawn()
    is the only way tests start processes."""

    PR_SET_CHILD_SUBREAPER = 36

    def __init__(self):
        self.lock = threading.Lock()
        self.mine = set()
        self.statuses = {}  # pid -> (comm, waitpid status)
        self.active = False
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            self.active = libc.prctl(self.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):
            self.active = False
        if self.active:
            t = threading.Thread(target=self._loop, name="reaper", daemon=True)
            t.start()

    def spawn(self, argv, **kwargs):
        with self.lock:
            proc = subprocess.Popen(argv, **kwargs)
            self.mine.add(proc.pid)
        return proc

    def forget(self, pid):
        with self.lock:
            self.mine.discard(pid)

    @staticmethod
    def _children():
        pids = set()
        try:
            for task in os.listdir("/proc/self/task"):
                try:
                    with open("/proc/self/task/%s/children" % task) as f:
                        pids.update(int(p) for p in f.read().split())
                except OSError:
                    pass
        except OSError:
            pass
        return pids

    def reap_now(self):
        with self.lock:
            for pid in self._children() - self.mine:
                stat = proc_stat(pid)
                if stat is None or stat[1] != "Z":
                    continue
                try:
                    got, status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    continue
                if got == pid:
                    self.statuses[pid] = (stat[0], status)

    def _loop(self):
        while True:
            try:
                self.reap_now()
            except Exception:  # never let the reaper die
                pass
            time.sleep(0.02)

    def status_of(self, pid, timeout=10.0):
        """waitpid status of orphan `pid` once it exited and was reaped,
        or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if pid in self.statuses:
                    return self.statuses[pid][1]
            time.sleep(0.02)
        return None


REAPER = Reaper()


def exit_code(status):
    """A waitpid status as a shell would show it (128+N for a signal)."""
    if status is None:
        return None
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return -1


def proc_stat(pid):
    """(comm, state, ppid) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
    except OSError:
        return None
    lp, rp = text.find("("), text.rfind(")")
    fields = text[rp + 2:].split()
    return text[lp + 1:rp], fields[0], int(fields[1])


def alive(pid):
    """True when `pid` exists and is not a zombie."""
    st = proc_stat(pid)
    return st is not None and st[1] not in ("Z", "X")


def signal_pending(pid, sig):
    """True when `sig` is pending for process `pid` (ShdPnd or SigPnd in
    /proc/pid/status): sent, blocked, not yet taken by its signalfd."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("ShdPnd:", "SigPnd:")) and int(line.split()[1], 16) & (1 << (sig - 1)):
                    return True
    except OSError:
        pass
    return False


def blocks_signal(pid, sig):
    """True when process `pid` has `sig` blocked (SigBlk in /proc/pid/status):
    runphi-monitor blocks the signals it handles first thing in main()."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigBlk:"):
                    return bool(int(line.split()[1], 16) & (1 << (sig - 1)))
    except OSError:
        pass
    return False


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


# ---------------------------------------------------------------- paths

def escape(text):
    """runphi's escapePathComponent: [A-Za-z0-9_-] and a non-leading '.'
    stay, every other byte becomes %XX."""
    out = []
    for i, b in enumerate(text.encode()):
        c = chr(b)
        if (c.isascii() and c.isalnum()) or c in "_-" or (c == "." and i > 0):
            out.append(c)
        else:
            out.append("%%%02X" % b)
    return "".join(out) or "%"


def fast_tmpdir(prefix):
    for base in ("/dev/shm", None):
        if base is None or (os.path.isdir(base) and os.access(base, os.W_OK)):
            try:
                return tempfile.mkdtemp(prefix=prefix, dir=base)
            except OSError:
                continue
    return tempfile.mkdtemp(prefix=prefix)


# ---------------------------------------------------------------- bundles

_TEMPLATE = {}


def template_bundle(runc, workdir):
    """One busybox bundle made with oci_bundle.make_bundle per process;
    ZIC bundles are copies of it."""
    if "path" not in _TEMPLATE:
        path = os.path.join(workdir, "template-bundle")
        oci_bundle.make_bundle(path, runc, args=["sh"])
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


def load_platform(path):
    with open(path) as f:
        return json.load(f)


def platform_int(v):
    return int(v, 16) if isinstance(v, str) else int(v)


# ---------------------------------------------------------------- results

class Result:
    def __init__(self, args, returncode, stdout, stderr, elapsed):
        self.args, self.returncode = args, returncode
        self.stdout, self.stderr, self.elapsed = stdout, stderr, elapsed

    def __repr__(self):
        return "runphi %s -> rc=%r (%.2fs)\n  stdout: %r\n  stderr: %r" % (
            " ".join(self.args[1:]), self.returncode, self.elapsed,
            self.stdout[-2000:], self.stderr[-2000:])


# ---------------------------------------------------------------- the env

class ZicEnv:
    def __init__(self, runphi, runc, driver_dir, platform, workdir, extra_config=None):
        self.runphi_path = runphi
        self.runc = runc
        self.driver_dir = driver_dir
        self.platform_path = platform
        self.platform = load_platform(platform)
        self.workdir = workdir
        self.tmp = fast_tmpdir("runphi-part-")
        self.state_root = os.path.join(self.tmp, "state")
        self.log_path = os.path.join(self.tmp, "runphi.log")
        self.root = os.path.join(self.tmp, "runc-root")
        self.roots = {self.root}
        self.out_dir = os.path.join(self.tmp, "out")
        os.makedirs(self.out_dir)
        self.config_path = os.path.join(self.tmp, "runphi.json")
        self.config = {
            "backend": "test",
            "platform_template": os.path.abspath(platform),
            "state_root": self.state_root,
            "runc_path": runc,
            "driver_dir": driver_dir,
            "log": {"path": self.log_path, "level": "debug", "journald": False},
        }
        self.config.update(extra_config or {})
        self.write_config()
        self._seq = 0
        self._seq_lock = threading.Lock()

    # ------------------------------------------------------------ config
    def write_config(self, path=None, **changes):
        cfg = dict(self.config)
        cfg.update(changes)
        path = path or self.config_path
        with open(path, "w") as f:
            json.dump(cfg, f)
        return path

    def env(self, config=None):
        e = dict(os.environ)
        e.pop("RUNPHI_DEBUG_LEVEL", None)
        e["RUNPHI_CONFIG"] = config or self.config_path
        return e

    def _files(self, tag):
        with self._seq_lock:
            self._seq += 1
            n = self._seq
        base = os.path.join(self.out_dir, "%04d-%s" % (n, tag))
        return base + ".out", base + ".err"

    # ------------------------------------------------------------ running
    def popen(self, *args, root=None, config=None, runphi=None, tag="bg", extra_env=None):
        """Starts runphi in the background; its stdout/stderr go to files
        (a container process inherits them). Returns (proc, out, err)."""
        root = root or self.root
        self.roots.add(root)
        out, err = self._files(tag)
        env = self.env(config)
        env.update(extra_env or {})
        argv = [runphi or self.runphi_path, "--root", root, *args]
        with open(out, "w") as fo, open(err, "w") as fe:
            proc = REAPER.spawn(argv, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                                env=env)
        proc.out_path, proc.err_path = out, err
        return proc

    def finish(self, proc, timeout=TIMEOUT):
        start = getattr(proc, "started", None)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = "timeout"
        finally:
            REAPER.forget(proc.pid)
        with open(proc.out_path, errors="replace") as f:
            out = f.read()
        with open(proc.err_path, errors="replace") as f:
            err = f.read()
        return Result(proc.args, rc, out, err, time.monotonic() - start if start else 0.0)

    def run(self, *args, root=None, config=None, runphi=None, timeout=TIMEOUT, extra_env=None):
        t0 = time.monotonic()
        proc = self.popen(*args, root=root, config=config, runphi=runphi,
                          tag=args[0] if args else "none", extra_env=extra_env)
        proc.started = t0
        return self.finish(proc, timeout)

    # convenience verbs
    def create(self, cid, bundle, root=None, pid_file=None, config=None, runphi=None, extra_env=None):
        args = ["create", "--bundle", bundle]
        if pid_file:
            args += ["--pid-file", pid_file]
        return self.run(*args, cid, root=root, config=config, runphi=runphi, extra_env=extra_env)

    def delete(self, cid, force=True, root=None):
        return self.run("delete", *(["--force"] if force else []), cid, root=root)

    def state(self, cid, root=None):
        r = self.run("state", cid, root=root)
        if r.returncode != 0:
            return None
        return json.loads(r.stdout)

    def guest_status(self, cid, root=None):
        r = self.run("guest-status", cid, root=root)
        return r.stdout.strip() if r.returncode == 0 else None

    # ------------------------------------------------------------ bundles
    def bundle(self, name="zic", zic=None, inmate_size=INMATE_SIZE, memory_limit=None,
               cpu_quota=None, cpu_period=None, cpuset=None, hooks=None, mutate=None,
               inmate_path="boot/zephyr.bin", write_inmate=True):
        """A ZIC bundle: a copy of the busybox template bundle whose rootfs
        holds boot/config.json and the inmate."""
        path = os.path.join(self.tmp, "bundles", name)
        if os.path.exists(path):
            shutil.rmtree(path)
        shutil.copytree(template_bundle(self.runc, self.workdir), path, symlinks=True)
        rootfs = os.path.join(path, "rootfs")
        boot = os.path.join(rootfs, "boot")
        os.makedirs(boot, exist_ok=True)
        if zic is None:
            zic = {"os_var": "zephyr", "inmate": "/" + inmate_path}
        if zic is not False:
            with open(os.path.join(boot, "config.json"), "w") as f:
                json.dump(zic, f)
        if write_inmate:
            with open(os.path.join(rootfs, inmate_path), "wb") as f:
                f.write(b"\xaa" * inmate_size)

        def edit(cfg):
            res = cfg.setdefault("linux", {}).setdefault("resources", {})
            if memory_limit is not None:
                res.setdefault("memory", {})["limit"] = memory_limit
            if cpu_quota is not None or cpu_period is not None or cpuset is not None:
                cpu = res.setdefault("cpu", {})
                if cpu_quota is not None:
                    cpu["quota"] = cpu_quota
                if cpu_period is not None:
                    cpu["period"] = cpu_period
                if cpuset is not None:
                    cpu["cpus"] = cpuset
            if hooks:
                cfg["hooks"] = hooks
            if mutate:
                mutate(cfg)
        oci_bundle.edit_config(path, edit)
        return path

    # ------------------------------------------------------------ readers
    def container_dir(self, cid, root=None):
        return os.path.join(self.state_root, escape(root or self.root), escape(cid))

    def owner(self, cid, root=None):
        return escape(root or self.root) + "/" + escape(cid)

    def record(self, cid, root=None):
        try:
            with open(os.path.join(self.container_dir(cid, root), "state.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def container_dirs(self):
        """Every container directory under the state root, any --root."""
        out = []
        if not os.path.isdir(self.state_root):
            return out
        for rk in os.listdir(self.state_root):
            if rk in ("resources", "drivers"):
                continue
            d = os.path.join(self.state_root, rk)
            if os.path.isdir(d):
                out += [os.path.join(d, c) for c in os.listdir(d)]
        return sorted(out)

    @property
    def ledger_path(self):
        return os.path.join(self.state_root, "resources", escape(self.platform["name"]) + ".json")

    def ledger(self):
        """The ledger's allocations dict ({} when there is no ledger yet)."""
        try:
            with open(self.ledger_path) as f:
                data = json.load(f)
        except FileNotFoundError:
            return {}
        assert data.get("platform") == self.platform["name"], data
        return data["allocations"]

    @property
    def driver_state(self):
        return os.path.join(self.state_root, "drivers", "test")

    def partitions(self):
        d = os.path.join(self.driver_state, "partitions")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def partition_state(self, name):
        try:
            with open(os.path.join(self.driver_state, "partitions", name, "state")) as f:
                return f.read().strip()
        except OSError:
            return None

    def set_partition_state(self, name, state):
        # renamed into place: the container process polls the state and must
        # never read a half-written (empty) file as a guest that shut down
        path = os.path.join(self.driver_state, "partitions", name, "state")
        with open(path + ".tmp", "w") as f:
            f.write(state + "\n")
        os.replace(path + ".tmp", path)

    def partition_config(self, name):
        with open(os.path.join(self.driver_state, "partitions", name, "config.json")) as f:
            return json.load(f)

    def ops(self):
        try:
            with open(os.path.join(self.driver_state, "ops.log")) as f:
                return [tuple(line.split()) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def set_fail(self, *ops):
        os.makedirs(self.driver_state, exist_ok=True)
        with open(os.path.join(self.driver_state, "fail"), "w") as f:
            f.write("".join(op + "\n" for op in ops))

    def set_delay(self, **delays):
        os.makedirs(self.driver_state, exist_ok=True)
        with open(os.path.join(self.driver_state, "delay"), "w") as f:
            f.write("".join("%s %s\n" % kv for kv in delays.items()))

    def clear_faults(self):
        for name in ("fail", "delay"):
            try:
                os.unlink(os.path.join(self.driver_state, name))
            except FileNotFoundError:
                pass

    def processes(self):
        """Every live process whose command line names this env's
        directory (monitors, stray `runphi guest-status`, hooks)."""
        found = []
        me = os.getpid()
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == me:
                continue
            pid = int(entry)
            if any(self.tmp in a for a in cmdline(pid)) and alive(pid):
                found.append(pid)
        return found

    def monitors(self):
        """Live (not zombie) runphi-monitor processes of this env."""
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            st = proc_stat(pid)
            if st is None or st[0] != "runphi-monitor" or st[1] in ("Z", "X"):
                continue
            # a child it is spawning (`runphi guest-status`) looks the same
            # until it execs
            parent = proc_stat(st[2])
            if parent is not None and parent[0] == "runphi-monitor":
                continue
            argv = cmdline(pid)
            if any(a.startswith(self.tmp) for a in argv):
                found.append(pid)
        return found

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no runphi log)"

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # ------------------------------------------------------------ cleanup
    def cleanup(self):
        """delete --force every container runphi holds (any --root), kill
        stray monitors of this env, remove the directory."""
        self.clear_faults()
        jobs = []
        for d in self.container_dirs():
            rec = None
            try:
                with open(os.path.join(d, "state.json")) as f:
                    rec = json.load(f)
            except (OSError, ValueError):
                pass
            cid = rec["id"] if rec else urllib.parse.unquote(os.path.basename(d))
            root_key = os.path.basename(os.path.dirname(d))
            root = urllib.parse.unquote(root_key)
            jobs.append(threading.Thread(target=self.delete, args=(cid,), kwargs={"root": root}))
        for j in jobs:
            j.start()
        for j in jobs:
            j.join(TIMEOUT * 2)
        # Stray monitors, then whatever else of ours still runs (e.g. a
        # `runphi guest-status` orphaned when delete SIGKILLed its monitor:
        # it would log into, and so re-create, the removed directory).
        for find in (self.monitors, self.processes):
            for pid in find():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 5
            while find() and time.monotonic() < deadline:
                time.sleep(0.05)
        shutil.rmtree(self.tmp, ignore_errors=True)
