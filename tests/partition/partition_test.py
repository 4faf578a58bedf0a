#!/usr/bin/env python3
"""Integration tests of runphi's partition core against the test driver:
the lifecycle of partitioned containers (ZICs), how a bundle becomes a
resource request, pool exhaustion and release, concurrent create/delete
(no resource held twice), rollback of every failing create step, recovery
from runphi killed mid-create, and --root isolation.

usage: partition_test.py --runphi <runphi> --runc <real runc>
                         --driver-dir <dir of libphi-driver-test.so>
                         --platform <platform-templates/test-board.json>
                         [unittest arguments, e.g. -k Stress]

Python 3 standard library only.  Every test has its own state root (under
/dev/shm when writable), its own runc --root and runphi.json; tearDown runs
`delete --force` for whatever runphi still holds and kills stray container
processes of the test.
"""

import argparse
import collections
import json
import os
import shutil
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zic_env  # noqa: E402
from zic_env import MIB, REAPER, ZicEnv, alive, blocks_signal, exit_code, platform_int, proc_stat, signal_pending  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
STRESS_PLATFORM = os.path.join(HERE, "stress-board.json")
ARGS = None
WORKDIR = None


def setUpModule():
    global WORKDIR
    WORKDIR = zic_env.fast_tmpdir("runphi-part-shared-")


def tearDownModule():
    shutil.rmtree(WORKDIR, ignore_errors=True)


