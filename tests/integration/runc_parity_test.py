#!/usr/bin/env python3
"""runc parity test for runphi.

For the same calls on a busybox OCI bundle, runphi must give the same
stdout, stderr and exit code as runc itself.

Usage (as root):

    python3 tests/integration/runc_parity_test.py \\
        --runphi build/default/shim/runphi --runc /usr/sbin/runc [unittest args]

Every scenario is run twice, one side after the other, with the same
container ids and the same bundle:

    side A (reference): <runc>   --root <tmp>/<test>/runc-root-A ...
    side B (under test): <runphi> --root <tmp>/<test>/runc-root-B ...

Both sides are exec'd with the same argv[0] (default "runc", like a caller
that finds the runtime on $PATH; see --argv0), because runc prints argv[0]
in usage and some error texts.  Each side's containers are force-deleted
before the other side starts (same ids => same cgroup paths).

Each recorded call yields (stdout, stderr, returncode); the two transcripts
are compared step by step after normalising ONLY:
  * always: the side's --root dir -> <ROOT>, the side's work dir (pid files,
    spec dirs, log files) -> <WORK>, RFC3339 timestamps -> <TIME>;
  * per step, when the step says so:
      pids      container init PIDs learnt from `state` -> <PID:id>
      table     runs of blanks collapsed (tabwriter widths follow the
                normalised values)
      ps-table  PID, PPID, C (cpu %) and STIME columns of `ps -ef` rows
      ps-json   the PID list -> one "<PID>" per entry (length kept)
      stats     `events --stats` JSON reduced to its key structure
Nothing else is normalised (both sides use the very same bundle dir, so
bundle paths need no normalisation).  runc's own timing-dependent warnings
(a cgroup that is still busy when it is removed) are dropped from stderr first:
they are not part of runc's contract (parity_compare.py).  test_self_check_*
here and parity_compare_test.py prove the comparer fails on a real difference.

A mismatch report gives, per differing step, the exact argv run on the
runphi side, the exit codes, a diff of the normalised streams and the raw
streams of both sides.  --show-transcript prints every scenario's
normalised transcript; --keep-tmp keeps bundles, roots and runphi.log.

The test process makes itself a child subreaper so that detached container
inits are reaped (PID 1 of a minimal VM/container may not do it).  Every
subprocess has a timeout (CALL_TIMEOUT); status changes are polled with a
bound (WAIT_TIMEOUT) by unrecorded `state` calls.

runphi reads its config from $RUNPHI_CONFIG; one is written per test run:
{"runc_path": <runc>, "state_root": <tmp>/runphi-state,
 "log": {"path": <tmp>/runphi.log, "level": "debug"}}.

Python 3 standard library only.
"""

import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oci_bundle  # noqa: E402
from parity_compare import Step, compare_transcripts, format_transcript  # noqa: E402

OPTS = None          # argparse namespace, set in main()
CALL_TIMEOUT = 30.0  # seconds, every subprocess
WAIT_TIMEOUT = 15.0  # seconds, polling for a status change

SLEEPER = ["sleep", "1000"]
# busybox sh as pid 1 ignores SIGTERM unless it traps it.
TERM_TRAPPER = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]

# --------------------------------------------------------------------------
# process plumbing

