# xl simulator: state, the simulated machine and guests, and the `xl` / `xl-sim` CLIs.
#
# An independent stand-in for Xen 4.17's `xl`, written from xl(1), xl.cfg(5),
# xl-disk-configuration(5), xl-network-configuration(5), shared/reference/xen-in-qemu.md,
# shared/reference/runphi-upstream.md §6 and from probing Debian's xl 4.17.7 binary
# (see README.md, "xl simulator"). Messages marked [verified] were observed on that
# binary; [approx] ones follow libxl's message strings but the file:line part is a
# plausible value, not a verified one. Python 3 standard library only.

import os
import sys
import json
import time
import fcntl

import xlcfg
from xlcfg import Exit

XEN_MAJOR, XEN_MINOR, XEN_EXTRA = 4, 17, '.7'
DOM0 = 'Domain-0'
SAVE_MAGIC = b'Xen saved domain, xl format\n \0 \r'
INVARIANT = 'xl-sim: runtime invariant violated (real xl does not check this): '
STATES_WAIT_POLL = 0.05
REASON = {'poweroff': 0, 'reboot': 1, 'suspend': 2, 'crash': 3, 'watchdog': 4, 'soft_reset': 5}
ERRNO_TEXT = {'EPERM': 'Operation not permitted', 'ENOENT': 'No such file or directory',
              'ESRCH': 'No such process', 'EIO': 'Input/output error', 'ENOMEM': 'Cannot allocate memory',
              'EACCES': 'Permission denied', 'EBUSY': 'Device or resource busy',
              'EINVAL': 'Invalid argument', 'ENOSPC': 'No space left on device',
              'ETIMEDOUT': 'Connection timed out'}


# ======================================================================== state

class Sim:
    def __init__(self, root=None):
        root = root or os.environ.get('XL_SIM_ROOT')
        if not root:
            raise Exit(1, 'xl-sim: XL_SIM_ROOT is not set')
        self.root = root
        self.state_path = os.path.join(root, 'state.json')
        self.lockfd = None
        self.st = None

    def p(self, *a):
        return os.path.join(self.root, *a)

    def lock(self):
        if self.lockfd is None:
            os.makedirs(self.root, exist_ok=True)
            self.lockfd = os.open(self.p('lock'), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.lockfd, fcntl.LOCK_EX)
        try:
            with open(self.state_path) as f:
                self.st = json.load(f)
        except FileNotFoundError:
            self.unlock()
            raise Exit(1, 'xl-sim: no simulated machine in %s (run `xl-sim init` first)' % self.root)
        return self.st

    def save(self):
        tmp = self.state_path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.st, f, indent=1, sort_keys=True)
        os.replace(tmp, self.state_path)

    def unlock(self):
        if self.lockfd is not None:
            fcntl.flock(self.lockfd, fcntl.LOCK_UN)

    # ---------------------------------------------------------------- helpers
    @property
    def m(self):
        return self.st['machine']

    def doms(self):
        return sorted(self.st['domains'].values(), key=lambda d: d['domid'])

    def by_id(self, domid):
        if domid == 0:
            return None
        return self.st['domains'].get(str(domid))

    def by_name(self, name):
        for d in self.st['domains'].values():
            if d['name'] == name:
                return d
        return None

    def invariants_on(self):
        env = os.environ.get('XL_SIM_INVARIANTS')
        if env is not None:
            return env not in ('0', 'no', 'off', 'false')
        return self.m.get('invariants', True)

    def console_path(self, name):
        return os.path.join('console', 'guest-%s.log' % safe_name(name))

    def console_write(self, dom, text):
        path = self.p(dom['console'])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'a') as f:
            f.write(text)

    def now(self):
        return time.time()

    def free_mib(self):
        used = sum(d['memory'] for d in self.st['domains'].values())
        return self.m['memory_mib'] - self.m['dom0_memory_mib'] - self.m.get('xen_reserved_mib', 0) - used


def safe_name(name):
    """A file name for a domain name: bytes outside [A-Za-z0-9._-] become %XX."""
    return ''.join(chr(b) if (chr(b).isalnum() and b < 128) or chr(b) in '._-' else '%%%02X' % b
                   for b in name.encode('utf-8', 'surrogateescape')) or '%'


def new_uuid():
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0f) | 0x40
    b[8] = (b[8] & 0x3f) | 0x80
    h = b.hex()
    return '%s-%s-%s-%s-%s' % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def fmt_cpus(cpus):
    """0,1,2,5 -> '0-2,5'"""
    out, cpus = [], sorted(cpus)
    i = 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else '%d-%d' % (cpus[i], cpus[j]))
        i = j + 1
    return ','.join(out)


def print_bitmap(cpus, nr):
    """xl's print_bitmap: 'all', 'none' or ranges, over CPUs 0..nr-1."""
    s = sorted(c for c in set(cpus) if c < nr)
    if not s:
        return 'none'
    if s == list(range(nr)):
        return 'all'
    return fmt_cpus(s)


# ======================================================================== failure injection

def fail_entries(sim):
    out = []
    env = os.environ.get('XL_SIM_FAIL', '')
    for part in env.replace(';', '\n').split('\n'):
        if part.strip() and not part.strip().startswith('#'):
            out.append(('env', part.strip()))
    try:
        with open(sim.p('fail')) as f:
            for line in f:
                if line.strip() and not line.strip().startswith('#'):
                    out.append(('file', line.rstrip('\n')))
    except FileNotFoundError:
        pass
    return out


def check_fail(sim, cmd, candidates):
    """-> None or dict(errno=..., rc=...) if an injected failure matches."""
    for src, raw in fail_entries(sim):
        words = raw.split()
        if not words or words[0] != cmd:
            continue
        target, once, errno, rc = None, False, None, None
        for w in words[1:]:
            if w == 'once':
                once = True
            elif w.startswith('rc='):
                rc = int(w[3:])
            elif w.startswith('errno='):
                errno = w[6:]
            elif w in ERRNO_TEXT:
                errno = w
            elif target is None:
                target = w
        if target is not None and target not in [str(c) for c in candidates if c is not None]:
            continue
        if once and src == 'file':
            with open(sim.p('fail')) as f:
                lines = f.readlines()
            for i, l in enumerate(lines):
                if l.rstrip('\n') == raw:
                    del lines[i]
                    break
            with open(sim.p('fail'), 'w') as f:
                f.writelines(lines)
        return {'errno': errno or 'EPERM', 'rc': rc}
    return None


def errtext(e):
    return ERRNO_TEXT.get(e, e)


def frc(fail, default):
    return default if fail['rc'] is None else fail['rc']


# ======================================================================== guest behaviour

def is_running(d):
    return d['status'] == 'running' and d['pause_count'] == 0


def settle_time(sim, d):
    """Fold elapsed running time into cpu_time (called before every transition)."""
    now = sim.now()
    if d.get('run_since') is not None:
        rate = 1.0 if sim.st['controls'].get(d['name'], {}).get('mode') == 'busy' else 0.01
        d['cpu_time'] += (now - d['run_since']) * rate
        d['run_since'] = None
    if is_running(d):
        d['run_since'] = now


def advance(sim, d):
    """The guest runs: prints its marker the first time, then acts on its control
    and on a pending shutdown request. May remove/replace the domain."""
    settle_time(sim, d)
    if not is_running(d):
        return
    ctl = sim.st['controls'].get(d['name'], {})
    if not d['started']:
        d['started'] = True
        k = d['kernel']
        sim.console_write(d, 'Hello from %s: %s\n' % (d['name'], os.path.basename(k) if k else '(no kernel)'))
    event = ctl.get('event')
    if event:
        ctl.pop('event', None)
        if not ctl:
            sim.st['controls'].pop(d['name'], None)
        guest_shutdown(sim, d, event)
        return
    if d.get('shutdown_requested') and ctl.get('mode') != 'hang':
        guest_shutdown(sim, d, 'poweroff')


