#!/usr/bin/env python3
"""Integration tests of the Xen driver (backends/xen, libphi-driver-xen.so)
against the xl simulator (tests/sim/xl): runphi drives partitioned
containers as simulated Xen domains, and the tests check what runphi did
(state, ledger, container process exit status, console) and the exact xl
command lines it ran (commands.log of the simulator).

usage: xen_driver_sim_test.py --runphi <runphi> --runc <real runc>
                              --driver-dir <dir of libphi-driver-xen.so>
                              --platform <platform-templates/x86_64-xen.json>
                              [unittest arguments, e.g. -k Lifecycle]

Python 3 standard library only.  Every test has its own XL_SIM_ROOT
(`xl-sim init` matching the template: 2 CPUs, dom0 on CPU 0, 512 MiB,
dom0 256 MiB), its own state root and runphi.json (backend "xen", a copy of
the template whose xen.xl_path is the simulator).  This process is a child
subreaper (tests/partition/zic_env.py) so the container processes' exit
statuses can be read.
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
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "partition"))
SIM_DIR = os.path.join(REPO, "tests", "sim", "xl")
sys.path.insert(0, SIM_DIR)
import zic_env  # noqa: E402
from zic_env import REAPER, ZicEnv, alive, blocks_signal, exit_code  # noqa: E402
import xlcfg  # noqa: E402  (the simulator's own xl.cfg parser)

XL = os.path.join(SIM_DIR, "xl")
XL_SIM = os.path.join(SIM_DIR, "xl-sim")
ARGS = None
SHUTDOWN_TIMEOUT = 3

ZIC_LINUX = {"os_var": "linux", "inmate": "/boot/vmlinuz",
             "ramdisk": "/boot/initrd.cpio.gz", "memory": 128}


# ---------------------------------------------------------------- env

class XenEnv(ZicEnv):
    """A ZicEnv with backend "xen", a patched template and an XL_SIM_ROOT."""

    def __init__(self):
        tmp_platform = zic_env.fast_tmpdir("runphi-xen-plat-")
        with open(ARGS.platform) as f:
            plat = json.load(f)
        plat["xen"]["xl_path"] = XL
        plat["xen"]["shutdown_timeout_seconds"] = SHUTDOWN_TIMEOUT
        platform = os.path.join(tmp_platform, "x86_64-xen.json")
        with open(platform, "w") as f:
            json.dump(plat, f, indent=2)
        super().__init__(ARGS.runphi, ARGS.runc, ARGS.driver_dir, platform, tmp_platform,
                         extra_config={"backend": "xen"})
        self.platform_dir = tmp_platform
        self.sim_root = os.path.join(self.tmp, "xl-sim")
        os.makedirs(self.sim_root)
        r = self.sim("init", "--cpus", "2", "--dom0-cpus", "0", "--memory-mib", "512",
                     "--dom0-memory-mib", "256")
        if r.returncode != 0:
            raise RuntimeError("xl-sim init failed: %r %r" % (r.stdout, r.stderr))

    def env(self, config=None):
        e = super().env(config)
        e["XL_SIM_ROOT"] = self.sim_root
        e.pop("XL_SIM_FAIL", None)
        e.pop("XL_SIM_INVARIANTS", None)
        return e

    # ------------------------------------------------------------ simulator
    def sim(self, *args, timeout=60):
        return subprocess.run([XL_SIM, *args], env=self.env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)

    def xl(self, *args, timeout=60):
        """Runs the simulated xl directly (logged in commands.log too: use
        commands() before calling it, or filter)."""
        return subprocess.run([XL, *args], env=self.env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)

    def sim_state(self):
        with open(os.path.join(self.sim_root, "state.json")) as f:
            return json.load(f)

    def domains(self):
        """{name: state letters} of every domain but Domain-0, read from
        the simulator's state (not through xl: commands.log stays clean)."""
        st = self.sim_state()
        out = {}
        for d in st.get("domains", {}).values():
            out[d["name"]] = d
        out.pop("Domain-0", None)
        return out

    def xl_list_names(self):
        r = self.xl("list")
        assert r.returncode == 0, r
        names = []
        for line in r.stdout.splitlines()[1:]:
            if line.strip():
                names.append(line.split()[0])
        return [n for n in names if n != "Domain-0"]

    def xl_list_state(self, name):
        r = self.xl("list", name)
        if r.returncode != 0:
            return None
        row = r.stdout.splitlines()[1]
        return row.split()[4]

    def commands(self):
        try:
            with open(os.path.join(self.sim_root, "commands.log")) as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def mark(self):
        return len(self.commands())

    def commands_since(self, mark, drop=("list", "console")):
        """xl calls since mark, without the state queries (`xl list`) and
        the container process's `xl console`, whose timing is not fixed."""
        return [c for c in self.commands()[mark:] if len(c) < 2 or c[1] not in drop]

    def set_xl_fail(self, *entries):
        with open(os.path.join(self.sim_root, "fail"), "w") as f:
            f.write("".join(e + "\n" for e in entries))

    def clear_xl_fail(self):
        try:
            os.unlink(os.path.join(self.sim_root, "fail"))
        except FileNotFoundError:
            pass

    def guest(self, name, action):
        r = self.sim("guest", name, action)
        assert r.returncode == 0, r
        return r

    def console_log(self, name):
        r = self.sim("console", name)
        return r.stdout

    # ------------------------------------------------------------ bundles
    def xen_bundle(self, name="zic", zic=None, files=None, args=None):
        path = os.path.join(self.tmp, "bundles", name)
        if os.path.exists(path):
            shutil.rmtree(path)
        boot = os.path.join(path, "rootfs", "boot")
        os.makedirs(boot)
        zic = dict(ZIC_LINUX if zic is None else zic)
        with open(os.path.join(boot, "config.json"), "w") as f:
            json.dump(zic, f)
        if files is None:
            files = [zic.get("inmate"), zic.get("ramdisk"), zic.get("kernel")]
        for rel in files:
            if not rel:
                continue
            p = os.path.join(path, "rootfs", rel.lstrip("/"))
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(b"\x7fELF" + b"\xab" * 4092)
        oci = {"ociVersion": "1.0.2-dev", "root": {"path": "rootfs"},
               "process": {"args": list(args or [])}}
        with open(os.path.join(path, "config.json"), "w") as f:
            json.dump(oci, f)
        return path

    def domain_cfg(self, cid):
        return os.path.join(self.container_dir(cid), "driver", "domain.cfg")

    def cleanup(self):
        try:
            super().cleanup()   # delete --force everything (needs XL_SIM_ROOT), rm tmp
        finally:
            shutil.rmtree(self.platform_dir, ignore_errors=True)


