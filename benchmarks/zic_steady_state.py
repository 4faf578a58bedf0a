"""What running partitioned containers cost the host while nothing happens:
the CPU taken by their container processes (runphi-monitor, and everything
they run, e.g. a status tool or the runphi CLI) per second of wall clock,
with N ZICs started on the test driver and left alone.

usage: zic_steady_state.py --runphi <runphi> --driver-dir <dir of libphi-driver-test.so>
                           --platform <repo>/tests/partition/stress-board.json
                           [--count 10] [--seconds 30] [--settle 5] [--json out.json]

CPU is read for each container process at the start and the end of the
window: its own from /proc/<pid>/schedstat (nanoseconds), the children it
waited for from /proc/<pid>/stat (cutime + cstime); the figure is their sum over the window, as a percentage
of one core. The resident set size of each container process is reported too
(VmRSS). The state root lives on tmpfs, as /run/runPHI does in production.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds_of(pid):
    """The process's own CPU time (schedstat, in ns: finer than a tick) plus
    that of the children it waited for (cutime + cstime, in ticks)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3); cutime and cstime are fields 16 and 17.
    children = (int(fields[13]) + int(fields[14])) / CLK_TCK
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            own = int(f.read().split()[0]) / 1e9
    except OSError:
        own = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return own + children


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runphi", required=True)
    p.add_argument("--driver-dir", required=True)
    p.add_argument("--platform", required=True)
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--settle", type=float, default=5.0, help="wait this long after the last start")
    p.add_argument("--json")
    a = p.parse_args()

    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    tmp = tempfile.mkdtemp(prefix="phi-steady-", dir=base)
    try:
        config = os.path.join(tmp, "runphi.json")
        with open(config, "w") as f:
            json.dump({"backend": "test", "platform_template": os.path.abspath(a.platform),
                       "state_root": os.path.join(tmp, "state"), "driver_dir": os.path.abspath(a.driver_dir),
                       "log": {"path": "", "level": "warn", "journald": False}}, f)
        bundle = os.path.join(tmp, "bundle")
        os.makedirs(os.path.join(bundle, "rootfs", "boot"))
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump({"ociVersion": "1.0.2", "root": {"path": "rootfs"}}, f)
        with open(os.path.join(bundle, "rootfs", "boot", "config.json"), "w") as f:
            json.dump({"os_var": "zephyr", "inmate": "/boot/zephyr.bin"}, f)
        with open(os.path.join(bundle, "rootfs", "boot", "zephyr.bin"), "wb") as f:
            f.write(b"\0" * 4096)
        out = open(os.path.join(tmp, "runphi.out"), "w")

        def runphi(*args):
            r = subprocess.run([a.runphi, "--runphi-config", config, "--root", os.path.join(tmp, "runc")] +
                               list(args), stdin=subprocess.DEVNULL, stdout=out, stderr=out, timeout=60)
            if r.returncode != 0:
                out.flush()
                sys.exit("runphi %s failed: %s" % (" ".join(args), open(out.name).read()[-2000:]))

        ids = ["steady-%02d" % i for i in range(a.count)]
        pids = []
        for cid in ids:
            pidfile = os.path.join(tmp, cid + ".pid")
            runphi("create", "--bundle", bundle, "--pid-file", pidfile, cid)
            runphi("start", cid)
            with open(pidfile) as f:
                pids.append(int(f.read()))
        time.sleep(a.settle)
        before = {pid: cpu_seconds_of(pid) for pid in pids}
        t0 = time.monotonic()
        time.sleep(a.seconds)
        elapsed = time.monotonic() - t0
        after = {pid: cpu_seconds_of(pid) for pid in pids}
        rss = [rss_kib(pid) for pid in pids]
        alive = sum(1 for pid in pids if os.path.exists("/proc/%d" % pid))
        for cid in ids:
            runphi("delete", "--force", cid)

        cpu_seconds = sum(after[p] - before[p] for p in pids)
        result = {
            "count": a.count,
            "window_seconds": round(elapsed, 2),
            "cpu_seconds": cpu_seconds,
            "percent_of_one_core": round(100.0 * cpu_seconds / elapsed, 4),
            "rss_kib_median": statistics.median(rss),
            "rss_kib_max": max(rss),
            "alive_at_end": alive,
        }
        print("%d ZICs on the test driver, idle for %.1f s: container processes took %.4f CPU s = %.4f %% of one "
              "core; RSS median %d KiB, max %d KiB" % (a.count, elapsed, cpu_seconds, result["percent_of_one_core"],
                                                      result["rss_kib_median"], result["rss_kib_max"]))
        if a.json:
            with open(a.json, "w") as f:
                json.dump(result, f, indent=2)
        if alive != a.count:
            sys.exit("only %d of %d container processes lived through the window" % (alive, a.count))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