def guest_shutdown(sim, d, reason):
    """The guest shuts itself down (poweroff/reboot/crash/watchdog); the toolstack
    (xl's background monitor, not Xen) then applies the on_<reason> action."""
    line = {'poweroff': 'reboot: Power down\n', 'reboot': 'reboot: Restarting system\n',
            'crash': 'Kernel panic - not syncing: xl-sim: guest crashed\n',
            'watchdog': 'watchdog: watchdog did not stop!\n'}[reason]
    sim.console_write(d, line)
    settle_time(sim, d)
    d['status'] = 'shutdown'
    d['console_end'] = console_size(sim, d)
    d['shutdown_reason'] = REASON[reason]
    d['shutdown_requested'] = False
    settle_time(sim, d)
    action = d['on'][reason]
    if action == 'preserve':
        return
    if action in ('coredump-destroy', 'coredump-restart'):
        os.makedirs(sim.p('dump'), exist_ok=True)
        with open(sim.p('dump', safe_name(d['name'])), 'w') as f:
            f.write('xl-sim core dump of domain %d (%s)\n' % (d['domid'], d['name']))
    if action == 'rename-restart':
        d['name'] = d['name'] + time.strftime('-%Y%m%dT%H%MZ', time.gmtime())
    else:
        bury(sim, d, REASON[reason])
    if action in ('restart', 'rename-restart', 'coredump-restart', 'soft-reset'):
        nd = dict(d)
        nd['name'] = d['orig_name']
        nd['domid'] = alloc_domid(sim)
        nd.update(status='running', pause_count=0, started=False, shutdown_reason=None,
                  cpu_time=0.0, run_since=None, created=sim.now(), uuid=d['uuid'])
        nd['console'] = sim.console_path(nd['name'])
        nd['console_offset'] = console_size(sim, nd)
        sim.st['domains'][str(nd['domid'])] = nd
        advance(sim, nd)


def bury(sim, d, reason):
    """Remove a domain; remember how it ended for `shutdown -w` waiters."""
    del sim.st['domains'][str(d['domid'])]
    dead = sim.st.setdefault('dead', [])
    dead.append({'domid': d['domid'], 'uuid': d['uuid'], 'reason': reason,
                 'console_end': console_size(sim, d)})
    del dead[:-64]


def console_size(sim, d):
    try:
        return os.path.getsize(sim.p(d['console']))
    except OSError:
        return 0


def alloc_domid(sim):
    i = sim.st['next_domid']
    sim.st['next_domid'] = i + 1
    return i


# ======================================================================== domain lookup

def all_digits(s):
    return all('0' <= c <= '9' for c in s)


def find_domain(sim, q):
    """xl's find_domain(): an all-digit string (even "") is a domid, unchecked;
    anything else is looked up by name [verified]."""
    if all_digits(q):
        v = int(q) if q else 0
        return v & 0xffffffff if v < (1 << 64) else 0xffffffff
    if q == DOM0:
        return 0
    d = sim.by_name(q)
    if d is None:
        raise Exit(1, '%s is an invalid domain identifier (rc=-6)' % q)
    return d['domid']


def dom_exists(sim, domid):
    return domid == 0 or sim.by_id(domid) is not None


# ======================================================================== CLI plumbing

USAGE = {  # `xl help CMD` text of xl 4.17.7 [verified]
    'create': 'Usage: xl [-vtTfN] create <ConfigFile> [options] [vars]\n\nCreate a domain from config file <filename>.\n\nOptions:\n\n-c                      Connect to the console after the domain is created.\n-d                      Enable debug messages.\n-e                      Do not wait in the background for the death of the domain.\n-F                      Run in foreground until death of the domain.\n-f FILE, --defconfig=FILE\n                     Use the given configuration file.\n-h                      Print this help.\n-n, --dryrun            Dry run - prints the resulting configuration\n                         (deprecated in favour of global -N option).\n-p                      Leave the domain paused after it is created.\n-q, --quiet             Quiet.\n-V, --vncviewer         Connect to the VNC display after the domain is created.\n-A, --vncviewer-autopass\n                        Pass VNC password to viewer via stdin.\n--ignore-global-affinity-masks Ignore global masks in xl.conf.\n',
    'unpause': 'Usage: xl [-vtTf] unpause <Domain>\n\nUnpause a paused domain.\n\n',
    'pause': 'Usage: xl [-vtTf] pause <Domain>\n\nPause execution of a domain.\n\n',
    'shutdown': 'Usage: xl [-vtTf] shutdown [options] <-a|Domain>\n\nIssue a shutdown signal to a domain.\n\nOptions:\n\n-a, --all               Shutdown all guest domains.\n-h                      Print this help.\n-F                      Fallback to ACPI power event for HVM guests with\n                        no PV drivers.\n-w, --wait              Wait for guest(s) to shutdown.\n\n',
    'destroy': 'Usage: xl [-vtTf] destroy [options] <Domain>\n\n\nTerminate a domain immediately.\n\nOptions:\n\n-f                      Permit destroying domain 0, which will only succeed\n                        when run from disaggregated toolstack domain with a\n                        hardware domain distinct from domain 0.\n',
    'list': 'Usage: xl [-vtT] list [options] [Domain]\n\n\nList information about all/some domains.\n\nOptions:\n\n-l, --long              Output all VM details\n-v, --verbose           Prints out UUIDs and security context\n-Z, --context           Prints out security context\n-c, --cpupool           Prints the cpupool the domain is in\n-n, --numa              Prints out NUMA node affinity\n',
    'console': "Usage: xl [-vtT] console [options] <Domain>\n-t <type>       console type, pv , serial or vuart\n-n <number>     console number\n\nAttach to domain's console.\n\n",
    'save': 'Usage: xl [-vtTf] save [options] <Domain> <CheckpointFile> [<ConfigFile>]\n\nSave a domain state to restore later.\n\nOptions:\n\n-h  Print this help.\n-c  Leave domain running after creating the snapshot.\n-p  Leave domain paused after creating the snapshot.\n-D  Store the domain id in the configuration.\n',
    'restore': 'Usage: xl [-vtTf] restore [options] [<ConfigFile>] <CheckpointFile>\n\nRestore a domain from a saved state.\n\nOptions:\n\n-h                       Print this help.\n-p                       Do not unpause domain after restoring it.\n-e                       Do not wait in the background for the death of the domain.\n-d                       Enable debug messages.\n-V, --vncviewer          Connect to the VNC display after the domain is created.\n-A, --vncviewer-autopass Pass VNC password to viewer via stdin.\n',
    'domid': 'Usage: xl [-vtT] domid <DomainName>\n\nConvert a domain name to domain id.\n\n',
    'domname': 'Usage: xl [-vtT] domname <DomainId>\n\nConvert a domain id to domain name.\n\n',
    'vcpu-list': 'Usage: xl [-vtT] vcpu-list [Domain, ...]\n\nList the VCPUs for all/some domains.\n\n',
    'info': 'Usage: xl [-vtT] info -n, --numa         List host NUMA topology information\n\nGet information about Xen host.\n\n',
}


class Out:
    def __init__(self):
        self.out, self.err = sys.stdout, sys.stderr

    def o(self, s=''):
        self.out.write(s)

    def e(self, s):
        self.err.write(s + '\n')
        self.err.flush()


def getopts(args, short, longs=None, permute=True):
    """Minimal GNU getopt_long. short: 'pcq' (':' after a letter = takes an arg).
    -> (opts list of (flag, value), positional list). Raises Exit(2) on an unknown
    option, like xl ("option `x' not supported.") [verified]."""
    longs = longs or {}
    opts, pos, i = [], [], 0
    while i < len(args):
        a = args[i]
        if a == '--':
            pos.extend(args[i + 1:])
            break
        if a.startswith('--') and len(a) > 2:
            name, eq, val = a[2:].partition('=')
            if name not in longs:
                raise Exit(2, "option `%s' not supported." % name)
            flag, takes = longs[name]
            if takes and not eq:
                i += 1
                val = args[i] if i < len(args) else None
            opts.append((flag, val if takes else None))
        elif a.startswith('-') and len(a) > 1:
            j = 1
            while j < len(a):
                c = a[j]
                k = short.find(c)
                if k < 0 or c == ':':
                    raise Exit(2, "option `%s' not supported." % c)
                if short[k + 1:k + 2] == ':':
                    val = a[j + 1:] or (args[i + 1] if i + 1 < len(args) else None)
                    if not a[j + 1:]:
                        i += 1
                    opts.append((c, val))
                    break
                opts.append((c, None))
                j += 1
        else:
            if not permute:
                pos.extend(args[i:])
                break
            pos.append(a)
        i += 1
    return opts, pos


def need_args(cmd, pos, n):
    if len(pos) < n:
        sys.stdout.write(USAGE[cmd])
        raise Exit(2, "'xl %s' requires at least %d argument%s.\n" % (cmd, n, '' if n == 1 else 's'))


def log_argv(root, argv):
    try:
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, 'commands.log'), 'a') as f:
            f.write(json.dumps(argv) + '\n')
    except OSError:
        pass


# ======================================================================== xl create

def read_config(path):
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise Exit(3, 'Failed to read config file: %s: %s' % (path, e.strerror))
    return data.decode('utf-8', 'surrogateescape')


