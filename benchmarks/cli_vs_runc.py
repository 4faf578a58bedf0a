"""Whole-process comparison of runphi and runc on forwarded (ordinary)
containers: `state <id>` and a create/start/kill/delete cycle, run as
interleaved pairs (runphi then runc, runc then runphi, alternating) so machine
noise hits both alike.

usage: cli_vs_runc.py --runphi <runphi> --runc <runc> [--state-runs N] [--cycle-runs N] [--json out.json]
Prints both medians and the median of the per-round ratios runphi/runc (the
aim: state <= 1.05, cycle <= 1.03), and the load average it ran under.
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import oci_bundle  # noqa: E402


def timed(argv, env):
    start = time.perf_counter()
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=env, timeout=60)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.decode()}")
    return elapsed


def cycle(binary, root, bundle, cid, env, errfile):
    # stderr goes to a file: the container's init inherits it and would keep
    # a pipe open until it exits.
    start = time.perf_counter()
    for args in (["create", "--bundle", bundle, cid], ["start", cid], ["kill", cid, "KILL"],
                 ["delete", "--force", cid]):
        errfile.seek(0)
        errfile.truncate()
        r = subprocess.run([binary, "--root", root, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=errfile, env=env, timeout=60)
        if r.returncode != 0:
            errfile.seek(0)
            raise SystemExit(f"{binary} {args} failed: {errfile.read()}")
    return time.perf_counter() - start


def report(name, runphi_times, runc_times):
    """Medians, and the median of the per-round ratios: each round is one
    runphi and one runc call back to back."""
    a, b = statistics.median(runphi_times), statistics.median(runc_times)
    ratios = [x / y for x, y in zip(runphi_times, runc_times)]
    r = statistics.median(ratios)
    q = statistics.quantiles(ratios, n=4)
    print(f"{name}: runphi median {a * 1000:.2f} ms, runc median {b * 1000:.2f} ms, "
          f"median of per-round ratios {r:.3f} (quartiles {q[0]:.3f}-{q[2]:.3f}, n={len(ratios)} rounds)")
    return {"runphi_median_ms": a * 1000, "runc_median_ms": b * 1000, "ratio_of_medians": a / b,
            "median_round_ratio": r, "round_ratio_quartiles": [q[0], q[2]], "rounds": len(ratios)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runphi", required=True)
    p.add_argument("--runc", required=True)
    p.add_argument("--state-runs", type=int, default=300)
    p.add_argument("--cycle-runs", type=int, default=200)
    p.add_argument("--json")
    a = p.parse_args()

    tmp = tempfile.mkdtemp(prefix="runphi-bench-")
    root = os.path.join(tmp, "root")
    env = dict(os.environ)
    config = os.path.join(tmp, "runphi.json")
    with open(config, "w") as f:
        json.dump({"runc_path": a.runc, "state_root": os.path.join(tmp, "state"),
                   "log": {"path": os.path.join(tmp, "runphi.log"), "level": "warn", "journald": False}}, f)
    env["RUNPHI_CONFIG"] = config
    env.pop("RUNPHI_DEBUG_LEVEL", None)
    results = {"load_average_before": os.getloadavg()}
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    try:
        sleeper = oci_bundle.make_bundle(os.path.join(tmp, "sleeper"), a.runc, args=["sleep", "1000"])
        subprocess.run([a.runc, "--root", root, "run", "--detach", "--bundle", sleeper, "bench-state"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True, timeout=60)

        state = {"runphi": [], "runc": []}
        for i in range(a.state_runs):
            order = (("runphi", a.runphi), ("runc", a.runc)) if i % 2 else (("runc", a.runc), ("runphi", a.runphi))
            for name, binary in order:
                state[name].append(timed([binary, "--root", root, "state", "bench-state"], env))
        results["state"] = report("state <id>", state["runphi"], state["runc"])

        cycles = {"runphi": [], "runc": []}
        with tempfile.TemporaryFile("w+") as errfile:
            for i in range(a.cycle_runs):
                order = (("runphi", a.runphi), ("runc", a.runc)) if i % 2 else (("runc", a.runc), ("runphi", a.runphi))
                for name, binary in order:
                    cycles[name].append(cycle(binary, root, sleeper, f"bench-cycle-{name}-{i}", env, errfile))
        results["create_start_kill_delete"] = report("create/start/kill/delete", cycles["runphi"], cycles["runc"])
    finally:
        subprocess.run([a.runc, "--root", root, "delete", "--force", "bench-state"], capture_output=True, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)
    results["load_average_after"] = os.getloadavg()
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
