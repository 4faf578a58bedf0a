#!/usr/bin/env python3
"""The runc parity suite's comparer (parity_compare.py), without runc or root:
it tolerates runc's timing-dependent warnings and still fails on every real
difference in exit status, stdout or stderr.

    python3 tests/integration/parity_compare_test.py
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity_compare import (Step, compare_transcripts, contract_stderr,  # noqa: E402
                            runc_log_record)

# What runc 1.1 printed on a busy machine while `delete` removed a cgroup that
# was still busy, in its text, json and tty log formats.
RETRY_TEXT = ('time="2026-11-02T10:00:00Z" level=warning msg="Failed to remove cgroup (will retry)" '
              'error="rmdir /sys/fs/cgroup/pids/parity-x: device or resource busy"\n')
RETRY_JSON = ('{"error":"rmdir /sys/fs/cgroup/pids/parity-x: device or resource busy",'
              '"level":"warning","msg":"Failed to remove cgroup (will retry)","time":"2026-11-02T10:00:00Z"}\n')
RETRY_TTY = ('WARN[0020] Failed to remove cgroup (will retry)          '
             'error="rmdir /sys/fs/cgroup/devices/parity-x: device or resource busy"\n')
GAVE_UP = ('time="2026-11-02T10:00:01Z" level=error msg="Failed to remove cgroup" '
           'error="rmdir /sys/fs/cgroup/pids/parity-x: device or resource busy"\n'
           'time="2026-11-02T10:00:01Z" level=error msg="Failed to remove paths: '
           'map[pids:/sys/fs/cgroup/pids/parity-x]"\n')
NOT_RUNNING = 'time="2026-11-02T10:00:00Z" level=error msg="container not running"\n'


class ComparerTest(unittest.TestCase):

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

    def _one(self, stderr_a, stderr_b, rc_a=0, rc_b=0, stdout_a="", stdout_b=""):
        ca, cb = self._ctx("/t/runc-root-A", "/t/work-A"), self._ctx("/t/runc-root-B", "/t/work-B")
        return compare_transcripts([Step("delete x", ["runc"], stdout_a, stderr_a, rc_a, ())], ca,
                                   [Step("delete x", ["runc"], stdout_b, stderr_b, rc_b, ())], cb)

    def test_reads_runc_log_records_in_every_format(self):
        self.assertEqual(runc_log_record(RETRY_TEXT.strip()), ("warning", "Failed to remove cgroup (will retry)"))
        self.assertEqual(runc_log_record(RETRY_JSON.strip()), ("warning", "Failed to remove cgroup (will retry)"))
        self.assertEqual(runc_log_record(RETRY_TTY.strip()), ("warning", "Failed to remove cgroup (will retry)"))
        self.assertEqual(runc_log_record('time="t" level=error msg="a \\"quoted\\" word"'),
                         ("error", 'a "quoted" word'))
        self.assertIsNone(runc_log_record("Failed to remove cgroup (will retry)"))
        self.assertIsNone(runc_log_record('{"msg": "no level"}'))

    def test_tolerates_runc_timing_warnings_on_either_side(self):
        for noise in (RETRY_TEXT, RETRY_JSON, RETRY_TTY, RETRY_TEXT * 5, GAVE_UP, RETRY_TEXT + GAVE_UP):
            self.assertEqual([], self._one("", noise), noise)
            self.assertEqual([], self._one(noise, ""), noise)
            self.assertEqual([], self._one(NOT_RUNNING, noise + NOT_RUNNING), noise)
            self.assertEqual([], self._one("out of the container\n", noise + "out of the container\n"), noise)
        self.assertEqual(contract_stderr("a\n" + RETRY_TEXT + "b"), "a\nb")

    def test_still_fails_on_a_real_difference(self):
        # the error line differs, is missing, or is extra
        self.assertEqual(1, len(self._one(NOT_RUNNING, RETRY_TEXT + NOT_RUNNING.replace("not running", "does not exist"))))
        self.assertEqual(1, len(self._one(NOT_RUNNING, RETRY_TEXT)))
        self.assertEqual(1, len(self._one(RETRY_TEXT, RETRY_TEXT + NOT_RUNNING)))
        # the exit status or stdout differs, with the noise present
        self.assertEqual(1, len(self._one(RETRY_TEXT, RETRY_TEXT, rc_a=0, rc_b=1)))
        self.assertEqual(1, len(self._one(RETRY_TEXT, "", stdout_a="x\n", stdout_b="y\n")))
        # another warning is not tolerated, nor the same text at another level
        self.assertEqual(1, len(self._one("", 'time="t" level=warning msg="something else"\n')))
        self.assertEqual(1, len(self._one("", RETRY_TEXT.replace("level=warning", "level=error"))))
        self.assertEqual(1, len(self._one("", RETRY_TEXT.replace("(will retry)", "(will retry) for x"))))
        # the container's own stderr is compared even when it looks like the warning
        self.assertEqual(1, len(self._one("", "Failed to remove cgroup (will retry)\n")))
        report = self._one(NOT_RUNNING, RETRY_TEXT)[0]
        self.assertIn("container not running", report)


if __name__ == "__main__":
    unittest.main()
