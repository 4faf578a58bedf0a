#!/usr/bin/env python3
"""End-to-end test: partitioned containers (ZICs) run by a real containerd
through runphi, next to an ordinary container runphi forwards to runc.

Usage (as root):
    python3 tests/e2e/containerd_zic_test.py --runphi build/default/shim/runphi \
        --runc /usr/sbin/runc --driver-dir build/default/tests/driver \
        --platform platform-templates/test-board.json [--keep-tmp] [-v]
        [unittest args, e.g. -k sigkill]

What it does: starts a throwaway containerd (containerd_env.py) whose
RUNPHI_CONFIG selects the test driver, a directory-backed fake hypervisor:

    {"backend": "test", "platform_template": <--platform>,
     "state_root": <tmp>/runphi-state, "runc_path": <--runc>,
     "driver_dir": <--driver-dir>,
     "log": {"path": <tmp>/runphi.log, "level": "debug", "journald": false}}

It builds two images with busybox_image.py: plain busybox, and a ZIC (the
same plus /boot/config.json {"os_var":"zephyr","inmate":"/boot/zephyr.bin"}
and a 4 KiB /boot/zephyr.bin). Both run with
`ctr run -d --runc-binary <runphi>`: runphi forwards the busybox container to
runc and makes the ZIC a partition of the test driver, whose container
process (the task's pid in containerd) is runphi-monitor.

Scenarios:
  1. a ZIC runs next to a busybox container: `ctr task ls` shows both
     RUNNING; the ZIC's task output (--log-uri file://) carries the guest
     console's "test-driver: partition <name> started"; the ledger holds its
     CPU and memory.
  2. containerd follows the guest: "shutdown" written into the partition's
     state makes the task STOPPED with exit status 0, "crashed" with 134,
     within GUEST_END_TIMEOUT (also once the guest ran long enough for
     runphi-monitor to poll only every 2 s).
  3. `ctr task kill -s SIGKILL` -> STOPPED, 137 (partition destroyed);
     `ctr task kill` (SIGTERM) -> the guest shuts down -> STOPPED, 0. After
     `ctr task rm` and `ctr c rm`: the ledger's allocations are empty, no
     partition directory remains, no runphi-monitor runs. (`ctr task rm -f`
     of a stopped ZIC.)
  4. the busybox container, started before all of them, is untouched (same
     pid, still RUNNING, exec works, never in runphi's state or ledger) and
     is then killed and removed as usual.

How exit statuses are read: `ctr task ls` shows only the status; ctr 1.6 has
no `task wait`. Two sources are used and must agree: the /tasks/exit event
(`ctr events` running in the background since setup; its JSON has no
"exit_status" key for 0) and `ctr task rm`, which logs the warning
"task <id> exit with non-zero exit code N" (nothing for 0).

Prints a closing line "containerd_zic_e2e: N passed, N failed, N skipped".
Skips (exit 0, "SKIP: <reason>") only when containerd, ctr or the runc v2
shim are not installed. Everything (tasks, containerd, runphi containers,
runphi-monitor processes, mounts, temp dirs) is torn down even on failure.
"""

import argparse
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
                            parse_exit_status, proc_comm_state, read_file)

ARGS = None          # parsed command line (set in main)
ENV = None           # the running ContainerdEnv (set in setUpModule)
EVENTS = None        # EventWatcher (ctr events) started in setUpModule
ZIC_IMAGE = None
BUSYBOX_IMAGE = None

ZIC_IMAGE_NAME = "docker.io/library/runphi-zic:latest"
ZIC_CONFIG = {"os_var": "zephyr", "inmate": "/boot/zephyr.bin"}
INMATE_SIZE = 4096
# runphi-monitor asks `runphi guest-status` at most every 2 s; a guest that
# ended must be seen by containerd well within this.
# runphi's exit statuses of a ZIC's container process (docs/partitions.md)
EXIT_SHUTDOWN, EXIT_CRASHED, EXIT_DESTROYED = 0, 134, 137


def _cleanup_env():
    if ENV is not None:
        ENV.stop()


