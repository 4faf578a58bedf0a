#!/usr/bin/env python3
"""`runphi check` and `runphi env` through the real runphi binary, with the
test driver: every check line passes on a good setup, and each one fails,
with its fix and exit status 1, when its part of the setup is broken.

usage: runphi_check_test.py --runphi <runphi> --runc <runc>
                            --driver-dir <dir of libphi-driver-test.so>
                            --platform <platform-templates/test-board.json>
"""

import argparse
import json
import os
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "partition"))
import zic_env  # noqa: E402
from zic_env import ZicEnv  # noqa: E402

ARGS = None
WORKDIR = None
NAMES = ["configuration", "driver", "platform template", "hypervisor", "cpus", "runc", "state root"]


def setUpModule():
    global WORKDIR
    WORKDIR = zic_env.fast_tmpdir("runphi-check-shared-")


def tearDownModule():
    shutil.rmtree(WORKDIR, ignore_errors=True)


class CheckTestCase(unittest.TestCase):
    def setUp(self):
        self.z = ZicEnv(ARGS.runphi, ARGS.runc, ARGS.driver_dir, ARGS.platform, WORKDIR)
        self.addCleanup(self.z.cleanup)
        self.busy = os.path.join(self.z.tmp, "busy")

    def check(self, config=None, busy=None, extra_env=None, **changes):
        cfg = self.z.write_config(os.path.join(self.z.tmp, "check.json"), **changes) if changes else config
        env = dict(extra_env or {})
        if busy is not None:
            with open(self.busy, "w") as f:
                f.write(busy + "\n")
            env["PHI_TEST_DRIVER_BUSY"] = self.busy
        r = self.z.run("check", config=cfg, extra_env=env)
        lines = {}
        for line in r.stdout.splitlines():
            word, _, rest = line.partition(" ")
            name, _, detail = rest.strip().partition(": ")
            lines[name] = (word, detail)
        return r, lines

    def assertFails(self, r, lines, name, *texts):
        self.assertEqual(r.returncode, 1, r)
        self.assertIn(name, lines, r)
        word, detail = lines[name]
        self.assertEqual(word, "fail", r)
        self.assertIn("; fix: ", detail, r)
        for t in texts:
            self.assertIn(t, detail, r)
        self.assertRegex(r.stderr, r"runphi: \d+ of \d+ checks failed", r)
        return detail