# ---------------------------------------------------------------- base

class XenTestCase(unittest.TestCase):
    def setUp(self):
        self.z = XenEnv()
        self.addCleanup(self.z.cleanup)

    # ------------------------------------------------------------ helpers
    def explain(self, r=None):
        return "%s\n--- runphi log (tail) ---\n%s\n--- xl commands ---\n%s" % (
            r if r is not None else "", self.z.log_tail(30),
            "\n".join(json.dumps(c) for c in self.z.commands()[-30:]))

    def assertOk(self, r):
        self.assertEqual(r.returncode, 0, self.explain(r))
        return r

    def assertCleanFailure(self, r, *needles):
        self.assertIsInstance(r.returncode, int, self.explain(r))
        self.assertGreater(r.returncode, 0, self.explain(r))
        self.assertLess(r.returncode, 125, "crashed? " + self.explain(r))
        for bad in ("terminate called", "Aborted", "Segmentation", "core dumped"):
            self.assertNotIn(bad, r.stderr, self.explain(r))
        for needle in needles:
            self.assertIn(needle, r.stderr, self.explain(r))

    def wait_for(self, predicate, what, timeout=10.0, interval=0.05):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("timed out after %.1fs waiting for %s\n%s" % (timeout, what, self.explain()))
            time.sleep(interval)

    def create(self, cid, bundle=None):
        """create with stdout/stderr in files; returns (result, name, pid)."""
        bundle = bundle or self.z.xen_bundle(cid)
        pid_file = os.path.join(self.z.tmp, cid + ".pid")
        proc = self.z.popen("create", "--bundle", bundle, "--pid-file", pid_file, cid, tag="create")
        proc.started = time.monotonic()
        r = self.z.finish(proc)
        r.out_path = proc.out_path
        return r

    def create_ok(self, cid, bundle=None):
        r = self.assertOk(self.create(cid, bundle))
        rec = self.z.record(cid)
        self.assertIsNotNone(rec, "no state.json for " + cid)
        return r, rec["partition_name"], rec["pid"]

    def wait_monitor_ready(self, pid):
        self.wait_for(lambda: blocks_signal(pid, signal.SIGUSR1) or not alive(pid),
                      "container process %d to block SIGUSR1" % pid, interval=0.005)

    def start_ok(self, cid, pid):
        self.wait_monitor_ready(pid)
        return self.assertOk(self.z.run("start", cid))

    def status(self, cid):
        st = self.z.state(cid)
        return st and st["status"]

    def wait_status(self, cid, want, timeout=15.0):
        self.wait_for(lambda: self.status(cid) == want, "%s to be %s" % (cid, want), timeout)

    def monitor_exit(self, pid, timeout=20.0):
        if not REAPER.active:
            self.skipTest("not a child subreaper: cannot read the exit status")
        status = REAPER.status_of(pid, timeout)
        self.assertIsNotNone(status, "container process %d did not exit within %.0fs%s" %
                             (pid, timeout, self.explain()))
        return exit_code(status)

    def read(self, path):
        with open(path, errors="replace") as f:
            return f.read()

    def running(self, cid):
        """create + start; returns (name, pid, create result)."""
        r, name, pid = self.create_ok(cid)
        self.start_ok(cid, pid)
        self.wait_status(cid, "running")
        return name, pid, r

    def assertNoMonitors(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while self.z.monitors() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.z.monitors(), [], "runphi-monitor processes left" + self.explain())

    def assertNothingLeft(self):
        self.assertEqual(self.z.domains(), {}, "domains left" + self.explain())
        self.assertEqual(self.z.xl_list_names(), [], "xl list shows domains" + self.explain())
        self.assertEqual(self.z.ledger(), {}, "ledger not empty" + self.explain())
        self.assertEqual(self.z.container_dirs(), [], "container state left" + self.explain())
        self.assertNoMonitors()


