#!/usr/bin/env python3
"""The Jailhouse driver through the real runphi and the Jailhouse simulator
(tests/sim/jailhouse, run as a black box): create/start/state/kill/delete of
bare-metal, Linux and RPU ZICs with the exact `jailhouse` command lines
checked against the simulator's commands.log, the generated cells checked
by the simulator's own decoder, and a failure injected at each command
leaving no cell, no allocation and no state behind.

usage: jailhouse_test.py --runphi <runphi> --runc <real runc>
                         --driver-dir <dir of libphi-driver-jailhouse.so>
                         --sim <tests/sim/jailhouse> --templates <platform-templates>
                         [unittest arguments, e.g. -k Linux]

Python 3 standard library only. Each test has its own simulator root, state
root, runc --root and runphi.json (tests/partition/zic_env.py).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "partition"))
import zic_env  # noqa: E402
from zic_env import REAPER, ZicEnv, alive, exit_code, platform_int  # noqa: E402

ARGS = None
WORKDIR = None

# The errno texts the simulated CLI prints (the real tool's): CLI §2.1.
IOCTL_ERRORS = {
    "cell create": "JAILHOUSE_CELL_CREATE: Cannot allocate memory",
    "cell load": "JAILHOUSE_CELL_LOAD: Invalid argument",
    "cell start": "JAILHOUSE_CELL_START: Operation not permitted",
    "cell shutdown": "JAILHOUSE_CELL_LOAD: Operation not permitted",
    "cell destroy": "JAILHOUSE_CELL_DESTROY: Operation not permitted",
}


def setUpModule():
    global WORKDIR
    WORKDIR = zic_env.fast_tmpdir("runphi-jh-shared-")


def tearDownModule():
    shutil.rmtree(WORKDIR, ignore_errors=True)


def sim_tool(name):
    return os.path.join(ARGS.sim, name)


class JailhouseTestCase(unittest.TestCase):
    board = "qemu-arm64"
    invariants = True  # the simulator's runtime invariants (tests/sim/README.md)

    def setUp(self):
        self.tmp = zic_env.fast_tmpdir("runphi-jh-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.sim_root = os.path.join(self.tmp, "sim")
        os.makedirs(self.sim_root)
        # runphi and every jailhouse call it makes inherit the simulator root.
        os.environ["JAILHOUSE_SIM_ROOT"] = self.sim_root
        if self.invariants:
            os.environ.pop("JAILHOUSE_SIM_INVARIANTS", None)
        else:
            os.environ["JAILHOUSE_SIM_INVARIANTS"] = "0"
        with open(os.path.join(ARGS.templates, self.board + ".json")) as f:
            self.template = json.load(f)
        jh = self.template["jailhouse"]
        jh["cli"] = sim_tool("jailhouse")
        jh["sysfs_root"] = os.path.join(self.sim_root, "sys/devices/jailhouse")
        jh["rcpu_firmware_dir"] = os.path.join(self.sim_root, "lib/firmware")
        # Each container sees its own cell's console (its UART in the simulator).
        jh["console_relay"] = {"argv": [sim_tool("jailhouse-sim"), "console", "{name}", "-f"]}
        self.platform_path = os.path.join(self.tmp, self.board + ".json")
        with open(self.platform_path, "w") as f:
            json.dump(self.template, f, indent=1)
        self.sim_init()
        self.z = ZicEnv(ARGS.runphi, ARGS.runc, ARGS.driver_dir, self.platform_path, WORKDIR,
                        extra_config={"backend": "jailhouse"})
        self.addCleanup(self.z.cleanup)

    def sim_init(self, *extra):
        t = self.template
        argv = [sim_tool("jailhouse-sim"), "init", "--cpus", str(t["cpus"]["count"]),
                "--root-cpus", "0-%d" % (t["cpus"]["count"] - 1), "--dialect", t["dialect"]]
        for r in t["memory"]["pool"]:
            argv += ["--memory", "%s:%s" % (r["start"], r["size"])]
        if t["dialect"] in ("runphi-omnivisor", "omnivisor-rev14"):
            argv += ["--rcpus", "2"]
        subprocess.run(argv + list(extra), check=True, stdout=subprocess.DEVNULL)

    # ------------------------------------------------------------ helpers
    def explain(self, r=None):
        return "%s\n--- runphi log (tail) ---\n%s\n--- kernel.log ---\n%s\n--- commands ---\n%s" % (
            r if r is not None else "", self.z.log_tail(), self.read_sim("kernel.log")[-3000:],
            "\n".join(map(str, self.commands())))

    def assertOk(self, r):
        self.assertEqual(r.returncode, 0, self.explain(r))
        return r

    def assertFails(self, r, *needles):
        self.assertIsInstance(r.returncode, int, self.explain(r))
        self.assertGreater(r.returncode, 0, self.explain(r))
        self.assertLess(r.returncode, 125, "crashed? " + self.explain(r))
        for needle in needles:
            self.assertIn(needle, r.stderr, self.explain(r))

    def read_sim(self, rel):
        try:
            with open(os.path.join(self.sim_root, rel), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def commands(self):
        """Every jailhouse argv the simulator saw, argv[0] dropped."""
        out = []
        for line in self.read_sim("commands.log").splitlines():
            if line.strip():
                out.append(json.loads(line)[1:])
        return out

    def runphi_commands(self):
        """Only the commands runphi ran (the console relay is not a jailhouse call)."""
        return self.commands()

    def sim_cells(self):
        """{name: (id, state)} of the non-root cells in the simulated sysfs."""
        cells = {}
        base = os.path.join(self.sim_root, "sys/devices/jailhouse/cells")
        if not os.path.isdir(base):
            return cells
        for entry in os.listdir(base):
            if entry == "0":
                continue
            with open(os.path.join(base, entry, "name")) as f:
                name = f.read().strip()
            with open(os.path.join(base, entry, "state")) as f:
                cells[name] = (int(entry), f.read().strip())
        return cells

    def root_cpus(self):
        with open(os.path.join(self.sim_root, "sys/devices/jailhouse/cells/0/cpus_assigned_list")) as f:
            return f.read().strip()

    def sim_decode(self, path):
        r = subprocess.run([sim_tool("jailhouse-sim"), "decode", path, "--dialect", self.template["dialect"]],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return json.loads(r.stdout)

    def set_fail(self, entry):
        with open(os.path.join(self.sim_root, "fail"), "w") as f:
            f.write(entry + "\n")

    def clear_fail(self):
        try:
            os.unlink(os.path.join(self.sim_root, "fail"))
        except FileNotFoundError:
            pass

    def bundle(self, name="zic", zic=None, files=None, **kw):
        path = self.z.bundle(name, zic=zic, **kw)
        rootfs = os.path.join(path, "rootfs")
        for rel, data in (files or {}).items():
            p = os.path.join(rootfs, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        return path

    def boot_file(self, cid, rel):
        """Where runphi pinned boot file `rel` of container `cid`: the
        jailhouse CLI is given these, never the rootfs's paths."""
        return os.path.join(self.z.container_dir(cid), "boot-files", rel)

    def record(self, cid):
        rec = self.z.record(cid)
        self.assertIsNotNone(rec, self.explain())
        return rec

    def workdir(self, cid):
        return os.path.join(self.z.container_dir(cid), "driver")

    def cell_file(self, cid, name):
        return os.path.join(self.workdir(cid), name + ".cell")

    def wait_for(self, predicate, what, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("timed out waiting for " + what + "\n" + self.explain())
            time.sleep(0.05)

    def status(self, cid):
        st = self.z.state(cid)
        return st and st["status"]

    def assertNothingLeft(self):
        self.assertEqual(self.sim_cells(), {}, self.explain())
        self.assertEqual(self.root_cpus(), "0-%d" % (self.template["cpus"]["count"] - 1), self.explain())
        self.assertEqual(self.z.ledger(), {}, self.explain())
        self.assertEqual(self.z.container_dirs(), [], self.explain())
        fw = os.path.join(self.sim_root, "lib/firmware")
        if os.path.isdir(fw):
            self.assertEqual(os.listdir(fw), [], self.explain())
        self.wait_for(lambda: not self.z.monitors(), "container processes to exit")


# ====================================================================== bare-metal
class BareMetal(JailhouseTestCase):
    def test_lifecycle_with_exact_commands(self):
        b = self.bundle("bm", files={"boot/zephyr.bin": b"hello from zephyr\n"})
        r = self.z.create("bm1", b)
        self.assertOk(r)
        name = self.record("bm1")["partition_name"]
        cell = self.cell_file("bm1", name)
        image = self.boot_file("bm1", "boot/zephyr.bin")
        self.assertEqual(self.runphi_commands(), [
            ["cell", "create", cell],
            ["cell", "load", name, image, "-a", "0x70000000"],
        ])
        self.assertTrue(os.path.exists(os.path.join(self.workdir("bm1"), name + ".c")))
        self.assertEqual(self.sim_cells(), {name: (1, "shut down")})
        self.assertEqual(self.status("bm1"), "created")
        # The CPUs left the root cell; qemu keeps CPU 3 for Linux.
        self.assertEqual(self.root_cpus(), "1-3")

        self.assertOk(self.z.run("start", "bm1"))
        self.assertEqual(self.runphi_commands()[2:], [["cell", "start", name]])
        self.assertEqual(self.sim_cells()[name][1], "running")
        self.assertEqual(self.status("bm1"), "running")
        # The cell's console reaches the container process's stdout.
        pid = self.record("bm1")["pid"]
        self.wait_for(lambda: "Hello from cell " + name in self.monitor_output(pid), "the console relay")

        self.assertOk(self.z.run("kill", "bm1", "TERM"))
        self.assertEqual(self.runphi_commands()[3:], [["cell", "shutdown", name]])
        self.assertEqual(self.sim_cells()[name][1], "shut down")
        self.assertEqual(self.status("bm1"), "stopped")
        self.assertEqual(exit_code(REAPER.status_of(pid)), 0)

        self.assertOk(self.z.delete("bm1", force=False))
        self.assertEqual(self.runphi_commands()[4:], [["cell", "destroy", name]])
        self.assertNothingLeft()

    def monitor_output(self, pid):
        """What the container process wrote to stdout (the create call's stdout file)."""
        try:
            target = os.readlink("/proc/%d/fd/1" % pid)
        except OSError:
            return ""
        try:
            with open(target, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def test_starting_vaddress_is_load_and_reset_address(self):
        b = self.bundle("bm", zic={"os_var": "baremetal", "inmate": "/boot/zephyr.bin",
                                   "starting_vaddress": "0x70100000"})
        self.assertOk(self.z.create("sv", b))
        name = self.record("sv")["partition_name"]
        self.assertEqual(self.runphi_commands()[1][-2:], ["-a", "0x70100000"])
        dec = self.sim_decode(self.cell_file("sv", name))
        self.assertEqual(dec["header"]["cpu_reset_address"], 0x70100000)
        self.assertOk(self.z.delete("sv"))
        self.assertNothingLeft()

    def test_net_adds_ivshmem_regions_and_devices_and_nothing_without(self):
        off = self.bundle("off", zic={"os_var": "zephyr", "inmate": "/boot/zephyr.bin", "net": "none"})
        on = self.bundle("on", zic={"os_var": "zephyr", "inmate": "/boot/zephyr.bin", "net": "virtual"})
        self.assertOk(self.z.create("off", off))
        self.assertOk(self.z.create("on", on))
        d_off = self.sim_decode(self.cell_file("off", self.record("off")["partition_name"]))
        d_on = self.sim_decode(self.cell_file("on", self.record("on")["partition_name"]))
        self.assertEqual(d_off["problems"], [])
        self.assertEqual(d_on["problems"], [])
        # Without net: UART, RAM0, RAM, comm region; no PCI device at all.
        self.assertEqual(d_off["header"]["num_memory_regions"], 4)
        self.assertEqual(d_off["header"]["num_pci_devices"], 0)
        self.assertEqual(d_off["pci_devices"], [])
        # With net: + 5 demo regions + 4 ivshmem-net regions, 2 devices.
        self.assertEqual(d_on["header"]["num_memory_regions"], 13)
        self.assertEqual(d_on["header"]["num_pci_devices"], 2)
        bdf = self.z.ledger()[self.z.owner("on")]["pci_bdfs"][0]
        self.assertEqual(d_on["pci_devices"][1]["bdf"], bdf << 3)
        self.assertEqual(d_on["pci_devices"][1]["shmem_regions_start"], 5)
        window = platform_int(self.template["comm"]["windows"][0]["start"])
        self.assertEqual(d_on["memory"][5]["phys_start"], window)
        # Both run side by side.
        self.assertOk(self.z.run("start", "off"))
        self.assertOk(self.z.run("start", "on"))
        self.assertEqual({s for _, s in self.sim_cells().values()}, {"running"})
        self.assertOk(self.z.delete("off"))
        self.assertOk(self.z.delete("on"))
        self.assertNothingLeft()

    def test_sigkill_destroys_at_once(self):
        b = self.bundle("bm")
        self.assertOk(self.z.create("k9", b))
        name = self.record("k9")["partition_name"]
        pid = self.record("k9")["pid"]
        self.assertOk(self.z.run("start", "k9"))
        self.assertOk(self.z.run("kill", "k9", "KILL"))
        self.assertEqual(self.runphi_commands()[-1], ["cell", "destroy", name])
        self.assertEqual(self.sim_cells(), {})
        self.assertEqual(self.status("k9"), "stopped")
        self.assertEqual(exit_code(REAPER.status_of(pid)), 137)
        self.assertOk(self.z.delete("k9"))
        self.assertNothingLeft()

    def test_crashed_cell_is_reported(self):
        b = self.bundle("bm")
        self.assertOk(self.z.create("cr", b))
        name = self.record("cr")["partition_name"]
        pid = self.record("cr")["pid"]
        self.assertOk(self.z.run("start", "cr"))
        subprocess.run([sim_tool("jailhouse-sim"), "cell-state", name, "failed"], check=True)
        self.assertEqual(self.status("cr"), "stopped")
        self.assertEqual(exit_code(REAPER.status_of(pid)), 134)
        self.assertOk(self.z.delete("cr"))
        self.assertNothingLeft()

    def create_foreign_cell(self, cpus):
        """A cell made by hand, outside runphi, holding `cpus`."""
        foreign = os.path.join(self.tmp, "foreign.json")
        with open(foreign, "w") as f:
            json.dump({"dialect": self.template["dialect"], "name": "foreign", "cpus": cpus,
                       "memory_regions": [{"phys_start": "0x7f000000", "virt_start": 0, "size": "0x10000",
                                           "flags": ["READ", "WRITE", "LOADABLE"]}]}, f)
        subprocess.run([ARGS.runphi_cell, "compile", foreign, "-o", foreign + ".cell"], check=True)
        subprocess.run([sim_tool("jailhouse"), "cell", "create", foreign + ".cell"], check=True)

    def test_cpus_held_outside_runphi_are_not_offered(self):
        # The root cell keeps CPU 0; partitions get 1-3. A cell made by hand
        # holds CPU 1, the first runphi would give.
        self.template["cpus"]["pool"] = [1, 2, 3]
        with open(self.platform_path, "w") as f:
            json.dump(self.template, f, indent=1)
        self.create_foreign_cell([1])
        self.assertEqual(self.root_cpus(), "0,2-3")
        b = self.bundle("two", cpu_quota=200000, cpu_period=100000)
        self.assertOk(self.z.create("two", b))
        name = self.record("two")["partition_name"]
        self.assertEqual(self.z.ledger()[self.z.owner("two")]["cpus"], [2, 3])
        self.assertEqual(self.sim_decode(self.cell_file("two", name))["cpus"], [2, 3])
        self.assertEqual(set(self.sim_cells()), {"foreign", name})
        self.assertEqual(self.root_cpus(), "0")
        # The outsider's CPU is not recorded as anyone's, and nothing is left
        # to give: the error says which CPU is held.
        self.assertEqual(list(self.z.ledger()), [self.z.owner("two")])
        before = self.commands()
        r = self.z.create("one", self.bundle("one"))
        self.assertFails(r, "not enough CPUs: asked 1, free 0 (1 held by a partition runphi did not create)")
        self.assertEqual(self.commands(), before)  # refused before anything ran
        self.assertEqual(list(self.z.ledger()), [self.z.owner("two")])
        # Once the outsider is gone, CPU 1 is offered.
        subprocess.run([sim_tool("jailhouse"), "cell", "destroy", "foreign"], check=True)
        self.assertOk(self.z.create("one", self.bundle("one")))
        self.assertEqual(self.z.ledger()[self.z.owner("one")]["cpus"], [1])
        self.assertOk(self.z.delete("one"))
        self.assertOk(self.z.delete("two"))
        self.assertNothingLeft()

    def test_debug_level_logs_every_jailhouse_command(self):
        quiet = self.z.write_config(os.path.join(self.tmp, "quiet.json"),
                                    log={"path": self.z.log_path, "level": "warn", "journald": False})
        b = self.bundle("bm")
        # At the configured level (warn) no command line is logged...
        self.assertOk(self.z.create("q", b, config=quiet))
        self.assertOk(self.z.run("delete", "--force", "q", config=quiet))
        self.assertNotIn("jailhouse: `", self.z.log_text())
        # ...with RUNPHI_DEBUG_LEVEL=debug each one is, with its result.
        debug = {"RUNPHI_DEBUG_LEVEL": "debug"}
        self.assertOk(self.z.create("d", b, config=quiet, extra_env=debug))
        name = self.record("d")["partition_name"]
        self.set_fail("cell start once")
        self.assertFails(self.z.run("start", "d", config=quiet, extra_env=debug), IOCTL_ERRORS["cell start"])
        self.assertOk(self.z.run("start", "d", config=quiet, extra_env=debug))
        self.assertOk(self.z.run("kill", "d", "TERM", config=quiet, extra_env=debug))
        self.assertOk(self.z.run("delete", "d", config=quiet, extra_env=debug))
        cli, cell = sim_tool("jailhouse"), self.cell_file("d", name)
        image = self.boot_file("d", "boot/zephyr.bin")
        logged = [line.split(" jailhouse: ", 1)[1] for line in self.z.log_text().splitlines()
                  if " debug [d] jailhouse: " in line]
        self.assertEqual(logged, [
            "`%s cell create %s` exited with status 0" % (cli, cell),
            "`%s cell load %s %s -a 0x70000000` exited with status 0" % (cli, name, image),
            "`%s cell start %s` exited with status 1: %s" % (cli, name, IOCTL_ERRORS["cell start"]),
            "`%s cell start %s` exited with status 0" % (cli, name),
            "`%s cell shutdown %s` exited with status 0" % (cli, name),
            "`%s cell destroy %s` exited with status 0" % (cli, name),
        ], self.explain())
        self.assertNothingLeft()

    def test_image_larger_than_ram_is_refused_before_create(self):
        b = self.bundle("big", zic={"os_var": "zephyr", "inmate": "/boot/zephyr.bin", "memory": 1},
                        inmate_size=1024 * 1024 - 4096)
        r = self.z.create("big", b)
        self.assertFails(r, "holds")
        self.assertEqual(self.commands(), [])
        self.assertNothingLeft()


# ====================================================================== Linux
class Linux(JailhouseTestCase):
    def test_lifecycle_with_cell_linux(self):
        zic = {"os_var": "linux", "inmate": "/boot/Image", "dtb": "/boot/inmate.dtb",
               "cpio": "/boot/rootfs.cpio", "memory": 128, "net": "virtual"}
        b = self.bundle("lx", zic=zic, inmate_path="boot/Image",
                        files={"boot/inmate.dtb": b"\xd0\x0d\xfe\xed" + b"\0" * 60,
                               "boot/rootfs.cpio": b"070701" + b"0" * 200})
        self.assertOk(self.z.create("lx", b))
        name = self.record("lx")["partition_name"]
        cell = self.cell_file("lx", name)
        self.assertEqual(self.runphi_commands(), [["cell", "create", cell]])
        dec = self.sim_decode(cell)
        self.assertEqual(dec["problems"], [])
        # The loader at the reset address, RAM with DMA for the kernel.
        loader = [m for m in dec["memory"] if m["size"] and m["virt_start"] == dec["header"]["cpu_reset_address"]]
        self.assertEqual(len(loader), 1)
        self.assertTrue(any(m["flags"] & 0x4f == 0x4f for m in dec["memory"]))
        self.assertEqual(self.status("lx"), "created")

        self.assertOk(self.z.run("start", "lx"))
        self.assertEqual(self.runphi_commands()[1:], [[
            "cell", "linux", cell, self.boot_file("lx", "boot/Image"),
            "-d", self.boot_file("lx", "boot/inmate.dtb"), "-i", self.boot_file("lx", "boot/rootfs.cpio"),
            "-c", "console=ttyAMA0,115200"]])
        self.assertEqual(self.sim_cells()[name][1], "running")
        self.assertEqual(self.status("lx"), "running")
        self.assertIn("Booting Linux on cell " + name, self.read_sim("console/" + name + ".log"))

        self.assertOk(self.z.run("kill", "lx"))
        self.assertEqual(self.runphi_commands()[-1], ["cell", "shutdown", name])
        self.assertEqual(self.status("lx"), "stopped")
        self.assertOk(self.z.delete("lx"))
        self.assertEqual(self.runphi_commands()[-1], ["cell", "destroy", name])
        self.assertNothingLeft()

    def test_cmdline_from_the_rootfs(self):
        zic = {"os_var": "linux", "inmate": "/boot/Image", "dtb": "/boot/inmate.dtb", "memory": 64}
        b = self.bundle("lx", zic=zic, inmate_path="boot/Image",
                        files={"boot/inmate.dtb": b"\xd0\x0d\xfe\xed", "boot/cmdline": b"console=ttyAMA0 quiet\n"})
        self.assertOk(self.z.create("lc", b))
        self.assertOk(self.z.run("start", "lc"))
        argv = self.runphi_commands()[-1]
        self.assertEqual(argv[-2:], ["-c", "console=ttyAMA0 quiet"])
        self.assertNotIn("-i", argv)
        self.assertOk(self.z.delete("lc"))
        self.assertNothingLeft()

    def test_linux_without_dtb_is_refused(self):
        b = self.bundle("nodtb", zic={"os_var": "linux", "inmate": "/boot/Image", "memory": 64},
                        inmate_path="boot/Image")
        r = self.z.create("nodtb", b)
        self.assertFails(r, "device tree", "dtb")
        self.assertEqual(self.commands(), [])
        self.assertNothingLeft()


# ====================================================================== RPU
class Rpu(JailhouseTestCase):
    board = "zcu104"
    # The simulator wants at least one application CPU in every cell (its own
    # runtime invariant, not a Jailhouse rule); an RPU cell has none.
    invariants = False

    def test_lifecycle_with_firmware_link(self):
        zic = {"os_var": "baremetal", "inmate": "/boot/r5_firmware.elf", "rpu_req": True, "memory": 4}
        b = self.bundle("rpu", zic=zic, inmate_path="boot/r5_firmware.elf")
        self.assertOk(self.z.create("rpu", b))
        name = self.record("rpu")["partition_name"]
        cell = self.cell_file("rpu", name)
        link = os.path.join(self.sim_root, "lib/firmware", name)
        self.assertEqual(os.readlink(link), self.boot_file("rpu", "boot/r5_firmware.elf"))
        self.assertEqual(self.runphi_commands(), [
            ["cell", "create", cell],
            ["cell", "load", name, "-r", name, "0"],
        ])
        dec = self.sim_decode(cell)
        self.assertEqual(dec["rcpus"], [0])
        self.assertEqual(dec["cpus"], [])
        self.assertEqual(dec["problems"], ["runtime invariant: the cell has no CPU"])
        self.assertEqual(self.root_cpus(), "0-3")  # no application CPU taken
        self.assertOk(self.z.run("start", "rpu"))
        self.assertEqual(self.runphi_commands()[-1], ["cell", "start", name])
        self.assertIn("[RPU-0]", self.read_sim("console/" + name + ".log"))
        self.assertEqual(self.status("rpu"), "running")
        self.assertOk(self.z.run("kill", "rpu"))
        self.assertEqual(self.runphi_commands()[-1], ["cell", "shutdown", name])
        self.assertOk(self.z.delete("rpu"))
        self.assertEqual(self.runphi_commands()[-1], ["cell", "destroy", name])
        self.assertFalse(os.path.lexists(link))
        self.assertNothingLeft()

    def test_two_rpus_two_loads(self):
        zic = {"os_var": "zephyr", "inmate": "/boot/fw.elf", "rpu_req": True, "memory": 4}
        b = self.bundle("rpu2", zic=zic, inmate_path="boot/fw.elf", cpu_quota=200000, cpu_period=100000)
        self.assertOk(self.z.create("rpu2", b))
        name = self.record("rpu2")["partition_name"]
        self.assertEqual(self.runphi_commands()[-1], ["cell", "load", name, "-r", name, "0", "-r", name, "1"])
        self.assertOk(self.z.delete("rpu2"))
        self.assertNothingLeft()


class BareMetalOnZynqMp(JailhouseTestCase):
    board = "kria-kv260"

    def test_lifecycle(self):
        b = self.bundle("bm", zic={"os_var": "zephyr", "inmate": "/boot/zephyr.bin", "net": "virtual"})
        self.assertOk(self.z.create("kv", b))
        name = self.record("kv")["partition_name"]
        self.assertEqual(self.runphi_commands()[-1][-2:], ["-a", "0x0"])
        dec = self.sim_decode(self.cell_file("kv", name))
        self.assertEqual(dec["problems"], [])
        self.assertEqual(dec["header"]["num_stream_ids"], 2)
        self.assertOk(self.z.run("start", "kv"))
        self.assertEqual(self.status("kv"), "running")
        self.assertOk(self.z.run("kill", "kv"))
        self.assertOk(self.z.delete("kv"))
        self.assertNothingLeft()


class BareMetalOnUpstreamQemu(JailhouseTestCase):
    """qemu-arm64-upstream on a simulated upstream Jailhouse (revision 14): the
    container shows the hypervisor's console ring, which gets the guest's
    output only with VIRTUAL_CONSOLE_ACTIVE (the template's default flags)."""
    board = "qemu-arm64-upstream"

    def setUp(self):
        super().setUp()
        self.template["jailhouse"]["console_relay"] = {"argv": ["{cli}", "console", "-f"]}
        with open(self.platform_path, "w") as f:
            json.dump(self.template, f, indent=1)

    def test_guest_output_reaches_jailhouse_console(self):
        b = self.bundle("up", zic={"os_var": "zephyr", "inmate": "/boot/inmate.bin", "net": "none"},
                        files={"boot/inmate.bin": b"inmate-demo\n"})
        self.assertOk(self.z.create("up", b))
        name = self.record("up")["partition_name"]
        dec = self.sim_decode(self.cell_file("up", name))
        self.assertEqual(dec["problems"], [])
        self.assertIn(["cell", "load", name, self.boot_file("up", "boot/inmate.bin"), "-a", "0x0"],
                      self.runphi_commands())
        self.assertOk(self.z.run("start", "up"))
        pid = self.record("up")["pid"]
        self.wait_for(lambda: "Hello from cell " + name in BareMetal.monitor_output(self, pid),
                      "the guest's line on jailhouse console")
        self.assertOk(self.z.run("kill", "up"))
        self.assertOk(self.z.delete("up"))
        self.assertNothingLeft()

    def test_without_active_the_console_stays_silent(self):
        self.template["jailhouse"]["cell_flags"] = "0x40000001"  # what runPHI's fork template sets
        with open(self.platform_path, "w") as f:
            json.dump(self.template, f, indent=1)
        b = self.bundle("up", zic={"os_var": "zephyr", "inmate": "/boot/inmate.bin", "net": "none"},
                        files={"boot/inmate.bin": b"inmate-demo\n"})
        self.assertOk(self.z.create("quiet", b))
        name = self.record("quiet")["partition_name"]
        self.assertOk(self.z.run("start", "quiet"))
        ring = self.read_sim("sim/hvconsole.log")
        self.assertIn('Started cell "%s"' % name, ring)
        self.assertNotIn("Hello from cell " + name, ring)
        self.assertOk(self.z.delete("quiet", force=True))
        self.assertNothingLeft()

    def test_fork_dialect_cell_is_refused_as_upstream_does(self):
        # runPHI's qemu-arm64 template (dialect runphi-rev13) against this hypervisor.
        with open(os.path.join(ARGS.templates, "qemu-arm64.json")) as f:
            fork = json.load(f)
        fork["jailhouse"].update({k: self.template["jailhouse"][k] for k in ("cli", "sysfs_root", "console_relay")})
        with open(self.platform_path, "w") as f:
            json.dump(fork, f, indent=1)
        b = self.bundle("fk", zic={"os_var": "zephyr", "inmate": "/boot/zephyr.bin", "net": "none"})
        r = self.z.create("fk", b)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("JAILHOUSE_CELL_CREATE: Invalid argument", r.stderr, self.explain(r))
        self.assertIn("Not a cell configuration", self.read_sim("kernel.log"))
        # The error names the likely cause: the template's dialect.
        for needle in ("likely cause: the running Jailhouse is not of the platform template's dialect",
                       'The cell is of dialect "runphi-rev13" (JHCELL, revision 13), a fork\'s layout, for arm64, '
                       'from ' + self.platform_path,
                       'Upstream Jailhouse takes "upstream-rev14" (JHCLL, revision 14) on master',
                       "Not a cell configuration", '"dialect"'):
            self.assertIn(needle, r.stderr, self.explain(r))
        self.assertNothingLeft()

    def test_an_einval_of_the_right_dialect_still_names_the_dialect(self):
        # The upstream template on the upstream hypervisor, refused for
        # another reason (injected): the hint names the dialect to check.
        self.set_fail("cell create EINVAL")
        r = self.z.create("ei", self.bundle("ei", zic={"os_var": "zephyr", "inmate": "/boot/zephyr.bin",
                                                         "net": "none"}))
        self.assertFails(r, "JAILHOUSE_CELL_CREATE: Invalid argument",
                         'dialect "upstream-rev14" (JHCLL, revision 14), upstream Jailhouse\'s layout, for arm64',
                         "the kernel log names the check that failed")
        self.assertNothingLeft()


class HypervisorStates(JailhouseTestCase):
    board = "zcu104"

    def test_architecture_mismatch_is_caught_although_create_exits_0(self):
        # Upstream master's bug (CLI §0 #12): a wrong architecture byte makes
        # `cell create` succeed without creating anything.
        self.sim_init("--arch", "arm")
        r = self.z.create("arch", self.bundle("a"))
        self.assertFails(r, "exited with status 0, but no cell", "Configuration architecture mismatch",
                         'the cell is of dialect "omnivisor-rev14" (JHCLL, revision 14), a fork\'s layout, for arm64')
        self.assertEqual([c[:2] for c in self.commands()], [["cell", "create"]])
        self.assertNothingLeft()

    def test_disabled_hypervisor(self):
        self.sim_init("--disabled")
        r = self.z.create("off", self.bundle("a"))
        self.assertFails(r, "JAILHOUSE_CELL_CREATE: Invalid argument", "Jailhouse is not enabled")
        self.assertNotIn("likely cause", r.stderr)
        self.assertEqual(self.z.ledger(), {})
        self.assertEqual(self.z.container_dirs(), [])

    def test_no_module(self):
        self.sim_init("--no-module")
        r = self.z.create("nomod", self.bundle("a"))
        self.assertFails(r, "opening /dev/jailhouse: No such file or directory")
        self.assertEqual(self.z.ledger(), {})
        self.assertEqual(self.z.container_dirs(), [])


# ====================================================================== boot-image pinning
class BootImageSwap(JailhouseTestCase):
    """Issue 13, point 2: runphi checks the boot images inside the rootfs,
    and the jailhouse CLI must load exactly those files, however the rootfs
    changes afterwards. A Linux guest is loaded at `start`, so swapping
    rootfs/boot for a symlink to a host directory between create and start
    is the attack, without any race."""

    def sim_images(self, name):
        """The images the simulator loaded into cell `name` (their first bytes in "head")."""
        with open(os.path.join(self.sim_root, "sim", "state.json")) as f:
            st = json.load(f)
        for cell in st["cells"].values():
            if cell.get("name") == name:
                return cell["images"]
        self.fail("no cell %s in the simulator's state" % name)

    def test_swapping_boot_for_a_host_symlink_after_create_loads_the_checked_files(self):
        kernel = b"GUEST-KERNEL" + b"\xaa" * 4084
        dtb = b"\xd0\x0d\xfe\xed" + b"GUEST-DTB" + b"\0" * 51
        zic = {"os_var": "linux", "inmate": "/boot/Image", "dtb": "/boot/inmate.dtb", "memory": 64}
        b = self.bundle("swap", zic=zic, inmate_path="boot/Image", write_inmate=False,
                        files={"boot/Image": kernel, "boot/inmate.dtb": dtb,
                               "boot/cmdline": b"console=ttyAMA0 guest\n"})
        self.assertOk(self.z.create("swap", b))
        name = self.record("swap")["partition_name"]
        # A root-only host directory with files of the same names.
        host = os.path.join(self.tmp, "host-secrets")
        os.makedirs(host, mode=0o700)
        for rel, data in (("Image", b"HOST-SECRET-KERNEL" + b"\0" * 100), ("inmate.dtb", b"HOST-SECRET-DTB"),
                          ("cmdline", b"console=ttyAMA0 host-secret\n"), ("config.json", b"{}")):
            with open(os.path.join(host, rel), "wb") as f:
                f.write(data)
            os.chmod(os.path.join(host, rel), 0o600)
        boot = os.path.join(b, "rootfs", "boot")
        shutil.rmtree(boot)
        os.symlink(host, boot)

        self.assertOk(self.z.run("start", "swap"))
        argv = self.runphi_commands()[-1]
        self.assertEqual(argv[:2], ["cell", "linux"], self.explain())
        for path in argv:
            self.assertFalse(path.startswith(host) or path.startswith(os.path.realpath(boot)), argv)
        self.assertEqual(argv[-2:], ["-c", "console=ttyAMA0 guest"], self.explain())
        with open(argv[3], "rb") as f:
            self.assertEqual(f.read(), kernel)
        with open(argv[5], "rb") as f:
            self.assertEqual(f.read(), dtb)
        heads = " ".join(bytes.fromhex(i["head"]).decode("latin-1") for i in self.sim_images(name))
        self.assertNotIn("HOST-SECRET", heads, self.explain())
        self.assertIn("GUEST-KERNEL", heads, self.explain())
        self.assertOk(self.z.delete("swap"))
        self.assertNothingLeft()

    def test_boot_swapped_while_the_image_is_loaded_loads_the_checked_file(self):
        # The issue's attack, made deterministic: a `jailhouse` in front of
        # the simulator swaps rootfs/boot for a symlink to a root-only host
        # directory just before `cell load` opens the image it was given.
        b = self.bundle("race", files={"boot/zephyr.bin": b"GUEST-IMAGE" + b"\xaa" * 100})
        boot = os.path.join(b, "rootfs", "boot")
        host = os.path.join(self.tmp, "host-root-only")
        os.makedirs(host, mode=0o700)
        with open(os.path.join(host, "zephyr.bin"), "wb") as f:
            f.write(b"HOST-SECRET" + b"\0" * 100)
        wrapper = os.path.join(self.tmp, "jailhouse-swapping")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\n"
                    "if [ \"$1 $2\" = \"cell load\" ] && [ ! -L '%s' ]; then\n"
                    "  mv '%s' '%s.orig' && ln -s '%s' '%s'\n"
                    "fi\n"
                    "exec '%s' \"$@\"\n" % (boot, boot, boot, host, boot, sim_tool("jailhouse")))
        os.chmod(wrapper, 0o755)
        self.template["jailhouse"]["cli"] = wrapper
        with open(self.platform_path, "w") as f:
            json.dump(self.template, f, indent=1)
        self.assertOk(self.z.create("race", b))
        self.assertTrue(os.path.islink(boot), "the swap did not happen")
        name = self.record("race")["partition_name"]
        heads = " ".join(bytes.fromhex(i["head"]).decode("latin-1") for i in self.sim_images(name))
        self.assertNotIn("HOST-SECRET", heads, self.explain())
        self.assertIn("GUEST-IMAGE", heads, self.explain())
        self.assertOk(self.z.delete("race"))
        self.assertNothingLeft()

    def test_bare_metal_image_is_loaded_from_the_pinned_copy(self):
        b = self.bundle("pin")
        self.assertOk(self.z.create("pin", b))
        load = [c for c in self.runphi_commands() if c[:2] == ["cell", "load"]][0]
        image = load[3]
        # Inside the container's private state, not the bundle's rootfs.
        self.assertTrue(image.startswith(self.z.container_dir("pin") + "/"), load)
        self.assertEqual(os.stat(self.z.container_dir("pin")).st_mode & 0o077, 0)
        with open(image, "rb") as f:
            self.assertEqual(f.read(), b"\xaa" * zic_env.INMATE_SIZE)
        self.assertOk(self.z.delete("pin"))
        self.assertNothingLeft()


# ====================================================================== faults
class Faults(JailhouseTestCase):
    """A failure injected at each jailhouse command: the call fails with the
    tool's message, and nothing is left once the container is deleted."""

    def bare_bundle(self):
        return self.bundle("f")

    def linux_bundle(self):
        return self.bundle("fl", zic={"os_var": "linux", "inmate": "/boot/Image", "dtb": "/boot/x.dtb",
                                      "memory": 64}, inmate_path="boot/Image",
                           files={"boot/x.dtb": b"\xd0\x0d\xfe\xed"})

    def test_create_fails(self):
        self.set_fail("cell create")
        r = self.z.create("fc", self.bare_bundle())
        self.assertFails(r, IOCTL_ERRORS["cell create"])
        self.assertEqual([c[:2] for c in self.commands()], [["cell", "create"]])
        self.assertNothingLeft()

    def test_load_fails(self):
        self.set_fail("cell load")
        r = self.z.create("fl", self.bare_bundle())
        self.assertFails(r, IOCTL_ERRORS["cell load"])
        self.assertEqual([c[:2] for c in self.commands()], [["cell", "create"], ["cell", "load"], ["cell", "destroy"]])
        name = self.commands()[1][2]  # cell load NAME ...
        self.assertEqual(self.commands()[-1], ["cell", "destroy", name])
        self.assertNothingLeft()

    def test_start_fails(self):
        self.assertOk(self.z.create("fs", self.bare_bundle()))
        self.set_fail("cell start")
        self.assertFails(self.z.run("start", "fs"), IOCTL_ERRORS["cell start"])
        self.assertEqual(self.status("fs"), "created")
        self.clear_fail()
        self.assertOk(self.z.delete("fs"))
        self.assertNothingLeft()

    def test_cell_linux_fails(self):
        self.assertOk(self.z.create("fx", self.linux_bundle()))
        self.set_fail("cell linux")
        r = self.z.run("start", "fx")
        self.assertFails(r, "cell linux")
        self.assertEqual(self.status("fx"), "created")
        self.clear_fail()
        self.assertOk(self.z.delete("fx"))
        self.assertNothingLeft()

    def test_shutdown_fails(self):
        self.assertOk(self.z.create("fd", self.bare_bundle()))
        self.assertOk(self.z.run("start", "fd"))
        self.set_fail("cell shutdown")
        self.assertFails(self.z.run("kill", "fd", "TERM"), IOCTL_ERRORS["cell shutdown"])
        self.assertEqual(self.status("fd"), "running")
        self.assertOk(self.z.delete("fd"))  # --force: destroy
        self.assertNothingLeft()

    def test_destroy_fails_once(self):
        self.assertOk(self.z.create("fy", self.bare_bundle()))
        self.set_fail("cell destroy once")
        self.assertFails(self.z.delete("fy"), IOCTL_ERRORS["cell destroy"])
        self.assertIsNotNone(self.z.record("fy"))  # nothing released while the cell exists
        self.assertNotEqual(self.z.ledger(), {})
        self.assertOk(self.z.delete("fy"))
        self.assertNothingLeft()

    def test_create_fails_for_a_full_hypervisor_then_works(self):
        self.set_fail("cell create ENOMEM once")
        self.assertFails(self.z.create("fo", self.bare_bundle()), IOCTL_ERRORS["cell create"])
        self.assertNothingLeft()
        self.assertOk(self.z.create("fo", self.bare_bundle()))
        self.assertOk(self.z.delete("fo"))
        self.assertNothingLeft()


# ====================================================================== main
def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runphi", required=True)
    ap.add_argument("--runphi-cell", required=True)
    ap.add_argument("--runc", required=True)
    ap.add_argument("--driver-dir", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--templates", required=True)
    ARGS, rest = ap.parse_known_args()
    for attr in ("runphi", "runphi_cell", "driver_dir", "sim", "templates"):
        setattr(ARGS, attr, os.path.abspath(getattr(ARGS, attr)))
    for path in (ARGS.runphi, ARGS.runc, os.path.join(ARGS.driver_dir, "libphi-driver-jailhouse.so"),
                 sim_tool("jailhouse"), sim_tool("jailhouse-sim")):
        if not os.path.exists(path):
            sys.exit("jailhouse_test.py: %s does not exist" % path)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