def parse_config(sim, text, fname, out, extra_vars=()):
    """libxlu parse + xl's checks. -> (dom dict, cfg). Prints warnings."""
    override = None
    if extra_vars:
        text = text + ('\n' if text and not text.endswith('\n') else '')
        override = text.count('\n') + 1
        text += ''.join(v + '\n' for v in extra_vars)
    settings, errs, python = xlcfg.parse(text, fname, override)
    if errs:
        lines = list(errs)
        if python:
            lines += ['warning: Config file looks like it contains Python code.',
                      'warning:  Arbitrary Python is no longer supported.',
                      'warning:  See https://wiki.xen.org/wiki/PythonInXlConfig']
        lines.append('Failed to parse config: Invalid argument')
        raise Exit(1, *lines)
    cfg = xlcfg.Cfg(settings, fname)
    try:
        dom = xlcfg.build(cfg, sim.m['cpus'], sim.m.get('arch', 'x86_64'))
    finally:
        for w in cfg.warn:
            out.e(w)
        cfg.warn = []
    dom['_settings'] = settings
    return dom, cfg


def config_invariants(sim, dom, cfg, cfg_path, restoring=False):
    """Rules real xl does NOT enforce but a correct runtime must keep."""
    v = []
    m = sim.m
    st = dom['_settings']
    for k in st:
        if k not in xlcfg.OK_KEYS:
            v.append("unknown key `%s' (xl ignores it silently)" % k)
    for k, s in st.items():
        if s.count > 1:
            v.append("key `%s' is set %d times (xl silently keeps the last value)" % (k, s.count))
    for k, what in cfg.soft:
        v.append("`%s': %s (xl only warns and ignores it)" % (k, what))
    name = dom['name']
    if name == '':
        v.append('empty domain name')
    elif all_digits(name):
        v.append('domain name "%s" is all digits: xl treats it as a domain id, so the domain '
                 'cannot be addressed by name' % name)
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in name):
        v.append('domain name contains control characters: %s' % json.dumps(name))
    if dom['vcpus_raw'] is not None and dom['vcpus_raw'] < 1:
        v.append('vcpus=%d (xl silently creates 1 vCPU)' % dom['vcpus_raw'])
    if not restoring and cfg_path is not None and not cfg_path.startswith('/'):
        v.append('config file path "%s" is not absolute (xl(1): "configfile has to be an '
                 'absolute path to a file")' % cfg_path)
    for k in ('kernel', 'ramdisk'):
        if dom[k] is not None and not dom[k].startswith('/'):
            v.append('%s path "%s" is not absolute (it depends on xl\'s working directory)' % (k, dom[k]))
    for disk in dom['disks']:
        t = disk['target']
        if t and not t.startswith('/') and not disk.get('script'):
            v.append('disk target "%s" is not absolute' % t)
    if dom['hard_form'] is not None and dom['max_vcpus_cfg'] == 0:
        v.append('cpus= is set but vcpus= is not: xl 4.17 then pins no vCPU at all')
    ncpu = m['cpus']
    dom0 = set(m['dom0_cpus'])
    hard = dom['hard'] or []
    for i in range(dom['max_vcpus']):
        aff = hard[i] if i < len(hard) else None
        if aff is None:
            if dom0 and hard:
                v.append('vCPU %d has no hard affinity, so it may run on Domain-0\'s CPUs (%s)'
                         % (i, fmt_cpus(dom0)))
            continue
        outside = [c for c in aff if c >= ncpu]
        if outside and any(c < ncpu for c in aff):
            v.append('vCPU %d is pinned to CPUs %s that the machine does not have (CPUs 0-%d)'
                     % (i, fmt_cpus(outside), ncpu - 1))
        clash = sorted(dom0 & set(aff))
        if clash:
            v.append('vCPU %d is pinned to Domain-0\'s CPU(s) %s' % (i, fmt_cpus(clash)))
    if not hard and dom0 and dom['hard_form'] is None and m.get('require_pinning', True):
        v.append('no cpus= pinning: the guest\'s vCPUs may run on Domain-0\'s CPUs (%s)' % fmt_cpus(dom0))
    mine = set(c for a in hard if a for c in a if c < ncpu)
    for other in sim.doms():
        if other['status'] != 'running':
            continue
        theirs = set(c for a in (other['hard'] or []) if a for c in a)
        both = sorted(mine & theirs)
        if both:
            v.append('CPU(s) %s are already pinned to domain %d (%s): partitions must not share CPUs'
                     % (fmt_cpus(both), other['domid'], other['name']))
    if dom['gic_version'] is not None and m.get('arch', 'x86_64') != 'arm64':
        v.append('gic_version is an ARM option (runPHI emits it only on aarch64 builds)')
    return v


def libxl_err(where, msg, domid=None):
    return 'libxl: error: %s: %s%s' % (where, ('Domain %d:' % domid) if domid is not None else '', msg)


def realize(sim, dom, cfg, cfg_path, restoring=None, inject_cands=None, inject_cmd='create'):
    """libxl_domain_create_new + Xen: the create-time checks, then the runtime
    invariants, then the new (paused) record. Xen/libxl failures raise Exit(3, ...)
    and use up a domid, like the real thing; invariant violations raise Exit(1, ...)
    and leave the state unchanged."""
    m = sim.m
    fail = check_fail(sim, inject_cmd, inject_cands or [])
    if fail:
        raise Exit(frc(fail, 3),
                   libxl_err('libxl_create.c:689:libxl__domain_make', 'domain creation fail: %s' % errtext(fail['errno'])),
                   libxl_err('libxl_create.c:1271:initiate_domain_create', 'cannot make domain: -3'))
    domid = alloc_domid(sim)
    name = dom['name']
    if name == DOM0 or sim.by_name(name) is not None:
        raise Exit(3, libxl_err('libxl_domain.c:461:libxl__domain_rename', 'Domain with name "%s" already exists.' % name, domid),
                   libxl_err('libxl_create.c:1271:initiate_domain_create', 'cannot make domain: -6', domid))
    for i, disk in enumerate(dom['disks']):
        t = disk['target']
        if disk.get('script'):
            continue
        if not t:
            if disk['devtype'] != 'cdrom':
                raise Exit(3, libxl_err('libxl_device.c:375:libxl__device_disk_set_backend', 'Disk vdev=%s is empty but not cdrom' % disk['vdev']),
                           libxl_err('libxl_create.c:1309:initiate_domain_create', 'Unable to set disk defaults for disk %d' % i, domid))
            continue
        path = t if t.startswith('/') else '/dev/' + t
        if not path_exists(sim, path):
            raise Exit(3, libxl_err('libxl_device.c:397:libxl__device_disk_set_backend', 'Disk vdev=%s failed to stat: %s: No such file or directory' % (disk['vdev'], path)),
                       libxl_err('libxl_create.c:1309:initiate_domain_create', 'Unable to set disk defaults for disk %d' % i, domid))
    if restoring is None:
        rebuild = 'libxl_create.c:1875:domcreate_rebuild_done'
        for what in ('kernel', 'ramdisk'):
            p = dom[what]
            if p is None:
                continue
            ok, err = path_readable(sim, p)
            if not ok:
                if what == 'kernel':
                    where = 'libxl_dom.c:1052:libxl__domain_firmware' if dom['type'] != 'pv' else 'libxl_dom.c:647:libxl__build_dom'
                    what_failed = 'xc_dom_kernel_file failed'
                else:
                    where = 'libxl_dom.c:1077:libxl__domain_firmware' if dom['type'] != 'pv' else 'libxl_dom.c:657:libxl__build_dom'
                    what_failed = 'xc_dom_{kernel_file/ramdisk_file} failed' if dom['type'] != 'pv' else 'xc_dom_ramdisk_file failed'
                raise Exit(3, "xc: error: panic: xc_dom_core.c:207: failed to open file '%s': %s: Internal error" % (p, err),
                           libxl_err(where, '%s: %s' % (what_failed, err)),
                           libxl_err(rebuild, 'cannot (re-)build domain: -3', domid))
        ncpu = m['cpus']
        for i, aff in enumerate(dom['hard'] or []):
            if aff is not None and not any(c < ncpu for c in aff):
                raise Exit(3, libxl_err('libxl_sched.c:62:libxl_set_vcpuaffinity', 'Setting vcpu affinity: Invalid argument', domid),
                           libxl_err('libxl_dom.c:327:libxl__build_pre', "setting affinity failed on vcpu `%d'" % i, domid),
                           libxl_err(rebuild, 'cannot (re-)build domain: -3', domid))
        need = dom['memory']
        if need < 1 or need > sim.free_mib() or dom['maxmem'] < need:
            raise Exit(3, "xc: error: panic: xc_dom_boot.c:116: xc_dom_boot_mem_init: can't allocate low memory for domain: Out of memory: Internal error",
                       libxl_err('libxl_dom.c:664:libxl__build_dom', 'xc_dom_boot_mem_init failed: Cannot allocate memory'),
                       libxl_err(rebuild, 'cannot (re-)build domain: -3', domid))
        img = sum(path_size(sim, dom[w]) for w in ('kernel', 'ramdisk') if dom[w])
        pages, limit = (img + 4095) // 4096, need * 256
        if pages > limit - 256:
            raise Exit(3, 'xc: error: panic: xc_dom_core.c:800: xc_dom_chk_alloc_pages: segment kernel too large (0x%x > 0x%x - 0x%x pages): Out of memory: Internal error' % (pages, limit, 256),
                       libxl_err('libxl_dom.c:664:libxl__build_dom', 'xc_dom_build_image failed: Cannot allocate memory'),
                       libxl_err(rebuild, 'cannot (re-)build domain: -3', domid))
    elif dom['memory'] > sim.free_mib():
        raise Exit(3, "xc: error: Failed to allocate memory for batch.!: Cannot allocate memory: Internal error",
                   libxl_err('libxl_stream_read.c:852:libxl__xc_domain_restore_done', 'restoring domain: Cannot allocate memory', domid))
    for nic in dom['vifs']:
        br = nic.get('bridge', 'xenbr0')
        if nic.get('script') or br in m.get('bridges', []):
            continue
        pid = 1000 + domid
        raise Exit(3, libxl_err('libxl_exec.c:117:libxl_report_child_exitstatus',
                                '/etc/xen/scripts/vif-bridge online [%d] exited with error status 1' % pid),
                   libxl_err('libxl_device.c:1286:device_hotplug_child_death_cb', 'script: Could not find bridge device %s' % br, domid),
                   libxl_err('libxl_create.c:1903:domcreate_attach_devices', 'unable to add vif devices', domid))

    if sim.invariants_on():
        v = config_invariants(sim, dom, cfg, cfg_path, restoring=restoring is not None)
        if v:
            sim.st['next_domid'] = domid        # nothing happened: give the domid back
            raise Exit(1, *[INVARIANT + x for x in v])
    rec = {
        'domid': domid, 'name': name, 'orig_name': name, 'uuid': dom['uuid'] or new_uuid(),
        'type': dom['type'], 'config_path': cfg_path, 'config_text': dom.get('_text', ''),
        'memory': dom['memory'], 'maxmem': dom['maxmem'],
        'vcpus': dom['vcpus'], 'max_vcpus': dom['max_vcpus'],
        'hard': dom['hard'], 'soft': dom['soft'], 'hard_form': dom['hard_form'],
        'soft_form': dom['soft_form'],
        'on': dom['on'], 'kernel': dom['kernel'], 'ramdisk': dom['ramdisk'], 'cmdline': dom['cmdline'],
        'bootloader': dom['bootloader'], 'disks': dom['disks'], 'vifs': dom['vifs'],
        'gic_version': dom['gic_version'],
        'pause_count': 1, 'status': 'running', 'shutdown_reason': None, 'started': False,
        'shutdown_requested': False, 'cpu_time': 0.0, 'run_since': None, 'created': sim.now(),
    }
    rec['console'] = sim.console_path(name)
    rec['console_offset'] = console_size(sim, rec)
    if restoring is not None:
        for k in ('started', 'cpu_time', 'shutdown_requested'):
            rec[k] = restoring.get(k, rec[k])
        rec['uuid'] = restoring.get('uuid', rec['uuid'])
        rec['console_offset'] = console_size(sim, rec) - restoring.get('console_bytes', 0)
        rec['console_offset'] = max(rec['console_offset'], 0)
    sim.st['domains'][str(domid)] = rec
    return rec