# ====================================================================== lifecycle

class Lifecycle(XenTestCase):
    def test_create_start_poweroff_delete(self):
        z = self.z
        mark = z.mark()
        r, name, pid = self.create_ok("life")
        cfg = z.domain_cfg("life")
        self.assertTrue(os.path.isfile(cfg), cfg)
        # exactly one xl create -p <domain.cfg> (xl list calls filtered)
        self.assertEqual(z.commands_since(mark), [[XL, "create", "-p", cfg]], self.explain())
        self.assertIn(name, z.xl_list_names())
        self.assertEqual(z.xl_list_state(name), "--p---")
        self.assertEqual(self.status("life"), "created")
        self.assertTrue(name.startswith("phi-"), name)

        mark = z.mark()
        self.start_ok("life", pid)
        self.assertEqual(z.commands_since(mark), [[XL, "unpause", name]], self.explain())
        self.wait_status("life", "running")
        self.assertIn(z.xl_list_state(name), ("-b----", "r-----"))
        # the guest's console reaches the container process's stdout
        self.wait_for(lambda: ("Hello from %s" % name) in self.read(r.out_path),
                      "the console line in create's stdout file")

        z.guest(name, "poweroff")
        self.wait_status("life", "stopped")
        self.assertEqual(self.monitor_exit(pid), 0)
        self.assertEqual(z.record("life").get("exit_status", 0), 0, z.record("life"))

        mark = z.mark()
        self.assertOk(z.run("delete", "life"))
        self.assertIn([XL, "destroy", name], z.commands_since(mark), self.explain())
        self.assertNothingLeft()

    def test_crash_is_134(self):
        name, pid, _ = self.running("crash")
        self.z.guest(name, "crash")
        self.wait_status("crash", "stopped")
        self.assertEqual(self.monitor_exit(pid), 134)
        self.assertEqual(self.z.xl_list_state(name), "---sc-")
        self.assertOk(self.z.run("delete", "crash"))
        self.assertNothingLeft()

    def test_kill_term_shuts_down(self):
        z = self.z
        name, pid, _ = self.running("term")
        mark = z.mark()
        self.assertOk(z.run("kill", "term", "TERM"))
        self.wait_status("term", "stopped")
        self.assertEqual(self.monitor_exit(pid), 0)
        cmds = z.commands_since(mark)
        self.assertEqual(cmds[0], [XL, "shutdown", name], self.explain())
        self.assertNotIn([XL, "destroy", name], cmds, self.explain())
        self.assertOk(z.run("delete", "term"))
        self.assertNothingLeft()

    def test_kill_term_hanging_guest_is_destroyed_after_timeout(self):
        z = self.z
        name, pid, _ = self.running("hang")
        z.guest(name, "hang")
        mark = z.mark()
        t0 = time.monotonic()
        r = z.run("kill", "hang", "TERM")
        elapsed = time.monotonic() - t0
        self.assertOk(r)
        self.wait_status("hang", "stopped", timeout=SHUTDOWN_TIMEOUT + 15)
        cmds = z.commands_since(mark)
        self.assertIn([XL, "shutdown", name], cmds, self.explain())
        self.assertIn([XL, "destroy", name], cmds, self.explain())
        self.assertLess(cmds.index([XL, "shutdown", name]), cmds.index([XL, "destroy", name]))
        self.assertGreaterEqual(elapsed, SHUTDOWN_TIMEOUT - 0.5, "destroyed before the timeout")
        self.assertEqual(self.monitor_exit(pid), 137)
        self.assertNotIn(name, z.xl_list_names())
        self.assertOk(z.run("delete", "hang"))
        self.assertNothingLeft()

    def test_kill_kill_destroys(self):
        z = self.z
        name, pid, _ = self.running("k9")
        mark = z.mark()
        self.assertOk(z.run("kill", "k9", "KILL"))
        self.assertEqual(z.commands_since(mark)[0], [XL, "destroy", name], self.explain())
        self.wait_status("k9", "stopped")
        self.assertEqual(self.monitor_exit(pid), 137)
        self.assertNotIn(name, z.xl_list_names())
        self.assertOk(z.run("delete", "k9"))
        self.assertNothingLeft()

    def test_pause_resume(self):
        z = self.z
        name, pid, _ = self.running("pz")
        mark = z.mark()
        self.assertOk(z.run("pause", "pz"))
        self.assertEqual(z.commands_since(mark), [[XL, "pause", name]], self.explain())
        self.assertEqual(self.status("pz"), "paused")
        self.assertEqual(z.xl_list_state(name), "--p---")
        mark = z.mark()
        self.assertOk(z.run("resume", "pz"))
        self.assertEqual(z.commands_since(mark), [[XL, "unpause", name]], self.explain())
        self.assertEqual(self.status("pz"), "running")
        self.assertIn(z.xl_list_state(name), ("-b----", "r-----"))
        self.assertTrue(alive(pid))
        self.assertOk(z.run("delete", "--force", "pz"))
        self.assertEqual(self.monitor_exit(pid), 137)
        self.assertNothingLeft()

    def test_delete_force_running(self):
        z = self.z
        name, pid, _ = self.running("del")
        mark = z.mark()
        self.assertOk(z.run("delete", "--force", "del"))
        self.assertIn([XL, "destroy", name], z.commands_since(mark), self.explain())
        self.assertEqual(self.monitor_exit(pid), 137)
        self.assertNothingLeft()

    def test_exact_argv_sequence_create_start_kill_delete(self):
        z = self.z
        mark = z.mark()
        r, name, pid = self.create_ok("seq")
        cfg = z.domain_cfg("seq")
        self.start_ok("seq", pid)
        self.wait_status("seq", "running")
        self.assertOk(z.run("kill", "seq", "TERM"))
        self.wait_status("seq", "stopped")
        self.assertEqual(self.monitor_exit(pid), 0)
        self.assertOk(z.run("delete", "seq"))
        all_cmds = z.commands()[mark:]
        # everything but list/console calls, in order
        core = [c for c in all_cmds if c[1] not in ("list", "console")]
        self.assertEqual(core, [
            [XL, "create", "-p", cfg],
            [XL, "unpause", name],
            [XL, "shutdown", name],
            [XL, "destroy", name],
        ], self.explain())
        # the rest: `xl list <name>` (state queries) and `xl console <name>`
        for c in all_cmds:
            if c[1] == "list":
                self.assertEqual(c, [XL, "list", name], self.explain())
            elif c[1] == "console":
                self.assertEqual(c, [XL, "console", name], self.explain())
        self.assertNothingLeft()