def setUpModule():
    global ENV, EVENTS, ZIC_IMAGE, BUSYBOX_IMAGE
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
    monitor = os.path.join(os.path.dirname(ARGS.runphi), "runphi-monitor")
    if not os.access(monitor, os.X_OK):
        raise RuntimeError("%s not found beside runphi (build target runphi-monitor)" % monitor)
    lib = os.path.join(ARGS.driver_dir, "libphi-driver-test.so")
    if not os.path.isfile(lib):
        raise RuntimeError("%s not found (build target phi-driver-test)" % lib)
    if not os.path.isfile(ARGS.platform):
        raise RuntimeError("--platform %s is not a file" % ARGS.platform)

    ENV = ContainerdEnv(ARGS.runphi, ARGS.runc, keep_tmp=ARGS.keep_tmp,
                        prefix="runphi-zic-e2e-")
    ENV.runphi_config_data.update({
        "backend": "test",
        "platform_template": ARGS.platform,
        "driver_dir": ARGS.driver_dir,
        "log": {"path": ENV.runphi_log, "level": "debug", "journald": False},
    })
    # module cleanups also run when setUpModule fails part way
    unittest.addModuleCleanup(_cleanup_env)
    ENV.start()
    EVENTS = ENV.event_watcher()
    BUSYBOX_IMAGE = ENV.import_image()
    extra = os.path.join(ENV.tmp, "zic-files")
    os.makedirs(os.path.join(extra, "boot"))
    with open(os.path.join(extra, "boot", "config.json"), "w") as f:
        json.dump(ZIC_CONFIG, f)
    with open(os.path.join(extra, "boot", "zephyr.bin"), "wb") as f:
        f.write(b"\xaa" * INMATE_SIZE)
    ZIC_IMAGE = ENV.import_image(extra_files=extra, name=ZIC_IMAGE_NAME, tag="zic")


# --------------------------------------------------------------------------
# what runphi and the test driver leave on disk

def runphi_records():
    return containerd_env.runphi_records(ENV)


def driver_dir():
    return os.path.join(ENV.runphi_state, "drivers", "test")


def partitions():
    d = os.path.join(driver_dir(), "partitions")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def partition_state(name):
    return read_file(os.path.join(driver_dir(), "partitions", name, "state")).strip() or None


def set_partition_state(name, state):
    # renamed into place: the container process polls it (never half-written)
    path = os.path.join(driver_dir(), "partitions", name, "state")
    with open(path + ".tmp", "w") as f:
        f.write(state + "\n")
    os.replace(path + ".tmp", path)


def ops():
    return [tuple(line.split()) for line in read_file(
        os.path.join(driver_dir(), "ops.log")).splitlines() if line.strip()]


def ledger():
    return containerd_env.ledger(ENV, "test-board")


def ledger_entry(cid):
    return containerd_env.ledger_entry(ENV, "test-board", cid)


# --------------------------------------------------------------------------

