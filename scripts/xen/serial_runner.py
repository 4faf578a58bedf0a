#!/usr/bin/env python3
"""Run qemu, stream its serial console (stdout) to our stdout and a log file,
enforce a timeout, and exit with the status the dom0 script reported.

Usage: serial_runner.py [--timeout S] [--log FILE] [--grace S] -- QEMU-COMMAND...

The dom0 /init prints "@@XEN-QEMU-DOM0-READY" when Xen's daemons are up and
"@@XEN-QEMU-END status=N" when its script ended. Lines with "@@STEP" are steps a
script marks. For each, the host time since qemu started is recorded and a summary is
printed at the end ("boot: ..." lines, also appended to the log). A step pair
"@@STEP NAME begin" / "@@STEP NAME end" also gets a "boot: took SECONDS  NAME" line.

Exit status: N from the end marker; 124 if the timeout expired first; 125 if qemu
exited without printing the marker; 126 if qemu could not be started.
"""
import os
import re
import select
import signal
import subprocess
import sys
import time

END_RE = re.compile(r"@@XEN-QEMU-END status=(\d+)")
READY = "@@XEN-QEMU-DOM0-READY"
XEN_BANNER_RE = re.compile(r"Xen version \d+\.\d+")
DOM0_KERNEL_RE = re.compile(r"Linux version \d")
ANSI_RE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|c)")  # SeaBIOS's screen clearing
STEP_SUFFIX_RE = re.compile(r"\s*\(dom0 uptime [^)]*\)\s*$")


def main(argv):
    timeout, log, grace = 600.0, None, 20.0
    args = argv[1:]
    while args and args[0] != "--":
        a = args.pop(0)
        if a == "--timeout":
            timeout = float(args.pop(0))
        elif a == "--log":
            log = args.pop(0)
        elif a == "--grace":
            grace = float(args.pop(0))
        else:
            sys.exit(__doc__)
    if not args or args[0] != "--" or len(args) < 2:
        sys.exit(__doc__)
    cmd = args[1:]

    logf = open(log, "w", buffering=1) if log else None
    out = sys.stdout

    def emit(text):
        out.write(text)
        out.flush()
        if logf:
            logf.write(text)

    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as e:
        emit("boot: cannot start %s: %s\n" % (cmd[0], e))
        return 126

    def kill(reason):
        emit("\nboot: %s; stopping qemu (pid %d)\n" % (reason, proc.pid))
        for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                pass

    stop = {"sig": None}

    def on_signal(signum, _frame):
        stop["sig"] = signum

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    marks = []  # (host seconds, text)
    begun = {}  # step name -> host seconds of its "begin"
    took = []   # (seconds, step name) for begin/end pairs
    status = None
    end_at = None
    timed_out = False
    buf = b""
    fd = proc.stdout.fileno()
    seen = set()

    def note(line):
        nonlocal status, end_at
        now = time.monotonic() - t0
        for key, rx in (("xen", XEN_BANNER_RE), ("linux", DOM0_KERNEL_RE)):
            if key not in seen and rx.search(line):
                seen.add(key)
                marks.append((now, {"xen": "Xen banner", "linux": "dom0 kernel starts"}[key]))
        if READY in line and "ready" not in seen:
            seen.add("ready")
            marks.append((now, "dom0 ready (xenstored, xenconsoled up)"))
        i = line.find("@@STEP ")
        if i >= 0:
            step = line[i + 7:].strip()
            marks.append((now, "step: " + step))
            name = STEP_SUFFIX_RE.sub("", step)
            if name.endswith(" begin"):
                begun[name[:-6]] = now
            elif name.endswith(" end") and name[:-4] in begun:
                took.append((now - begun.pop(name[:-4]), name[:-4]))
        m = END_RE.search(line)
        if m and status is None:
            status = int(m.group(1))
            end_at = time.monotonic()
            marks.append((now, "end marker, status %d" % status))

    while True:
        if stop["sig"] is not None:
            kill("got signal %d" % stop["sig"])
            break
        now = time.monotonic()
        if now - t0 > timeout:
            timed_out = True
            kill("timeout after %.0f s" % timeout)
            break
        if end_at is not None and now - end_at > grace:
            kill("end marker seen %.0f s ago but qemu did not exit" % grace)
            break
        try:
            r, _, _ = select.select([fd], [], [], 0.5)
        except InterruptedError:
            continue
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk.replace(b"\r", b"")
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = ANSI_RE.sub("", line.decode("utf-8", "replace"))
                emit(text + "\n")
                note(text)
    if buf:
        text = buf.decode("utf-8", "replace")
        emit(text + "\n")
        note(text)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        kill("qemu did not exit")
    total = time.monotonic() - t0

    emit("\nboot: ---- host wall-clock timings (seconds since qemu started) ----\n")
    for t, what in marks:
        emit("boot: %7.2f  %s\n" % (t, what))
    emit("boot: %7.2f  qemu exited (code %s)\n" % (total, proc.returncode))
    for secs, name in took:
        emit("boot: took %7.2f  %s\n" % (secs, name))
    if status is not None:
        rc = status
        emit("boot: dom0 script exit status %d\n" % status)
    elif timed_out:
        rc = 124
        emit("boot: FAILED: timeout (%.0f s) before the end marker\n" % timeout)
    else:
        rc = 125
        emit("boot: FAILED: qemu exited without the end marker\n")
    if logf:
        logf.close()
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