# ====================================================================== checkpoint

class Checkpoint(XenTestCase):
    def test_checkpoint_and_restore(self):
        z = self.z
        name, pid, _ = self.running("ck")
        image = os.path.join(z.tmp, "image")
        os.makedirs(image)
        mark = z.mark()
        self.assertOk(z.run("checkpoint", "--image-path", image, "ck"))
        save = os.path.join(image, "domain.xlsave")
        self.assertEqual(z.commands_since(mark)[0], [XL, "save", name, save], self.explain())
        self.assertTrue(os.path.isfile(save))
        self.wait_status("ck", "stopped")
        self.assertEqual(self.monitor_exit(pid), 0)
        self.assertNotIn(name, z.xl_list_names())
        self.assertOk(z.run("delete", "ck"))
        self.assertNothingLeft()

        bundle = z.xen_bundle("ck2")
        mark = z.mark()
        out_r = z.run("restore", "--image-path", image, "--bundle", bundle, "ck2")
        self.assertOk(out_r)
        rec = z.record("ck2")
        name2 = rec["partition_name"]
        cfg2 = z.domain_cfg("ck2")
        self.assertEqual(z.commands_since(mark)[0], [XL, "restore", cfg2, save], self.explain())
        self.wait_status("ck2", "running")
        self.assertIn(name2, z.xl_list_names())
        self.assertIn(z.xl_list_state(name2), ("-b----", "r-----"))
        self.assertOk(z.run("delete", "--force", "ck2"))
        self.assertNothingLeft()