def parallel(fn, items):
    """fn(item) for every item in its own thread; results in item order."""
    results = [None] * len(items)

    def work(i, item):
        try:
            results[i] = fn(item)
        except BaseException as e:  # reported by the caller
            results[i] = e

    threads = [threading.Thread(target=work, args=(i, it)) for i, it in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(zic_env.TIMEOUT * 3)
    return results


def read_text(path):
    with open(path, errors="replace") as f:
        return f.read()


def overlaps(ranges):
    """Pairs of (label, start, size) ranges that overlap."""
    out = []
    ordered = sorted(ranges, key=lambda r: r[1])
    for a, b in zip(ordered, ordered[1:]):
        if b[1] < a[1] + a[2]:
            out.append((a, b))
    return out


def within(start, size, pool):
    return any(start >= s and start + size <= s + n for s, n in pool)


class PartitionTestCase(unittest.TestCase):
    platform = None  # default: --platform

    def setUp(self):
        self.z = ZicEnv(ARGS.runphi, ARGS.runc, ARGS.driver_dir, self.platform or ARGS.platform, WORKDIR)
        self.addCleanup(self.z.cleanup)

    # ------------------------------------------------------------ helpers
    def explain(self, r=None):
        return "%s\n--- runphi log (tail) ---\n%s" % (r if r is not None else "", self.z.log_tail())

    def assertOk(self, r):
        self.assertEqual(r.returncode, 0, self.explain(r))
        return r

    def assertCleanFailure(self, r, *needles):
        """Non-zero exit (not a signal, not a crash), and stderr names
        what went wrong."""
        self.assertIsInstance(r.returncode, int, self.explain(r))
        self.assertGreater(r.returncode, 0, self.explain(r))
        self.assertLess(r.returncode, 125, "crashed? " + self.explain(r))
        for bad in ("terminate called", "Aborted", "Segmentation", "core dumped"):
            self.assertNotIn(bad, r.stderr, self.explain(r))
        for needle in needles:
            self.assertIn(needle, r.stderr, self.explain(r))

    def wait_for(self, predicate, what, timeout=10.0, interval=0.02):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("timed out after %.1fs waiting for %s\n%s" % (timeout, what, self.explain()))
            time.sleep(interval)

    def create_ok(self, cid, bundle=None, **kw):
        bundle = bundle or self.default_bundle()
        self.assertOk(self.z.create(cid, bundle, **kw))
        rec = self.z.record(cid, kw.get("root"))
        self.assertIsNotNone(rec, "no state.json for " + cid)
        return rec

    def wait_monitor_ready(self, cid, root=None):
        """Waits until the container process blocks SIGUSR1 (its first act):
        `start` signals it, and before that SIGUSR1 kills it (see
        test_start_right_after_create_with_a_slow_container_process)."""
        pid = self.z.record(cid, root)["pid"]
        self.wait_for(lambda: blocks_signal(pid, signal.SIGUSR1) or not alive(pid),
                      "container process %d to block SIGUSR1" % pid, timeout=10, interval=0.005)
        return pid

    def start_ok(self, cid, root=None):
        self.wait_monitor_ready(cid, root)
        return self.assertOk(self.z.run("start", cid, root=root))

    def default_bundle(self):
        if not hasattr(self, "_bundle"):
            self._bundle = self.z.bundle("default")
        return self._bundle

    def alloc(self, cid, root=None):
        ledger = self.z.ledger()
        owner = self.z.owner(cid, root)
        self.assertIn(owner, ledger, "ledger: %s" % json.dumps(ledger))
        return ledger[owner]

    def monitor_exit(self, pid, timeout=10.0):
        """Exit status of an orphaned container process (we are its
        subreaper), or skip the check when we could not become one."""
        if not REAPER.active:
            return None
        status = REAPER.status_of(pid, timeout)
        self.assertIsNotNone(status, "container process %d did not exit within %.0fs%s" %
                             (pid, timeout, self.explain()))
        return exit_code(status)

    def assertMonitorsGone(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while self.z.monitors() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.z.monitors(), [], "runphi-monitor processes left" + self.explain())

    def assertNothingLeft(self):
        self.assertEqual(self.z.ledger(), {}, "ledger not empty" + self.explain())
        self.assertEqual(self.z.container_dirs(), [], "container state left" + self.explain())
        self.assertEqual(self.z.partitions(), [], "test-driver partitions left" + self.explain())
        self.assertMonitorsGone()


# ====================================================================== 1
class Lifecycle(PartitionTestCase):
    def test_create_start_pause_resume_kill_delete(self):
        z = self.z
        bundle = self.default_bundle()
        pid_file = os.path.join(z.tmp, "life.pid")
        create = z.popen("create", "--bundle", bundle, "--pid-file", pid_file, "life", tag="create")
        r = self.assertOk(z.finish(create))

        # created: pid file -> a live runphi-monitor, state, ledger, partition
        with open(pid_file) as f:
            pid = int(f.read().strip())
        st = proc_stat(pid)
        self.assertIsNotNone(st, "pid file names no process")
        self.assertEqual(st[0], "runphi-monitor")
        self.assertTrue(alive(pid), "container process %d is not alive: %s" % (pid, st))
        state = z.state("life")
        self.assertEqual(state["status"], "created", state)
        self.assertEqual(state["pid"], pid)
        self.assertEqual(state["id"], "life")
        self.assertEqual(state["bundle"], bundle)
        a = self.alloc("life")
        self.assertEqual(len(a["cpus"]), 1, a)
        self.assertEqual([m["size"] for m in a["memory"]], [64 * MIB], a)
        name = z.record("life")["partition_name"]
        self.assertEqual(z.partitions(), [name])
        self.assertEqual(z.partition_state(name), "created")
        self.assertEqual(z.partition_config(name)["cpus"], a["cpus"])

        # start: running, and the guest's first console line reaches the
        # container process's stdout (create's stdout)
        self.start_ok("life")
        self.assertEqual(z.state("life")["status"], "running")
        self.assertEqual(z.partition_state(name), "running")
        line = "test-driver: partition %s started\n" % name
        self.wait_for(lambda: line in read_text(create.out_path), "console line %r on the monitor's stdout" % line,
                      timeout=5)

        # pause / resume
        self.assertOk(z.run("pause", "life"))
        self.assertEqual(z.state("life")["status"], "paused")
        self.assertEqual(z.partition_state(name), "paused")
        self.assertEqual(z.guest_status("life"), "paused")
        self.assertOk(z.run("resume", "life"))
        self.assertEqual(z.state("life")["status"], "running")
        self.assertEqual(z.partition_state(name), "running")

        # kill TERM: the guest shuts down, the container process exits 0
        self.assertOk(z.run("kill", "life", "TERM"))
        state = z.state("life")
        self.assertEqual(state["status"], "stopped", state)
        self.assertEqual(state["pid"], 0, state)
        self.assertEqual(z.guest_status("life"), "stopped 0")
        self.assertEqual(self.monitor_exit(pid), 0 if REAPER.active else None)
        self.assertFalse(alive(pid))

        # delete (stopped: no --force needed)
        self.assertOk(z.delete("life", force=False))
        self.assertFalse(os.path.exists(z.container_dir("life")))
        self.assertIn(("destroy", name), z.ops())
        self.assertNothingLeft()
        # the container process exited by itself, not after delete's 2 s wait
        # and SIGKILL (how long delete takes is benchmarks/' business)
        self.assertNotIn("did not exit; killing it", self.z.log_text())

    def test_hooks_receive_the_container_process_pid(self):
        # As with runc: prestart, createRuntime and createContainer hooks run
        # once the container process exists, and the state on their stdin
        # names it; the guest has not started yet.
        z = self.z
        code = ("import json, sys\n"
                "st = json.load(sys.stdin)\n"
                "try:\n"
                "    comm = open('/proc/%d/comm' % st['pid']).read().strip()\n"
                "except (OSError, KeyError):\n"
                "    comm = None\n"
                "json.dump({'state': st, 'comm': comm}, open(sys.argv[1], 'w'))\n")
        seen = {p: os.path.join(z.tmp, "hook-%s.json" % p) for p in ("prestart", "createRuntime", "createContainer")}
        hooks = {p: [{"path": sys.executable, "args": [sys.executable, "-c", code, out]}] for p, out in seen.items()}
        b = z.bundle("hookpid", hooks=hooks)
        self.assertOk(z.create("hookpid", b))
        pid = z.record("hookpid")["pid"]
        name = z.record("hookpid")["partition_name"]
        for point, out in seen.items():
            with self.subTest(point=point):
                with open(out) as f:
                    got = json.load(f)
                self.assertEqual(got["state"]["pid"], pid, got)
                self.assertEqual(got["state"]["status"], "creating", got)
                self.assertEqual(got["comm"], "runphi-monitor", got)
        self.assertEqual(z.partition_state(name), "created")
        self.assertOk(z.delete("hookpid"))
        self.assertNothingLeft()

    def test_later_calls_use_the_configuration_of_create(self):
        # Podman's cleanup process calls runphi without the flags `podman
        # run` had: same state root, but no backend, driver directory or
        # platform of its own. The guest ends by itself; that caller's
        # `state` and `delete` still see the container and release it.
        z = self.z
        bare = z.write_config(os.path.join(z.tmp, "bare.json"), backend="", driver_dir="/nonexistent",
                              platform_template="", monitor_path="")
        self.assertOk(z.create("rec", self.default_bundle()))
        self.start_ok("rec")
        name = z.record("rec")["partition_name"]
        z.set_partition_state(name, "shutdown")
        self.wait_for(lambda: (z.guest_status("rec") or "").startswith("stopped"), "the guest to end")
        r = self.assertOk(z.run("state", "rec", config=bare))
        self.assertEqual(json.loads(r.stdout)["status"], "stopped")
        self.assertOk(z.run("delete", "rec", config=bare))
        self.assertIn(("destroy", name), z.ops())
        self.assertNothingLeft()

    def _run_foreground(self, cid):
        # `run` signals the container process right after creating it, which
        # create returns only once it is ready for signals.
        proc = self.z.popen("run", "--bundle", self.default_bundle(), cid, tag="run")
        proc.started = time.monotonic()
        self.wait_for(lambda: self.z.guest_status(cid) == "running", "`run %s` to start the guest" % cid)
        return proc, self.z.record(cid)["partition_name"]

    def _finish_run(self, proc, expected):
        r = self.z.finish(proc, timeout=30)
        self.assertEqual(r.returncode, expected, self.explain(r))
        # run without --keep deletes the container afterwards
        self.assertNothingLeft()
        return r

    def test_run_exit_status_guest_shutdown_is_0(self):
        proc, name = self._run_foreground("run-term")
        self.assertOk(self.z.run("kill", "run-term", "TERM"))
        r = self._finish_run(proc, 0)
        self.assertIn("test-driver: partition %s started" % name, r.stdout)

    def test_run_exit_status_guest_crash_is_134(self):
        proc, name = self._run_foreground("run-crash")
        self.z.set_partition_state(name, "crashed")
        self._finish_run(proc, 134)

    def test_run_exit_status_kill_KILL_is_137(self):
        proc, name = self._run_foreground("run-kill")
        self.assertOk(self.z.run("kill", "run-kill", "KILL"))
        self.assertNotIn(name, self.z.partitions(), "kill KILL must destroy the partition at once")
        self._finish_run(proc, 137)

    def test_kill_TERM_before_start_is_128_plus_signal(self):
        rec = self.create_ok("never")
        self.assertOk(self.z.run("kill", "never", "TERM"))
        self.assertEqual(self.z.guest_status("never"), "stopped 143")
        self.assertEqual(self.z.partitions(), [], "a never-started partition killed with TERM is destroyed")
        self.assertEqual(self.monitor_exit(rec["pid"]), 143 if REAPER.active else None)
        self.assertOk(self.z.delete("never", force=False))
        self.assertNothingLeft()

    def test_list_shows_the_zic(self):
        self.create_ok("listed-a")
        self.create_ok("listed-b")
        self.start_ok("listed-b")
        r = self.assertOk(self.z.run("list", "--format", "json"))
        entries = {e["id"]: e for e in json.loads(r.stdout)}
        self.assertEqual(set(entries), {"listed-a", "listed-b"}, r)
        self.assertEqual(entries["listed-a"]["status"], "created")
        self.assertEqual(entries["listed-b"]["status"], "running")
        self.assertEqual(entries["listed-a"]["pid"], self.z.record("listed-a")["pid"])
        table = self.assertOk(self.z.run("list")).stdout
        self.assertRegex(table, r"(?m)^listed-a\s+\d+\s+created\s")
        self.assertRegex(table, r"(?m)^listed-b\s+\d+\s+running\s")
        quiet = self.assertOk(self.z.run("list", "-q")).stdout.split()
        self.assertEqual(quiet, ["listed-a", "listed-b"])

    def test_delete_running_needs_force(self):
        self.create_ok("busy")
        self.start_ok("busy")
        name = self.z.record("busy")["partition_name"]
        r = self.z.delete("busy", force=False)
        self.assertCleanFailure(r, 'cannot delete container "busy"', "running", "--force")
        # nothing was touched
        self.assertEqual(self.z.state("busy")["status"], "running")
        self.assertEqual(self.z.partition_state(name), "running")
        self.assertIn(self.z.owner("busy"), self.z.ledger())
        self.assertEqual(len(self.z.monitors()), 1)
        self.assertOk(self.z.delete("busy", force=True))
        self.assertNothingLeft()

    def test_delete_twice(self):
        self.create_ok("twice")
        self.assertOk(self.z.delete("twice"))
        r = self.z.delete("twice", force=False)
        self.assertCleanFailure(r, "does not exist")
        # like runc: --force on a missing container is not an error
        self.assertOk(self.z.delete("twice", force=True))
        self.assertNothingLeft()

    def test_create_of_an_existing_id_fails(self):
        rec = self.create_ok("dup")
        ledger = self.z.ledger()
        r = self.z.create("dup", self.z.bundle("other"))
        self.assertCleanFailure(r, 'container with id "dup" already exists')
        # the first container is untouched
        self.assertEqual(self.z.ledger(), ledger)
        self.assertEqual(self.z.record("dup"), rec)
        self.assertEqual(self.z.state("dup")["status"], "created")
        self.assertEqual(self.z.partitions(), [rec["partition_name"]])
        self.assertEqual(self.z.monitors(), [rec["pid"]])

    def test_unsupported_verbs(self):
        self.create_ok("noproc")
        self.start_ok("noproc")
        for verb, args in (("exec", ["noproc", "true"]), ("ps", ["noproc"])):
            with self.subTest(verb=verb):
                r = self.z.run(verb, *args)
                self.assertCleanFailure(r, "`%s` is not available for partitioned container \"noproc\"" % verb)
        self.assertEqual(self.z.state("noproc")["status"], "running")

    def test_events_stats_are_the_partitions_not_the_hosts(self):
        z = self.z
        b = z.bundle("stats", memory_limit=32 * MIB, cpu_quota=200000, cpu_period=100000)
        self.assertOk(z.create("stats", b))
        self.start_ok("stats")
        r = self.assertOk(z.run("events", "--stats", "stats"))
        event = json.loads(r.stdout)
        self.assertEqual((event["type"], event["id"]), ("stats", "stats"))
        data = event["data"]
        cpus = self.alloc("stats")["cpus"]
        self.assertEqual(len(cpus), 2)
        # the host's figures: its CPU count and its memory
        with open("/proc/meminfo") as f:
            host_memory = int(f.readline().split()[1]) * 1024
        self.assertEqual(len(data["cpu"]["usage"]["percpu"]), 2)
        self.assertEqual(data["memory"]["usage"]["limit"], 32 * MIB)
        self.assertEqual(data["memory"]["usage"]["usage"], 32 * MIB)
        self.assertNotEqual(data["memory"]["usage"]["limit"], host_memory)
        self.assertEqual(data["partition"]["cpus"], cpus)
        self.assertEqual(data["partition"]["memory_bytes"], 32 * MIB)
        self.assertEqual(data["partition"]["name"], z.record("stats")["partition_name"])
        self.assertEqual(data["partition"]["status"], "running")
        # without --stats there is no event stream to give
        self.assertCleanFailure(z.run("events", "stats"), "`events` without --stats is not available")

    def _cgroups_of(self, pid):
        """{hierarchy: path} from /proc/<pid>/cgroup ("" for cgroup v2)."""
        out = {}
        with open("/proc/%d/cgroup" % pid) as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                out[controllers] = path
        return out

    def _cgroup_mounts(self):
        mounts = []
        with open("/proc/self/mountinfo") as f:
            for line in f:
                fields, _, tail = line.partition(" - ")
                if tail.split()[0] in ("cgroup", "cgroup2"):
                    mounts.append(fields.split()[4])
        return mounts

    def test_container_process_joins_linux_cgroupsPath(self):
        # cgroupfs and systemd forms: the container process is moved into the
        # cgroup the spec asks for under every hierarchy, so what an engine
        # reads there is about it and not about its caller's cgroup; delete
        # removes it.
        mounts = self._cgroup_mounts()
        if not mounts or not os.access(mounts[0], os.W_OK):
            self.skipTest("no writable cgroup hierarchy")
        tag = "runphitest%d" % os.getpid()  # no "-": a slice name nests at each
        forms = {"cgroupfs": ("/" + tag, "/" + tag),
                 "systemd": ("%s.slice:runphi:zic" % tag, "/%s.slice/runphi-zic.scope" % tag)}
        for form, (cgroups_path, expected) in forms.items():
            with self.subTest(form=form):
                cid = "cg-" + form
                b = self.z.bundle(cid, mutate=lambda cfg: cfg["linux"].update({"cgroupsPath": cgroups_path}))
                self.assertOk(self.z.create(cid, b))
                pid = self.z.record(cid)["pid"]
                mine = self._cgroups_of(os.getpid())
                theirs = self._cgroups_of(pid)
                for hierarchy, path in theirs.items():
                    self.assertEqual(path, expected, "hierarchy %r: %r" % (hierarchy, theirs))
                    self.assertNotEqual(path, mine.get(hierarchy))
                dirs = [m + expected for m in mounts]
                self.assertTrue(all(os.path.isdir(d) for d in dirs), dirs)
                self.assertOk(self.z.delete(cid))
                self.assertEqual([d for d in dirs if os.path.exists(d)], [], "cgroups left after delete")
                for m in mounts:  # the slice the systemd form made above its scope
                    slice_dir = os.path.join(m, tag + ".slice")
                    if os.path.isdir(slice_dir):
                        os.rmdir(slice_dir)
        self.assertNothingLeft()

    def test_kill_with_unknown_or_undeliverable_signal(self):
        self.create_ok("sig")
        self.start_ok("sig")
        self.assertCleanFailure(self.z.run("kill", "sig", "FOO"), 'unknown signal "FOO"')
        self.assertCleanFailure(self.z.run("kill", "sig", "99"), 'unknown signal "99"')
        self.assertCleanFailure(self.z.run("kill", "sig", "USR1"), "cannot be delivered to a partitioned container")
        self.assertEqual(self.z.state("sig")["status"], "running")
        self.assertEqual(self.z.partition_state(self.z.record("sig")["partition_name"]), "running")

    def slow_monitor_config(self):
        """A runphi.json whose container process takes 0.3 s to start, as on
        a loaded machine."""
        real = os.path.join(os.path.dirname(ARGS.runphi), "runphi-monitor")
        wrapper = os.path.join(self.z.tmp, "slow-monitor")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\nsleep 0.3\nexec %s "$@"\n' % real)
        os.chmod(wrapper, 0o755)
        return self.z.write_config(os.path.join(self.z.tmp, "slow.json"), monitor_path=wrapper)

    def test_start_right_after_create_with_a_slow_container_process(self):
        cfg = self.slow_monitor_config()
        self.assertOk(self.z.create("slowmon", self.default_bundle(), config=cfg))
        pid = self.z.record("slowmon")["pid"]
        self.assertOk(self.z.run("start", "slowmon", config=cfg))
        # start's SIGUSR1 has been taken (no longer pending) or killed it
        self.wait_for(lambda: not signal_pending(pid, signal.SIGUSR1) or not alive(pid),
                      "container process %d to take start's SIGUSR1" % pid, interval=0.005)
        self.assertEqual(self.z.partition_state(self.z.record("slowmon")["partition_name"]), "running")
        self.assertTrue(alive(pid), "container process died (status %r) while its partition runs" %
                        (exit_code(REAPER.status_of(pid, 1)) if REAPER.active else "?"))

    def test_run_with_a_slow_container_process(self):
        cfg = self.slow_monitor_config()
        proc = self.z.popen("run", "--bundle", self.default_bundle(), "slowrun", config=cfg, tag="run")
        proc.started = time.monotonic()
        try:
            proc.wait(1.5)
        except Exception:
            pass
        if proc.poll() is None:
            self.assertOk(self.z.run("kill", "slowrun", "TERM", config=cfg))
        r = self.z.finish(proc, timeout=30)
        self.assertEqual(r.returncode, 0, self.explain(r))

    def test_delete_lets_the_container_process_exit_by_itself(self):
        rec = self.create_ok("prompt")
        self.start_ok("prompt")
        self.assertOk(self.z.delete("prompt"))
        status = REAPER.status_of(rec["pid"], 5) if REAPER.active else None
        self.assertNotIn("did not exit; killing it", self.z.log_text())
        if REAPER.active:
            self.assertEqual(exit_code(status), 137, "status %r (137 would be SIGKILL too, but as exit 137: %s)" %
                             (status, os.WIFEXITED(status) if status is not None else None))
            self.assertTrue(os.WIFEXITED(status), "runphi-monitor was killed by a signal")


# ====================================================================== 2
class Derivation(PartitionTestCase):
    def test_cpu_quota_200000_over_100000_is_two_cpus(self):
        b = self.z.bundle("quota", cpu_quota=200000, cpu_period=100000)
        rec = self.create_ok("quota", b)
        a = self.alloc("quota")
        self.assertEqual(len(a["cpus"]), 2, a)
        pool = self.z.platform["cpus"]["pool"]
        self.assertTrue(set(a["cpus"]) <= set(pool), a)
        self.assertEqual(self.z.partition_config(rec["partition_name"])["cpus"], a["cpus"])

    def test_cpu_quota_rounds_up(self):
        b = self.z.bundle("quota3", cpu_quota=250001, cpu_period=125000)  # 2.000008 -> 3
        self.create_ok("quota3", b)
        self.assertEqual(len(self.alloc("quota3")["cpus"]), 3)

    def test_cpuset_size_gives_the_cpu_count(self):
        b = self.z.bundle("cpuset", cpuset="0-1")
        self.create_ok("cpuset", b)
        self.assertEqual(len(self.alloc("cpuset")["cpus"]), 2)

    def test_defaults_one_cpu_and_platform_memory(self):
        self.create_ok("dflt")
        a = self.alloc("dflt")
        self.assertEqual(len(a["cpus"]), 1)
        default = platform_int(self.z.platform["memory"]["default_partition_size"])
        self.assertEqual(a["memory"], [{"start": a["memory"][0]["start"], "size": default}])
        self.assertEqual((a["pci_bdfs"], a["comm_windows"], a["mac"], a["rpus"]), ([], [], "", []))

    def test_memory_limit_32_mib(self):
        b = self.z.bundle("mem32", memory_limit=32 * MIB)
        rec = self.create_ok("mem32", b)
        a = self.alloc("mem32")
        self.assertEqual(len(a["memory"]), 1, a)
        m = a["memory"][0]
        self.assertEqual(m["size"], 32 * MIB)
        pool = [(platform_int(r["start"]), platform_int(r["size"])) for r in self.z.platform["memory"]["pool"]]
        self.assertTrue(within(m["start"], m["size"], pool), a)
        self.assertEqual(m["start"] % 4096, 0)
        self.assertEqual(self.z.partition_config(rec["partition_name"])["memory"], [[m["start"], m["size"]]])

    def test_zic_memory_wins_over_the_oci_limit(self):
        b = self.z.bundle("zmem", memory_limit=32 * MIB,
                          zic={"os_var": "zephyr", "inmate": "/boot/zephyr.bin", "memory": 16})
        self.create_ok("zmem", b)
        self.assertEqual([m["size"] for m in self.alloc("zmem")["memory"]], [16 * MIB])

    def test_net_virtual_gets_bdf_window_and_mac(self):
        b = self.z.bundle("net", zic={"os_var": "zephyr", "inmate": "/boot/zephyr.bin", "net": "virtual"})
        rec = self.create_ok("net", b)
        a = self.alloc("net")
        p = self.z.platform
        self.assertEqual(len(a["pci_bdfs"]), 1, a)
        self.assertIn(a["pci_bdfs"][0], p["pci"]["ivshmem_bdfs"])
        windows = [{"start": platform_int(w["start"]), "size": platform_int(w["size"])} for w in p["comm"]["windows"]]
        self.assertEqual(len(a["comm_windows"]), 1, a)
        self.assertIn(a["comm_windows"][0], windows)
        self.assertRegex(a["mac"], r"^02(:[0-9a-f]{2}){5}$")
        self.assertEqual(self.z.partition_config(rec["partition_name"])["pci_bdfs"], a["pci_bdfs"])
        # a second one gets the other BDF, window and another MAC
        self.create_ok("net2", b)
        a2 = self.alloc("net2")
        self.assertNotEqual(a2["pci_bdfs"], a["pci_bdfs"])
        self.assertNotEqual(a2["comm_windows"], a["comm_windows"])
        self.assertNotEqual(a2["mac"], a["mac"])

    def test_rpu_req_takes_an_rpu_and_no_cpu(self):
        b = self.z.bundle("rpu", zic={"os_var": "zephyr", "inmate": "/boot/zephyr.bin", "rpu_req": True})
        self.create_ok("rpu", b)
        a = self.alloc("rpu")
        self.assertEqual((a["cpus"], a["rpus"]), ([], [0]), a)

    def assertRefused(self, cid, r, *needles):
        self.assertCleanFailure(r, *needles)
        self.assertNothingLeft()
        self.assertEqual(self.z.ops(), [], "the driver was called for an invalid bundle")

    def test_memory_limit_not_page_aligned_fails(self):
        b = self.z.bundle("unaligned", memory_limit=32 * MIB + 100)
        self.assertRefused("unaligned", self.z.create("unaligned", b), "linux.resources.memory.limit")

    def test_missing_inmate_fails(self):
        b = self.z.bundle("noinmate", write_inmate=False)
        self.assertRefused("noinmate", self.z.create("noinmate", b), '"inmate"', "/boot/zephyr.bin")

    def test_inmate_larger_than_memory_fails(self):
        b = self.z.bundle("biginmate", inmate_size=2 * MIB,
                          zic={"os_var": "zephyr", "inmate": "/boot/zephyr.bin", "memory": 1})
        self.assertRefused("biginmate", self.z.create("biginmate", b), '"inmate"', "more than the partition's")

    def test_inmate_symlinked_to_the_host_is_not_followed(self):
        host = os.path.join(self.z.tmp, "host-inmate.bin")
        with open(host, "wb") as f:
            f.write(b"\0" * 4096)
        b = self.z.bundle("inmatelink", write_inmate=False)
        os.symlink(host, os.path.join(b, "rootfs", "boot", "zephyr.bin"))
        self.assertRefused("inmatelink", self.z.create("inmatelink", b), '"inmate"')

    def _stub_runc(self):
        log = os.path.join(self.z.tmp, "stub-runc.log")
        path = os.path.join(self.z.tmp, "stub-runc")
        with open(path, "w") as f:
            f.write('#!/bin/sh\necho "$@" >> %s\nexit 0\n' % log)
        os.chmod(path, 0o755)
        self.z.config["runc_path"] = path
        self.z.write_config()
        return log

    def test_boot_symlinked_outside_the_rootfs_is_not_a_zic(self):
        """rootfs/boot -> <host dir> holding a valid ZIC config: runphi must
        resolve it inside the rootfs (where it does not exist) and forward
        to runc, not read the host's file."""
        stub_log = self._stub_runc()
        host = os.path.join(self.z.tmp, "host-boot")
        os.makedirs(host)
        with open(os.path.join(host, "config.json"), "w") as f:
            json.dump({"os_var": "zephyr", "inmate": "/host.bin"}, f)
        with open(os.path.join(host, "host.bin"), "wb") as f:
            f.write(b"\0" * 4096)
        for variant in ("dir", "file"):
            with self.subTest(variant=variant):
                b = self.z.bundle("symboot-" + variant, zic=False, write_inmate=False)
                boot = os.path.join(b, "rootfs", "boot")
                if variant == "dir":
                    shutil.rmtree(boot)
                    os.symlink(host, boot)
                else:
                    os.symlink(os.path.join(host, "config.json"), os.path.join(boot, "config.json"))
                cid = "symboot-" + variant
                self.assertOk(self.z.create(cid, b))
                with open(stub_log) as f:
                    self.assertRegex(f.read(), r"create --bundle \S+ %s" % cid)
                self.assertIn("forwarding `create`", self.z.log_text())
                self.assertNothingLeft()
                self.assertEqual(self.z.ops(), [])

    def test_boot_symlink_resolves_inside_the_rootfs(self):
        """rootfs/boot -> /abs/dir: runphi reads <rootfs>/abs/dir/config.json,
        never /abs/dir/config.json on the host."""
        host = os.path.join(self.z.tmp, "host-boot2")
        os.makedirs(host)
        with open(os.path.join(host, "config.json"), "w") as f:
            json.dump({"os_var": "zephyr", "inmate": "/inner.bin", "memory": 8}, f)
        b = self.z.bundle("inside", zic=False, write_inmate=False)
        rootfs = os.path.join(b, "rootfs")
        inner_dir = rootfs + host
        os.makedirs(inner_dir)
        inner = json.dumps({"os_var": "zephyr", "inmate": "/inner.bin", "memory": 16})
        with open(os.path.join(inner_dir, "config.json"), "w") as f:
            f.write(inner)
        with open(os.path.join(rootfs, "inner.bin"), "wb") as f:
            f.write(b"\0" * 4096)
        shutil.rmtree(os.path.join(rootfs, "boot"))
        os.symlink(host, os.path.join(rootfs, "boot"))
        self.create_ok("inside", b)
        self.assertEqual([m["size"] for m in self.alloc("inside")["memory"]], [16 * MIB])
        with open(os.path.join(self.z.container_dir("inside"), "zic-config.json")) as f:
            self.assertEqual(f.read(), inner)


# ====================================================================== 3
class Exhaustion(PartitionTestCase):
    def test_cpu_pool_exhaustion_and_release(self):
        pool = self.z.platform["cpus"]["pool"]
        self.assertEqual(len(pool), 3, "test-board has 3 CPUs in its pool")
        for i in range(3):
            self.create_ok("cpu%d" % i)
        taken = sorted(c for a in self.z.ledger().values() for c in a["cpus"])
        self.assertEqual(taken, sorted(pool))
        ledger = self.z.ledger()
        r = self.z.create("cpu3", self.default_bundle())
        self.assertCleanFailure(r, "not enough CPUs: asked 1, free 0")
        self.assertEqual(self.z.ledger(), ledger)
        self.assertFalse(os.path.exists(self.z.container_dir("cpu3")))
        self.assertEqual(len(self.z.partitions()), 3)
        self.assertEqual(len(self.z.monitors()), 3)
        freed = self.alloc("cpu1")["cpus"]
        self.assertOk(self.z.delete("cpu1"))
        self.create_ok("cpu4")
        self.assertEqual(self.alloc("cpu4")["cpus"], freed)

    def test_memory_fragmentation_and_merge(self):
        z = self.z
        segs = sorted((platform_int(r["start"]), platform_int(r["size"])) for r in z.platform["memory"]["pool"])
        (s1, n1), (s2, n2) = segs  # test-board: 256 MiB at 0x40000000, 128 MiB at 0x60000000
        self.assertEqual((n1, n2), (256 * MIB, 128 * MIB))
        for cid in "ABC":
            self.create_ok(cid)  # 64 MiB each, first fit
        starts = {cid: self.alloc(cid)["memory"][0]["start"] for cid in "ABC"}
        self.assertEqual(starts, {"A": s1, "B": s1 + 64 * MIB, "C": s1 + 128 * MIB})
        self.assertOk(z.delete("B"))
        # 96 MiB fits neither B's hole nor the 64 MiB after C: the second segment
        self.create_ok("D", z.bundle("d96", memory_limit=96 * MIB))
        self.assertEqual(self.alloc("D")["memory"], [{"start": s2, "size": 96 * MIB}])
        self.assertOk(z.delete("D"))
        # 64 MiB: first fit is B's hole again
        self.create_ok("E")
        self.assertEqual(self.alloc("E")["memory"][0]["start"], s1 + 64 * MIB)
        for cid in "ACE":
            self.assertOk(z.delete(cid))
        self.assertNothingLeft()
        # everything merged back: the whole largest segment in one piece
        self.create_ok("W", z.bundle("whole", memory_limit=n1))
        self.assertEqual(self.alloc("W")["memory"], [{"start": s1, "size": n1}])
        r = z.create("W2", z.bundle("whole2", memory_limit=n1))
        self.assertCleanFailure(r, "not enough memory: asked %d bytes, largest free %d bytes" % (n1, n2))
        self.assertOk(z.delete("W"))
        self.assertNothingLeft()


# ====================================================================== 4
class Stress(PartitionTestCase):
    platform = STRESS_PLATFORM
    N = 16
    ROUNDS = 20

    # container i: RPU for 0-1, 2 CPUs for 2-4, else 1 CPU; memory cycles
    # 16/32/48/64 MiB; net on even i.  CPUs: 3*2 + 11 = 17 of 19.
    @staticmethod
    def shape(i):
        return {
            "rpu": i < 2,
            "cpus": 0 if i < 2 else (2 if i < 5 else 1),
            "memory": (16, 32, 48, 64)[i % 4] * MIB,
            "net": i % 2 == 0,
        }

    def make_bundles(self):
        bundles = []
        for i in range(self.N):
            s = self.shape(i)
            zic = {"os_var": "zephyr", "inmate": "/boot/zephyr.bin"}
            if s["rpu"]:
                zic["rpu_req"] = True
            if s["net"]:
                zic["net"] = "virtual"
            bundles.append(self.z.bundle("s%02d" % i, zic=zic, memory_limit=s["memory"],
                                         cpu_quota=200000 if s["cpus"] == 2 else None,
                                         cpu_period=100000 if s["cpus"] == 2 else None))
        return bundles

    def check_exclusive(self, ids, shapes=None):
        """No CPU, RPU, BDF, window, MAC or memory byte held twice, in the
        ledger and in the driver's partitions; each holds what it asked."""
        z, p = self.z, self.z.platform
        ledger = z.ledger()
        self.assertEqual(set(ledger), {z.owner(c) for c in ids}, "ledger owners")
        cpu_pool, rpu_pool = set(p["cpus"]["pool"]), set(p.get("rpus", []))
        bdf_pool = set(p.get("pci", {}).get("ivshmem_bdfs", []))
        mem_pool = [(platform_int(r["start"]), platform_int(r["size"])) for r in p["memory"]["pool"]]
        win_pool = {(platform_int(w["start"]), platform_int(w["size"])) for w in p.get("comm", {}).get("windows", [])}
        seen = collections.defaultdict(list)
        mem, wins = [], []
        for owner, a in ledger.items():
            for c in a["cpus"]:
                self.assertIn(c, cpu_pool, owner)
                seen["cpu %d" % c].append(owner)
            for r in a["rpus"]:
                self.assertIn(r, rpu_pool, owner)
                seen["rpu %d" % r].append(owner)
            for b in a["pci_bdfs"]:
                self.assertIn(b, bdf_pool, owner)
                seen["bdf %d" % b].append(owner)
            if a["mac"]:
                seen["mac " + a["mac"]].append(owner)
            for m in a["memory"]:
                self.assertTrue(within(m["start"], m["size"], mem_pool), (owner, m))
                mem.append((owner, m["start"], m["size"]))
            for w in a["comm_windows"]:
                self.assertIn((w["start"], w["size"]), win_pool, owner)
                wins.append((owner, w["start"], w["size"]))
        twice = {k: v for k, v in seen.items() if len(v) > 1}
        self.assertEqual(twice, {}, "resources held twice")
        self.assertEqual(overlaps(mem), [], "memory held twice")
        self.assertEqual(overlaps(wins), [], "windows held twice")
        self.assertEqual(overlaps([(o, s, n) for o, s, n in wins] + [(o, s, n) for o, s, n in mem]), [],
                         "a window overlaps partition memory")

        # what each container asked for
        if shapes:
            for cid, s in zip(ids, shapes):
                a = ledger[z.owner(cid)]
                self.assertEqual(len(a["cpus"]), s["cpus"], (cid, a))
                self.assertEqual(len(a["rpus"]), 1 if s["rpu"] else 0, (cid, a))
                self.assertEqual(sum(m["size"] for m in a["memory"]), s["memory"], (cid, a))
                self.assertEqual((len(a["pci_bdfs"]), len(a["comm_windows"]), bool(a["mac"])),
                                 (1, 1, True) if s["net"] else (0, 0, False), (cid, a))

        # the driver's view: one partition per container, holding exactly
        # the ledger's resources, and no overlap among partitions
        names = {}
        for cid in ids:
            rec = z.record(cid)
            self.assertIsNotNone(rec, cid)
            names[rec["partition_name"]] = cid
        self.assertEqual(sorted(z.partitions()), sorted(names), "driver partitions")
        pcpu, prpu, pmem = collections.Counter(), collections.Counter(), []
        for name, cid in names.items():
            cfg = z.partition_config(name)
            a = ledger[z.owner(cid)]
            self.assertEqual(cfg["cpus"], a["cpus"], name)
            self.assertEqual(cfg["rpus"], a["rpus"], name)
            self.assertEqual(cfg["pci_bdfs"], a["pci_bdfs"], name)
            self.assertEqual(cfg["memory"], [[m["start"], m["size"]] for m in a["memory"]], name)
            pcpu.update(cfg["cpus"])
            prpu.update(cfg["rpus"])
            pmem += [(name, s, n) for s, n in cfg["memory"]]
        self.assertEqual([c for c, n in pcpu.items() if n > 1], [], "CPU in two partitions")
        self.assertEqual([r for r, n in prpu.items() if n > 1], [], "RPU in two partitions")
        self.assertEqual(overlaps(pmem), [], "memory in two partitions")

    def delete_all(self, ids):
        results = parallel(lambda cid: self.z.delete(cid), ids)
        for cid, r in zip(ids, results):
            self.assertNotIsInstance(r, BaseException, cid)
            self.assertOk(r)

    def test_concurrent_create_and_delete_rounds(self):
        bundles = self.make_bundles()
        shapes = [self.shape(i) for i in range(self.N)]
        t0 = time.monotonic()
        for rnd in range(self.ROUNDS):
            ids = ["r%02d-c%02d" % (rnd, i) for i in range(self.N)]
            results = parallel(lambda i: self.z.create(ids[i], bundles[i]), list(range(self.N)))
            for cid, r in zip(ids, results):
                self.assertNotIsInstance(r, BaseException, cid)
                self.assertOk(r)
            self.check_exclusive(ids, shapes)
            self.assertEqual(len(self.z.monitors()), self.N, "one container process per container")
            self.delete_all(ids)
            self.assertNothingLeft()
        sys.stderr.write("\n  stress: %d rounds x %d containers in %.1fs " %
                         (self.ROUNDS, self.N, time.monotonic() - t0))

    def test_concurrent_creates_on_a_pool_too_small(self):
        # the same board with only 8 CPUs in the pool
        small = zic_env.load_platform(STRESS_PLATFORM)
        small["name"] = "stress-board-small"
        small["cpus"]["pool"] = list(range(1, 9))
        path = os.path.join(self.z.tmp, "stress-board-small.json")
        with open(path, "w") as f:
            json.dump(small, f)
        self.z.platform = small
        self.z.config["platform_template"] = path
        self.z.write_config()
        bundle = self.default_bundle()
        for rnd in range(4):
            ids = ["small%d-c%02d" % (rnd, i) for i in range(self.N)]
            results = parallel(lambda cid: self.z.create(cid, bundle), ids)
            ok, failed = [], []
            for cid, r in zip(ids, results):
                self.assertNotIsInstance(r, BaseException, cid)
                (ok if r.returncode == 0 else failed).append(cid)
                if r.returncode != 0:
                    self.assertCleanFailure(r, "not enough CPUs: asked 1, free 0")
            self.assertEqual(len(ok), 8, "8 CPUs: exactly 8 creates succeed")
            for cid in failed:
                self.assertFalse(os.path.exists(self.z.container_dir(cid)), cid + " left state behind")
            self.check_exclusive(ok, [{"cpus": 1, "rpu": False, "memory": 64 * MIB, "net": False}] * len(ok))
            self.assertEqual(len(self.z.monitors()), 8)
            self.delete_all(ok)
            self.assertNothingLeft()


# ====================================================================== 5
class FaultInjection(PartitionTestCase):
    """Every failing step of create is undone: the ledger is as before, no
    state, no partition, no container process.  A running bystander
    container makes "as before" non-trivial."""

    def setUp(self):
        super().setUp()
        self.bystander = self.create_ok("bystander")
        self.start_ok("bystander")
        self.ledger_before = self.z.ledger()
        self.partitions_before = self.z.partitions()
        self.dirs_before = self.z.container_dirs()

    def new_partitions_in_ops(self):
        return {n for _, n in self.z.ops() if n != self.bystander["partition_name"]}

    def assertRolledBack(self, r, *needles, destroyed=True):
        self.assertCleanFailure(r, *needles)
        self.assertEqual(self.z.ledger(), self.ledger_before, "ledger changed" + self.explain())
        self.assertEqual(self.z.container_dirs(), self.dirs_before, "container state left" + self.explain())
        self.assertEqual(self.z.partitions(), self.partitions_before, "partition left" + self.explain())
        self.assertMonitorsOnlyBystander()
        if destroyed:
            names = self.new_partitions_in_ops()
            self.assertEqual(len(names), 1, self.z.ops())
            self.assertIn(("destroy", names.pop()), self.z.ops(), "rollback did not call destroy")
        self.assertEqual(self.z.guest_status("bystander"), "running")

    def assertMonitorsOnlyBystander(self):
        deadline = time.monotonic() + 5
        while self.z.monitors() != [self.bystander["pid"]] and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.z.monitors(), [self.bystander["pid"]], "container processes" + self.explain())

    def test_generateConfig_fails(self):
        self.z.set_fail("generateConfig")
        r = self.z.create("f-gen", self.default_bundle())
        self.assertRolledBack(r, "generateConfig", "failure injected", destroyed=False)

    def test_driver_create_fails(self):
        self.z.set_fail("create")
        r = self.z.create("f-create", self.default_bundle())
        self.assertRolledBack(r, "create: failure injected")

    def test_hook_fails(self):
        # The hook reads its stdin (the state) first: a hook that does not
        # can kill runphi with SIGPIPE (BUG, see
        # test_hook_that_ignores_its_stdin_fails_cleanly).
        hook = os.path.join(self.z.tmp, "failing-hook.sh")
        with open(hook, "w") as f:
            f.write("#!/bin/sh\ncat >/dev/null\nexit 3\n")
        os.chmod(hook, 0o755)
        for point in ("createRuntime", "prestart", "createContainer"):
            with self.subTest(point=point):
                with open(os.path.join(self.z.driver_state, "ops.log"), "w"):
                    pass
                b = self.z.bundle("hook-" + point, hooks={point: [{"path": hook, "args": ["failing-hook.sh"]}]})
                r = self.z.create("f-hook-" + point.lower(), b)
                self.assertRolledBack(r, "%s hook failed" % point, "status 3")

    def test_hook_that_ignores_its_stdin_fails_cleanly(self):
        hook = os.path.join(self.z.tmp, "deaf-hook.sh")
        with open(hook, "w") as f:
            f.write("#!/bin/sh\nexec 0<&-\nsleep 0.3\nexit 3\n")
        os.chmod(hook, 0o755)
        b = self.z.bundle("deafhook", hooks={"createRuntime": [{"path": hook}]},
                          # an OCI state far beyond a pipe's 64 KiB, within a ZIC's
                          # 256 KiB of annotations (docs/security.md)
                          mutate=lambda cfg: cfg.setdefault("annotations", {}).update(
                              {"example.com/big": "x" * (200 * 1024)}))
        r = self.z.create("f-deaf", b)
        self.assertRolledBack(r, "createRuntime hook failed", "status 3")

    def test_configured_monitor_path_missing(self):
        cfg = self.z.write_config(os.path.join(self.z.tmp, "nomonitor.json"), monitor_path="/nonexistent")
        r = self.z.create("f-mon", self.default_bundle(), config=cfg)
        self.assertRolledBack(r, "/nonexistent")

    def test_no_monitor_anywhere(self):
        # runphi copied to a directory without runphi-monitor beside it
        bindir = os.path.join(self.z.tmp, "bin")
        os.makedirs(bindir)
        runphi = os.path.join(bindir, "runphi")
        shutil.copy2(ARGS.runphi, runphi)
        # The front end hands partitioned containers to the C++ shim beside it.
        shim = os.path.join(os.path.dirname(ARGS.runphi), "runphi-shim")
        if os.path.exists(shim):
            shutil.copy2(shim, os.path.join(bindir, "runphi-shim"))
        cfg = self.z.write_config(os.path.join(self.z.tmp, "nomonitor.json"), monitor_path="/nonexistent")
        r = self.z.create("f-nomon", self.default_bundle(), config=cfg, runphi=runphi)
        if r.returncode == 0:
            self.skipTest("an installed runphi-monitor was found: " + self.z.log_tail(3))
        self.assertRolledBack(r, "runphi-monitor not found", "/nonexistent")

    def test_monitor_cannot_start(self):
        broken = os.path.join(self.z.tmp, "broken-monitor")
        with open(broken, "w") as f:
            f.write("#!/nonexistent/interpreter\n")
        os.chmod(broken, 0o755)
        cfg = self.z.write_config(os.path.join(self.z.tmp, "broken.json"), monitor_path=broken)
        r = self.z.create("f-brokenmon", self.default_bundle(), config=cfg)
        self.assertRolledBack(r, "cannot start " + broken)

    def test_start_fails(self):
        rec = self.create_ok("f-start")
        self.wait_monitor_ready("f-start")
        self.z.set_fail("start")
        r = self.z.run("start", "f-start")
        self.assertCleanFailure(r, "start: failure injected")
        self.assertEqual(self.z.state("f-start")["status"], "created")
        self.assertEqual(self.z.partition_state(rec["partition_name"]), "created")
        self.assertTrue(alive(rec["pid"]))
        self.z.clear_faults()
        self.assertOk(self.z.delete("f-start"))
        self.assertEqual(self.z.ledger(), self.ledger_before)
        self.assertEqual(self.z.container_dirs(), self.dirs_before)
        self.assertEqual(self.z.partitions(), self.partitions_before)
        self.assertMonitorsOnlyBystander()
        self.assertFalse(alive(rec["pid"]))