class Check(CheckTestCase):
    def test_all_ok(self):
        r, lines = self.check()
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(list(lines), NAMES, r)
        self.assertTrue(all(word == "ok" for word, _ in lines.values()), r)
        self.assertIn(os.path.join(ARGS.driver_dir, "libphi-driver-test.so"), lines["driver"][1])
        self.assertEqual(lines["cpus"][1], "pool 1,2,3, free 1,2,3")
        self.assertEqual(lines["runc"][1], ARGS.runc)
        self.assertEqual(r.stderr, "")

    def test_invalid_configuration(self):
        bad = os.path.join(self.z.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write('{"backend": "test", "no_such_key": 1}')
        r, lines = self.check(config=bad)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(list(lines), ["configuration"], r)
        self.assertEqual(lines["configuration"][0], "fail", r)
        self.assertIn("no_such_key", lines["configuration"][1])
        self.assertIn("; fix: ", lines["configuration"][1])

    def test_no_backend(self):
        r, lines = self.check(backend="")
        self.assertFails(r, lines, "driver", "no backend configured", 'set "backend"')
        self.assertEqual(lines["hypervisor"][0], "fail")
        self.assertEqual(lines["runc"][0], "ok")

    def test_driver_module_missing(self):
        r, lines = self.check(backend="nosuch")
        self.assertFails(r, lines, "driver", "libphi-driver-nosuch.so", ARGS.driver_dir)

    def test_no_platform_template(self):
        r, lines = self.check(platform_template="")
        self.assertFails(r, lines, "platform template", "none configured", '"platform_template"')

    def test_invalid_platform_template(self):
        bad = os.path.join(self.z.tmp, "board.json")
        with open(bad, "w") as f:
            f.write('{"name": "half"}')
        r, lines = self.check(platform_template=bad)
        self.assertFails(r, lines, "platform template", bad)

    def test_hypervisor_does_not_answer(self):
        r, lines = self.check(busy="fail")
        self.assertFails(r, lines, "hypervisor", "test driver: busyCpus: failure injected", "start the test hypervisor")
        self.assertEqual(lines["cpus"][0], "fail")

    def test_cpus_held_by_someone_else(self):
        r, lines = self.check(busy="2")
        self.assertFails(r, lines, "cpus", "CPUs 2 are held by partitions runphi did not make")

    def test_every_cpu_allocated_to_runphi(self):
        b = self.z.bundle("all-cpus", cpu_quota=300000, cpu_period=100000)
        r = self.z.create("all-cpus", b)
        self.assertEqual(r.returncode, 0, r)
        # the hypervisor reporting runphi's own partition's CPUs is fine
        r, lines = self.check(busy="1 2 3")
        self.assertFails(r, lines, "cpus", "every CPU is allocated to runphi's containers (1,2,3)")
        self.assertNotIn("did not make", lines["cpus"][1])

    def test_no_runc(self):
        r, lines = self.check(runc_path="/nonexistent/runc", extra_env={"PATH": os.path.join(self.z.tmp, "empty")})
        self.assertFails(r, lines, "runc", "no runc to forward to", 'set "runc_path"')

    def test_state_root_not_writable(self):
        blocker = os.path.join(self.z.tmp, "a-file")
        with open(blocker, "w"):
            pass
        r, lines = self.check(state_root=os.path.join(blocker, "state"))
        self.assertFails(r, lines, "state root", "cannot create " + os.path.join(blocker, "state"), '"state_root"')


class Env(CheckTestCase):
    def env(self, **changes):
        cfg = self.z.write_config(os.path.join(self.z.tmp, "env.json"), **changes) if changes else None
        r = self.z.run("env", config=cfg)
        self.assertEqual(r.returncode, 0, r)
        self.assertTrue(r.stdout.startswith('{\n  "config": {\n'), r.stdout)
        return json.loads(r.stdout)

    def test_resolved_configuration(self):
        e = self.env()
        self.assertEqual(e["config_file"], {"path": self.z.config_path, "exists": True})
        self.assertEqual(e["config"]["backend"], "test")
        self.assertEqual(e["config"]["state_root"], self.z.state_root)
        self.assertEqual(e["config"]["log"]["level"], "debug")
        self.assertEqual(e["driver"]["path"], os.path.join(ARGS.driver_dir, "libphi-driver-test.so"))
        self.assertEqual(e["driver"]["search_path"][0], ARGS.driver_dir)
        self.assertEqual(e["platform"], {"path": ARGS.platform, "name": "test-board"})
        self.assertEqual(e["runc"], {"path": ARGS.runc})

    def test_what_is_missing_is_named_not_fatal(self):
        e = self.env(backend="nosuch", platform_template="no-such-board")
        self.assertIn("libphi-driver-nosuch.so", e["driver"]["error"])
        # a bare name is an installed board's: the path names where it was looked for
        self.assertTrue(e["platform"]["path"].endswith("/runphi/platform-templates/no-such-board.json"), e)
        self.assertIn("error", e["platform"])


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runphi", required=True)
    ap.add_argument("--runc", required=True)
    ap.add_argument("--driver-dir", required=True)
    ap.add_argument("--platform", required=True)
    ARGS, rest = ap.parse_known_args()
    ARGS.runphi = os.path.abspath(ARGS.runphi)
    ARGS.driver_dir = os.path.abspath(ARGS.driver_dir)
    ARGS.platform = os.path.abspath(ARGS.platform)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
