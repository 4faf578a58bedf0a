"""runphi's own behaviour at the command line: bad input, configuration,
logging, routing of partitioned containers, --version and the merged `list`.

usage: runphi_cli_test.py --runphi <runphi> --runc <real runc> [unittest args]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import oci_bundle  # noqa: E402

RUNPHI = RUNC = None
TIMEOUT = 60


class RunphiTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="runphi-cli-")
        self.state_root = os.path.join(self.tmp, "state")
        self.log_path = os.path.join(self.tmp, "logs", "runphi.log")
        self.runc_root = os.path.join(self.tmp, "runc-root")
        self.write_config({"runc_path": RUNC, "state_root": self.state_root,
                           "log": {"path": self.log_path, "level": "debug", "journald": False}})

    def tearDown(self):
        if os.path.isdir(self.runc_root):
            for cid in os.listdir(self.runc_root):
                subprocess.run([RUNC, "--root", self.runc_root, "delete", "--force", cid],
                               capture_output=True, timeout=TIMEOUT)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_config(self, config, raw=None):
        self.config_path = os.path.join(self.tmp, "runphi.json")
        with open(self.config_path, "w") as f:
            f.write(raw if raw is not None else json.dumps(config))

    def runphi(self, *args, env=None, config=True):
        """Runs runphi. Its output goes to files, not pipes: a created
        container's init inherits them and would hold a pipe open."""
        full_env = dict(os.environ)
        full_env.pop("RUNPHI_DEBUG_LEVEL", None)
        if config:
            full_env["RUNPHI_CONFIG"] = self.config_path
        full_env.update(env or {})
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            proc = subprocess.run([RUNPHI, *args], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                  env=full_env, timeout=TIMEOUT)
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read())

    def assertCleanFailure(self, result, *needles):
        """Non-zero exit, not a crash, and stderr says what was wrong."""
        self.assertGreater(result.returncode, 0, result)
        self.assertLess(result.returncode, 128, f"crashed: {result}")
        for needle in needles:
            self.assertIn(needle, result.stderr)

    def add_runphi_record(self, cid):
        # The on-disk layout of libphi's StateStore: <state_root>/<escaped runc root>/<escaped id>/state.json
        def esc(s):
            return "".join(c if c.isalnum() or c in "_-" or (c == "." and i) else "%%%02X" % ord(c)
                           for i, c in enumerate(s))
        d = os.path.join(self.state_root, esc(self.runc_root), esc(cid))
        os.makedirs(d)
        record = {"id": cid, "pid": 4242, "status": "running", "bundle": "/zic/bundle", "rootfs": "/zic/bundle/rootfs",
                  "created": "2026-11-23T10:00:00.000000001Z", "owner": "", "annotations": {}}
        with open(os.path.join(d, "state.json"), "w") as f:
            json.dump(record, f)

    def bundle(self, args=("true",), annotations=None, zic=False):
        path = os.path.join(self.tmp, "bundle")
        oci_bundle.make_bundle(path, RUNC, args=list(args), annotations=annotations)
        if zic:
            os.makedirs(os.path.join(path, "rootfs", "boot"), exist_ok=True)
            with open(os.path.join(path, "rootfs", "boot", "config.json"), "w") as f:
                json.dump({"os_var": "zephyr", "inmate": "inmate.bin"}, f)
        return path