# ====================================================================== 6
class KilledMidCreate(PartitionTestCase):
    def sigkill_during(self, cid, started, bundle=None, delays=None):
        """Starts `create`, waits for started() (polled), SIGKILLs runphi,
        then checks `delete --force` cleans up everything."""
        if delays:
            self.z.set_delay(**delays)
        proc = self.z.popen("create", "--bundle", bundle or self.default_bundle(), cid, tag="create-killed")
        proc.started = time.monotonic()
        self.wait_for(started, "create to reach the step to interrupt", timeout=10)
        os.kill(proc.pid, signal.SIGKILL)
        r = self.z.finish(proc)
        self.assertEqual(r.returncode, -signal.SIGKILL, r)
        self.z.clear_faults()
        self.assertTrue(os.path.isdir(self.z.container_dir(cid)), "expected half-created state to clean up")
        self.assertIn(self.z.owner(cid), self.z.ledger(), "resources were allocated before the kill")
        r = self.assertOk(self.z.delete(cid))
        self.assertNothingLeft()
        # pools consistent: a normal create gets the first CPU and memory again
        rec = self.create_ok(cid + "-after")
        a = self.alloc(cid + "-after")
        self.assertEqual(a["cpus"], [self.z.platform["cpus"]["pool"][0]])
        self.assertEqual(a["memory"][0]["start"], platform_int(self.z.platform["memory"]["pool"][0]["start"]))
        self.start_ok(cid + "-after")
        self.assertEqual(self.z.partition_state(rec["partition_name"]), "running")
        self.assertOk(self.z.delete(cid + "-after"))
        self.assertNothingLeft()

    def op_began(self, op):
        return lambda: any(o == op for o, _ in self.z.ops())

    def test_sigkill_during_driver_create(self):
        self.sigkill_during("k-create", self.op_began("create"), delays={"create": 3})

    def test_sigkill_during_generateConfig(self):
        self.sigkill_during("k-gen", self.op_began("generateConfig"), delays={"generateConfig": 3})

    def test_sigkill_during_a_hook_after_the_partition_exists(self):
        marker = os.path.join(self.z.tmp, "hook-started")
        hook = os.path.join(self.z.tmp, "slow-hook.sh")
        with open(hook, "w") as f:
            f.write("#!/bin/sh\ntouch %s\nexec sleep 3\n" % marker)
        os.chmod(hook, 0o755)
        b = self.z.bundle("slowhook", hooks={"createRuntime": [{"path": hook}]})

        def partition_exists_and_hook_runs():
            return os.path.exists(marker) and len(self.z.partitions()) == 1
        self.sigkill_during("k-hook", partition_exists_and_hook_runs, bundle=b)


