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
bundle paths need no normalisation).  test_self_check_* prove the comparer
fails on a real difference.

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
import difflib
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
import oci_bundle  # noqa: E402

OPTS = None          # argparse namespace, set in main()
CALL_TIMEOUT = 30.0  # seconds, every subprocess
WAIT_TIMEOUT = 15.0  # seconds, polling for a status change

SLEEPER = ["sleep", "1000"]
# busybox sh as pid 1 ignores SIGTERM unless it traps it.
TERM_TRAPPER = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]

RFC3339_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")


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


class Step(object):
    """One recorded call (or a recorded file content: kind == 'note')."""

    def __init__(self, label, argv, stdout, stderr, rc, norm, kind="call",
                 cwd=None, input=None):
        self.label = label
        self.cwd = cwd
        self.input = input
        self.argv = argv
        self.stdout = stdout
        self.stderr = stderr
        self.rc = rc
        self.norm = frozenset(norm)
        self.kind = kind


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
# normalisation and comparison (pure functions, unit-tested below)

def _json_skeleton(v):
    if isinstance(v, dict):
        return {k: _json_skeleton(x) for k, x in v.items()}
    if isinstance(v, list):
        return "<list>"
    if v is None:
        return "<null>"
    if isinstance(v, bool):
        return "<bool>"
    if isinstance(v, (int, float)):
        return "<number>"
    return "<string>"


def _norm_stats(text):
    """One JSON event per line: keep key structure (and key order), type and
    id; every other leaf becomes its JSON type, lists become "<list>"."""
    out = []
    for n, line in enumerate(text.split("\n")):
        if not line:
            out.append("# line %d: empty" % n)
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            out.append("# line %d: not json: %s" % (n, line))
            continue
        if isinstance(ev, dict):
            skel = {k: (v if k in ("type", "id") else _json_skeleton(v))
                    for k, v in ev.items()}
        else:
            skel = _json_skeleton(ev)
        out.append("# line %d:\n%s" % (n, json.dumps(skel, indent=1)))
    return "\n".join(out) + "\n"


def _norm_ps_table(text):
    out = []
    for i, line in enumerate(text.splitlines()):
        f = line.split(None, 7)
        if i > 0 and len(f) == 8:
            f[1], f[2], f[3], f[4] = "<PID>", "<PPID>", "<C>", "<STIME>"
        out.append(" ".join(f))
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _norm_ps_json(text):
    """A JSON list of PIDs: every PID -> <PID> (formatting and length kept)."""
    try:
        v = json.loads(text)
    except ValueError:
        return text
    if isinstance(v, list) and all(isinstance(x, int) for x in v):
        return re.sub(r"[0-9]+", "<PID>", text)
    return text


def _norm_table(text):
    return "\n".join(re.sub(r"[ \t]+", " ", l).rstrip(" ")
                     for l in text.split("\n"))


def normalise_text(text, ctx, norm, stream="stdout"):
    """Apply the explicit normalisations to one stream.  The output-format
    specific ones (ps-table, ps-json, stats, table) apply to stdout only."""
    # longest first, in case one path is a prefix of the other
    for path, token in sorted(((ctx["root"], "<ROOT>"), (ctx["work"], "<WORK>")),
                              key=lambda p: -len(p[0])):
        if path:
            text = text.replace(path, token)
    text = RFC3339_RE.sub("<TIME>", text)
    if "pids" in norm:
        for pid, cid in sorted(ctx["pids"].items()):
            text = re.sub(r"(?<![0-9])%d(?![0-9])" % pid, "<PID:%s>" % cid, text)
    if stream != "stdout":
        return text
    if "ps-table" in norm:
        text = _norm_ps_table(text)
    if "ps-json" in norm:
        text = _norm_ps_json(text)
    if "stats" in norm:
        text = _norm_stats(text)
    if "table" in norm:
        text = _norm_table(text)
    return text


def normalise_step(step, ctx):
    return (normalise_text(step.stdout, ctx, step.norm),
            normalise_text(step.stderr, ctx, step.norm, "stderr"),
            step.rc)


def _diff(a, b, name):
    if a == b:
        return ""
    lines = list(difflib.unified_diff(
        a.splitlines(True), b.splitlines(True),
        "expected (runc, normalised)", "actual (runphi, normalised)", n=2))
    body = "".join(l if l.endswith("\n") else l + "\n\\ no newline\n"
                   for l in lines)
    return "  %s differs:\n%s" % (name, _indent(body, 4))


def _indent(text, n):
    pad = " " * n
    return "".join(pad + l for l in text.splitlines(True))


def describe_argv(step, binary):
    if step.argv is None:
        return "(recorded content, not a call)"
    s = "%s  [exec %s as argv[0]=%s]" % (shlex.join(step.argv), binary,
                                         step.argv[0])
    if step.cwd:
        s += "  cwd=%s" % step.cwd
    if step.input is not None:
        s += "  stdin=%r" % step.input
    return s


