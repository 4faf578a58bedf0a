#!/usr/bin/env python3
"""End-to-end test: partitioned containers (ZICs) run by a real containerd
through runphi and the Jailhouse driver on a simulated qemu-arm64 board, next
to an ordinary container runphi forwards to runc.

Usage (as root):
    python3 tests/e2e/containerd_jailhouse_test.py --runphi build/default/shim/runphi \
        --runc /usr/sbin/runc --driver-dir build/default/drivers \
        --platform platform-templates/qemu-arm64.json [--keep-tmp] [-v]
        [unittest args, e.g. -k sigterm]

What it does: starts a throwaway containerd (containerd_env.py) whose
RUNPHI_CONFIG selects the Jailhouse driver:

    {"backend": "jailhouse", "platform_template": <tmp>/qemu-arm64.json,
     "state_root": <tmp>/runphi-state, "runc_path": <--runc>,
     "driver_dir": <--driver-dir>, "log": {...}}

The platform template is a copy of --platform whose jailhouse.cli is the
simulated CLI (tests/sim/jailhouse/jailhouse), sysfs_root
$JAILHOUSE_SIM_ROOT/sys/devices/jailhouse and console_relay the simulator's
per-cell console (`jailhouse-sim console {name} -f`), as in
tests/jailhouse/jailhouse_test.py. The simulator root lives in the temp dir,
is initialised with `jailhouse-sim init` from the template (4 CPUs, all in
the root cell; its memory pool) and JAILHOUSE_SIM_ROOT is in containerd's
environment, so the shims, runphi, runphi-monitor and every `jailhouse`
call inherit it.

Images (busybox_image.py): plain busybox, and a ZIC (busybox plus
/boot/config.json {"os_var": "zephyr", "inmate": "/boot/zephyr.bin",
"starting_vaddress": "0x70100000"} and the inmate /boot/zephyr.bin, a short
text so the simulated cell's console echoes it).

Scenarios:
  1. a ZIC runs next to a busybox container: one `ctr task ls` shows both
     RUNNING; the cell is "running" in the simulator's sysfs, its CPUs left
     the root cell, the ledger holds its CPUs and memory, the exact
     `jailhouse` commands ran, the task output (--log-uri) shows the
     cell's console ("Hello from cell <name>").
  2. `ctr task kill -s SIGKILL` -> STOPPED, exit status 137, the cell is
     destroyed; after `ctr task rm` / `ctr c rm`: ledger without
     allocations, the root cell has all CPUs again, cells/ has only the root
     cell, no runphi-monitor.
  3. `ctr task kill` (SIGTERM) of another ZIC -> `jailhouse cell shutdown`
     -> STOPPED, exit status 0; the cell stays ("shut down") until the task
     is deleted, then everything is released as in 2.
  4. the busybox container, started first, is untouched (same pid, RUNNING,
     exec works, never in runphi's state or the ledger) and is then killed
     and removed as usual.

Exit statuses come from the /tasks/exit event (`ctr events` in the
background) and must agree with `ctr task rm`'s warning.

Prints a closing line "containerd_jailhouse_e2e: N passed, N failed, N skipped".
Skips (exit 0, "SKIP: <reason>") only when containerd, ctr or the runc v2
shim are not installed. Everything (tasks, containerd, runphi containers,
runphi-monitor processes, mounts, temp dirs incl. the simulator root) is
torn down even on failure.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import containerd_env  # noqa: E402
from containerd_env import (STATE_TIMEOUT, ContainerdEnv, log,  # noqa: E402
                            parse_exit_status, proc_comm_state, read_file)

SIM_DIR = os.path.normpath(os.path.join(HERE, "..", "sim", "jailhouse"))

ARGS = None          # parsed command line (set in main)
ENV = None           # the running ContainerdEnv (set in setUpModule)
EVENTS = None        # EventWatcher (ctr events) started in setUpModule
TEMPLATE = None      # the platform template as given to runphi
SIM_ROOT = None      # $JAILHOUSE_SIM_ROOT
ZIC_IMAGE = None
BUSYBOX_IMAGE = None

ZIC_IMAGE_NAME = "docker.io/library/runphi-zic-jailhouse:latest"
LOAD_ADDRESS = "0x70100000"
ZIC_CONFIG = {"os_var": "zephyr", "inmate": "/boot/zephyr.bin",
              "starting_vaddress": LOAD_ADDRESS}
INMATE = b"hello from zephyr on jailhouse\n".ljust(4096, b"\0")
EXIT_SHUTDOWN, EXIT_CRASHED, EXIT_DESTROYED = 0, 134, 137


def _cleanup_env():
    if ENV is not None:
        ENV.stop()


def sim_tool(name):
    return os.path.join(SIM_DIR, name)


def setUpModule():
    global ENV, EVENTS, TEMPLATE, SIM_ROOT, ZIC_IMAGE, BUSYBOX_IMAGE
    missing = containerd_env.missing_tools()
    if missing:
        msg = "%s not installed (apt-get install containerd)" % ", ".join(missing)
        print("SKIP: %s" % msg, flush=True)
        raise unittest.SkipTest(msg)
    if os.geteuid() != 0:
        raise RuntimeError("the containerd e2e test must run as root")
    for what, path in (("--runphi", ARGS.runphi), ("--runc", ARGS.runc),
                       ("simulator", sim_tool("jailhouse")),
                       ("simulator", sim_tool("jailhouse-sim"))):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise RuntimeError("%s %s is not an executable file" % (what, path))
    monitor = os.path.join(os.path.dirname(ARGS.runphi), "runphi-monitor")
    if not os.access(monitor, os.X_OK):
        raise RuntimeError("%s not found beside runphi (build target runphi-monitor)" % monitor)
    lib = os.path.join(ARGS.driver_dir, "libphi-driver-jailhouse.so")
    if not os.path.isfile(lib):
        raise RuntimeError("%s not found (build target phi-driver-jailhouse)" % lib)
    if not os.path.isfile(ARGS.platform):
        raise RuntimeError("--platform %s is not a file" % ARGS.platform)

    ENV = ContainerdEnv(ARGS.runphi, ARGS.runc, keep_tmp=ARGS.keep_tmp,
                        prefix="runphi-jh-e2e-")
    # module cleanups also run when setUpModule fails part way
    unittest.addModuleCleanup(_cleanup_env)

    # the simulator, before containerd starts: it inherits JAILHOUSE_SIM_ROOT
    SIM_ROOT = os.path.join(ENV.tmp, "jailhouse-sim")
    os.makedirs(SIM_ROOT)
    os.environ["JAILHOUSE_SIM_ROOT"] = SIM_ROOT
    os.environ.pop("JAILHOUSE_SIM_INVARIANTS", None)
    with open(ARGS.platform) as f:
        TEMPLATE = json.load(f)
    if TEMPLATE.get("driver") != "jailhouse":
        raise RuntimeError("--platform %s is not a Jailhouse template" % ARGS.platform)
    jh = TEMPLATE["jailhouse"]
    jh["cli"] = sim_tool("jailhouse")
    jh["sysfs_root"] = os.path.join(SIM_ROOT, "sys/devices/jailhouse")
    jh["console_relay"] = {"argv": [sim_tool("jailhouse-sim"), "console", "{name}", "-f"]}
    platform_path = os.path.join(ENV.tmp, TEMPLATE["name"] + ".json")
    with open(platform_path, "w") as f:
        json.dump(TEMPLATE, f, indent=1)
    argv = [sim_tool("jailhouse-sim"), "init", "--cpus", str(TEMPLATE["cpus"]["count"]),
            "--root-cpus", all_cpus(), "--dialect", TEMPLATE["dialect"],
            "--arch", TEMPLATE.get("arch", "arm64")]
    for r in TEMPLATE["memory"]["pool"]:
        argv += ["--memory", "%s:%s" % (r["start"], r["size"])]
    containerd_env.run_cmd(argv, check=True)
    log("jailhouse simulator initialised in %s" % SIM_ROOT)

    ENV.runphi_config_data.update({
        "backend": "jailhouse",
        "platform_template": platform_path,
        "driver_dir": ARGS.driver_dir,
        "log": {"path": ENV.runphi_log, "level": "debug", "journald": False},
    })
    ENV.start()
    EVENTS = ENV.event_watcher()
    BUSYBOX_IMAGE = ENV.import_image()
    extra = os.path.join(ENV.tmp, "zic-files")
    os.makedirs(os.path.join(extra, "boot"))
    with open(os.path.join(extra, "boot", "config.json"), "w") as f:
        json.dump(ZIC_CONFIG, f)
    with open(os.path.join(extra, "boot", "zephyr.bin"), "wb") as f:
        f.write(INMATE)
    ZIC_IMAGE = ENV.import_image(extra_files=extra, name=ZIC_IMAGE_NAME, tag="zic")


# --------------------------------------------------------------------------
# what runphi and the simulator leave on disk

def all_cpus():
    return "0-%d" % (TEMPLATE["cpus"]["count"] - 1)


def parse_cpulist(text):
    cpus = set()
    for part in text.strip().split(","):
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-")
            cpus.update(range(int(a), int(b) + 1))
        else:
            cpus.add(int(part))
    return cpus


def runphi_records():
    return containerd_env.runphi_records(ENV)


def sysfs(rel):
    return os.path.join(SIM_ROOT, "sys/devices/jailhouse", rel)


def cell_dirs():
    """Entries of the simulated sysfs cells/ directory ("0" is the root)."""
    d = sysfs("cells")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def sim_cells():
    """{name: state} of the non-root cells in the simulated sysfs."""
    cells = {}
    for entry in cell_dirs():
        if entry == "0":
            continue
        name = read_file(sysfs("cells/%s/name" % entry)).strip()
        cells[name] = read_file(sysfs("cells/%s/state" % entry)).strip()
    return cells


def root_cpus():
    return read_file(sysfs("cells/0/cpus_assigned_list")).strip()


def commands():
    """Every `jailhouse` argv the simulator saw, argv[0] dropped."""
    out = []
    for line in read_file(os.path.join(SIM_ROOT, "commands.log")).splitlines():
        if line.strip():
            out.append(json.loads(line)[1:])
    return out


def cell_commands(name):
    return [c for c in commands() if name in c]


def ledger():
    return containerd_env.ledger(ENV, "qemu-arm64")


def ledger_entry(cid):
    return containerd_env.ledger_entry(ENV, "qemu-arm64", cid)


# --------------------------------------------------------------------------

class JailhouseE2E(containerd_env.ZicTaskCase):
    """All tests share one busybox container, started first and checked
    (and removed) last by test_4."""

    @classmethod
    def context(cls):
        return ENV, EVENTS, BUSYBOX_IMAGE

    # ---- helpers -----------------------------------------------------------
    def explain(self, res=None):
        return ("%s\n--- runphi log (tail) ---\n%s\n--- containerd log (tail) ---\n%s"
                "\n--- jailhouse commands ---\n%s\n--- kernel.log (tail) ---\n%s"
                "\n--- sim cells ---\n%s root cpus %r" % (
                    repr(res) if res is not None else "",
                    "".join(ENV.runphi_log_text().splitlines(True)[-30:]), ENV.log_tail(20),
                    "\n".join(map(str, commands()[-20:])),
                    read_file(os.path.join(SIM_ROOT, "kernel.log"))[-2000:],
                    sim_cells(), root_cpus()))

    def assertNothingLeft(self):
        """No allocation, no cell but the root, all CPUs in the root cell,
        no runphi state, no runphi-monitor."""
        self.assertEqual(ledger(), {}, "ledger allocations\n" + self.explain())
        self.assertEqual(cell_dirs(), ["0"], "sysfs cells/\n" + self.explain())
        self.assertEqual(root_cpus(), all_cpus(), "root cell CPUs\n" + self.explain())
        self.assertEqual(runphi_records(), {}, self.explain())
        self.wait_for(lambda: not ENV.monitor_pids(), "no runphi-monitor left (have %s)"
                      % ENV.monitor_pids(), timeout=5)

    def run_zic(self, cid):
        """`ctr run -d --runc-binary runphi` of the ZIC image; waits for
        RUNNING and the cell's console line in the task output. Returns
        (output file, cell name, task pid)."""
        out = os.path.join(ENV.tmp, "%s.out" % cid)
        self.addCleanup(ENV.force_remove, cid)
        n_cmds = len(commands())
        t0 = time.monotonic()
        r = ENV.ctr("run", "-d", "--runc-binary", ENV.runphi,
                    "--log-uri", "file://" + out, ZIC_IMAGE, cid)
        self.assertRc(r, 0, "ctr run -d of the ZIC")
        self.assertEqual(ENV.wait_status(cid, "RUNNING"), "RUNNING", self.explain())
        log("%s: ZIC running %.2fs after ctr run -d" % (cid, time.monotonic() - t0))
        rec = runphi_records().get(cid)
        self.assertIsNotNone(rec, "runphi holds no state for ZIC %s\n%s"
                             % (cid, self.explain()))
        self.assertEqual(rec.get("backend"), "jailhouse", rec)
        name = rec["partition_name"]
        self.assertEqual(sim_cells().get(name), "running", self.explain())
        # exactly create, load (at starting_vaddress), start of this cell
        mine = commands()[n_cmds:]
        self.assertEqual([c[:2] + c[2:3] for c in mine],
                         [["cell", "create", c[2]] for c in mine[:1]]
                         + [["cell", "load", name], ["cell", "start", name]],
                         self.explain())
        self.assertTrue(mine[0][2].endswith("/%s.cell" % name), mine)
        self.assertEqual(mine[1][-2:], ["-a", LOAD_ADDRESS], mine)
        self.assertTrue(mine[1][3].endswith("/boot/zephyr.bin"), mine)
        console = "Hello from cell %s" % name
        self.wait_for(lambda: console in read_file(out),
                      "%r in the task output %s (has %r)" % (console, out, read_file(out)))
        pid = ENV.tasks()[cid][0]
        return out, name, pid

    def remove_zic(self, cid, name, want_status):
        d = ENV.ctr("task", "rm", cid)
        self.assertRc(d, 0, "ctr task rm")
        self.assertEqual(parse_exit_status(d), want_status, "ctr task rm:\n%r" % d)
        self.assertIsNone(ENV.task_status(cid))
        c = ENV.ctr("containers", "rm", cid)
        self.assertRc(c, 0, "ctr containers rm")
        self.assertNotIn(cid, ENV.containers())
        self.assertIn(["cell", "destroy", name], commands(), self.explain())
        self.assertNotIn(name, sim_cells())
        self.assertNothingLeft()
        self.assertEqual(ENV.task_status(self.bb), "RUNNING")

    def check_running_zic(self, cid, name, pid):
        """The ledger holds the ZIC's CPUs and memory; those CPUs left the
        root cell; its task is runphi-monitor."""
        owner, alloc = ledger_entry(cid)
        self.assertIsNotNone(owner, "no ledger entry for %s: %s" % (cid, ledger()))
        self.assertEqual(list(ledger()), [owner], "only the ZIC is in the ledger")
        self.assertTrue(alloc["cpus"], alloc)
        self.assertTrue(set(alloc["cpus"]) <= set(TEMPLATE["cpus"]["pool"]), alloc)
        size = sum(m["size"] for m in alloc["memory"])
        self.assertEqual(size, int(TEMPLATE["memory"]["default_partition_size"], 0), alloc)
        root = parse_cpulist(root_cpus())
        self.assertFalse(root & set(alloc["cpus"]),
                         "root cell %s still has the ZIC's CPUs %s" % (root_cpus(), alloc["cpus"]))
        self.assertEqual(root | set(alloc["cpus"]), parse_cpulist(all_cpus()))
        self.assertEqual(pid, runphi_records()[cid]["pid"])
        self.assertEqual((proc_comm_state(pid) or ("gone",))[0], "runphi-monitor")
        return alloc

    # ---- 1 + 2 -----------------------------------------------------------------
    def test_1_zic_runs_next_to_busybox_then_sigkill(self):
        """ZIC and busybox both RUNNING; the cell runs on the simulator with
        its CPUs out of the root cell; SIGKILL -> STOPPED 137, cell
        destroyed, CPUs and memory released."""
        cid = "zic-kill-%d" % os.getpid()
        out, name, pid = self.run_zic(cid)
        tasks = ENV.tasks()  # one `ctr task ls` shows both
        self.assertEqual(tasks.get(cid, (0, None))[1], "RUNNING", tasks)
        self.assertEqual(tasks.get(self.bb, (0, None))[1], "RUNNING", tasks)
        alloc = self.check_running_zic(cid, name, pid)
        text = ENV.runphi_log_text()
        self.assertRegex(text, r"\[%s\] forwarding `create` to " % re.escape(self.bb))
        self.assertNotIn(self.bb, runphi_records())
        # the inmate's text reached the console relay
        self.wait_for(lambda: "hello from zephyr on jailhouse" in read_file(out),
                      "the inmate preview in the task output (has %r)" % read_file(out))
        log("(1) %s: cell %s, cpus %s, root cpus %s, output %r"
            % (cid, name, alloc["cpus"], root_cpus(), read_file(out)))

        t0 = time.monotonic()
        k = ENV.ctr("task", "kill", "-s", "SIGKILL", cid)
        self.assertRc(k, 0, "ctr task kill -s SIGKILL")
        took = self.stopped_with(cid, EXIT_DESTROYED, t0)
        self.assertIn(["cell", "destroy", name], commands(), self.explain())
        self.assertNotIn(["cell", "shutdown", name], commands())
        self.assertNotIn(name, sim_cells(), self.explain())
        self.assertEqual(root_cpus(), all_cpus(), self.explain())
        self.assertIsNone(proc_comm_state(pid), "runphi-monitor %d still there" % pid)
        self.remove_zic(cid, name, EXIT_DESTROYED)
        log("(2) SIGKILL -> STOPPED 137 in %.2fs; all released" % took)

    # ---- 3 ---------------------------------------------------------------------
    def test_3_kill_sigterm_shuts_the_cell_down(self):
        """ctr task kill (SIGTERM) -> jailhouse cell shutdown -> STOPPED, 0;
        the cell stays until the task is deleted, then all is released."""
        cid = "zic-term-%d" % os.getpid()
        out, name, pid = self.run_zic(cid)
        self.check_running_zic(cid, name, pid)
        t0 = time.monotonic()
        k = ENV.ctr("task", "kill", cid)
        self.assertRc(k, 0, "ctr task kill")
        took = self.stopped_with(cid, EXIT_SHUTDOWN, t0)
        self.assertIn(["cell", "shutdown", name], commands(), self.explain())
        self.assertNotIn(["cell", "destroy", name], commands(), self.explain())
        self.assertEqual(sim_cells().get(name), "shut down", self.explain())
        self.assertIsNone(proc_comm_state(pid), "runphi-monitor %d still there" % pid)
        self.remove_zic(cid, name, EXIT_SHUTDOWN)
        log("(3) SIGTERM -> STOPPED 0 in %.2fs; all released" % took)

    # ---- 4 ---------------------------------------------------------------------
    def test_4_busybox_untouched_then_removed(self):
        """The busybox container is as it was started, then goes the usual
        way: SIGKILL -> STOPPED 137, task rm, container rm."""
        bb = self.bb
        tasks = ENV.tasks()
        self.assertEqual(tasks.get(bb), (self.bb_pid, "RUNNING"), tasks)
        self.assertEqual(read_file("/proc/%d/stat" % self.bb_pid).split(")")[-1].split()[19],
                         self.bb_stat.split(")")[-1].split()[19])
        self.assertEqual(proc_comm_state(self.bb_pid)[0], "sleep")
        self.assertEqual(read_file(self.bb_out), "bb-ready\n")
        e = ENV.ctr("task", "exec", "--exec-id", "x1", bb, "sh", "-c", "echo exec-ok; exit 5")
        self.assertEqual((e.out, e.rc), ("exec-ok\n", 5), repr(e))
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
        self.assertNothingLeft()
        log("(4) busybox %s untouched, then removed (137)" % bb)


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runphi", required=True, help="runphi binary under test")
    ap.add_argument("--runc", required=True, help="the real runc binary")
    ap.add_argument("--driver-dir", required=True,
                    help="directory holding libphi-driver-jailhouse.so")
    ap.add_argument("--platform", required=True,
                    help="Jailhouse platform template (qemu-arm64.json)")
    ap.add_argument("--keep-tmp", action="store_true",
                    help="keep the temp dir (containerd is still stopped)")
    ARGS, rest = ap.parse_known_args()
    ARGS.runphi = os.path.abspath(ARGS.runphi)
    ARGS.runc = os.path.abspath(ARGS.runc)
    ARGS.driver_dir = os.path.abspath(ARGS.driver_dir)
    ARGS.platform = os.path.abspath(ARGS.platform)
    containerd_env.run_unittest_main("containerd_jailhouse_e2e", [sys.argv[0]] + rest,
                                     _cleanup_env)


if __name__ == "__main__":
    main()
