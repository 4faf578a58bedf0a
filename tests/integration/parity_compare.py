"""How the runc parity suite compares two transcripts (runc_parity_test.py).

Pure functions, no runc and no root needed: parity_compare_test.py tests them.

What is compared is what runc's contract defines: each call's exit status, its
stdout, and its stderr -- the error lines and everything the container itself
wrote -- after the explicit normalisations a step asks for. runc's own
warnings whose appearance depends on timing, not on the call (see
RUNC_TIMING_LOG_MESSAGES), are dropped from stderr on both sides first.

Python 3 standard library only.
"""

import difflib
import json
import re
import shlex

RFC3339_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")


class Step(object):
    """One recorded call (or a recorded file content: kind == 'note')."""

    def __init__(self, label, argv, stdout, stderr, rc, norm, kind="call",
                 cwd=None, input=None):
        self.label = label
        self.cwd = cwd
        self.input = input
        self.argv = argv
        self.stdout = stdout
        self.stderr = stderr
        self.rc = rc
        self.norm = frozenset(norm)
        self.kind = kind


# runc's own log records that come and go with timing, not with the call: the
# cgroup removal retry loop (libcontainer/cgroups RemovePaths: it warns on the
# first failed rmdir of a still-busy cgroup, and errors only if five tries over
# ~150 ms all fail, which a busy machine can make happen; the caller logs the
# returned error too). None of them changes the exit status, which is compared.
RUNC_TIMING_LOG_MESSAGES = (
    ("warning", re.compile(r"Failed to remove cgroup \(will retry\)$")),
    ("error", re.compile(r"Failed to remove cgroup$")),
    ("error", re.compile(r"Failed to remove paths: ")),
)

# logrus's text format (runc without a tty, the default): time=... level=... msg="..."
_LOGRUS_TEXT_RE = re.compile(r'^time="[^"]*" level=(\w+) msg="((?:[^"\\]|\\.)*)"')
# logrus's tty format: WARN[0020] message   key=value
_LOGRUS_TTY_RE = re.compile(r"^(DEBU|INFO|WARN|ERRO|FATA|PANI)\[\d+\] (.*?)(?:\s{2,}\S+=.*)?$")
_TTY_LEVELS = {"DEBU": "debug", "INFO": "info", "WARN": "warning", "ERRO": "error",
               "FATA": "fatal", "PANI": "panic"}


def runc_log_record(line):
    """(level, message) when `line` is one of runc's own log records
    (--log-format text or json, or the tty form), else None."""
    m = _LOGRUS_TEXT_RE.match(line)
    if m:
        return m.group(1), re.sub(r'\\(.)', r'\1', m.group(2))
    if line.startswith("{"):
        try:
            rec = json.loads(line)
        except ValueError:
            return None
        if isinstance(rec, dict) and isinstance(rec.get("level"), str) and isinstance(rec.get("msg"), str):
            return rec["level"], rec["msg"]
        return None
    m = _LOGRUS_TTY_RE.match(line)
    if m:
        return _TTY_LEVELS[m.group(1)], m.group(2).rstrip()
    return None


def is_runc_timing_record(line):
    rec = runc_log_record(line)
    return rec is not None and any(
        rec[0] == level and pattern.match(rec[1]) for level, pattern in RUNC_TIMING_LOG_MESSAGES)


def contract_stderr(text):
    """stderr without runc's timing-dependent log records (whole lines)."""
    return "".join(l for l in text.splitlines(True) if not is_runc_timing_record(l.rstrip("\n")))



def _json_skeleton(v):
    if isinstance(v, dict):
        return {k: _json_skeleton(x) for k, x in v.items()}
    if isinstance(v, list):
        return "<list>"
    if v is None:
        return "<null>"
    if isinstance(v, bool):
        return "<bool>"
    if isinstance(v, (int, float)):
        return "<number>"
    return "<string>"


def _norm_stats(text):
    """One JSON event per line: keep key structure (and key order), type and
    id; every other leaf becomes its JSON type, lists become "<list>"."""
    out = []
    for n, line in enumerate(text.split("\n")):
        if not line:
            out.append("# line %d: empty" % n)
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            out.append("# line %d: not json: %s" % (n, line))
            continue
        if isinstance(ev, dict):
            skel = {k: (v if k in ("type", "id") else _json_skeleton(v))
                    for k, v in ev.items()}
        else:
            skel = _json_skeleton(ev)
        out.append("# line %d:\n%s" % (n, json.dumps(skel, indent=1)))
    return "\n".join(out) + "\n"