# ====================================================================== failures

class FailureInjection(XenTestCase):
    def create_path_subcommands(self):
        """The xl subcommands a successful create runs (learned, not assumed)."""
        mark = self.z.mark()
        self.create_ok("probe")
        subs = []
        for c in self.z.commands()[mark:]:
            if c[1] not in subs:
                subs.append(c[1])
        self.assertOk(self.z.run("delete", "--force", "probe"))
        self.assertNothingLeft()
        return subs

    def check_create_fails(self, entry, cid):
        z = self.z
        z.set_xl_fail(entry)
        r = self.create(cid)
        z.clear_xl_fail()
        self.assertCleanFailure(r)
        return r

    def test_create_fails_at_every_xl_call(self):
        subs = self.create_path_subcommands()
        self.assertIn("create", subs)
        for i, sub in enumerate(subs):
            if sub == "console":
                continue  # run by the container process, not by create
            if sub == "list":
                # create's check that no domain has the name yet: a failing
                # `xl list <name>` says "invalid domain identifier", exactly
                # as for a missing domain, so create rightly goes on.
                continue
            with self.subTest(xl=sub):
                entry = sub + " rc=1" if sub in ("pause", "unpause") else sub
                r = self.check_create_fails(entry, "f%d" % i)
                if sub == "create":
                    # xl's own error text is part of runphi's error
                    self.assertIn("cannot make domain", r.stderr, self.explain(r))
                self.assertNothingLeft()

    def test_create_fails_invariant_text(self):
        # xl create exits 3 with libxl's message; runphi passes it on
        r = self.check_create_fails("create errno=ENOMEM", "fx")
        self.assertIn("domain creation fail", r.stderr, self.explain(r))
        self.assertNothingLeft()

    def test_start_fails_at_unpause(self):
        z = self.z
        r, name, pid = self.create_ok("su")
        self.wait_monitor_ready(pid)
        z.set_xl_fail("unpause %s rc=1" % name)
        r = z.run("start", "su")
        z.clear_xl_fail()
        self.assertCleanFailure(r)
        self.assertIn("Unpausing domain", r.stderr, self.explain(r))
        # the domain never ran
        self.assertNotIn(z.xl_list_state(name), ("-b----", "r-----"), self.explain())
        self.assertOk(z.run("delete", "--force", "su"))
        self.assertNothingLeft()