def compare_transcripts(a_steps, a_ctx, b_steps, b_ctx, b_binary="runphi"):
    """Return a list of human-readable mismatch reports (empty == parity)."""
    problems = []
    for i in range(max(len(a_steps), len(b_steps))):
        if i >= len(a_steps):
            s = b_steps[i]
            problems.append("step %d: extra step on runphi side: %s" % (i, s.label))
            continue
        if i >= len(b_steps):
            problems.append("step %d (%s): missing on runphi side"
                            % (i, a_steps[i].label))
            continue
        a, b = a_steps[i], b_steps[i]
        if normalise_text(a.label, a_ctx, ()) != normalise_text(b.label, b_ctx, ()):
            problems.append("step %d: transcripts diverge: %r vs %r"
                            % (i, a.label, b.label))
            break
        na, nb = normalise_step(a, a_ctx), normalise_step(b, b_ctx)
        if na == nb:
            continue
        parts = ["step %d: %s\n  argv: %s" % (i, a.label, describe_argv(b, b_binary))]
        if na[2] != nb[2]:
            parts.append("  exit code: expected %r, actual %r" % (na[2], nb[2]))
        parts.append(_diff(na[0], nb[0], "stdout"))
        parts.append(_diff(na[1], nb[1], "stderr"))
        if na[0] != nb[0] or na[1] != nb[1]:
            parts.append("  raw expected stdout=%r stderr=%r\n"
                         "  raw actual   stdout=%r stderr=%r"
                         % (a.stdout, a.stderr, b.stdout, b.stderr))
        problems.append("\n".join(p for p in parts if p))
    return problems


def format_transcript(title, steps, ctx):
    out = ["\n=== %s (normalised)\n" % title]
    for i, st in enumerate(steps):
        o, e, rc = normalise_step(st, ctx)
        out.append("--- [%d] %s  -> rc=%r\n" % (
            i, normalise_text(st.label, ctx, ()), rc))
        if o:
            out.append(_indent(o, 4) + ("" if o.endswith("\n") else "\n"))
        if e:
            out.append(_indent(e, 4 ) .replace("    ", "  ! ", 1)
                       + ("" if e.endswith("\n") else "\n"))
    return "".join(out)


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
# the comparer itself must be able to fail

class SelfCheckTest(ParityCase):

    def _ctx(self, root, work, pids=None):
        return {"root": root, "work": work, "pids": pids or {}}

    def test_self_check_comparer_flags_differences(self):
        state = ('{\n  "id": "x",\n  "pid": %d,\n  "status": "%s",\n'
                 '  "created": "%s"\n}')
        ca = self._ctx("/t/runc-root-A", "/t/work-A", {101: "x"})
        cb = self._ctx("/t/runc-root-B", "/t/work-B", {202: "x"})
        a = [Step("state x", ["runc"], state % (101, "running",
                  "2024-01-01T00:00:00.1Z"), "", 0, {"pids"})]
        # legitimately different: pid, timestamp -> parity
        b_ok = [Step("state x", ["runc"], state % (202, "running",
                     "2025-02-02T11:11:11.123456789Z"), "", 0, {"pids"})]
        self.assertEqual([], compare_transcripts(a, ca, b_ok, cb))
        # a real difference in status is still caught after normalisation
        b_bad = [Step("state x", ["runc"], state % (202, "paused",
                      "2025-02-02T11:11:11Z"), "", 0, {"pids"})]
        probs = compare_transcripts(a, ca, b_bad, cb)
        self.assertEqual(1, len(probs))
        self.assertIn("paused", probs[0])
        # an unknown pid (e.g. runphi's own) is not normalised away
        b_pid = [Step("state x", ["runc"], state % (303, "running",
                      "2024-01-01T00:00:00.1Z"), "", 0, {"pids"})]
        self.assertEqual(1, len(compare_transcripts(a, ca, b_pid, cb)))
        # pids are only normalised where the step asks for it
        a2 = [Step("s", None, "101\n", "", 0, ())]
        b2 = [Step("s", None, "202\n", "", 0, ())]
        self.assertEqual(1, len(compare_transcripts(a2, ca, b2, cb)))
        # stderr, exit code, missing and extra steps
        e = [Step("e", None, "", "msg=\"a\"\n", 1, ())]
        self.assertEqual(1, len(compare_transcripts(
            e, ca, [Step("e", None, "", "msg=\"b\"\n", 1, ())], cb)))
        self.assertEqual(1, len(compare_transcripts(
            e, ca, [Step("e", None, "", "msg=\"a\"\n", 2, ())], cb)))
        self.assertEqual(1, len(compare_transcripts(e, ca, [], cb)))
        self.assertEqual(1, len(compare_transcripts([], ca, e, cb)))
        # root dirs are normalised, other paths are not
        self.assertEqual([], compare_transcripts(
            [Step("p", None, "/t/runc-root-A/x", "", 0, ())], ca,
            [Step("p", None, "/t/runc-root-B/x", "", 0, ())], cb))
        self.assertEqual(1, len(compare_transcripts(
            [Step("p", None, "/t/bundle-1", "", 0, ())], ca,
            [Step("p", None, "/t/bundle-2", "", 0, ())], cb)))
        # stats: values ignored, keys compared
        s1 = '{"type":"stats","id":"x","data":{"cpu":{"total":5},"pids":{"current":1}}}\n'
        s2 = '{"type":"stats","id":"x","data":{"cpu":{"total":9},"pids":{"current":2}}}\n'
        s3 = '{"type":"stats","id":"x","data":{"cpu":{"total":9}}}\n'
        self.assertEqual([], compare_transcripts(
            [Step("ev", None, s1, "", 0, {"stats"})], ca,
            [Step("ev", None, s2, "", 0, {"stats"})], cb))
        self.assertEqual(1, len(compare_transcripts(
            [Step("ev", None, s1, "", 0, {"stats"})], ca,
            [Step("ev", None, s3, "", 0, {"stats"})], cb)))

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
            time.sleep(0.3)  # let sh install its trap
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