# ====================================================================== 7
class RootIsolation(PartitionTestCase):
    def test_same_id_under_two_roots(self):
        z = self.z
        root2 = os.path.join(z.tmp, "runc-root-2")
        b1, b2 = z.bundle("one"), z.bundle("two")
        rec1 = self.create_ok("twin", b1)
        rec2 = self.create_ok("twin", b2, root=root2)
        self.assertNotEqual(rec1["partition_name"], rec2["partition_name"])
        self.assertEqual(sorted(z.partitions()), sorted([rec1["partition_name"], rec2["partition_name"]]))
        a1, a2 = self.alloc("twin"), self.alloc("twin", root2)
        self.assertEqual(len(z.ledger()), 2)
        self.assertFalse(set(a1["cpus"]) & set(a2["cpus"]), (a1, a2))
        self.assertNotEqual(rec1["pid"], rec2["pid"])
        self.assertEqual(z.state("twin")["bundle"], b1)
        self.assertEqual(z.state("twin", root=root2)["bundle"], b2)

        self.start_ok("twin")
        self.assertEqual(z.state("twin")["status"], "running")
        self.assertEqual(z.state("twin", root=root2)["status"], "created")
        self.assertEqual(z.partition_state(rec2["partition_name"]), "created")

        self.assertOk(z.delete("twin"))
        self.assertEqual(z.partitions(), [rec2["partition_name"]])
        self.assertEqual(list(z.ledger()), [z.owner("twin", root2)])
        self.assertTrue(alive(rec2["pid"]))
        self.assertEqual(z.state("twin", root=root2)["status"], "created")
        listed = json.loads(self.assertOk(z.run("list", "--format", "json", root=root2)).stdout)
        self.assertEqual([(e["id"], e["bundle"]) for e in listed], [("twin", b2)])
        self.assertOk(z.delete("twin", root=root2))
        self.assertNothingLeft()


# ====================================================================== main
def main(doc=__doc__, prog=None):
    """Parses the arguments into ARGS and runs the tests of the __main__
    module (this one, or a suite that reuses its fixtures)."""
    global ARGS
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runphi", required=True)
    ap.add_argument("--runc", required=True)
    ap.add_argument("--driver-dir", required=True)
    ap.add_argument("--platform", required=True)
    ARGS, rest = ap.parse_known_args()
    ARGS.runphi = os.path.abspath(ARGS.runphi)
    ARGS.driver_dir = os.path.abspath(ARGS.driver_dir)
    ARGS.platform = os.path.abspath(ARGS.platform)
    for path in (ARGS.runphi, ARGS.runc, os.path.join(ARGS.driver_dir, "libphi-driver-test.so"), ARGS.platform):
        if not os.path.exists(path):
            sys.exit("%s: %s does not exist" % (os.path.basename(prog or sys.argv[0]), path))
    if not REAPER.active:
        sys.stderr.write("partition_test.py: cannot become a child subreaper; container-process exit "
                         "statuses are checked only through `runphi run`\n")
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