class DriverErrors(XenTestCase):
    """xl failing after create: runphi reports xl's error and keeps a
    consistent state (nothing released that still exists)."""

    def test_delete_when_destroy_fails_keeps_state_then_retry(self):
        z = self.z
        name, pid, _ = self.running("dd")
        z.set_xl_fail("destroy rc=1")
        r = z.run("delete", "--force", "dd")
        z.clear_xl_fail()
        self.assertCleanFailure(r, "destroy failed")
        # the domain still exists, so its resources and state stay
        self.assertIn(name, z.xl_list_names())
        self.assertIn(z.owner("dd"), z.ledger())
        self.assertIsNotNone(z.record("dd"))
        self.assertOk(z.run("delete", "--force", "dd"))
        self.assertEqual(self.monitor_exit(pid), 137)
        self.assertNothingLeft()

    def test_kill_term_when_shutdown_fails(self):
        z = self.z
        name, pid, _ = self.running("sf")
        z.set_xl_fail("shutdown")
        r = z.run("kill", "sf", "TERM")
        z.clear_xl_fail()
        self.assertCleanFailure(r, "shutdown failed")
        self.assertEqual(self.status("sf"), "running")
        self.assertTrue(alive(pid))
        self.assertOk(z.run("delete", "--force", "sf"))
        self.assertNothingLeft()

    def test_pause_fails(self):
        z = self.z
        name, pid, _ = self.running("pf")
        z.set_xl_fail("pause rc=1")
        r = z.run("pause", "pf")
        z.clear_xl_fail()
        self.assertCleanFailure(r, "Pausing domain")
        self.assertEqual(self.status("pf"), "running")
        self.assertOk(z.run("delete", "--force", "pf"))
        self.assertNothingLeft()

    def test_checkpoint_fails_keeps_running(self):
        z = self.z
        name, pid, _ = self.running("cf")
        image = os.path.join(z.tmp, "image")
        os.makedirs(image)
        z.set_xl_fail("save")
        r = z.run("checkpoint", "--image-path", image, "cf")
        z.clear_xl_fail()
        self.assertCleanFailure(r, "Failed to save domain")
        self.assertEqual(self.status("cf"), "running")
        self.assertTrue(alive(pid))
        self.assertIn(z.xl_list_state(name), ("-b----", "r-----"))
        self.assertOk(z.run("delete", "--force", "cf"))
        self.assertNothingLeft()

    def test_restore_fails_rolls_back(self):
        z = self.z
        name, pid, _ = self.running("rf")
        image = os.path.join(z.tmp, "image")
        os.makedirs(image)
        self.assertOk(z.run("checkpoint", "--image-path", image, "rf"))
        self.assertOk(z.run("delete", "--force", "rf"))
        self.assertNothingLeft()
        z.set_xl_fail("restore")
        r = z.run("restore", "--image-path", image, "--bundle", z.xen_bundle("rf2"), "rf2")
        z.clear_xl_fail()
        self.assertCleanFailure(r, "xl restore", "exited with status 3")
        self.assertNothingLeft()