def become_subreaper():
    """Detached container inits get reparented to us (instead of a PID 1
    that may never reap them) so that we can reap them; same for both
    sides.  Best effort."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_CHILD_SUBREAPER = 36
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


_IN_FLIGHT = set()  # pids of spawn()ed calls: their status is not ours to reap


def _children():
    pids = set()
    try:
        for tid in os.listdir("/proc/self/task"):
            with open("/proc/self/task/%s/children" % tid) as f:
                pids.update(int(p) for p in f.read().split())
        return pids
    except OSError:
        pass
    me = os.getpid()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                pids.add(int(d))
    return pids


def reap_orphans():
    """Reap exited adopted children (container inits reparented to us).
    Never waits for our own in-flight subprocesses."""
    for pid in _children() - _IN_FLIGHT:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


class ScenarioError(Exception):
    pass


class Side(object):
    """One runtime binary with its own --root and work dir."""

    def __init__(self, name, binary, root, work, env):
        self.name = name
        self.binary = binary
        self.root = root
        self.work = work
        self.env = env
        self.steps = []
        self.pids = {}  # pid (int) -> container id
        self.spawned = []  # background calls (spawn)
        os.makedirs(work, exist_ok=True)

    # -- running ----------------------------------------------------------
    def argv(self, args, global_flags=()):
        return [OPTS.argv0, "--root", self.root] + list(global_flags) + list(args)

    def _exec(self, argv, input=None, timeout=CALL_TIMEOUT, cwd=None,
              binary=None):
        """Run argv with regular files (not pipes) for stdio: detached
        containers inherit them and must not block us."""
        binary = binary or self.binary
        with tempfile.TemporaryFile() as fin, \
                tempfile.TemporaryFile() as fout, \
                tempfile.TemporaryFile() as ferr:
            if input is not None:
                fin.write(input.encode() if isinstance(input, str) else input)
                fin.seek(0)
            stdin = fin if input is not None else subprocess.DEVNULL
            proc = subprocess.Popen(argv, executable=binary, stdin=stdin,
                                    stdout=fout, stderr=ferr, env=self.env,
                                    cwd=cwd or self.work)
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                rc = "TIMEOUT after %ss" % timeout
            reap_orphans()
            fout.seek(0)
            ferr.seek(0)
            out = fout.read().decode("utf-8", errors="backslashreplace")
            err = ferr.read().decode("utf-8", errors="backslashreplace")
        return out, err, rc

    def call(self, args, label=None, input=None, norm=(), global_flags=(),
             timeout=CALL_TIMEOUT, cwd=None):
        """Run one recorded call through this side's binary."""
        argv = self.argv(args, global_flags)
        out, err, rc = self._exec(argv, input=input, timeout=timeout, cwd=cwd)
        step = Step(label or " ".join(args), argv, out, err, rc, norm,
                    cwd=cwd or self.work, input=input)
        self.steps.append(step)
        return step

    def spawn(self, args, label=None, norm=(), cwd=None):
        """Start a recorded call in the background (e.g. a foreground `run`
        that the scenario signals); finish it with reap_call()."""
        argv = self.argv(args)
        files = [tempfile.TemporaryFile() for _ in range(2)]
        proc = subprocess.Popen(argv, executable=self.binary,
                                stdin=subprocess.DEVNULL, stdout=files[0],
                                stderr=files[1], env=self.env,
                                cwd=cwd or self.work)
        _IN_FLIGHT.add(proc.pid)
        self.spawned.append(proc)
        return (proc, files, Step(label or " ".join(args), argv, "", "",
                                  None, norm, cwd=cwd or self.work))

    def reap_call(self, handle, timeout=CALL_TIMEOUT):
        proc, files, step = handle
        try:
            step.rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            step.rc = "TIMEOUT after %ss" % timeout
        _IN_FLIGHT.discard(proc.pid)
        reap_orphans()
        for f in files:
            f.seek(0)
        step.stdout = files[0].read().decode("utf-8", errors="backslashreplace")
        step.stderr = files[1].read().decode("utf-8", errors="backslashreplace")
        for f in files:
            f.close()
        self.steps.append(step)
        return step

    def note(self, label, text, norm=()):
        """Record something that is not a call (e.g. a file's content)."""
        step = Step(label, None, text, "", 0, norm, kind="note")
        self.steps.append(step)
        return step

    def note_file(self, label, path, norm=()):
        try:
            with open(path, "r", errors="backslashreplace") as f:
                text = f.read()
        except OSError as e:
            text = "<unreadable: %s>" % e.strerror
        return self.note(label, text, norm)

    def quiet(self, args, binary=None):
        """Unrecorded call (polling, cleanup)."""
        return self._exec(self.argv(args), binary=binary)

    # -- helpers ------------------------------------------------------------
    def learn_pid(self, cid, state_step):
        """Remember the init PID printed by a recorded `state` call."""
        try:
            pid = int(json.loads(state_step.stdout)["pid"])
        except (ValueError, KeyError, TypeError):
            return None
        if pid > 0:
            self.pids[pid] = cid
        return pid

    def state(self, cid):
        out, _, rc = self.quiet(["state", cid])
        if rc != 0:
            return None
        try:
            return json.loads(out)
        except ValueError:
            return None

    def wait_status(self, cid, wanted, timeout=WAIT_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            st = self.state(cid)
            last = st and st.get("status")
            if last == wanted:
                return
            time.sleep(0.05)
        raise ScenarioError("%s: container %s did not reach status %r within "
                            "%ss (last: %r)" % (self.name, cid, wanted,
                                                timeout, last))

    def wait_catches(self, cid, signum, timeout=WAIT_TIMEOUT):
        """Waits until the container's init has a handler for `signum` (its
        SigCgt mask in /proc): a signal sent before its trap is set would
        find none, however long the scenario had slept."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = (self.state(cid) or {}).get("pid")
            try:
                with open("/proc/%d/status" % pid) as f:
                    caught = [int(l.split()[1], 16) for l in f if l.startswith("SigCgt:")]
                if caught and caught[0] >> (signum - 1) & 1:
                    return
            except (OSError, TypeError, ValueError):
                pass
            time.sleep(0.02)
        raise ScenarioError("%s: container %s did not catch signal %d within %ss"
                            % (self.name, cid, signum, timeout))

    def cleanup(self, ids):
        """Force-delete ids with this side's binary, then with the real runc
        (same root) in case the binary under test failed to."""
        for cid in sorted(ids):
            self.quiet(["delete", "--force", cid])
            if self.state(cid) is not None or os.path.isdir(
                    os.path.join(self.root, cid)):
                self.quiet(["delete", "--force", cid], binary=OPTS.runc)
        for proc in self.spawned:  # background calls a scenario left behind
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            _IN_FLIGHT.discard(proc.pid)
        self.spawned = []
        reap_orphans()

    def ctx(self):
        return {"root": self.root, "work": self.work, "pids": dict(self.pids)}


# --------------------------------------------------------------------------
# test base

class ParityCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix=self._testMethodName + "-",
                                    dir=OPTS.tmp)
        env = dict(os.environ)
        env["RUNPHI_CONFIG"] = OPTS.config
        self.ref = Side("runc", OPTS.runc,
                        os.path.join(self.dir, "runc-root-A"),
                        os.path.join(self.dir, "work-A"), env)
        self.sut = Side("runphi", OPTS.runphi,
                        os.path.join(self.dir, "runc-root-B"),
                        os.path.join(self.dir, "work-B"), env)
        self.ids = set()

    def tearDown(self):
        for side in (self.ref, self.sut):
            side.cleanup(self.ids)

    def bundle(self, name, args, **kw):
        return oci_bundle.make_bundle(os.path.join(self.dir, name), OPTS.runc,
                                      args, **kw)

    def run_scenario(self, scenario, ids, sides=None):
        """Run scenario(side) on each side (reference first), cleaning up in
        between; returns the list of mismatches."""
        self.ids.update(ids)
        ref, sut = sides or (self.ref, self.sut)
        for side in (ref, sut):
            try:
                scenario(side)
            except ScenarioError as e:
                if side is ref:
                    self.fail("reference runc could not complete the "
                              "scenario (test bug?): %s" % e)
                side.note("<scenario aborted>", str(e))
            finally:
                side.cleanup(ids)
        if OPTS.show_transcript:
            sys.stderr.write(format_transcript(self.id(), sut.steps, sut.ctx()))
        return compare_transcripts(ref.steps, ref.ctx(), sut.steps, sut.ctx(),
                                   sut.binary)

    def assertParity(self, scenario, ids):
        problems = self.run_scenario(scenario, ids)
        if problems:
            self.fail("runphi differs from runc in %d step(s):\n\n%s" % (
                len(problems), "\n\n".join(problems)))

    # scenario building blocks ------------------------------------------------
    @staticmethod
    def state(side, cid, learn=True):
        st = side.call(["state", cid], norm={"pids"})
        if learn:
            side.learn_pid(cid, st)
        return st

    @staticmethod
    def start_detached(side, cid, bundle):
        """create + start, recording both and the state in between."""
        side.call(["create", "--bundle", bundle, cid])
        ParityCase.state(side, cid)
        side.call(["start", cid])
        side.wait_status(cid, "running")
        ParityCase.state(side, cid)

    @staticmethod
    def run_detached(side, cid, bundle):
        side.call(["run", "--detach", "--bundle", bundle, cid])
        side.wait_status(cid, "running")
        ParityCase.state(side, cid)


# --------------------------------------------------------------------------
# the comparer itself must be able to fail (parity_compare_test.py tests it
# without runc; this runs it on two real runc runs that differ)

class SelfCheckTest(ParityCase):

    def test_self_check_live_difference_is_reported(self):
        """Two real runc runs that differ (exit code and output) must be
        reported as a mismatch by the same machinery the scenarios use."""
        cid = "parity-selfcheck"
        b1 = self.bundle("b1", ["sh", "-c", "echo hi; exit 7"])
        b2 = self.bundle("b2", ["sh", "-c", "echo ho; exit 8"])
        ref_side = self.ref
        other = Side("runc-2", OPTS.runc, self.sut.root, self.sut.work,
                     self.sut.env)

        def scenario(side):
            side.call(["run", "--bundle", b1 if side is ref_side else b2, cid],
                      label="run (different bundles)")

        problems = self.run_scenario(scenario, [cid], sides=(ref_side, other))
        self.assertEqual(1, len(problems), problems)
        self.assertIn("exit code: expected 7, actual 8", problems[0])
        self.assertIn("-hi", problems[0])
        self.assertIn("+ho", problems[0])


# --------------------------------------------------------------------------
# parity scenarios

class LifecycleTest(ParityCase):

    def test_create_start_state_kill_term_delete(self):
        cid = "parity-life-term"
        bundle = self.bundle("bundle", TERM_TRAPPER)

        def scenario(s):
            pidfile = os.path.join(s.work, "init.pid")
            s.call(["create", "--bundle", bundle, "--pid-file", pidfile, cid])
            self.state(s, cid)
            s.note_file("pid-file content", pidfile, norm={"pids"})
            s.call(["start", cid])
            s.wait_status(cid, "running")
            self.state(s, cid)
            s.call(["start", cid])  # error: already running
            s.call(["kill", cid, "SIGTERM"])
            s.wait_status(cid, "stopped")
            self.state(s, cid)
            s.call(["delete", cid])
            s.call(["state", cid])  # error: gone

        self.assertParity(scenario, [cid])

    def test_kill_sigkill_then_errors(self):
        cid = "parity-life-kill"
        bundle = self.bundle("bundle", SLEEPER)

        def scenario(s):
            self.start_detached(s, cid, bundle)
            s.call(["kill", cid, "FOO"])  # error: invalid signal
            s.call(["kill", cid, "KILL"])
            s.wait_status(cid, "stopped")
            self.state(s, cid)
            s.call(["kill", cid, "9"])  # error: not running
            s.call(["delete", cid])

        self.assertParity(scenario, [cid])

    def test_kill_all(self):
        cid = "parity-life-killall"
        bundle = self.bundle("bundle", SLEEPER)

        def scenario(s):
            self.start_detached(s, cid, bundle)
            s.call(["exec", "--detach", cid, "sleep", "500"])
            s.call(["kill", "--all", cid, "SIGKILL"])
            s.wait_status(cid, "stopped")
            self.state(s, cid)
            s.call(["kill", "--all", cid, "KILL"])
            s.call(["delete", cid])

        self.assertParity(scenario, [cid])

    def test_delete_force_running(self):
        cid = "parity-life-force"
        bundle = self.bundle("bundle", SLEEPER)

        def scenario(s):
            self.start_detached(s, cid, bundle)
            s.call(["delete", "--force", cid])
            s.call(["state", cid])

        self.assertParity(scenario, [cid])


class RunTest(ParityCase):

    def test_run_foreground_exit_code(self):
        cid = "parity-run-fg"
        bundle = self.bundle("bundle", ["sh", "-c",
                                        "echo hi; echo oops >&2; exit 7"])

        def scenario(s):
            s.call(["run", "--bundle", bundle, cid])
            s.call(["state", cid])  # run removes the container

        self.assertParity(scenario, [cid])

    def test_run_foreground_stdin_and_keep(self):
        cid = "parity-run-keep"
        bundle = self.bundle("bundle", ["sh", "-c", "read l; echo got:$l"])

        def scenario(s):
            s.call(["run", "--keep", "--bundle", bundle, cid],
                   input="line1\n")
            self.state(s, cid)  # kept, stopped
            s.call(["delete", cid])

        self.assertParity(scenario, [cid])

    def test_run_foreground_signalled(self):
        """A foreground `run` whose caller gets SIGTERM (runc proxies it to
        the container) and one whose container is SIGKILLed (exit 137)."""
        c1, c2 = "parity-run-sigproxy", "parity-run-sigkill"
        b1 = self.bundle("bundle1", ["sh", "-c", "trap 'echo got TERM; exit 42'"
                                     " TERM; while :; do sleep 0.1; done"])
        b2 = self.bundle("bundle2", SLEEPER)

        def scenario(s):
            h = s.spawn(["run", "--bundle", b1, c1])
            s.wait_status(c1, "running")
            s.wait_catches(c1, signal.SIGTERM)  # sh has set its trap
            h[0].send_signal(signal.SIGTERM)
            s.reap_call(h)
            h = s.spawn(["run", "--bundle", b2, c2])
            s.wait_status(c2, "running")
            s.call(["kill", c2, "KILL"])
            s.reap_call(h)
            s.call(["state", c2])  # removed by run

        self.assertParity(scenario, [c1, c2])

    def test_run_bundle_forms(self):
        """Bundle given as cwd, as --bundle=, as -b."""
        cid = "parity-run-forms"
        bundle = self.bundle("bundle", ["sh", "-c", "echo form; exit 3"])

        def scenario(s):
            s.call(["run", cid], cwd=bundle, label="run (bundle = cwd)")
            s.call(["run", "--bundle=" + bundle, cid])
            s.call(["run", "-b", bundle, cid])
            s.call(["create", cid], cwd=bundle, label="create (bundle = cwd)")
            self.state(s, cid)
            s.call(["delete", cid])

        self.assertParity(scenario, [cid])

    def test_run_large_output(self):
        cid = "parity-run-bigout"
        bundle = self.bundle("bundle", [
            "sh", "-c", "i=0; while [ $i -lt 4000 ]; do "
            "echo line $i 0123456789abcdefghijklmnopqrstuvwxyz; "
            "echo err $i >&2; i=$((i+1)); done; exit 9"])

        def scenario(s):
            s.call(["run", "--bundle", bundle, cid])

        self.assertParity(scenario, [cid])

    def test_run_detach(self):
        cid = "parity-run-detach"
        bundle = self.bundle("bundle", SLEEPER)

        def scenario(s):
            pidfile = os.path.join(s.work, "run.pid")
            s.call(["run", "--detach", "--pid-file", pidfile,
                    "--bundle", bundle, cid])
            s.wait_status(cid, "running")
            self.state(s, cid)
            s.note_file("pid-file content", pidfile, norm={"pids"})
            s.call(["run", "--detach", "--bundle", bundle, cid])  # error: exists
            s.call(["kill", cid, "KILL"])
            s.wait_status(cid, "stopped")
            s.call(["delete", cid])

        self.assertParity(scenario, [cid])


class ExecTest(ParityCase):

    def test_exec(self):
        cid = "parity-exec"
        bundle = self.bundle("bundle", SLEEPER)

        def scenario(s):
            self.run_detached(s, cid, bundle)
            s.call(["exec", cid, "sh", "-c", "echo out; echo err >&2; exit 3"])
            s.call(["exec", cid, "echo", "plain"])
            s.call(["exec", "-e", "FOO=bar", "-e", "BAZ=qux", cid,
                    "sh", "-c", 'echo "$FOO $BAZ"'])
            s.call(["exec", "--env", "FOO=bar", cid, "sh", "-c", 'echo "$FOO"'])
            s.call(["exec", "-e", "FOO=bar", "--env", "BAZ=qux", cid,
                    "true"])  # urfave usage error: two forms of one flag
            s.call(["exec", "--cwd", "/bin", cid, "pwd"])
            s.call(["exec", "--cwd", "/etc", "-e", "X=1", cid,
                    "sh", "-c", 'echo "$PWD $X"; cat passwd'])
            s.call(["exec", cid, "cat"], input="piped through stdin\n")
            s.call(["exec", cid, "nosuchbinary"])  # error
            procfile = os.path.join(s.work, "process.json")
            with open(procfile, "w") as f:
                json.dump(oci_bundle.process_json(
                    ["sh", "-c", 'echo "from process.json in $PWD"; exit 5'],
                    cwd="/root"), f)
            s.call(["exec", "--process", procfile, cid])
            s.call(["exec", "parity-exec-missing", "true"])  # error
            s.call(["exec", cid])  # usage error: no command

        self.assertParity(scenario, [cid])


class PsTest(ParityCase):

    def test_ps(self):
        cid = "parity-ps"
        bundle = self.bundle("bundle", SLEEPER)

        def scenario(s):
            self.run_detached(s, cid, bundle)
            s.call(["ps", cid], norm={"ps-table"})
            s.call(["ps", "--format", "json", cid], norm={"ps-json"})
            s.call(["ps", "--format", "json", cid], label="ps json (pids)",
                   norm={"pids"})
            s.call(["exec", "--detach", cid, "sleep", "500"])
            s.call(["ps", cid], norm={"ps-table"})
            s.call(["ps", "--format", "json", cid], norm={"ps-json"})
            s.call(["ps", "--format", "yaml", cid])  # error
            s.call(["ps", "parity-ps-missing"])  # error

        self.assertParity(scenario, [cid])


class PauseResumeTest(ParityCase):

    def test_pause_resume(self):
        cid = "parity-pause"
        bundle = self.bundle("bundle", SLEEPER)

        def scenario(s):
            self.run_detached(s, cid, bundle)
            s.call(["pause", cid])
            self.state(s, cid)  # paused
            s.call(["list"], norm={"pids", "table"})
            s.call(["pause", cid])  # error: not running
            s.call(["resume", cid])
            self.state(s, cid)  # running
            s.call(["resume", cid])  # error: not paused
            s.call(["pause", "parity-pause-missing"])  # error

        self.assertParity(scenario, [cid])


class UpdateTest(ParityCase):
    LIMITS = ["cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
              "/sys/fs/cgroup/pids/pids.max"]

    def test_update(self):
        cid = "parity-update"
        bundle = self.bundle("bundle", SLEEPER)

        def scenario(s):
            self.run_detached(s, cid, bundle)
            s.call(["exec", cid] + self.LIMITS)
            s.call(["update", "--memory", "64M", "--pids-limit", "50", cid])
            s.call(["exec", cid] + self.LIMITS)
            s.call(["update", "--resources", "-", cid],
                   input=json.dumps({"memory": {"limit": 33554432},
                                     "pids": {"limit": 40}}))
            s.call(["exec", cid] + self.LIMITS)
            s.call(["update", "--resources", "-", cid],
                   input="{not json")  # error
            s.call(["update", "--pids-limit", "10",
                    "parity-update-missing"])  # error

        self.assertParity(scenario, [cid])


class EventsTest(ParityCase):

    def test_events_stats(self):
        cid = "parity-events"
        bundle = self.bundle("bundle", SLEEPER)

        def scenario(s):
            self.run_detached(s, cid, bundle)
            s.call(["events", "--stats", cid], norm={"stats"})
            s.call(["events", "--stats", "parity-events-missing"])  # error

        self.assertParity(scenario, [cid])


class FeaturesSpecTest(ParityCase):

    def test_features(self):
        self.assertParity(lambda s: s.call(["features"]), [])

    def test_spec(self):
        def scenario(s):
            d = os.path.join(s.work, "spec")
            os.makedirs(d)
            s.call(["spec"], cwd=d)
            s.note_file("generated config.json", os.path.join(d, "config.json"))
            s.call(["spec"], cwd=d)  # error: exists
            d2 = os.path.join(s.work, "spec-rootless")
            os.makedirs(d2)
            s.call(["spec", "--rootless", "--bundle", d2])
            s.note_file("generated rootless config.json",
                        os.path.join(d2, "config.json"))

        self.assertParity(scenario, [])


class ListTest(ParityCase):

    def test_list(self):
        c1, c2 = "parity-list-1", "parity-list-2"
        b1 = self.bundle("bundle1", SLEEPER)
        b2 = self.bundle("bundle2", SLEEPER)

        def scenario(s):
            s.call(["list"], label="list (no root yet)")
            s.call(["list", "--format", "json"], label="list json (no root yet)")
            s.call(["list", "-q"], label="list -q (no root yet)")
            s.call(["create", "--bundle", b1, c1])
            self.state(s, c1)
            self.run_detached(s, c2, b2)
            s.call(["list"], norm={"pids", "table"})
            s.call(["list", "--format", "json"], norm={"pids"})
            s.call(["list", "-q"])
            s.call(["list", "--quiet", "--format", "json"])
            s.call(["list", "--format", "xml"])  # error

        self.assertParity(scenario, [c1, c2])


class ErrorsTest(ParityCase):

    def test_missing_container_errors(self):
        miss = "parity-err-missing"

        def scenario(s):
            s.call(["state", miss])
            s.call(["start", miss])
            s.call(["delete", miss])
            s.call(["kill", miss, "KILL"])
            s.call(["delete", "--force", miss])
            s.call(["state", miss], global_flags=["--log-format", "json"])
            log = os.path.join(s.work, "runc.log")
            s.call(["state", miss], global_flags=["--log", log])
            s.note_file("--log file", log)
            s.call(["state", miss], global_flags=["--log", log,
                                                   "--log-format", "json"])
            s.note_file("--log file (json appended)", log)

        self.assertParity(scenario, [miss])

    def test_delete_running_without_force(self):
        cid = "parity-err-delrunning"
        bundle = self.bundle("bundle", SLEEPER)

        def scenario(s):
            self.start_detached(s, cid, bundle)
            s.call(["delete", cid])  # error: not stopped
            self.state(s, cid)  # still running
            s.call(["create", "--bundle", bundle, cid])  # error: exists

        self.assertParity(scenario, [cid])

    # Not compared here, by design: calls runphi answers itself before any
    # container is involved -- an unreadable or malformed bundle config.json,
    # command-line usage errors, an unknown verb, --version and --help. runphi
    # must read the bundle to route a create, so it reports those errors in its
    # own words (docs/cli.md); tests/cli/runphi_cli_test.py checks them.

    def test_global_flag_forms(self):
        miss = "parity-err-globalflags"

        def scenario(s):
            s.call(["state", miss], global_flags=["--log-format=json"])
            s.call(["state", miss], global_flags=["--debug"])
            s.call(["list", "-q"], global_flags=["--rootless", "false"])
            s.call(["list", "-q"], global_flags=["--systemd-cgroup"])
            s.call(["list", "-q"], global_flags=["--criu", "/nonexistent/criu"])

        self.assertParity(scenario, [miss])


# --------------------------------------------------------------------------

def main():
    global OPTS
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        usage="%(prog)s --runphi PATH --runc PATH [--argv0 NAME] [--keep-tmp] "
              "[unittest args]")
    ap.add_argument("--runphi", required=True, help="binary under test")
    ap.add_argument("--runc", required=True, help="real runc (reference)")
    ap.add_argument("--argv0", default="runc",
                    help="argv[0] both binaries are exec'd with (default: runc)")
    ap.add_argument("--show-transcript", action="store_true",
                    help="print each scenario's normalised runphi-side "
                         "transcript to stderr")
    ap.add_argument("--keep-tmp", action="store_true",
                    help="keep the temp dir (bundles, roots, runphi.log)")
    OPTS, rest = ap.parse_known_args()
    for name in ("runphi", "runc"):
        path = getattr(OPTS, name)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            ap.error("--%s %s: not an executable file" % (name, path))
        setattr(OPTS, name, os.path.abspath(path))
    if os.geteuid() != 0:
        ap.error("must run as root")

    OPTS.tmp = tempfile.mkdtemp(prefix="runc-parity-")
    OPTS.config = os.path.join(OPTS.tmp, "runphi-config.json")
    with open(OPTS.config, "w") as f:
        json.dump({"runc_path": OPTS.runc,
                   "state_root": os.path.join(OPTS.tmp, "runphi-state"),
                   "log": {"path": os.path.join(OPTS.tmp, "runphi.log"),
                           "level": "debug"}}, f, indent=2)
    become_subreaper()

    prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False)
    log = os.path.join(OPTS.tmp, "runphi.log")
    sys.stderr.write("runphi log: %s\n" % (
        "%s (%d bytes)" % (log, os.path.getsize(log)) if os.path.exists(log)
        else "none written"))
    if OPTS.keep_tmp:
        sys.stderr.write("kept temp dir: %s\n" % OPTS.tmp)
    else:
        shutil.rmtree(OPTS.tmp, ignore_errors=True)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
