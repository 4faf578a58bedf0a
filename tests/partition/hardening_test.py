#!/usr/bin/env python3
"""Hardening tests of runphi's partition core against the test driver
(issue 13): partition names that collide on purpose, a rollback that must not
touch a partition it did not make, delete --force without a driver, a full
state filesystem and a corrupt state.json, deep and oversized inputs, ids and
--root values, trust of the configuration files, arithmetic overflow.

usage: hardening_test.py --runphi <runphi> --runc <real runc>
                         --driver-dir <dir of libphi-driver-test.so>
                         --platform <platform-templates/test-board.json>
                         [unittest arguments, e.g. -k Collision]

Python 3 standard library only; the fixtures are partition_test.py's.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import partition_test  # noqa: E402
import zic_env  # noqa: E402
from partition_test import PartitionTestCase  # noqa: E402

MASK64 = (1 << 64) - 1


def setUpModule():
    partition_test.setUpModule()


def tearDownModule():
    partition_test.tearDownModule()


# ---------------------------------------------------------------- names

def fnv1a(data, h=1469598103934665603):
    for b in data:
        h = ((h ^ b) * 1099511628211) & MASK64
    return h


def fold(h):
    return (h ^ (h >> 32)) & 0xFFFFFFFF


def colliding_ids(root_a, root_b, prefix):
    """Two container ids starting with `prefix` (18 characters: the readable
    part of a partition name) whose partition names -- candidate 0 of
    libphi's partitionNameFor, under runc roots root_a and root_b -- are the
    same: a birthday search over the 32-bit hash."""
    assert len(prefix) == 18
    base_a = fnv1a((root_a + "\0" + prefix).encode())
    base_b = fnv1a((root_b + "\0" + prefix).encode())
    seen_a, seen_b = {}, {}
    i = 0
    while True:
        suffix = ("%x" % i).encode()
        ha, hb = fold(fnv1a(suffix, base_a)), fold(fnv1a(suffix, base_b))
        cid = prefix + suffix.decode()
        if hb in seen_a:
            return seen_a[hb], cid
        if ha in seen_b and seen_b[ha] != cid:
            return cid, seen_b[ha]
        seen_a[ha], seen_b[hb] = cid, cid
        i += 1


def partition_name(root, cid):
    readable = "".join(c.lower() if c.isascii() and c.isalnum() else "-" for c in cid[:18])
    return "phi-%s-%08x" % (readable, fold(fnv1a((root + "\0" + cid).encode())))


class HardeningTestCase(PartitionTestCase):
    def write_raw_config(self, text, name="raw-runphi.json"):
        path = os.path.join(self.z.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def running(self, cid, bundle=None, root=None):
        rec = self.create_ok(cid, bundle, root=root)
        self.start_ok(cid, root=root)
        self.wait_for(lambda: self.z.partition_state(rec["partition_name"]) == "running", cid + " running")
        return rec["partition_name"]


# ====================================================================== 1
class PartitionNames(HardeningTestCase):
    def check_collision(self, root_a, root_b):
        victim_id, attacker_id = colliding_ids(root_a, root_b, "collide-on-purpose")
        self.assertEqual(partition_name(root_a, victim_id), partition_name(root_b, attacker_id))
        victim = self.running(victim_id, root=root_a)
        self.assertEqual(victim, partition_name(root_a, victim_id), "the name scheme changed; fix partition_name()")

        r = self.z.create(attacker_id, self.z.bundle("attacker"), root=root_b)
        # The victim's partition is never touched, whatever the attacker's create does.
        self.assertEqual(self.z.partition_state(victim), "running", self.explain(r))
        self.assertEqual(self.z.state(victim_id, root=root_a)["status"], "running", self.explain(r))
        # Names are unique by construction: the second container gets another one.
        self.assertOk(r)
        attacker = self.z.record(attacker_id, root_b)["partition_name"]
        self.assertNotEqual(attacker, victim)
        self.assertEqual(self.z.partition_state(attacker), "created")
        self.assertOk(self.z.delete(attacker_id, root=root_b))
        self.assertEqual(self.z.partition_state(victim), "running")
        # Later calls find the reserved name again (it is not candidate 0).
        self.assertOk(self.z.delete(victim_id, root=root_a))
        self.assertNothingLeft()

    def test_colliding_ids_in_one_root_get_different_partitions(self):
        self.check_collision(self.z.root, self.z.root)

    def test_colliding_ids_across_roots_get_different_partitions(self):
        self.check_collision(self.z.root, self.z.root + "-other")

    def test_rollback_never_destroys_a_partition_it_did_not_make(self):
        # A partition of that name made outside this state root (another
        # runphi, an operator): create must refuse it and leave it alone.
        cid = "foreign"
        name = partition_name(self.z.root, cid)
        foreign = os.path.join(self.z.driver_state, "partitions", name)
        os.makedirs(foreign)
        with open(os.path.join(foreign, "state"), "w") as f:
            f.write("running\n")
        with open(os.path.join(foreign, "config.json"), "w") as f:
            json.dump({"cpus": [], "rpus": [], "memory": []}, f)
        r = self.z.create(cid, self.default_bundle())
        self.assertCleanFailure(r, "already exists")
        self.assertEqual(self.z.partition_state(name), "running", self.explain(r))
        self.assertNotIn(("destroy", name), self.z.ops(), self.explain(r))
        self.assertEqual(self.z.ledger(), {})
        self.assertEqual(self.z.container_dirs(), [])
        shutil.rmtree(foreign)


# ====================================================================== 2
class BootFilePinning(HardeningTestCase):
    def test_boot_files_are_copied_when_the_rootfs_is_on_another_filesystem(self):
        mnt = tempfile.mkdtemp(prefix="runphi-otherfs-")
        self.addCleanup(shutil.rmtree, mnt, True)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt],
                          stderr=subprocess.DEVNULL).returncode != 0:
            self.skipTest("cannot mount a tmpfs (needs CAP_SYS_ADMIN)")
        self.addCleanup(subprocess.run, ["umount", "-l", mnt])
        src = self.z.bundle("otherfs")
        b = os.path.join(mnt, "bundle")
        shutil.copytree(src, b, symlinks=True)
        with open(os.path.join(b, "rootfs", "boot", "cmdline"), "w") as f:
            f.write("console=ttyS0\n")
        self.create_ok("otherfs", b)
        pinned = os.path.join(self.z.container_dir("otherfs"), "boot-files", "boot")
        for rel in ("zephyr.bin", "cmdline"):
            original = os.path.join(b, "rootfs", "boot", rel)
            copy = os.path.join(pinned, rel)
            self.assertNotEqual(os.stat(copy).st_dev, os.stat(original).st_dev)
            with open(copy, "rb") as f, open(original, "rb") as g:
                self.assertEqual(f.read(), g.read())
        # Same filesystem: a hard link to the very file opened.
        self.create_ok("samefs", self.z.bundle("samefs"))
        same = os.path.join(self.z.container_dir("samefs"), "boot-files", "boot", "zephyr.bin")
        self.assertEqual(os.stat(same).st_ino,
                         os.stat(os.path.join(self.z.tmp, "bundles", "samefs", "rootfs", "boot", "zephyr.bin")).st_ino)
        self.assertOk(self.z.delete("otherfs"))
        self.assertOk(self.z.delete("samefs"))
        self.assertNothingLeft()


# ====================================================================== 5
class DeleteWithoutDriver(HardeningTestCase):
    def test_delete_force_without_its_driver_fails_and_keeps_everything(self):
        # Later calls use the driver_dir create recorded, whatever the caller
        # passes: the driver goes missing from that directory itself.
        drivers = os.path.join(self.z.tmp, "own-drivers")
        os.makedirs(drivers)
        so = os.path.join(drivers, "libphi-driver-test.so")
        shutil.copy(os.path.join(self.z.driver_dir, "libphi-driver-test.so"), so)
        cfg = self.z.write_config(os.path.join(self.z.tmp, "own-drivers.json"), driver_dir=drivers)
        rec = self.create_ok("nodrv", config=cfg)
        name = rec["partition_name"]
        self.start_ok("nodrv")
        self.wait_for(lambda: self.z.partition_state(name) == "running", "nodrv running")
        owner = self.z.owner("nodrv")
        os.rename(so, so + ".away")
        r = self.z.run("delete", "--force", "nodrv", config=cfg)
        self.assertCleanFailure(r, "nodrv", name, "may still exist")
        self.assertEqual(self.z.partition_state(name), "running", self.explain(r))
        self.assertIn(owner, self.z.ledger(), self.explain(r))
        self.assertIsNotNone(self.z.record("nodrv"), self.explain(r))
        # The CPUs are not given to the next container meanwhile.
        cpus = self.z.ledger()[owner]["cpus"]
        b = self.z.bundle("next", cpu_quota=300000, cpu_period=100000)
        self.assertCleanFailure(self.z.create("next", b))
        self.assertEqual(self.z.ledger()[owner]["cpus"], cpus)
        # With the driver back, delete works.
        os.rename(so + ".away", so)
        self.assertOk(self.z.delete("nodrv"))
        self.assertNothingLeft()


# ====================================================================== 6
class Recovery(HardeningTestCase):
    def test_corrupt_state_json_neither_blocks_delete_nor_list(self):
        name = self.running("broken")
        self.create_ok("fine", self.z.bundle("fine"))
        with open(os.path.join(self.z.container_dir("broken"), "state.json"), "w") as f:
            f.write("{\"id\": \"broken\", \"stat")
        r = self.assertOk(self.z.run("list", "--format", "json"))
        ids = [c["id"] for c in json.loads(r.stdout) or []]
        self.assertIn("fine", ids, self.explain(r))
        # delete --force finds the partition through the ledger and destroys it.
        self.assertOk(self.z.delete("broken"))
        self.assertNotIn(name, self.z.partitions())
        self.assertNotIn(self.z.owner("broken"), self.z.ledger())
        self.assertOk(self.z.delete("fine"))
        self.assertNothingLeft()

    def test_rollback_on_a_full_state_filesystem_does_not_leak_resources(self):
        mnt = tempfile.mkdtemp(prefix="runphi-fullfs-")
        self.addCleanup(shutil.rmtree, mnt, True)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt],
                          stderr=subprocess.DEVNULL).returncode != 0:
            self.skipTest("cannot mount a tmpfs (needs CAP_SYS_ADMIN)")
        self.addCleanup(subprocess.run, ["umount", "-l", mnt])
        self.z.state_root = os.path.join(mnt, "state")
        self.z.config["state_root"] = self.z.state_root
        self.z.write_config()
        # The driver's create waits, the test fills the disk, create fails:
        # the rollback cannot rewrite the ledger.
        self.z.set_delay(create=1.5)
        self.z.set_fail("create")
        proc = self.z.popen("create", "--bundle", self.z.bundle("all", cpu_quota=300000, cpu_period=100000), "full")
        self.wait_for(lambda: any(op[0] == "create" for op in self.z.ops()), "the driver's create", timeout=20)
        filler = os.path.join(mnt, "filler")
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        r = self.z.finish(proc)
        self.assertCleanFailure(r, "failure injected")
        os.unlink(filler)
        self.z.clear_faults()
        # Its container directory is gone: nothing can release its record
        # any more, so the next allocation must not count it.
        self.assertEqual(self.z.container_dirs(), [], self.explain(r))
        self.create_ok("after", self.z.bundle("all2", cpu_quota=300000, cpu_period=100000))
        self.assertEqual(sorted(self.alloc("after")["cpus"]), [1, 2, 3])
        self.assertNotIn(self.z.owner("full"), self.z.ledger())
        self.assertOk(self.z.delete("after"))
        self.assertNothingLeft()


# ====================================================================== 3
class DeepJson(HardeningTestCase):
    def deep(self, levels):
        return "[" * levels + "]" * levels

    def test_too_deep_runphi_json_is_a_clean_error_naming_the_file(self):
        cfg = self.write_raw_config('{"backend": "test", "x": %s}' % self.deep(1200))
        for args in (["--version"], ["state", "nothing"], ["list"]):
            r = self.z.run(*args, config=cfg)
            self.assertCleanFailure(r, cfg)
            self.assertEqual(r.returncode, 1, self.explain(r))

    def test_too_deep_bundle_config_of_an_ordinary_container_is_forwarded(self):
        # No rootfs/boot/config.json: routing must not depend on parsing what runc parses.
        b = self.z.bundle("deep", zic=False, write_inmate=False,
                          mutate=lambda cfg: cfg.update({"x-deep": "@DEEP@"}))
        path = os.path.join(b, "config.json")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace('"@DEEP@"', self.deep(1200)))
        r = self.z.run("create", "--bundle", b, "deepc")
        self.addCleanup(subprocess.run, [self.z.runc, "--root", self.z.root, "delete", "--force", "deepc"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.assertNotIn("malformed JSON", r.stderr, self.explain(r))
        self.assertNotIn("runphi:", r.stderr, self.explain(r))
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertEqual(self.z.container_dirs(), [])
        st = subprocess.run([self.z.runc, "--root", self.z.root, "state", "deepc"], stdout=subprocess.PIPE)
        self.assertEqual(st.returncode, 0, "runc does not hold the container: it was not forwarded")


# ====================================================================== 7
class IdsAndRoots(HardeningTestCase):
    def test_ids_runc_refuses_are_refused_as_runc_does(self):
        b = self.default_bundle()
        for bad in ("a/b", "..", ".", "a\nb", "a b", "x;y"):
            with self.subTest(id=bad):
                mine = self.z.run("create", "--bundle", b, bad)
                runc = subprocess.run([self.z.runc, "--root", self.z.root, "create", "--bundle", b, bad],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                self.assertEqual(mine.returncode, runc.returncode, self.explain(mine))
                self.assertIn("invalid container ID format", runc.stderr)
                self.assertIn("invalid container ID format", mine.stderr, self.explain(mine))
                self.assertEqual(self.z.container_dirs(), [], self.explain(mine))
        self.assertEqual(self.z.ledger(), {})
        # No forged log line: every line of the log is one of runphi's.
        for line in self.z.log_text().splitlines():
            self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\S+ runphi\[\d+\] ")

    def test_root_with_a_trailing_slash_is_the_same_namespace(self):
        self.create_ok("slash")
        r = self.z.run("state", "slash", root=self.z.root + "/")
        self.assertOk(r)
        self.assertEqual(json.loads(r.stdout)["id"], "slash")
        r = self.z.run("create", "--bundle", self.z.bundle("again"), "slash", root=self.z.root + "//./")
        self.assertCleanFailure(r, "already exists")
        self.assertOk(self.z.delete("slash", root=self.z.root + "/"))
        self.assertNothingLeft()


# ====================================================================== 4
class Limits(HardeningTestCase):
    def test_oversized_zic_config_is_refused_before_reading(self):
        b = self.z.bundle("bigzic")
        path = os.path.join(b, "rootfs", "boot", "config.json")
        with open(path, "r+b") as f:
            f.truncate(10 << 30)  # sparse: 10 GiB that would be read until memory runs out
        r = self.z.create("bigzic", b)
        self.assertCleanFailure(r, "too large")
        self.assertEqual(self.z.container_dirs(), [])

    def test_fifo_swapped_in_for_the_zic_config_does_not_hang(self):
        b = self.z.bundle("fifo")
        path = os.path.join(b, "rootfs", "boot", "config.json")
        os.unlink(path)
        os.mkfifo(path)
        # Routing sees no regular file: runc gets it (and refuses "sh" missing or runs it).
        r = self.z.run("create", "--bundle", b, "fifo", timeout=30)
        self.addCleanup(subprocess.run, [self.z.runc, "--root", self.z.root, "delete", "--force", "fifo"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.assertIsInstance(r.returncode, int, self.explain(r))
        self.assertEqual(self.z.container_dirs(), [])

    def test_huge_annotation_is_refused_for_a_zic(self):
        b = self.z.bundle("ann", mutate=lambda cfg: cfg.setdefault("annotations", {}).update(
            {"big": "x" * (300 << 10)}))
        r = self.z.create("ann", b)
        self.assertCleanFailure(r, "annotations", "262144")
        self.assertEqual(self.z.ledger(), {})
        self.assertEqual(self.z.container_dirs(), [])
        # ... and nothing of it reaches the log.
        self.assertLess(len(self.z.log_text()), 200 << 10)

    def test_huge_cpuset_is_refused(self):
        b = self.z.bundle("cpuset", cpuset=",".join(["0-8191"] * 30000))
        r = self.z.create("cpuset", b, )
        self.assertCleanFailure(r, "linux.resources.cpu.cpus", "at most")
        self.assertEqual(self.z.ledger(), {})

    def test_oversized_boot_cmdline_is_refused_before_reading(self):
        b = self.z.bundle("cmdline")
        with open(os.path.join(b, "rootfs", "boot", "cmdline"), "wb") as f:
            f.truncate(1 << 30)
        r = self.z.create("cmdline", b)
        self.assertCleanFailure(r, "boot/cmdline", "4160")
        self.assertEqual(self.z.container_dirs(), [])


# ====================================================================== 8
class Trust(HardeningTestCase):
    def test_world_writable_configuration_is_refused_naming_it(self):
        cfg = self.z.write_config(os.path.join(self.z.tmp, "open.json"))
        os.chmod(cfg, 0o666)
        r = self.z.create("ww", self.default_bundle(), config=cfg)
        self.assertCleanFailure(r, cfg, "writable by anyone")
        self.assertEqual(self.z.container_dirs(), [])
        os.chmod(cfg, 0o644)
        self.create_ok("ww", config=cfg)

    def test_writable_driver_monitor_or_runc_is_refused(self):
        drivers = os.path.join(self.z.tmp, "drivers")
        os.makedirs(drivers)
        so = os.path.join(drivers, "libphi-driver-test.so")
        shutil.copy(os.path.join(self.z.driver_dir, "libphi-driver-test.so"), so)
        os.chmod(so, 0o777)
        cfg = self.z.write_config(os.path.join(self.z.tmp, "drv.json"), driver_dir=drivers)
        r = self.z.create("drv", self.default_bundle(), config=cfg)
        self.assertCleanFailure(r, so, "writable by anyone")
        self.assertEqual(self.z.container_dirs(), [])
        # A directory others can write (not sticky): they could swap the file.
        os.chmod(so, 0o755)
        os.chmod(drivers, 0o777)
        r = self.z.create("drv", self.default_bundle(), config=cfg)
        self.assertCleanFailure(r, drivers, "anyone")
        os.chmod(drivers, 0o755)
        self.create_ok("drv", config=cfg)
        self.assertOk(self.z.delete("drv"))
        # runc_path and monitor_path, before anything is executed (even a forwarded call).
        runc = os.path.join(self.z.tmp, "runc")
        shutil.copy(self.z.runc, runc)
        os.chmod(runc, 0o757)
        cfg = self.z.write_config(os.path.join(self.z.tmp, "runc.json"), runc_path=runc)
        r = self.z.run("list", config=cfg)
        self.assertCleanFailure(r, runc, "runc_path")
        os.chmod(runc, 0o755)
        self.assertOk(self.z.run("list", config=cfg))

    def test_log_path_never_appends_to_a_file_planted_by_a_symlink(self):
        victim = os.path.join(self.z.tmp, "victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        link = os.path.join(self.z.tmp, "link.log")
        os.symlink(victim, link)
        cfg = self.z.write_config(os.path.join(self.z.tmp, "log.json"),
                                  log={"path": link, "level": "debug", "journald": False})
        self.z.run("state", "nothing", config=cfg)
        with open(victim) as f:
            self.assertEqual(f.read(), "precious\n")


# ====================================================================== 9
class Arithmetic(HardeningTestCase):
    def test_huge_cpu_period_does_not_wrap_to_zero_cpus(self):
        b = self.z.bundle("period", cpu_quota=150000, cpu_period=(1 << 64) - 1)
        rec = self.create_ok("period", b)
        self.assertEqual(len(self.alloc("period")["cpus"]), 1, self.explain())
        self.assertEqual(len(self.z.partition_config(rec["partition_name"])["cpus"]), 1)
        self.assertOk(self.z.delete("period"))
        self.assertNothingLeft()

    def test_an_existing_shared_state_root_keeps_its_mode(self):
        shared = os.path.join(self.z.tmp, "shared-state")
        os.makedirs(shared)
        os.chmod(shared, 0o1777)
        self.z.state_root = shared
        self.z.config["state_root"] = shared
        self.z.write_config()
        self.create_ok("shared")
        self.assertEqual(stat.S_IMODE(os.stat(shared).st_mode), 0o1777)
        self.assertEqual(stat.S_IMODE(os.stat(self.z.container_dir("shared")).st_mode), 0o700)
        self.assertOk(self.z.delete("shared"))
        self.assertNothingLeft()

    def test_fifo_as_configuration_or_platform_does_not_hang(self):
        fifo = os.path.join(self.z.tmp, "fifo.json")
        os.mkfifo(fifo)
        r = self.z.run("state", "x", config=fifo, timeout=30)
        self.assertCleanFailure(r, fifo)
        self.create_ok("plat")
        # The platform template swapped for a FIFO after create: delete must not hang.
        plat_fifo = self.z.write_config(os.path.join(self.z.tmp, "plat-fifo.json"), platform_template=fifo)
        os.unlink(os.path.join(self.z.container_dir("plat"), "platform.json"))
        r = self.z.run("delete", "--force", "plat", config=plat_fifo, timeout=30)
        self.assertIsInstance(r.returncode, int, self.explain(r))


def main():
    partition_test.main(__doc__, sys.argv[0])


if __name__ == "__main__":
    main()