class MoreLifecycle(XenTestCase):
    def test_kill_term_created_never_started_is_143(self):
        z = self.z
        r, name, pid = self.create_ok("kc")
        self.wait_monitor_ready(pid)
        mark = z.mark()
        self.assertOk(z.run("kill", "kc", "TERM"))
        self.assertEqual(z.commands_since(mark)[:1], [[XL, "destroy", name]], self.explain())
        self.wait_status("kc", "stopped")
        self.assertEqual(self.monitor_exit(pid), 143)
        self.assertOk(z.run("delete", "kc"))
        self.assertNothingLeft()

    def test_checkpoint_leave_running(self):
        z = self.z
        name, pid, _ = self.running("lr")
        image = os.path.join(z.tmp, "image")
        os.makedirs(image)
        mark = z.mark()
        self.assertOk(z.run("checkpoint", "--leave-running", "--image-path", image, "lr"))
        self.assertEqual(z.commands_since(mark),
                         [[XL, "save", "-c", name, os.path.join(image, "domain.xlsave")]], self.explain())
        self.assertEqual(self.status("lr"), "running")
        self.assertTrue(alive(pid))
        self.assertOk(z.run("delete", "--force", "lr"))
        self.assertNothingLeft()

    def test_domain_destroyed_behind_runphis_back_is_137(self):
        z = self.z
        name, pid, _ = self.running("gone")
        self.assertEqual(z.xl("destroy", name).returncode, 0)
        self.wait_status("gone", "stopped")
        self.assertEqual(self.monitor_exit(pid), 137)
        self.assertOk(z.run("delete", "gone"))
        self.assertNothingLeft()

    def test_guest_reboot_on_reboot_destroy(self):
        z = self.z
        name, pid, _ = self.running("rb")
        z.guest(name, "reboot")
        self.wait_status("rb", "stopped")
        self.assertEqual(self.monitor_exit(pid), 137)
        self.assertNotIn(name, z.xl_list_names())
        self.assertOk(z.run("delete", "rb"))
        self.assertNothingLeft()

    def test_delete_refuses_running_without_force(self):
        z = self.z
        name, pid, _ = self.running("nf")
        mark = z.mark()
        self.assertCleanFailure(z.run("delete", "nf"))
        self.assertNotIn([XL, "destroy", name], z.commands_since(mark))
        self.assertIn(name, z.xl_list_names())
        self.assertOk(z.run("delete", "--force", "nf"))
        self.assertNothingLeft()

    def test_sequential_zics_reuse_the_cpu(self):
        z = self.z
        for i in range(3):
            cid = "seq%d" % i
            name, pid, _ = self.running(cid)
            self.assertEqual(z.domains()[name]["hard"], [[1]])
            z.guest(name, "poweroff")
            self.wait_status(cid, "stopped")
            self.assertEqual(self.monitor_exit(pid), 0)
            self.assertOk(z.run("delete", cid))
            self.assertNothingLeft()


# ====================================================================== hostile / resources