def path_exists(sim, path):
    return os.path.exists(path) or os.path.exists(sim.p('fs') + path)


def path_readable(sim, path):
    for p in (path, sim.p('fs') + path if path.startswith('/') else None):
        if p is None:
            continue
        if os.path.isfile(p):
            if os.access(p, os.R_OK):
                return True, None
            return False, 'Permission denied'
        if os.path.isdir(p):
            return False, 'Is a directory'
    return False, 'No such file or directory'


def path_size(sim, path):
    for p in (path, sim.p('fs') + path):
        try:
            return os.path.getsize(p)
        except OSError:
            pass
    return 0


def cmd_create(sim, args, out):
    opts, pos = getopts(args, 'Fnqf:pcdeVAh',
                        {'dryrun': ('n', False), 'quiet': ('q', False), 'defconfig': ('f', True),
                         'vncviewer': ('V', False), 'vncviewer-autopass': ('A', False),
                         'ignore-global-affinity-masks': ('G', False)})
    flags = dict(opts)
    if 'h' in flags:
        out.o(USAGE['create'])
        return 0
    for f in ('n', 'F', 'V', 'A'):
        if f in flags:
            raise Exit(2, 'xl-sim: `xl create -%s\' is not simulated' % f)
    fname = flags.get('f')
    extra = []
    for a in pos:
        if '=' in a:
            extra.append(a)
        elif fname is None:
            fname = a
        else:
            out.o(USAGE['create'])
            return 2
    if fname is None:
        raise Exit(6, 'Config file not specified and none in save file')
    text = read_config(fname)
    if 'q' not in flags:
        out.e('Parsing config from %s' % fname)
    sim.lock()
    try:
        dom, cfg = parse_config(sim, text, fname, out, extra)
        dom['_text'] = text if not extra else text + '\n' + '\n'.join(extra) + '\n'
        cands = [fname, os.path.basename(fname), dom['name']]
        try:
            rec = realize(sim, dom, cfg, fname, inject_cands=cands)
        finally:
            sim.save()      # a failed create still used up a domid
        domid, start = rec['domid'], (rec['uuid'], rec['console'], rec['console_offset'])
        if 'p' not in flags:
            rec['pause_count'] = 0
            advance(sim, rec)
        sim.save()
    finally:
        sim.unlock()
    if 'c' in flags:
        return follow_console(sim, domid, out, start=start)
    return 0


# ======================================================================== pause / unpause / shutdown / destroy

def cmd_pause(sim, args, out, unpause=False):
    cmd = 'unpause' if unpause else 'pause'
    opts, pos = getopts(args, 'h')
    if ('h', None) in opts:
        out.o(USAGE[cmd])
        return 0
    need_args(cmd, pos, 1)
    sim.lock()
    try:
        domid = find_domain(sim, pos[0])
        d = sim.by_id(domid)
        fail = check_fail(sim, cmd, [pos[0], domid, d and d['name']])
        if fail:
            msg = ('libxl_domain.c:688:domain_unpause_done', 'Unpausing domain') if unpause else \
                  ('libxl_domain.c:587:libxl_domain_pause', 'Pausing domain')
            out.e(libxl_err(msg[0], '%s: %s' % (msg[1], errtext(fail['errno'])), domid))
            return frc(fail, 0)     # xl ignores the error and exits 0 [verified]
        if domid == 0:
            out.e(libxl_err('libxl_domain.c:587:libxl_domain_pause', 'Pausing domain: Invalid argument', 0)
                  if not unpause else libxl_err('libxl_domain.c:688:domain_unpause_done', 'Unpausing domain: Invalid argument', 0))
            return 0
        if d is None:
            if unpause:
                out.e(libxl_err('libxl_dom.c:37:libxl__domain_type', 'unable to get domain type for domid=%d' % domid))
            else:
                out.e(libxl_err('libxl_domain.c:587:libxl_domain_pause', 'Pausing domain: No such process', domid))
            return 0                                                  # [verified]
        settle_time(sim, d)
        if unpause:
            if d['pause_count'] == 0:
                # Xen: unpausing a domain that is not paused is -EINVAL; xl still exits 0 [verified]
                out.e(libxl_err('libxl_domain.c:688:domain_unpause_done', 'Unpausing domain: Invalid argument', domid))
                return 0
            d['pause_count'] -= 1
            advance(sim, d)
        else:
            if d['pause_count'] >= 255:
                out.e(libxl_err('libxl_domain.c:587:libxl_domain_pause', 'Pausing domain: Value too large for defined data type', domid))
                return 0
            d['pause_count'] += 1
            settle_time(sim, d)
        sim.save()
    finally:
        sim.unlock()
    return 0