class BadInput(RunphiTestCase):
    def test_unknown_verb(self):
        self.assertCleanFailure(self.runphi("frobnicate"), 'unknown command "frobnicate"')

    def test_no_verb(self):
        self.assertCleanFailure(self.runphi(), "no command given")

    def test_missing_container_id(self):
        for verb in ("create", "start", "state", "kill", "delete", "exec", "pause", "resume", "ps", "events",
                     "update", "run", "checkpoint", "restore"):
            with self.subTest(verb=verb):
                self.assertCleanFailure(self.runphi(verb), "container id required")

    def test_unknown_flag(self):
        self.assertCleanFailure(self.runphi("delete", "--frobnicate", "x"), "--frobnicate")

    def test_flag_without_value(self):
        self.assertCleanFailure(self.runphi("create", "x", "--bundle"), "--bundle")

    def test_bad_log_format(self):
        self.assertCleanFailure(self.runphi("--log-format", "xml", "list"), '"xml"')

    def test_missing_bundle_config(self):
        empty = os.path.join(self.tmp, "empty")
        os.mkdir(empty)
        r = self.runphi("create", "--bundle", empty, "c1")
        self.assertCleanFailure(r, os.path.join(empty, "config.json"))

    # A bundle config.json runphi cannot read is runc's to judge (issue 13,
    # point 3): forwarded, so the caller sees runc's own error; runphi's
    # error only when the rootfs is a ZIC's.
    def test_unreadable_bundle_config(self):
        path = os.path.join(self.tmp, "dirbundle")
        os.makedirs(os.path.join(path, "config.json"))  # a directory cannot be read as a file
        self.assertCleanFailure(self.runphi("create", "--bundle", path, "c1"), "runc create failed")

    def test_malformed_bundle_config(self):
        path = os.path.join(self.tmp, "badjson")
        os.mkdir(path)
        with open(os.path.join(path, "config.json"), "w") as f:
            f.write('{"ociVersion": "1.0.2", "root": ')
        self.assertCleanFailure(self.runphi("create", "--bundle", path, "c1"), "runc create failed")
        os.makedirs(os.path.join(path, "rootfs", "boot"))
        with open(os.path.join(path, "rootfs", "boot", "config.json"), "w") as f:
            f.write("{}")
        self.assertCleanFailure(self.runphi("create", "--bundle", path, "c1"), "config.json", "malformed JSON")

    def test_invalid_config_unknown_key(self):
        self.write_config({"runc_path": RUNC, "bakend": "xen"})
        self.assertCleanFailure(self.runphi("list"), self.config_path, '"bakend"', "unknown key")

    def test_invalid_config_wrong_type(self):
        self.write_config({"runc_path": RUNC, "log": {"level": 3}})
        self.assertCleanFailure(self.runphi("list"), '"log.level"')

    def test_invalid_config_bad_level(self):
        self.write_config({"runc_path": RUNC, "log": {"level": "loud"}})
        self.assertCleanFailure(self.runphi("list"), '"log.level"', '"loud"')

    def test_invalid_config_malformed(self):
        self.write_config(None, raw="{ not json")
        self.assertCleanFailure(self.runphi("list"), self.config_path, "malformed JSON")

    def test_invalid_config_error_reaches_containerd_log(self):
        self.write_config({"bakend": "xen"})
        oci_log = os.path.join(self.tmp, "log.json")
        self.assertCleanFailure(self.runphi("--log", oci_log, "--log-format", "json", "list"))
        with open(oci_log) as f:
            line = json.loads(f.readlines()[-1])
        self.assertEqual(line["level"], "error")
        self.assertIn('"bakend"', line["msg"])

    def test_config_flag_overrides_env(self):
        other = os.path.join(self.tmp, "other.json")
        with open(other, "w") as f:
            json.dump({"bakend": "x"}, f)
        self.assertCleanFailure(self.runphi("--runphi-config", other, "list"), other)