class ZicE2E(containerd_env.ZicTaskCase):
    """All tests share one busybox container, started first and checked
    (and removed) last by test_4."""

    @classmethod
    def context(cls):
        return ENV, EVENTS, BUSYBOX_IMAGE

    # ---- helpers -----------------------------------------------------------
    def run_zic(self, cid):
        """`ctr run -d --runc-binary runphi` of the ZIC image; waits for
        RUNNING and the console line. Returns (output file, partition name,
        task pid)."""
        out = os.path.join(ENV.tmp, "%s.out" % cid)
        self.addCleanup(ENV.force_remove, cid)
        t0 = time.monotonic()
        r = ENV.ctr("run", "-d", "--runc-binary", ENV.runphi,
                    "--log-uri", "file://" + out, ZIC_IMAGE, cid)
        self.assertRc(r, 0, "ctr run -d of the ZIC")
        self.assertEqual(ENV.wait_status(cid, "RUNNING"), "RUNNING", self.explain())
        log("%s: ZIC running %.2fs after ctr run -d" % (cid, time.monotonic() - t0))
        rec = runphi_records().get(cid)
        self.assertIsNotNone(rec, "runphi holds no state for ZIC %s\n%s"
                             % (cid, self.explain()))
        name = rec["partition_name"]
        self.assertIn(name, partitions())
        self.assertEqual(partition_state(name), "running")
        console = "test-driver: partition %s started\n" % name
        self.wait_for(lambda: console in read_file(out),
                      "%r in the task output %s (has %r)" % (console, out, read_file(out)))
        pid = ENV.tasks()[cid][0]
        return out, name, pid

    def remove_zic(self, cid, name, want_status):
        """ctr task rm (its exit status must be want_status), ctr c rm; then
        nothing of the ZIC is left: runphi state, partition, ledger
        allocation, runphi-monitor."""
        d = ENV.ctr("task", "rm", cid)
        self.assertRc(d, 0, "ctr task rm")
        self.assertEqual(parse_exit_status(d), want_status, "ctr task rm:\n%r" % d)
        self.assertIsNone(ENV.task_status(cid))
        c = ENV.ctr("containers", "rm", cid)
        self.assertRc(c, 0, "ctr containers rm")
        self.assertNotIn(cid, ENV.containers())
        self.assertNotIn(cid, runphi_records(), self.explain())
        self.assertNotIn(name, partitions(), self.explain())
        self.assertIn(("destroy", name), ops())
        # only this ZIC ran: the ledger must be back to nothing
        self.assertEqual(ledger(), {}, "ledger after removing %s\n%s" % (cid, self.explain()))
        self.wait_for(lambda: not ENV.monitor_pids(), "no runphi-monitor left (have %s)"
                      % ENV.monitor_pids(), timeout=5)
        # the busybox container next to it is still there
        self.assertEqual(ENV.task_status(self.bb), "RUNNING")

    # ---- 1 ---------------------------------------------------------------------
    def test_1_zic_runs_next_to_busybox(self):
        """ZIC and busybox both RUNNING; console line in the ZIC's output;
        the ZIC's task is runphi-monitor and holds its resources."""
        cid = "zic-run-%d" % os.getpid()
        out, name, pid = self.run_zic(cid)
        tasks = ENV.tasks()  # one `ctr task ls` shows both
        self.assertEqual(tasks.get(cid, (0, None))[1], "RUNNING", tasks)
        self.assertEqual(tasks.get(self.bb, (0, None))[1], "RUNNING", tasks)
        # the task's pid is the container process: runphi-monitor
        self.assertEqual(pid, runphi_records()[cid]["pid"])
        self.assertEqual((proc_comm_state(pid) or ("gone",))[0], "runphi-monitor")
        self.assertIn(pid, ENV.monitor_pids())
        # created and started through the test driver
        self.assertIn(("create", name), ops())
        self.assertIn(("start", name), ops())
        # default request on test-board: 1 CPU of the pool, 64 MiB
        owner, alloc = ledger_entry(cid)
        self.assertIsNotNone(owner, "no ledger entry for %s: %s" % (cid, ledger()))
        self.assertEqual(len(alloc["cpus"]), 1, alloc)
        self.assertIn(alloc["cpus"][0], (1, 2, 3), alloc)
        self.assertEqual(sum(m["size"] for m in alloc["memory"]), 64 << 20, alloc)
        self.assertEqual(list(ledger()), [owner], "only the ZIC is in the ledger")
        # runphi's log: the ZIC went to the partition engine, busybox to runc
        text = ENV.runphi_log_text()
        self.assertRegex(text, r"\[%s\] created partition %s on test-board"
                         % (re.escape(cid), re.escape(name)))
        self.assertRegex(text, r"\[%s\] forwarding `create` to " % re.escape(self.bb))
        self.assertNotIn(self.bb, runphi_records())
        log("(1) %s: partition %s, monitor pid %d, cpus %s, output %r"
            % (cid, name, pid, alloc["cpus"], read_file(out)))
        # leave no trace (SIGKILL; its own checks are in test_3a)
        ENV.ctr("task", "kill", "-s", "SIGKILL", cid)
        self.stopped_with(cid, EXIT_DESTROYED, time.monotonic())
        self.remove_zic(cid, name, EXIT_DESTROYED)

    # ---- 2 ---------------------------------------------------------------------
    def _guest_ends(self, tag, state, want, settle=0.0):
        cid = "zic-%s-%d" % (tag, os.getpid())
        out, name, pid = self.run_zic(cid)
        # settle > 3.1 s: runphi-monitor has backed off to polling every 2 s
        time.sleep(settle)
        self.assertEqual(ENV.task_status(cid), "RUNNING")
        t0 = time.monotonic()
        set_partition_state(name, state)
        took = self.stopped_with(cid, want, t0)
        self.assertIsNone(proc_comm_state(pid), "runphi-monitor %d still there" % pid)
        # containerd did not ask for it: no kill, no shutdown from runphi
        self.assertNotIn(("shutdown", name), ops())
        self.assertNotIn(("destroy", name), ops())
        # the guest's partition stays until the task is deleted
        self.assertIn(name, partitions())
        self.remove_zic(cid, name, want)
        log("(2) guest %s after %.1fs -> STOPPED %d in %.2fs" % (state, settle, want, took))

    def test_2a_guest_shutdown(self):
        """Guest shuts down by itself -> STOPPED, exit status 0."""
        self._guest_ends("shutdown", "shutdown", EXIT_SHUTDOWN)

    def test_2a_guest_shutdown_later(self):
        """Same after the guest ran for a while (the monitor polls slowly
        then): still STOPPED 0 within the bound."""
        self._guest_ends("shutdown-later", "shutdown", EXIT_SHUTDOWN, settle=4.5)

    def test_2b_guest_crash(self):
        """Guest crashes -> STOPPED, exit status 134."""
        self._guest_ends("crash", "crashed", EXIT_CRASHED)

    # ---- 3 ---------------------------------------------------------------------
    def test_3a_kill_sigkill(self):
        """ctr task kill -s SIGKILL -> partition destroyed -> STOPPED, 137."""
        cid = "zic-kill-%d" % os.getpid()
        out, name, pid = self.run_zic(cid)
        t0 = time.monotonic()
        k = ENV.ctr("task", "kill", "-s", "SIGKILL", cid)
        self.assertRc(k, 0, "ctr task kill -s SIGKILL")
        took = self.stopped_with(cid, EXIT_DESTROYED, t0)
        self.assertIn(("destroy", name), ops())
        self.assertNotIn(name, partitions())
        self.assertIsNone(proc_comm_state(pid), "runphi-monitor %d still there" % pid)
        self.remove_zic(cid, name, EXIT_DESTROYED)
        log("(3) SIGKILL -> STOPPED 137 in %.2fs" % took)

    def test_3b_kill_sigterm(self):
        """ctr task kill (SIGTERM) -> guest shut down -> STOPPED, 0."""
        cid = "zic-term-%d" % os.getpid()
        out, name, pid = self.run_zic(cid)
        t0 = time.monotonic()
        k = ENV.ctr("task", "kill", cid)
        self.assertRc(k, 0, "ctr task kill")
        took = self.stopped_with(cid, EXIT_SHUTDOWN, t0)
        self.assertIn(("shutdown", name), ops())
        self.assertNotIn(("destroy", name), ops())
        self.assertEqual(partition_state(name), "shutdown")
        self.assertIsNone(proc_comm_state(pid), "runphi-monitor %d still there" % pid)
        self.remove_zic(cid, name, EXIT_SHUTDOWN)
        log("(3) SIGTERM -> STOPPED 0 in %.2fs" % took)

    # ctr's -f sends `kill --all <id> 9` before deleting: like runc, runphi
    # accepts it on a stopped container (and a plain kill answers "container
    # not running", which the runc.v2 shim reads as "already finished").
    def test_3c_task_rm_force_after_stop(self):
        """ctr task rm -f of a STOPPED ZIC removes it, as for runc."""
        cid = "zic-rmf-%d" % os.getpid()
        out, name, pid = self.run_zic(cid)
        t0 = time.monotonic()
        self.assertRc(ENV.ctr("task", "kill", "-s", "SIGKILL", cid), 0, "ctr task kill")
        self.stopped_with(cid, EXIT_DESTROYED, t0)
        d = ENV.ctr("task", "rm", "-f", cid)
        said = [l for l in d.err.splitlines() if l.startswith("ctr:")]
        log("(3c) ctr task rm -f of STOPPED %s: rc=%d %s" % (cid, d.rc, said[-1:] or d.err[-200:]))
        self.assertRc(d, 0, "ctr task rm -f of a STOPPED ZIC")
        self.assertEqual(parse_exit_status(d), EXIT_DESTROYED, repr(d))
        self.assertIsNone(ENV.task_status(cid))
        self.assertRc(ENV.ctr("containers", "rm", cid), 0, "ctr containers rm")
        self.assertNotIn(cid, runphi_records())
        self.assertEqual(ledger(), {})
        self.assertEqual(partitions(), [])

    # ---- 4 ---------------------------------------------------------------------
    def test_4_busybox_untouched_then_removed(self):
        """The busybox container is as it was started, then goes the usual
        way: SIGKILL -> STOPPED 137, task rm, container rm."""
        bb = self.bb
        tasks = ENV.tasks()
        self.assertEqual(tasks.get(bb), (self.bb_pid, "RUNNING"), tasks)
        # the very same process (pid and start time)
        self.assertEqual(read_file("/proc/%d/stat" % self.bb_pid).split(")")[-1].split()[19],
                         self.bb_stat.split(")")[-1].split()[19])
        self.assertEqual(proc_comm_state(self.bb_pid)[0], "sleep")
        self.assertEqual(read_file(self.bb_out), "bb-ready\n")
        e = ENV.ctr("task", "exec", "--exec-id", "x1", bb, "sh", "-c", "echo exec-ok; exit 5")
        self.assertEqual((e.out, e.rc), ("exec-ok\n", 5), repr(e))
        # runphi never held it
        self.assertNotIn(bb, runphi_records())
        self.assertIsNone(ledger_entry(bb)[0])
        lines = [l for l in ENV.runphi_log_text().splitlines() if "[%s]" % bb in l]
        self.assertTrue(lines, "no runphi log line for %s" % bb)
        self.assertTrue(all("forwarding `" in l for l in lines),
                        "runphi did more than forward %s:\n%s" % (bb, "\n".join(lines)))
        t0 = time.monotonic()
        k = ENV.ctr("task", "kill", "-s", "SIGKILL", bb)
        self.assertRc(k, 0, "ctr task kill -s SIGKILL busybox")
        self.stopped_with(bb, 137, t0)
        d = ENV.ctr("task", "rm", bb)
        self.assertRc(d, 0, "ctr task rm busybox")
        self.assertEqual(parse_exit_status(d), 137, repr(d))
        c = ENV.ctr("containers", "rm", bb)
        self.assertRc(c, 0, "ctr containers rm busybox")
        self.assertIsNone(ENV.task_status(bb))
        self.assertNotIn(bb, ENV.containers())
        self.assertFalse(os.path.exists(os.path.join(ENV.runc_root, bb)),
                         "runc state of %s left behind" % bb)
        self.assertIsNone(proc_comm_state(self.bb_pid))
        # and overall nothing is left
        self.assertEqual(ledger(), {})
        self.assertEqual(partitions(), [])
        self.assertEqual(runphi_records(), {})
        self.assertEqual(ENV.monitor_pids(), [])
        log("(4) busybox %s untouched, then removed (137)" % bb)


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runphi", required=True, help="runphi binary under test")
    ap.add_argument("--runc", required=True, help="the real runc binary")
    ap.add_argument("--driver-dir", required=True,
                    help="directory holding libphi-driver-test.so")
    ap.add_argument("--platform", required=True,
                    help="platform template for the test driver (test-board.json)")
    ap.add_argument("--keep-tmp", action="store_true",
                    help="keep the temp dir (containerd is still stopped)")
    ARGS, rest = ap.parse_known_args()
    ARGS.runphi = os.path.abspath(ARGS.runphi)
    ARGS.runc = os.path.abspath(ARGS.runc)
    ARGS.driver_dir = os.path.abspath(ARGS.driver_dir)
    ARGS.platform = os.path.abspath(ARGS.platform)
    containerd_env.run_unittest_main("containerd_zic_e2e", [sys.argv[0]] + rest,
                                     _cleanup_env)


if __name__ == "__main__":
    main()