def cmd_shutdown(sim, args, out):
    opts, pos = getopts(args, 'awFh', {'all': ('a', False), 'wait': ('w', False)})
    flags = [o for o, _ in opts]
    if 'h' in flags:
        out.o(USAGE['shutdown'])
        return 0
    wait = flags.count('w')
    fallback = 'F' in flags
    if 'a' not in flags and not pos:
        raise Exit(1, 'You must specify -a or a domain id.\n')
    sim.lock()
    watch = []
    try:
        if 'a' in flags:
            targets = [d['domid'] for d in sim.doms()]
            q = None
        else:
            q = pos[0]
            targets = [find_domain(sim, q)]
        for domid in targets:
            out.e('Shutting down domain %u' % domid)
            d = sim.by_id(domid)
            fail = check_fail(sim, 'shutdown', [q, domid, d and d['name']])
            if fail:
                out.e(libxl_err('libxl_domain.c:1518:libxl__domain_pvcontrol', 'unable to write control/shutdown: %s' % errtext(fail['errno']), domid))
                raise Exit(frc(fail, 1), 'shutdown failed (rc=-3)')
            if domid == 0:
                raise Exit(1, 'xl-sim: shutting down Domain-0 is not simulated')
            if d is None:
                out.e(libxl_err('libxl_dom.c:37:libxl__domain_type', 'unable to get domain type for domid=%d' % domid))
                raise Exit(1, 'shutdown failed (rc=-3)')                      # [verified]
            if d['type'] == 'hvm' and not d['started'] and not fallback:
                out.e('PV control interface not available: external graceful shutdown not possible.')
                out.e('Use "-F" to fallback to ACPI power event.')
                raise Exit(1, 'shutdown failed (rc=-10)')
            if d['status'] == 'running':
                d['shutdown_requested'] = True
                advance(sim, d)
            watch.append((domid, d['uuid'] if d else None))
        sim.save()
    finally:
        sim.unlock()
    if not wait or not watch:
        return 0
    out.e('Waiting for %d domains' % len(watch))
    timeout = float(os.environ.get('XL_SIM_WAIT_TIMEOUT', '300'))
    deadline = time.time() + timeout
    pending = list(watch)
    told = set()
    while pending:
        sim.lock()
        try:
            for item in list(pending):
                domid, uuid = item
                d = sim.by_id(domid)
                if d is None or d['uuid'] != uuid:
                    how = [x for x in sim.st.get('dead', []) if x['domid'] == domid and x['uuid'] == uuid]
                    if how and how[-1]['reason'] is not None and wait == 1 and item not in told:
                        # the guest shut down first; xl's monitor then destroyed it
                        out.e('Domain %d has been shut down, reason code %d' % (domid, how[-1]['reason']))
                    else:
                        out.e('Domain %d has been destroyed' % domid)
                    pending.remove(item)
                elif d['status'] != 'running':
                    out.e('Domain %d has been shut down, reason code %d' % (domid, d['shutdown_reason']))
                    if wait == 1:
                        pending.remove(item)
                    elif item not in told:
                        out.e('Domain %d continue waiting for death' % domid)
                        told.add(item)
        finally:
            sim.unlock()
        if not pending:
            break
        if time.time() > deadline:
            raise Exit(1, 'xl-sim: gave up waiting after %g s (XL_SIM_WAIT_TIMEOUT); real xl would keep waiting' % timeout)
        time.sleep(STATES_WAIT_POLL)
    return 0


def cmd_destroy(sim, args, out):
    opts, pos = getopts(args, 'fh')
    flags = [o for o, _ in opts]
    if 'h' in flags:
        out.o(USAGE['destroy'])
        return 0
    need_args('destroy', pos, 1)
    sim.lock()
    try:
        domid = find_domain(sim, pos[0])
        if domid == 0 and 'f' not in flags:
            raise Exit(1, 'Not destroying domain 0; use -f to force.\n'
                          'This can only be done when using a disaggregated hardware domain and toolstack.\n')
        d = sim.by_id(domid)
        fail = check_fail(sim, 'destroy', [pos[0], domid, d and d['name']])
        if fail:
            raise Exit(frc(fail, 1),
                       libxl_err('libxl_domain.c:1616:domain_destroy_domid_cb', 'xc_domain_destroy failed: %s' % errtext(fail['errno']), domid),
                       libxl_err('libxl_domain.c:1137:domain_destroy_callback', 'Unable to destroy guest', domid),
                       libxl_err('libxl_domain.c:1064:domain_destroy_cb', 'Destruction of domain failed', domid),
                       'destroy failed (rc=-3)')
        if domid == 0:
            raise Exit(1, 'xl-sim: destroying Domain-0 is not simulated')
        if d is None:
            raise Exit(1, libxl_err('libxl_domain.c:1183:libxl__destroy_domid', 'Non-existant domain', domid),
                       libxl_err('libxl_domain.c:1137:domain_destroy_callback', 'Unable to destroy guest', domid),
                       libxl_err('libxl_domain.c:1064:domain_destroy_cb', 'Destruction of domain failed', domid),
                       'destroy failed (rc=-21)')                            # [verified]
        bury(sim, d, None)
        sim.save()
    finally:
        sim.unlock()
    return 0


# ======================================================================== list / info / vcpu-list / domid / domname

def state_chars(sim, d):
    if d is None:   # Domain-0
        return 'r-----'
    running = is_running(d) and d['started']
    busy = sim.st['controls'].get(d['name'], {}).get('mode') == 'busy'
    return ''.join([
        'r' if running and busy else '-',
        'b' if running and not busy else '-',
        'p' if d['pause_count'] > 0 else '-',
        's' if d['status'] != 'running' else '-',
        'c' if d['status'] != 'running' and d['shutdown_reason'] == 3 else '-',
        'd' if d['status'] == 'dying' else '-'])


def cpu_time(sim, d):
    if d is None:
        return sim.now() - sim.st['boot_time']
    t = d['cpu_time']
    if d.get('run_since') is not None:
        rate = 1.0 if sim.st['controls'].get(d['name'], {}).get('mode') == 'busy' else 0.01
        t += (sim.now() - d['run_since']) * rate
    return t


def list_row(sim, d):
    if d is None:
        return '%-40s %5d %5d %5d     %s  %8.1f\n' % (DOM0, 0, sim.m['dom0_memory_mib'], len(sim.m['dom0_cpus']),
                                                      state_chars(sim, None), cpu_time(sim, None))
    return '%-40s %5d %5d %5d     %s  %8.1f\n' % (d['name'], d['domid'], d['memory'], d['vcpus'],
                                                  state_chars(sim, d), cpu_time(sim, d))


def yajl(v, ind=0):
    """JSON the way libxl's yajl generator (beautify, 4 spaces) prints it."""
    pad, pad2 = ' ' * ind, ' ' * (ind + 4)
    if isinstance(v, dict):
        if not v:
            return '{\n\n' + pad + '}'
        return '{\n' + ',\n'.join('%s%s: %s' % (pad2, jstr(k), yajl(x, ind + 4)) for k, x in v.items()) + '\n' + pad + '}'
    if isinstance(v, list):
        if not v:
            return '[\n\n' + pad + ']'
        return '[\n' + ',\n'.join(pad2 + yajl(x, ind + 4) for x in v) + '\n' + pad + ']'
    if v is None:
        return 'null'
    if isinstance(v, bool):
        return jstr('True' if v else 'False')
    if isinstance(v, int):
        return str(v)
    return jstr(v)


def jstr(s):
    out = ['"']
    for c in s:
        o = ord(c)
        if c == '"':
            out.append('\\"')
        elif c == '\\':
            out.append('\\\\')
        elif c in '\b\f\n\r\t':
            out.append({'\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t'}[c])
        elif o < 0x20:
            out.append('\\u%04X' % o)
        else:
            out.append(c)
    out.append('"')
    return ''.join(out)