class Configuration(RunphiTestCase):
    def test_missing_file_means_defaults(self):
        r = self.runphi("--version", env={"RUNPHI_CONFIG": os.path.join(self.tmp, "absent.json")})
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("backend: none", r.stdout)

    def test_runc_path_falls_back_to_path(self):
        self.write_config({"runc_path": "/nonexistent/runc_vanilla", "state_root": self.state_root,
                           "log": {"path": self.log_path, "level": "debug"}})
        env = {"PATH": os.path.dirname(RUNC) + ":/usr/bin:/bin"}
        r = self.runphi("--root", self.runc_root, "list", env=env)
        self.assertEqual(r.returncode, 0, r)
        self.assertTrue(r.stdout.startswith("ID "), r.stdout)

    def test_never_forwards_to_itself(self):
        # runphi installed as `runc` first on PATH, no runc_path: it must find the real one.
        bindir = os.path.join(self.tmp, "bin")
        os.mkdir(bindir)
        os.symlink(os.path.abspath(RUNPHI), os.path.join(bindir, "runc"))
        os.symlink(os.path.abspath(RUNC), os.path.join(bindir, "zz-not-runc"))
        self.write_config({"runc_path": "runc", "state_root": self.state_root})
        env = {"PATH": bindir + ":" + os.path.dirname(RUNC)}
        r = self.runphi("--root", self.runc_root, "list", env=env)
        self.assertEqual(r.returncode, 0, r)

    def test_version_is_go_runc_parseable(self):
        self.write_config({"backend": "xen", "runc_path": RUNC})
        r = self.runphi("--version")
        self.assertEqual(r.returncode, 0, r)
        lines = r.stdout.strip().split("\n")
        # containerd's go-runc: old parser wants exactly 3 lines split on
        # "version " / ": "; the new one wants the "runc version " prefix.
        self.assertEqual(len(lines), 3, lines)
        self.assertTrue(lines[0].startswith("runc version "), lines)
        self.assertEqual(len(lines[0].split("version ")), 2)
        self.assertTrue(lines[1].startswith("commit: ") and len(lines[1].split(": ")) == 2, lines)
        self.assertTrue(lines[2].startswith("spec: ") and len(lines[2].split(": ")) == 2, lines)
        self.assertIn("runphi", lines[0])
        self.assertIn("backend: xen", lines[0])
        # and the runc it forwards to, with that runc's version
        runc_version = subprocess.run([RUNC, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        self.assertIn("forwards to: %s %s)" % (RUNC, runc_version[len("runc version "):]), lines[0])
        self.assertEqual(self.runphi("-v").stdout, r.stdout)


class LoopGuard(RunphiTestCase):
    """A forwarded call never reaches runphi again: copies of runphi named
    runc on PATH, runc_path at a copy, wrappers and symlink chains stop with
    a clear error at the first hop instead of exec'ing each other forever."""

    def copy_as_runc(self, name):
        d = os.path.join(self.tmp, name)
        os.mkdir(d)
        shutil.copy2(RUNPHI, os.path.join(d, "runc"))
        shim = os.path.join(os.path.dirname(RUNPHI), "runphi-shim")
        if os.path.exists(shim):  # the front end's shim, as an installed copy would have
            shutil.copy2(shim, os.path.join(d, "runphi-shim"))
        return os.path.join(d, "runc")

    def run_bounded(self, program, *args, env):
        full_env = dict(os.environ)
        full_env.pop("RUNPHI_DEBUG_LEVEL", None)
        full_env["RUNPHI_CONFIG"] = self.config_path
        full_env.update(env)
        try:
            return subprocess.run([program, *args], capture_output=True, text=True, env=full_env, timeout=20,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            self.fail("%s %s did not stop within 20 s: a forwarding loop" % (program, " ".join(args)))

    def assertStoppedAtFirstHop(self, r, forwarded_to):
        self.assertNotEqual(r.returncode, 0, r)
        self.assertEqual(r.stderr.count("forwarding loop"), 1, r.stderr)
        self.assertIn("forwarded to %s as the real runc" % forwarded_to, r.stderr)
        self.assertIn("runc_path", r.stderr)  # says what to fix

    def test_two_copies_named_runc_on_path(self):
        a, b = self.copy_as_runc("a"), self.copy_as_runc("b")
        self.write_config({"runc_path": "runc", "state_root": self.state_root})
        path = os.path.dirname(a) + ":" + os.path.dirname(b)
        r = self.run_bounded(a, "--root", self.runc_root, "state", "ghost", env={"PATH": path})
        self.assertStoppedAtFirstHop(r, b)

    def test_two_copies_through_the_shim(self):
        # `list` is the shim's: it spawns `runc list`, which is the copy.
        a, b = self.copy_as_runc("a"), self.copy_as_runc("b")
        self.write_config({"runc_path": "runc", "state_root": self.state_root})
        path = os.path.dirname(a) + ":" + os.path.dirname(b)
        r = self.run_bounded(a, "--root", self.runc_root, "list", env={"PATH": path})
        self.assertNotEqual(r.returncode, 0, r)
        self.assertEqual(r.stderr.count("forwarding loop"), 1, r.stderr)

    def test_runc_path_at_a_copy(self):
        b = self.copy_as_runc("b")
        self.write_config({"runc_path": b, "state_root": self.state_root})
        r = self.run_bounded(RUNPHI, "--root", self.runc_root, "state", "ghost", env={})
        self.assertStoppedAtFirstHop(r, b)

    def test_runc_path_at_runphi_itself_and_only_copies_on_path(self):
        a = self.copy_as_runc("a")
        self.write_config({"runc_path": RUNPHI, "state_root": self.state_root})
        r = self.run_bounded(RUNPHI, "--root", self.runc_root, "state", "ghost", env={"PATH": os.path.dirname(a)})
        self.assertStoppedAtFirstHop(r, a)

    def test_symlink_chain_to_a_copy(self):
        b = self.copy_as_runc("b")
        first, second = os.path.join(self.tmp, "runc-link"), os.path.join(self.tmp, "runc-link2")
        os.symlink(second, first)
        os.symlink(b, second)
        self.write_config({"runc_path": first, "state_root": self.state_root})
        r = self.run_bounded(RUNPHI, "--root", self.runc_root, "state", "ghost", env={})
        self.assertStoppedAtFirstHop(r, first)

    def test_wrapper_that_forks_runphi(self):
        wrapper = os.path.join(self.tmp, "runc-wrapper")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\n"%s" "$@"\n' % RUNPHI)  # no exec: runphi runs as the wrapper's child
        os.chmod(wrapper, 0o755)
        self.write_config({"runc_path": wrapper, "state_root": self.state_root})
        r = self.run_bounded(RUNPHI, "--root", self.runc_root, "state", "ghost", env={})
        self.assertStoppedAtFirstHop(r, wrapper)

    def test_an_inherited_marker_of_another_process_is_ignored(self):
        # e.g. an OCI hook that runc started calls runphi: not a loop.
        self.write_config({"runc_path": RUNC, "state_root": self.state_root})
        r = self.run_bounded(RUNPHI, "--root", self.runc_root, "state", "ghost",
                             env={"RUNPHI_FORWARDED": "1:runphi:/usr/sbin/runc"})
        self.assertNotIn("forwarding loop", r.stderr)
        self.assertIn("container does not exist", r.stderr)  # runc answered


class Logging(RunphiTestCase):
    def test_forwarded_call_is_logged_with_id(self):
        self.runphi("--root", self.runc_root, "state", "ghost")
        with open(self.log_path) as f:
            text = f.read()
        self.assertIn("[ghost]", text)
        self.assertIn("forwarding `state`", text)
        self.assertRegex(text, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z runphi\[\d+\] debug ")

    def test_debug_level_env_overrides_config(self):
        self.runphi("--root", self.runc_root, "state", "ghost", env={"RUNPHI_DEBUG_LEVEL": "error"})
        self.assertFalse(os.path.exists(self.log_path))
        self.runphi("--root", self.runc_root, "state", "ghost", env={"RUNPHI_DEBUG_LEVEL": "trace"})
        self.assertTrue(os.path.exists(self.log_path))

    def test_log_failure_never_breaks_forwarded_call(self):
        blocker = os.path.join(self.tmp, "a-file")
        open(blocker, "w").close()
        self.write_config({"runc_path": RUNC, "state_root": self.state_root,
                           "log": {"path": os.path.join(blocker, "log.txt"), "level": "trace"}})
        via_runphi = self.runphi("--root", self.runc_root, "list", "--format", "json")
        direct = subprocess.run([RUNC, "--root", self.runc_root, "list", "--format", "json"],
                                capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual((via_runphi.returncode, via_runphi.stdout, via_runphi.stderr),
                         (direct.returncode, direct.stdout, direct.stderr))


class PartitionedContainers(RunphiTestCase):
    def test_zic_create_without_driver_fails_clearly(self):
        bundle = self.bundle(zic=True)
        oci_log = os.path.join(self.tmp, "log.json")
        r = self.runphi("--root", self.runc_root, "--log", oci_log, "--log-format", "json",
                        "create", "--bundle", bundle, "zic1")
        self.assertCleanFailure(r, "no driver is configured", "boot/config.json")
        with open(oci_log) as f:
            entries = [json.loads(line) for line in f]
        for e in entries:
            self.assertEqual(sorted(e), ["level", "msg", "time"])
        entry = entries[-1]
        self.assertEqual(entry["level"], "error")
        self.assertIn("no driver", entry["msg"])
        # Nothing was created anywhere: not by runc, not in runphi's state.
        self.assertFalse(os.path.exists(os.path.join(self.runc_root, "zic1")))
        self.assertEqual(self.runphi("--root", self.runc_root, "list", "-q").stdout, "")

    def test_named_backend_without_module_fails_clearly(self):
        empty = os.path.join(self.tmp, "no-drivers")
        os.mkdir(empty)
        self.write_config({"backend": "nosuch", "runc_path": RUNC, "state_root": self.state_root,
                           "driver_dir": empty})
        r = self.runphi("--root", self.runc_root, "create", "--bundle", self.bundle(zic=True), "zic1",
                        env={"PHI_DRIVER_DIR": empty})
        self.assertCleanFailure(r, 'driver "nosuch" not found', os.path.join(empty, "libphi-driver-nosuch.so"))
        # The failed create left no container behind.
        self.assertEqual(self.runphi("--root", self.runc_root, "list", "-q").stdout, "")

    def test_annotation_forces_runphi(self):
        bundle = self.bundle(annotations={"org.runphi.runtime": "runphi"})
        r = self.runphi("--root", self.runc_root, "create", "--bundle", bundle, "a1")
        self.assertCleanFailure(r, "annotation org.runphi.runtime=runphi")

    def test_annotation_forces_runc(self):
        bundle = self.bundle(args=("true",), annotations={"org.runphi.runtime": "runc"}, zic=True)
        r = self.runphi("--root", self.runc_root, "create", "--bundle", bundle, "a2")
        self.assertEqual(r.returncode, 0, r)
        state = json.loads(self.runphi("--root", self.runc_root, "state", "a2").stdout)
        self.assertEqual(state["status"], "created")

    def test_ordinary_container_is_forwarded(self):
        r = self.runphi("--root", self.runc_root, "run", "--bundle", self.bundle(args=("sh", "-c", "exit 5")), "o1")
        self.assertEqual(r.returncode, 5, r)


class MergedList(RunphiTestCase):
    """`list` shows runc's containers and runphi's together."""

    def test_list_merges_both(self):
        bundle = self.bundle(args=("sleep", "60"))
        r = self.runphi("--root", self.runc_root, "create", "--bundle", bundle, "ordinary")
        self.assertEqual(r.returncode, 0, r)
        self.add_runphi_record("partitioned")

        table = self.runphi("--root", self.runc_root, "list")
        self.assertEqual(table.returncode, 0, table)
        lines = table.stdout.splitlines()
        self.assertTrue(lines[0].startswith("ID "), lines)
        self.assertEqual([line.split()[0] for line in lines[1:]], ["ordinary", "partitioned"])
        self.assertIn("created", lines[1])
        self.assertIn("4242", lines[2])

        as_json = json.loads(self.runphi("--root", self.runc_root, "list", "--format", "json").stdout)
        self.assertEqual([c["id"] for c in as_json], ["ordinary", "partitioned"])
        self.assertEqual(list(as_json[1]), ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"])
        self.assertEqual(self.runphi("--root", self.runc_root, "list", "-q").stdout, "ordinary\npartitioned\n")

        # The same runc container through runc itself: runphi only added its own.
        direct = json.loads(subprocess.run([RUNC, "--root", self.runc_root, "list", "--format", "json"],
                                           capture_output=True, text=True, timeout=TIMEOUT).stdout)
        self.assertEqual(direct, as_json[:1])

    def test_other_runc_roots_do_not_see_it(self):
        self.add_runphi_record("partitioned")
        other = os.path.join(self.tmp, "other-root")
        self.assertEqual(self.runphi("--root", other, "list", "-q").stdout, "")

    def test_verbs_on_a_runphi_container_are_not_forwarded(self):
        self.add_runphi_record("partitioned")
        # runphi answers from its own state (runc knows no such container)...
        r = self.runphi("--root", self.runc_root, "state", "partitioned")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(json.loads(r.stdout)["id"], "partitioned")
        # ...and refuses what a partition cannot do, instead of asking runc.
        r = self.runphi("--root", self.runc_root, "exec", "partitioned", "sh")
        self.assertCleanFailure(r, "partitioned container")


class ListWithoutRunc(RunphiTestCase):
    """A board with only partitioned containers has no runc: `list` still
    answers, in runc's shapes."""

    def setUp(self):
        super().setUp()
        self.write_config({"runc_path": os.path.join(self.tmp, "no-such-runc"), "state_root": self.state_root,
                           "log": {"path": self.log_path, "level": "debug", "journald": False}})
        empty_bin = os.path.join(self.tmp, "bin")
        os.mkdir(empty_bin)
        self.no_runc = {"PATH": empty_bin}

    def runc_output(self, *args):
        """What the real runc prints for an empty --root."""
        return subprocess.run([RUNC, "--root", os.path.join(self.tmp, "empty-root"), "list", *args],
                              capture_output=True, text=True, timeout=TIMEOUT).stdout

    def test_nothing_to_list_prints_what_runc_prints_for_none(self):
        for args in ((), ("--format", "table"), ("--format", "json"), ("-q",)):
            with self.subTest(args=args):
                r = self.runphi("--root", self.runc_root, "list", *args, env=self.no_runc)
                self.assertEqual(r.returncode, 0, r)
                self.assertEqual(r.stdout, self.runc_output(*args))
        with open(self.log_path) as f:
            self.assertIn("listing runphi's containers only: no runc to forward to", f.read())

    def test_runphis_containers_alone(self):
        self.add_runphi_record("partitioned")
        self.add_runphi_record("another")
        table = self.runphi("--root", self.runc_root, "list", env=self.no_runc)
        self.assertEqual(table.returncode, 0, table)
        lines = table.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"])
        self.assertEqual([line.split()[0] for line in lines[1:]], ["another", "partitioned"])
        self.assertIn("4242", lines[1])
        as_json = json.loads(self.runphi("--root", self.runc_root, "list", "--format", "json",
                                         env=self.no_runc).stdout)
        self.assertEqual([c["id"] for c in as_json], ["another", "partitioned"])
        self.assertEqual(self.runphi("--root", self.runc_root, "list", "-q", env=self.no_runc).stdout,
                         "another\npartitioned\n")

    def test_other_verbs_still_need_runc(self):
        r = self.runphi("--root", self.runc_root, "state", "ordinary", env=self.no_runc)
        self.assertCleanFailure(r, "no runc to forward to")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runphi", required=True)
    parser.add_argument("--runc", required=True)
    args, rest = parser.parse_known_args()
    RUNPHI, RUNC = os.path.abspath(args.runphi), args.runc
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
