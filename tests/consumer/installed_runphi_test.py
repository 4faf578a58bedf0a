#!/usr/bin/env python3
"""The installed runphi, moved away from the prefix it was installed to,
runs a partitioned container (ZIC) with everything it needs found inside
the moved tree: the driver module (libphi-driver-test.so, copied into
<libdir>/phi/drivers as a packager adding a driver would), the container
process binary (<libexecdir>/runphi/runphi-monitor) and the platform
template named without a path (<datadir>/runphi/platform-templates). The
build tree's driver directory and $PHI_DRIVER_DIR are not given.

usage: installed_runphi_test.py --build <build dir> --runc <runc>
                                --driver-dir <dir of libphi-driver-test.so>
                                --platform <platform-templates/test-board.json>
"""

import argparse
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
sys.path.insert(0, os.path.join(HERE, "..", "partition"))
import zic_env  # noqa: E402
from zic_env import ZicEnv, alive, cmdline  # noqa: E402

ARGS = None


class InstalledRunphi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="runphi-installed-")
        installed = os.path.join(cls.tmp, "installed")
        subprocess.run(["cmake", "--install", ARGS.build, "--prefix", installed], check=True,
                       stdout=subprocess.DEVNULL)
        # Not where it was installed to, and not the configure-time prefix.
        cls.prefix = os.path.join(cls.tmp, "moved")
        os.rename(installed, cls.prefix)
        libs = [d for d, _, files in os.walk(cls.prefix) if "libphi.so.1" in files]
        assert libs, "libphi.so.1 was not installed"
        cls.libdir = libs[0]
        cls.drivers = os.path.join(cls.libdir, "phi", "drivers")
        cls.templates = os.path.join(cls.prefix, "share", "runphi", "platform-templates")
        shutil.copy2(os.path.join(ARGS.driver_dir, "libphi-driver-test.so"), cls.drivers)
        shutil.copy2(ARGS.platform, cls.templates)
        cls.runphi = os.path.join(cls.prefix, "sbin", "runphi")
        cls.workdir = zic_env.fast_tmpdir("runphi-installed-shared-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def setUp(self):
        os.environ.pop("PHI_DRIVER_DIR", None)
        self.z = ZicEnv(self.runphi, ARGS.runc, "", ARGS.platform, self.workdir,
                        extra_config={"platform_template": "test-board"})
        self.addCleanup(self.z.cleanup)

    def ok(self, r):
        self.assertEqual(r.returncode, 0, "%r\nlog:\n%s" % (r, self.z.log_tail()))
        return r

    def test_layout(self):
        p = self.prefix
        for rel in ("share/runphi/platform-templates/zcu104.json",
                    "share/runphi/platform-templates/x86_64-xen.json",
                    "share/doc/runphi/runphi.json.sample",
                    "share/man/man8/runphi.8",
                    "share/man/man5/runphi.json.5",
                    "share/bash-completion/completions/runphi",
                    "libexec/runphi/runphi-monitor"):
            self.assertTrue(os.path.isfile(os.path.join(p, rel)), rel + " was not installed")
        for driver in ("xen", "jailhouse"):
            self.assertTrue(os.path.isfile(os.path.join(self.drivers, "libphi-driver-%s.so" % driver)),
                            "driver %s not installed under %s" % (driver, self.drivers))

    def test_sample_configuration_is_valid(self):
        sample = os.path.join(self.prefix, "share/doc/runphi/runphi.json.sample")
        r = self.ok(self.z.run("--version", config=sample))
        self.assertIn("backend: jailhouse", r.stdout)

    def test_env_and_check_name_the_moved_tree(self):
        r = self.ok(self.z.run("env"))
        e = json.loads(r.stdout)
        self.assertEqual(e["driver"]["path"], os.path.join(self.drivers, "libphi-driver-test.so"))
        self.assertEqual(e["platform"]["path"], os.path.join(self.templates, "test-board.json"))
        r = self.ok(self.z.run("check"))
        self.assertNotIn("fail", r.stdout)

    def test_zic_lifecycle_finds_everything_in_the_moved_prefix(self):
        z = self.z
        # The only test driver there is lies in the moved tree (the driver
        # search path is driver_dir "", $PHI_DRIVER_DIR unset, then libphi's).
        configured_dir = ARGS.configured_driver_dir
        self.assertFalse(os.path.exists(os.path.join(configured_dir, "libphi-driver-test.so")))
        bundle = z.bundle("installed")
        pid_file = os.path.join(z.tmp, "zic.pid")
        self.ok(z.create("inst", bundle, pid_file=pid_file))
        with open(pid_file) as f:
            pid = int(f.read())
        self.assertTrue(alive(pid))
        self.assertEqual(cmdline(pid)[0], os.path.join(self.prefix, "libexec", "runphi", "runphi-monitor"))
        # The template name resolved to the moved tree's file, and that is
        # what the container's recorded configuration holds.
        with open(os.path.join(z.container_dir("inst"), "runphi.json")) as f:
            recorded = json.load(f)
        self.assertEqual(recorded["platform_template"], os.path.join(self.templates, "test-board.json"))
        deadline = time.monotonic() + 10
        while not zic_env.blocks_signal(pid, signal.SIGUSR1) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.ok(z.run("start", "inst"))
        self.assertEqual(z.state("inst")["status"], "running")
        self.ok(z.delete("inst"))
        self.assertEqual(z.ledger(), {})
        self.assertEqual(z.container_dirs(), [])


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--runc", required=True)
    ap.add_argument("--driver-dir", required=True)
    ap.add_argument("--platform", required=True)
    ap.add_argument("--configured-driver-dir", required=True, help="the configure-time <libdir>/phi/drivers")
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