def domain_json(sim, d):
    if d is None:
        mk = sim.m['dom0_memory_mib'] * 1024
        return {'c_info': {'type': 'pv', 'name': DOM0},
                'b_info': {'max_memkb': mk, 'target_memkb': mk,
                           'sched_params': {'sched': 'credit2', 'weight': 256, 'cap': 0},
                           'type.pv': {}, 'arch_arm': {}, 'arch_x86': {}}}
    c = {'type': d['type'], 'name': d['name'], 'uuid': d['uuid'], 'run_hotplug_scripts': 'True'}
    b = {'max_vcpus': d['max_vcpus'], 'avail_vcpus': list(range(d['vcpus']))}
    if d['hard']:
        b['vcpu_hard_affinity'] = d['hard']
    if d['soft']:
        b['vcpu_soft_affinity'] = d['soft']
    if d['hard_form'] == 'list' or d['soft_form'] is not None:
        b['numa_placement'] = 'False'
    b['max_memkb'] = d['maxmem'] * 1024
    b['target_memkb'] = d['memory'] * 1024
    b['sched_params'] = {'sched': 'credit2', 'weight': 256, 'cap': 0}
    b['claim_mode'] = 'True'
    for k in ('kernel', 'cmdline', 'ramdisk', 'bootloader'):
        if d[k] is not None:
            b[k] = d[k]
    b['type.' + d['type']] = {}
    b['arch_arm'] = {'gic_version': d['gic_version']} if d['gic_version'] else {}
    b['arch_x86'] = {}
    cfg = {'c_info': c, 'b_info': b}
    if d['disks']:
        cfg['disks'] = []
        for x in d['disks']:
            e = {'pdev_path': x['target'] or '', 'vdev': x['vdev']}
            if x.get('backendtype'):
                e['backend'] = x['backendtype']
            e['format'] = x['format']
            if x['devtype'] == 'cdrom':
                e['removable'] = 1
                e['is_cdrom'] = 1
            if x['readwrite']:
                e['readwrite'] = 1
            if x.get('specification'):
                e['specification'] = x['specification']
            for flag, key, val in (('direct-io-safe', 'direct_io_safe', True), ('discard', 'discard_enable', 'True'),
                                   ('no-discard', 'discard_enable', 'False'), ('colo', 'colo_enable', 'True')):
                if x.get(flag):
                    e[key] = val
            cfg['disks'].append(e)
    if d['vifs']:
        ren = {'vifname': 'ifname', 'backend': 'backend_domname'}
        cfg['nics'] = [dict((ren.get(k, k), v) for k, v in n.items()) for n in d['vifs']]
    for ev in ('poweroff', 'reboot', 'watchdog', 'crash', 'soft_reset'):
        a = d['on'][ev]
        if a != 'destroy':
            cfg['on_' + ev] = xlcfg.ACTIONS[a]
    return cfg


def cmd_list(sim, args, out):
    opts, pos = getopts(args, 'lvhZcn', {'long': ('l', False), 'verbose': ('v', False),
                                                    'context': ('Z', False), 'cpupool': ('c', False),
                                                    'numa': ('n', False)})
    flags = [o for o, _ in opts]
    if 'h' in flags:
        out.o(USAGE['list'])
        return 0
    for f in ('v', 'Z', 'c', 'n'):
        if f in flags:
            raise Exit(2, 'xl-sim: `xl list -%s\' is not simulated' % f)
    if len(pos) > 1:
        out.o(USAGE['list'])
        return 1                                                          # [verified]
    sim.lock()
    try:
        fail = check_fail(sim, 'list', pos)
        if fail:
            out.e('libxl: error: libxl_domain.c:335:libxl_list_domain: getting domain info list: %s' % errtext(fail['errno']))
            if pos and not all_digits(pos[0]):
                raise Exit(frc(fail, 1), '%s is an invalid domain identifier (rc=-5)' % pos[0])  # [verified]
            raise Exit(frc(fail, 1), 'libxl_list_domain failed.')
        if pos:
            domid = find_domain(sim, pos[0])
            if not dom_exists(sim, domid):
                raise Exit(1, "Error: Domain '%s' does not exist." % pos[0])   # [verified]
            sel = [sim.by_id(domid)]
        else:
            sel = [None] + sim.doms()
        if 'l' in flags:
            items = [{'domid': d['domid'] if d else 0, 'config': domain_json(sim, d)} for d in sel]
            out.o(yajl(items) + '\n\n')                                  # ends "]\n\n" [verified]
        else:
            out.o('Name                                        ID   Mem VCPUs\tState\tTime(s)\n')  # [verified]
            for d in sel:
                out.o(list_row(sim, d))
    finally:
        sim.unlock()
    return 0


def cmd_domid(sim, args, out):
    opts, pos = getopts(args, 'h')
    need_args('domid', pos, 1)
    sim.lock()
    try:
        fail = check_fail(sim, 'domid', pos[:1])
        d = sim.by_name(pos[0])
        if pos[0] == DOM0 and not fail:
            out.o('0\n')
            return 0
        if d is None or fail:
            raise Exit(frc(fail, 1) if fail else 1, "Can't get domid of domain name '%s', maybe this domain does not exist." % pos[0])
        out.o('%d\n' % d['domid'])
    finally:
        sim.unlock()
    return 0


def cmd_domname(sim, args, out):
    opts, pos = getopts(args, 'h')
    need_args('domname', pos, 1)
    v, used = xlcfg.strtol(pos[0], 10)
    if used == 0:
        raise Exit(1, 'Invalid domain id.\n')                                 # [verified]
    domid = v & 0xffffffff
    sim.lock()
    try:
        fail = check_fail(sim, 'domname', pos[:1])
        if domid == 0 and not fail:
            out.o(DOM0 + '\n')
            return 0
        d = sim.by_id(domid)
        if d is None or fail:
            raise Exit(frc(fail, 1) if fail else 1, "Can't get domain name of domain id '%u', maybe this domain does not exist." % domid)
        out.o(d['name'] + '\n')
    finally:
        sim.unlock()
    return 0


def cmd_vcpu_list(sim, args, out):
    opts, pos = getopts(args, 'h')
    if ('h', None) in opts:
        out.o(USAGE['vcpu-list'])
        return 0
    sim.lock()
    try:
        fail = check_fail(sim, 'vcpu-list', pos)
        if fail:
            raise Exit(frc(fail, 1), 'libxl_list_vcpu failed.')
        ncpu = sim.m['cpus']
        out.o('%-32s %5s %5s %5s %5s %9s %s\n' % ('Name', 'ID', 'VCPU', 'CPU', 'State', 'Time(s)',
                                                  'Affinity (Hard / Soft)'))
        if pos:
            sel = []
            for q in pos:
                domid = find_domain(sim, q)
                if not dom_exists(sim, domid):
                    raise Exit(1, 'libxl_list_vcpu failed.')
                sel.append(sim.by_id(domid))
        else:
            sel = [None] + sim.doms()
        for d in sel:
            if d is None:
                cpus = sim.m['dom0_cpus']
                for i, c in enumerate(cpus):
                    out.o('%-32s %5u %5u' % (DOM0, 0, i) + '%5u %3c%c- ' % (c, 'r', '-') + '%9.1f  ' % cpu_time(sim, None)
                          + print_bitmap([c], ncpu) + ' / all\n')
                continue
            for i in range(d['max_vcpus']):
                hard = (d['hard'] or [])
                aff = hard[i] if i < len(hard) and hard[i] is not None else list(range(ncpu))
                soft = (d['soft'] or [])
                saff = soft[i] if i < len(soft) and soft[i] is not None else list(range(ncpu))
                line = '%-32s %5u %5u' % (d['name'], d['domid'], i)
                if i >= d['vcpus'] or d['status'] != 'running':
                    line += '%5c %3c%cp ' % ('-', '-', '-')
                else:
                    onl = [c for c in aff if c < ncpu] or [0]
                    running = is_running(d) and d['started']
                    busy = sim.st['controls'].get(d['name'], {}).get('mode') == 'busy'
                    line += '%5u %3c%c- ' % (onl[i % len(onl)], 'r' if running and busy else '-',
                                             'b' if running and not busy else '-')
                line += '%9.1f  ' % (cpu_time(sim, d) / max(d['vcpus'], 1))
                out.o(line + print_bitmap(aff, ncpu) + ' / ' + print_bitmap(saff, ncpu) + '\n')
    finally:
        sim.unlock()
    return 0