def _norm_ps_table(text):
    out = []
    for i, line in enumerate(text.splitlines()):
        f = line.split(None, 7)
        if i > 0 and len(f) == 8:
            f[1], f[2], f[3], f[4] = "<PID>", "<PPID>", "<C>", "<STIME>"
        out.append(" ".join(f))
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _norm_ps_json(text):
    """A JSON list of PIDs: every PID -> <PID> (formatting and length kept)."""
    try:
        v = json.loads(text)
    except ValueError:
        return text
    if isinstance(v, list) and all(isinstance(x, int) for x in v):
        return re.sub(r"[0-9]+", "<PID>", text)
    return text


def _norm_table(text):
    return "\n".join(re.sub(r"[ \t]+", " ", l).rstrip(" ")
                     for l in text.split("\n"))


def normalise_text(text, ctx, norm, stream="stdout"):
    """Apply the explicit normalisations to one stream.  The output-format
    specific ones (ps-table, ps-json, stats, table) apply to stdout only."""
    # longest first, in case one path is a prefix of the other
    for path, token in sorted(((ctx["root"], "<ROOT>"), (ctx["work"], "<WORK>")),
                              key=lambda p: -len(p[0])):
        if path:
            text = text.replace(path, token)
    text = RFC3339_RE.sub("<TIME>", text)
    if "pids" in norm:
        for pid, cid in sorted(ctx["pids"].items()):
            text = re.sub(r"(?<![0-9])%d(?![0-9])" % pid, "<PID:%s>" % cid, text)
    if stream != "stdout":
        return text
    if "ps-table" in norm:
        text = _norm_ps_table(text)
    if "ps-json" in norm:
        text = _norm_ps_json(text)
    if "stats" in norm:
        text = _norm_stats(text)
    if "table" in norm:
        text = _norm_table(text)
    return text


def normalise_step(step, ctx):
    return (normalise_text(step.stdout, ctx, step.norm),
            normalise_text(contract_stderr(step.stderr), ctx, step.norm, "stderr"),
            step.rc)


def _diff(a, b, name):
    if a == b:
        return ""
    lines = list(difflib.unified_diff(
        a.splitlines(True), b.splitlines(True),
        "expected (runc, normalised)", "actual (runphi, normalised)", n=2))
    body = "".join(l if l.endswith("\n") else l + "\n\\ no newline\n"
                   for l in lines)
    return "  %s differs:\n%s" % (name, _indent(body, 4))


def _indent(text, n):
    pad = " " * n
    return "".join(pad + l for l in text.splitlines(True))


def describe_argv(step, binary):
    if step.argv is None:
        return "(recorded content, not a call)"
    s = "%s  [exec %s as argv[0]=%s]" % (shlex.join(step.argv), binary,
                                         step.argv[0])
    if step.cwd:
        s += "  cwd=%s" % step.cwd
    if step.input is not None:
        s += "  stdin=%r" % step.input
    return s


def compare_transcripts(a_steps, a_ctx, b_steps, b_ctx, b_binary="runphi"):
    """Return a list of human-readable mismatch reports (empty == parity)."""
    problems = []
    for i in range(max(len(a_steps), len(b_steps))):
        if i >= len(a_steps):
            s = b_steps[i]
            problems.append("step %d: extra step on runphi side: %s" % (i, s.label))
            continue
        if i >= len(b_steps):
            problems.append("step %d (%s): missing on runphi side"
                            % (i, a_steps[i].label))
            continue
        a, b = a_steps[i], b_steps[i]
        if normalise_text(a.label, a_ctx, ()) != normalise_text(b.label, b_ctx, ()):
            problems.append("step %d: transcripts diverge: %r vs %r"
                            % (i, a.label, b.label))
            break
        na, nb = normalise_step(a, a_ctx), normalise_step(b, b_ctx)
        if na == nb:
            continue
        parts = ["step %d: %s\n  argv: %s" % (i, a.label, describe_argv(b, b_binary))]
        if na[2] != nb[2]:
            parts.append("  exit code: expected %r, actual %r" % (na[2], nb[2]))
        parts.append(_diff(na[0], nb[0], "stdout"))
        parts.append(_diff(na[1], nb[1], "stderr"))
        if na[0] != nb[0] or na[1] != nb[1]:
            parts.append("  raw expected stdout=%r stderr=%r\n"
                         "  raw actual   stdout=%r stderr=%r"
                         % (a.stdout, a.stderr, b.stdout, b.stderr))
        problems.append("\n".join(p for p in parts if p))
    return problems


def format_transcript(title, steps, ctx):
    out = ["\n=== %s (normalised)\n" % title]
    for i, st in enumerate(steps):
        o, e, rc = normalise_step(st, ctx)
        out.append("--- [%d] %s  -> rc=%r\n" % (
            i, normalise_text(st.label, ctx, ()), rc))
        if o:
            out.append(_indent(o, 4) + ("" if o.endswith("\n") else "\n"))
        if e:
            out.append(_indent(e, 4 ) .replace("    ", "  ! ", 1)
                       + ("" if e.endswith("\n") else "\n"))
    return "".join(out)