class HostileAndResources(XenTestCase):
    def test_hostile_ramdisk_name(self):
        z = self.z
        ramdisk = '/boot/init"rd] kernel="x.cpio.gz'
        zic = dict(ZIC_LINUX, ramdisk=ramdisk)
        bundle = z.xen_bundle("hostile", zic=zic)
        r, name, pid = self.create_ok("hostile", bundle)
        cfg = z.domain_cfg("hostile")
        with open(cfg, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        settings, errs, _ = xlcfg.parse(text, cfg, None)
        self.assertEqual(errs, [], text)
        keys = sorted(settings)
        self.assertEqual(keys, sorted(["name", "type", "kernel", "ramdisk", "extra", "memory",
                                       "maxmem", "vcpus", "cpus", "on_poweroff", "on_crash",
                                       "on_reboot"]), text)
        for k, s in settings.items():
            self.assertEqual(s.count, 1, "key %s given %d times\n%s" % (k, s.count, text))
        dom = z.domains()[name]
        self.assertTrue(dom["ramdisk"].endswith(ramdisk), dom["ramdisk"])
        self.assertTrue(os.path.isfile(dom["ramdisk"]), dom["ramdisk"])
        self.assertTrue(dom["kernel"].endswith("/boot/vmlinuz"), dom["kernel"])
        self.assertOk(z.run("delete", "--force", "hostile"))
        self.assertNothingLeft()

    def test_xl_is_given_the_pinned_boot_files_not_rootfs_paths(self):
        # Issue 13, point 2: the images checked inside the rootfs are the
        # ones xl loads, whatever the rootfs's paths point to later.
        z = self.z
        bundle = z.xen_bundle("pinned")
        with open(os.path.join(bundle, "rootfs", "boot", "vmlinuz"), "rb") as f:
            kernel = f.read()
        r, name, pid = self.create_ok("pinned", bundle)
        settings, errs, _ = xlcfg.parse(self.read(z.domain_cfg("pinned")), "domain.cfg", None)
        self.assertEqual(errs, [])
        private = z.container_dir("pinned") + "/"
        for key in ("kernel", "ramdisk"):
            path = settings[key].value[1]
            self.assertTrue(path.startswith(private), "%s = %s is not runphi's private copy" % (key, path))
            self.assertFalse(os.path.islink(path), path)
        self.assertTrue(z.domains()[name]["kernel"].startswith(private), z.domains()[name])
        # Swapping the rootfs's boot directory afterwards changes nothing.
        host = os.path.join(z.tmp, "host")
        os.makedirs(host)
        with open(os.path.join(host, "vmlinuz"), "wb") as f:
            f.write(b"HOST-SECRET")
        shutil.rmtree(os.path.join(bundle, "rootfs", "boot"))
        os.symlink(host, os.path.join(bundle, "rootfs", "boot"))
        with open(settings["kernel"].value[1], "rb") as f:
            self.assertEqual(f.read(), kernel)
        self.assertOk(z.run("delete", "--force", "pinned"))
        self.assertNothingLeft()

    def test_cpu_pinning_and_exhaustion(self):
        z = self.z
        r, name, pid = self.create_ok("one")
        text = self.read(z.domain_cfg("one"))
        settings, errs, _ = xlcfg.parse(text, "domain.cfg", None)
        self.assertEqual(errs, [], text)
        self.assertEqual(settings["vcpus"].value[1], "1", text)
        self.assertEqual(settings["cpus"].value[1], "1", text)
        dom = z.domains()[name]
        self.assertEqual(dom["hard"], [[1]], dom)
        self.assertEqual(dom["memory"], 128, dom)
        r2 = self.create("two")
        self.assertCleanFailure(r2, "not enough CPUs: asked 1, free 0")
        self.assertEqual(sorted(z.domains()), [name])
        self.assertEqual(list(z.ledger()), [z.owner("one")])
        self.assertOk(z.run("delete", "--force", "one"))
        self.assertNothingLeft()


# ---------------------------------------------------------------- main

def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runphi", required=True)
    p.add_argument("--runc", required=True)
    p.add_argument("--driver-dir", required=True)
    p.add_argument("--platform", required=True)
    ARGS, rest = p.parse_known_args()
    ARGS.runphi = os.path.abspath(ARGS.runphi)
    ARGS.driver_dir = os.path.abspath(ARGS.driver_dir)
    ARGS.platform = os.path.abspath(ARGS.platform)
    prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