def cmd_info(sim, args, out):
    opts, pos = getopts(args, 'hn', {'numa': ('n', False)})
    if ('h', None) in opts:
        out.o(USAGE['info'])
        return 0
    sim.lock()
    try:
        fail = check_fail(sim, 'info', [])
        if fail:
            raise Exit(frc(fail, 1), 'libxl_physinfo failed.')
        m = sim.m
        arch = m.get('arch', 'x86_64')
        x86 = arch != 'arm64'
        un = os.uname()
        rows = [
            ('host', un.nodename), ('release', un.release), ('version', un.version),
            ('machine', 'x86_64' if x86 else 'aarch64'),
            ('nr_cpus', m['cpus']), ('max_cpu_id', m['cpus'] - 1), ('nr_nodes', 1),
            ('cores_per_socket', m['cpus']), ('threads_per_core', 1), ('cpu_mhz', '2000.000'),
            ('hw_caps', ':'.join(['00000000'] * 8)),
            ('virt_caps', ' pv hvm hap shadow gnttab-v1 gnttab-v2' if x86 else ' hvm hap gnttab-v1'),
            ('total_memory', m['memory_mib']), ('free_memory', sim.free_mib()),
            ('sharing_freed_memory', 0), ('sharing_used_memory', 0), ('outstanding_claims', 0),
            ('free_cpus', 0),
            ('xen_major', XEN_MAJOR), ('xen_minor', XEN_MINOR), ('xen_extra', XEN_EXTRA),
            ('xen_version', '%d.%d%s' % (XEN_MAJOR, XEN_MINOR, XEN_EXTRA)),
            ('xen_caps', 'xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64' if x86 else 'xen-3.0-aarch64 xen-3.0-armv7l'),
            ('xen_scheduler', 'credit2'), ('xen_pagesize', 4096),
            ('platform_params', 'virt_start=0xffff800000000000' if x86 else 'virt_start=0x0'),
            ('xen_changeset', ''), ('xen_commandline', 'dom0_mem=%dM,max:%dM dom0_max_vcpus=%d'
                                    % (m['dom0_memory_mib'], m['dom0_memory_mib'], len(m['dom0_cpus']))),
            ('cc_compiler', 'gcc (Debian 12.2.0-14) 12.2.0'), ('cc_compile_by', 'xl-sim'),
            ('cc_compile_domain', 'xl-sim'), ('cc_compile_date', ''), ('build_id', ''),
            ('xend_config_format', 4)]
        for k, v in rows:
            v = str(v)
            out.o('%-23s: %s\n' % (k, v) if not k == 'virt_caps' else '%-23s:%s\n' % (k, v))
    finally:
        sim.unlock()
    return 0


# ======================================================================== console

def follow_console(sim, domid, out, follow=True, start=None):
    """Print the domain's console from its start, then follow it until the domain
    is gone or has shut down (or XL_SIM_CONSOLE_TIMEOUT seconds have passed)."""
    timeout = os.environ.get('XL_SIM_CONSOLE_TIMEOUT')
    deadline = time.time() + float(timeout) if timeout else None
    if start is None:
        sim.lock()
        try:
            d = sim.by_id(domid)
            if d is None:
                raise Exit(1, 'Unable to attach console')
            start = (d['uuid'], d['console'], d['console_offset'])
        finally:
            sim.unlock()
    uuid, path, off = start[0], sim.p(start[1]), start[2]
    while True:
        sim.lock()
        try:
            d = sim.by_id(domid)
            alive = d is not None and d['uuid'] == uuid and d['status'] == 'running'
            end = None
            if d is not None and d['uuid'] == uuid:
                end = None if alive else d.get('console_end')
            else:
                for x in sim.st.get('dead', []):
                    if x['domid'] == domid and x['uuid'] == uuid:
                        end = x.get('console_end')
        finally:
            sim.unlock()
        try:
            with open(path, 'rb') as f:
                f.seek(off)
                data = f.read() if end is None else f.read(max(end - off, 0))
        except FileNotFoundError:
            data = b''
        if data:
            off += len(data)
            out.out.write(data.decode('utf-8', 'replace'))
            out.out.flush()
        if not alive or not follow:
            return 0
        if deadline is not None and time.time() > deadline:
            return 0
        time.sleep(STATES_WAIT_POLL)


def cmd_console(sim, args, out):
    opts, pos = getopts(args, 'n:t:h')
    flags = dict(opts)
    if 'h' in flags:
        out.o(USAGE['console'])
        return 0
    if 't' in flags and flags['t'] not in ('pv', 'serial', 'vuart'):
        raise Exit(1, 'console type supported are: pv, serial, vuart')    # [verified]
    need_args('console', pos, 1)
    sim.lock()
    try:
        domid = find_domain(sim, pos[0])
        d = sim.by_id(domid)
        fail = check_fail(sim, 'console', [pos[0], domid, d and d['name']])
        if fail:
            raise Exit(frc(fail, 1), 'Unable to attach console')
        if domid == 0:
            raise Exit(1, 'xl-sim: Domain-0\'s console is not simulated')
        if d is None:
            raise Exit(1, libxl_err('libxl_dom.c:37:libxl__domain_type', 'unable to get domain type for domid=%d' % domid),
                       'Unable to attach console')
    finally:
        sim.unlock()
    return follow_console(sim, domid, out)


# ======================================================================== save / restore

def cmd_save(sim, args, out):
    opts, pos = getopts(args, 'hcpD')
    flags = [o for o, _ in opts]
    if 'h' in flags:
        out.o(USAGE['save'])
        return 0
    need_args('save', pos, 2)
    q, path = pos[0], pos[1]
    sim.lock()
    try:
        domid = find_domain(sim, q)
        d = sim.by_id(domid)
        if domid == 0:
            raise Exit(1, 'xl-sim: saving Domain-0 is not simulated')
        if d is None:
            raise Exit(1, libxl_err('libxl_domain.c:2207:libxl_retrieve_domain_configuration',
                                    'Fail to get domain info', domid),
                       'unable to retrieve domain configuration')
        settle_time(sim, d)
        snap = dict(d)
        snap['console_bytes'] = console_size(sim, d) - d['console_offset']
        if len(pos) > 2:
            snap['config_override_text'] = read_config(pos[2])
        if 'D' not in flags:
            snap.pop('saved_domid', None)
        else:
            snap['saved_domid'] = domid
        payload = json.dumps({'xl_sim_domain': snap}).encode()
        hdr = SAVE_MAGIC + (0x01020304).to_bytes(4, 'little') + (3).to_bytes(4, 'little') + (0).to_bytes(4, 'little') + \
            len(payload).to_bytes(4, 'little')
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError:
            raise Exit(1, 'Failed to open temp file %s for writing' % path)
        out.e('Saving to %s new xl format (info 0x%x/0x%x/%u)' % (path, 3, 0, len(payload)))
        fail = check_fail(sim, 'save', [q, domid, d['name']])
        if fail or d['status'] != 'running':
            os.close(fd)
            why = errtext(fail['errno']) if fail else 'domain is not running'
            out.e('xc: error: Save failed (%s): Internal error' % why)
            out.e(libxl_err('libxl_stream_write.c:350:libxl__xc_domain_save_done', 'saving domain: %s' % why, domid))
            raise Exit(frc(fail, 1) if fail else 1, 'Failed to save domain, resuming domain')
        with os.fdopen(fd, 'wb') as f:
            f.write(hdr + payload + b'xl-sim libxc stream placeholder\n')
        out.e('xc: info: Saving domain %d, type x86 %s' % (domid, 'PV' if d['type'] == 'pv' else 'HVM'))
        out.e('xc: Frames: %d/%d  100%%' % (d['memory'] * 256, d['memory'] * 256))
        if 'c' in flags or 'p' in flags:
            if 'p' in flags:
                d['pause_count'] += 1
            settle_time(sim, d)
        else:
            bury(sim, d, REASON['suspend'])
        sim.save()
    finally:
        sim.unlock()
    return 0


def cmd_restore(sim, args, out):
    opts, pos = getopts(args, 'FhcpdeVA', {'vncviewer': ('V', False), 'vncviewer-autopass': ('A', False)})
    flags = [o for o, _ in opts]
    if 'h' in flags:
        out.o(USAGE['restore'])
        return 0
    need_args('restore', pos, 1)
    if len(pos) == 1:
        cfgfile, path = None, pos[0]
    elif len(pos) == 2:
        cfgfile, path = pos
    else:
        out.o(USAGE['restore'])
        return 2
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise Exit(1, "Can't open restore file: %s" % e.strerror)
    if len(data) < 48 or data[:32] != SAVE_MAGIC:
        raise Exit(3, 'File has wrong magic number - corrupt or for a different tool?')
    if int.from_bytes(data[32:36], 'little') != 0x01020304:
        raise Exit(3, 'File has wrong byte order')
    n = int.from_bytes(data[44:48], 'little')
    out.e('Loading new save file %s (new xl fmt info 0x%x/0x%x/%u)' % (path, 3, 0, n))
    try:
        snap = json.loads(data[48:48 + n].decode())['xl_sim_domain']
    except (ValueError, KeyError):
        raise Exit(3, 'Savefile truncated.')
    out.e(' Savefile contains xl domain config in JSON format')
    if cfgfile:
        text, fname = read_config(cfgfile), cfgfile
    else:
        text, fname = snap.get('config_override_text') or snap['config_text'], '<saved>'
    out.e('Parsing config from %s' % fname)
    sim.lock()
    try:
        dom, cfg = parse_config(sim, text, fname, out)
        dom['_text'] = text
        out.e('xc: info: Found x86 %s domain from Xen %d.%d' % ('PV' if dom['type'] == 'pv' else 'HVM', XEN_MAJOR, XEN_MINOR))
        out.e('xc: info: Restoring domain')
        try:
            rec = realize(sim, dom, cfg, cfgfile, restoring=snap,
                          inject_cands=[path, os.path.basename(path), dom['name']], inject_cmd='restore')
        finally:
            sim.save()
        out.e('xc: info: Restore successful')
        if 'p' not in flags:
            rec['pause_count'] = 0
            advance(sim, rec)
        sim.save()
    finally:
        sim.unlock()
    return 0


# ======================================================================== xl main

COMMANDS = {
    'create': cmd_create, 'pause': cmd_pause,
    'unpause': lambda s, a, o: cmd_pause(s, a, o, unpause=True),
    'shutdown': cmd_shutdown, 'destroy': cmd_destroy, 'list': cmd_list, 'console': cmd_console,
    'save': cmd_save, 'restore': cmd_restore, 'domid': cmd_domid, 'domname': cmd_domname,
    'vcpu-list': cmd_vcpu_list, 'info': cmd_info,
}


def main_xl(argv):
    try:
        import signal
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # `xl list | head` dies quietly, like C
    except (ImportError, AttributeError, ValueError):
        pass
    out = Out()
    root = os.environ.get('XL_SIM_ROOT')
    if root:
        log_argv(root, argv)
    try:
        args = argv[1:]
        while args and args[0].startswith('-') and len(args[0]) > 1:
            for c in args[0][1:]:
                if c not in 'vftT':
                    if c == 'N':
                        raise Exit(2, 'xl-sim: the global -N (dry run) is not simulated')
                    raise Exit(2, "option `%s' not supported." % c)
            args = args[1:]
        if not args:
            out.o('Usage xl [-vfNtT] <subcommand> [args]\n\nxl-sim: simulated subcommands: %s\n'
                  % ' '.join(sorted(COMMANDS)))
            return 1
        cmd, rest = args[0], args[1:]
        if cmd == 'help':
            if rest and rest[0] in USAGE:
                out.o(USAGE[rest[0]])
                return 0
            out.o('Usage xl [-vfNtT] <subcommand> [args]\n\nxl-sim: simulated subcommands: %s\n'
                  % ' '.join(sorted(COMMANDS)))
            return 0
        fn = COMMANDS.get(cmd)
        if fn is None:
            raise Exit(1, 'command not implemented')                   # [verified]
        sim = Sim(root)
        return fn(sim, rest, out)
    except Exit as e:
        for line in e.err:
            out.e(line)
        return e.code
    finally:
        try:
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            pass


# ======================================================================== xl-sim (control tool)

SIM_USAGE = '''usage: xl-sim COMMAND ...
  init --cpus N --dom0-cpus LIST --memory-mib M --dom0-memory-mib M0
       [--bridge NAME]... [--arch x86_64|arm64] [--xen-reserved-mib R]
       [--no-invariants] [--allow-unpinned]
  show                         print the state (JSON)
  guest NAME ACTION            poweroff|reboot|crash|watchdog (one-shot events),
                               hang|run|busy (modes), clear
  console NAME                 print the console log of the live domain NAME (no follow)
  add-path PATH [SIZE]         make PATH exist for the simulator (under ROOT/fs)
  commands                     print commands.log
'''


def parse_cpus_arg(s):
    return xlcfg.parse_cpulist(s, 1 << 16)


def main_sim(argv):
    out = Out()
    args = argv[1:]
    try:
        if not args or args[0] in ('-h', '--help', 'help'):
            out.o(SIM_USAGE)
            return 0 if args else 2
        cmd, rest = args[0], args[1:]
        sim = Sim()
        if cmd == 'init':
            o = {'cpus': None, 'dom0-cpus': None, 'memory-mib': None, 'dom0-memory-mib': None,
                 'arch': 'x86_64', 'xen-reserved-mib': '0'}
            bridges, flags = [], set()
            i = 0
            while i < len(rest):
                a = rest[i]
                if a in ('--no-invariants', '--allow-unpinned'):
                    flags.add(a)
                    i += 1
                    continue
                k, eq, v = a[2:].partition('=') if a.startswith('--') else (None, '', None)
                if k is None or (k not in o and k != 'bridge'):
                    raise Exit(2, 'xl-sim init: unknown option %s' % a)
                if not eq:
                    i += 1
                    if i >= len(rest):
                        raise Exit(2, 'xl-sim init: %s needs a value' % a)
                    v = rest[i]
                if k == 'bridge':
                    bridges.append(v)
                else:
                    o[k] = v
                i += 1
            for k in ('cpus', 'dom0-cpus', 'memory-mib', 'dom0-memory-mib'):
                if o[k] is None:
                    raise Exit(2, 'xl-sim init: --%s is required' % k)
            try:
                ncpu, mem, mem0, res = int(o['cpus']), int(o['memory-mib']), int(o['dom0-memory-mib']), int(o['xen-reserved-mib'])
                d0 = parse_cpus_arg(o['dom0-cpus'])
            except (ValueError, Exit):
                raise Exit(2, 'xl-sim init: bad number or CPU list')
            if ncpu < 1 or not d0 or max(d0) >= ncpu or mem0 + res > mem or o['arch'] not in ('x86_64', 'arm64'):
                raise Exit(2, 'xl-sim init: inconsistent machine (need 1 <= dom0 CPUs < cpus, dom0 memory <= memory, arch x86_64|arm64)')
            os.makedirs(sim.root, exist_ok=True)
            sim.lockfd = os.open(sim.p('lock'), os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(sim.lockfd, fcntl.LOCK_EX)
            for sub in ('console', 'dump'):
                d = sim.p(sub)
                if os.path.isdir(d):
                    for fn in os.listdir(d):
                        os.unlink(os.path.join(d, fn))
            for fn in ('commands.log',):
                try:
                    os.unlink(sim.p(fn))
                except FileNotFoundError:
                    pass
            sim.st = {'machine': {'cpus': ncpu, 'dom0_cpus': d0, 'memory_mib': mem, 'dom0_memory_mib': mem0,
                                  'xen_reserved_mib': res, 'bridges': bridges, 'arch': o['arch'],
                                  'invariants': '--no-invariants' not in flags,
                                  'require_pinning': '--allow-unpinned' not in flags},
                      'domains': {}, 'next_domid': 1, 'controls': {}, 'boot_time': time.time()}
            sim.save()
            sim.unlock()
            return 0
        if cmd == 'show':
            sim.lock()
            try:
                out.o(json.dumps(sim.st, indent=1, sort_keys=True) + '\n')
            finally:
                sim.unlock()
            return 0
        if cmd == 'guest':
            if len(rest) != 2:
                raise Exit(2, SIM_USAGE)
            name, action = rest
            events = ('poweroff', 'reboot', 'crash', 'watchdog')
            modes = ('hang', 'run', 'busy')
            if action not in events + modes + ('clear',):
                raise Exit(2, 'xl-sim guest: unknown action %s' % action)
            sim.lock()
            try:
                ctl = sim.st['controls'].setdefault(name, {})
                if action == 'clear':
                    sim.st['controls'].pop(name, None)
                elif action in modes:
                    d = sim.by_name(name)
                    if d:
                        settle_time(sim, d)
                    ctl['mode'] = action
                    if d:
                        settle_time(sim, d)
                        if action != 'hang' and d.get('shutdown_requested'):
                            advance(sim, d)
                else:
                    ctl['event'] = action
                    d = sim.by_name(name)
                    if d is not None and is_running(d) and d['started']:
                        advance(sim, d)
                sim.save()
            finally:
                sim.unlock()
            return 0
        if cmd == 'console':
            if len(rest) != 1:
                raise Exit(2, SIM_USAGE)
            sim.lock()
            try:
                d = sim.by_name(rest[0])
                if d is None:
                    raise Exit(1, 'xl-sim console: no domain %s' % rest[0])
                domid = d['domid']
            finally:
                sim.unlock()
            return follow_console(sim, domid, out, follow=False)
        if cmd == 'add-path':
            if not rest or not rest[0].startswith('/'):
                raise Exit(2, 'xl-sim add-path: need an absolute PATH')
            p = sim.p('fs') + rest[0]
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, 'wb') as f:
                if len(rest) > 1:
                    f.truncate(int(rest[1]))
            return 0
        if cmd == 'commands':
            try:
                with open(sim.p('commands.log')) as f:
                    out.o(f.read())
            except FileNotFoundError:
                pass
            return 0
        raise Exit(2, 'xl-sim: unknown command %s\n%s' % (cmd, SIM_USAGE))
    except Exit as e:
        for line in e.err:
            out.e(line)
        return e.code
