# xl simulator: the xl.cfg(5) parser (libxlu) and xl's config checks.
#
# Written from xl.cfg(5), xl-disk-configuration(5) and xl-network-configuration(5)
# (Xen 4.17), and from probing Debian's xl 4.17.7 binary (`xl -N create`, see
# README.md "xl simulator"). It is NOT derived from libxlu's or xl's source code.
# "[verified]" below means: the behaviour was observed on the real binary.
# Python 3 standard library only.

OK_KEYS = frozenset("""
acpi acpi_firmware acpi_laptop_slate acpi_s3 acpi_s4 altp2m altp2mhvm apic bios
bios_path_override boot bootloader bootloader_args builder cap channel cmdline cpu_weight
cpuid cpus cpus_soft device_model_args device_model_args_hvm device_model_args_pv
device_model_override device_model_stubdomain_override device_model_stubdomain_seclabel
device_model_user device_model_version device_tree disk dm_restrict driver_domain dtdev
e820_host extra firmware gfx_passthru gic_version hap hdtype hpet init_seclabel iomem
ioports irqs kernel keymap localtime max_event_channels max_grant_frames
max_grant_version max_maptrack_frames maxmem maxvcpus mca_caps memory mmio_hole
ms_vm_genid msr_relaxed name nestedhvm nographic nomigrate nx on_crash on_poweroff
on_reboot on_soft_reset on_watchdog oos opengl p9 pae passthrough pci pci_msitranslate
pci_permissive pci_power_mgmt pci_seize pool pvcalls pvshim pvshim_cmdline pvshim_extra
pvshim_path ramdisk rdm rdm_mem_boundary root rtc_timeoffset sdl seclabel serial
shadow_memory smbios_firmware soundhw spice spice_clipboard_sharing
spice_image_compression spice_streaming_video spiceagent_mouse spicedisable_ticketing
spicehost spicepasswd spiceport spicetls_port spiceusbredirection spicevdagent stdvga
stubdomain_cmdline stubdomain_kernel stubdomain_memory stubdomain_ramdisk tee timer_mode
tsc_mode type usb usbctrl usbdev usbdevice usbversion uuid vcpus vdispl vendor_device vfb
vga videoram vif viridian vkb vkb_device vmtrace_buf_kb vnc vncdisplay vnclisten
vncpasswd vncunused vnuma vpmu vpt_align vsnd vtpm vuart xen_platform_pci
xend_suspend_evtchn_compat
""".split())  # every KEY documented in xl.cfg(5) of Xen 4.17

ACTIONS = {  # xl.cfg(5) "Event Actions" -> libxl JSON spelling [verified]
    'destroy': 'destroy', 'restart': 'restart', 'rename-restart': 'restart_rename',
    'preserve': 'preserve', 'coredump-destroy': 'coredump_destroy',
    'coredump-restart': 'coredump_restart', 'soft-reset': 'soft_reset',
}
DISK_FORMATS = ('raw', 'qcow', 'qcow2', 'vhd', 'qed', 'empty')
DISK_ACCESS = {'ro': False, 'r': False, 'rw': True, 'w': True}
DISK_DEPRECATED_PREFIXES = ('tapdisk', 'tap2', 'tap', 'aio', 'ioemu', 'file', 'phy',
                            'raw', 'qcow2', 'qcow', 'vhd', 'iscsi', 'nbd', 'enbd', 'drbd')
VIF_KEYS = ('mac', 'bridge', 'gatewaydev', 'netdev', 'type', 'model', 'vifname',
            'script', 'ip', 'backend', 'rate', 'devid', 'mtu', 'forwarddev', 'accel')
PYTHONISH = '+-*/.%()'


class Exit(Exception):
    """Stop the command: print `err` lines to stderr and exit with `code`."""

    def __init__(self, code, *err):
        Exception.__init__(self, code, err)
        self.code, self.err = code, list(err)


# ---------------------------------------------------------------- lexer / parser

class Tok:
    __slots__ = ('kind', 'text', 'line', 'value')

    def __init__(self, kind, text, line, value=None):
        self.kind, self.text, self.line, self.value = kind, text, line, value


def _lower(c):
    return 'a' <= c <= 'z'


def _ident_char(c):
    return 'a' <= c <= 'z' or '0' <= c <= '9' or c in '._'


def _num_char(c):
    return '0' <= c <= '9' or 'a' <= c <= 'f' or c == 'x'


SIMPLE_ESCAPES = {'\\': '\\', '"': '"', "'": "'", 'n': '\n', 'r': '\r', 't': '\t',
                  'a': '\a', 'b': '\b', 'f': '\f', 'v': '\v'}


def dequote(raw):
    """Unquote a STRING token as libxlu 4.17 does. Returns (value, error or None).

    [verified] \\x escapes are always rejected; an octal escape needs a run of at
    least 3 decimal digits (it eats up to 4) and produces no character at all."""
    body, out, i, n = raw[1:-1], [], 0, len(raw) - 2
    while i < n:
        c = body[i]
        if c != '\\':
            out.append(c)
            i += 1
            continue
        i += 1
        e = body[i] if i < n else ''
        if e in SIMPLE_ESCAPES:
            out.append(SIMPLE_ESCAPES[e])
            i += 1
        elif e == 'x':
            return None, 'invalid digit after backslash hexnumerical character escape in quoted string'
        elif '0' <= e <= '7':
            j = i
            while j < n and j - i < 4 and '0' <= body[j] <= '9':
                j += 1
            if j - i < 3:
                return None, 'invalid digit after backslash octalnumerical character escape in quoted string'
            i = j
        else:
            return None, 'invalid character after backlash in quoted string'
    return ''.join(out), None


def lex(text):
    """-> list of Tok. Kinds: IDENT NUMBER STRING NEWLINE '=' += '[' ']' ',' ';' and
    LEXERR (a run of non-blank characters the lexer cannot match, [verified] as the
    `near' text of "lexical error")."""
    toks = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c in ' \t':
            i += 1
        elif c == '#':
            while i < n and text[i] != '\n':
                i += 1
        elif c == '\n':
            toks.append(Tok('NEWLINE', '\n', line))
            line += 1
            i += 1
        elif _lower(c):
            j = i + 1
            while j < n and _ident_char(text[j]):
                j += 1
            toks.append(Tok('IDENT', text[i:j], line))
            i = j
        elif '0' <= c <= '9':
            j = i + 1
            while j < n and _num_char(text[j]):
                j += 1
            toks.append(Tok('NUMBER', text[i:j], line, text[i:j]))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if (text[j] == '\\' and j + 1 < n and text[j + 1] != '\n') else 1
            if j < n and text[j] == c:
                raw = text[i:j + 1]
                toks.append(Tok('STRING', raw, line, raw))
                i = j + 1
            else:
                i = _lexerr(text, i, line, toks)
        elif c == '+' and text[i + 1:i + 2] == '=':
            toks.append(Tok("+=", '+=', line))
            i += 2
        elif c in '=[],;':
            toks.append(Tok("'%s'" % c, c, line))
            i += 1
        else:
            i = _lexerr(text, i, line, toks)
    return toks


def _lexerr(text, i, line, toks):
    j = i
    while j < len(text) and text[j] not in ' \t\n':
        j += 1
    toks.append(Tok('LEXERR', text[i:j], line))
    return j


class Setting:
    __slots__ = ('key', 'value', 'line', 'count')

    def __init__(self, key, value, line):
        self.key, self.value, self.line, self.count = key, value, line, 1


class _Abort(Exception):
    pass


class _Recover(Exception):
    pass


def parse(text, fname, override_line=None):
    """Parse an xl.cfg text. -> (settings dict, list of error lines, python flag).

    A value is ('str', s) | ('num', text) | ('list', [values]). `+=` appends to a
    list / concatenates strings; `=` replaces (a repeated key: the later wins,
    [verified]). Assignments at or after `override_line` (the `xl create cfg k=v`
    extras) are overrides and do not count as repeated keys.

    Error reporting follows what xl 4.17.7 was observed to do [verified]: lexical
    (and string-escape) errors are reported and the bad text is skipped; a syntax
    error is reported unless it is on or before the line of the last lexical
    error, and parsing then resumes after the next newline -- except after a
    complete value ("expecting $end"), where parsing stops."""
    toks = lex(text)
    errs = []
    st = {'pos': 0, 'last': 1, 'lexline': -1, 'python': False}
    settings = {}

    def fetch():
        # next token, reporting (and skipping) lexical errors; strings are unquoted here
        while st['pos'] < len(toks):
            t = toks[st['pos']]
            if t.kind == 'LEXERR':
                errs.append("%s:%d: config parsing error near `%s': lexical error" % (fname, t.line, t.text))
                st['lexline'] = t.line
                if t.text[:1] in PYTHONISH:
                    st['python'] = True
                st['pos'] += 1
                continue
            if t.kind == 'STRING' and t.value is t.text:
                val, err = dequote(t.text)
                if err:
                    errs.append("%s:%d: config parsing error near `%s': %s" % (fname, t.line, t.text, err))
                    st['lexline'] = t.line
                t.value = val if val is not None else ''
            return t
        return Tok('$end', '', None)

    def peek():
        return fetch()

    def take():
        t = fetch()
        st['pos'] += 1
        if t.kind not in ('NEWLINE', '$end'):
            st['last'] = t.line
        return t

    def syntax(t, expecting):
        if t.kind == 'NEWLINE':
            line, near = t.line - 1, '<newline>'
        elif t.kind == '$end':
            line = text.count('\n') + (0 if text.endswith('\n') else 1)
            near = "`'"
        else:
            line, near = t.line, "`%s'" % t.text
        if line > st['lexline']:
            errs.append('%s:%d: config parsing error near %s: syntax error, unexpected %s, expecting %s'
                        % (fname, line, near, t.kind, expecting))
        if expecting == '$end' or t.kind == '$end':
            raise _Abort()
        if t.kind != 'NEWLINE':          # resynchronise after the next newline
            while True:
                t2 = take()
                if t2.kind in ('NEWLINE', '$end'):
                    break
        raise _Recover()

    def value(in_list):
        t = take()
        if t.kind == 'STRING':
            return ('str', t.value)
        if t.kind == 'NUMBER':
            return ('num', t.text)
        if t.kind == "'['":
            items = []
            while True:
                while peek().kind == 'NEWLINE':
                    take()
                if peek().kind == "']'":
                    take()
                    return ('list', items)
                if peek().kind in ('STRING', 'NUMBER', "'['"):
                    items.append(value(True))
                else:
                    syntax(take(), "']'")
                while peek().kind == 'NEWLINE':
                    take()
                if peek().kind == "','":
                    take()
                elif peek().kind != "']'":
                    syntax(take(), "']'")
        syntax(t, "']'" if in_list else "STRING or NUMBER or '['")

    while True:
        try:
            t = take()
            if t.kind == '$end':
                break
            if t.kind in ('NEWLINE', "';'"):
                continue
            if t.kind != 'IDENT':
                syntax(t, "$end or IDENT or NEWLINE or ';'")
            op = take()
            if op.kind not in ("'='", '+='):
                syntax(op, "+= or '='")
            v = value(False)
            if peek().kind not in ('NEWLINE', "';'", '$end'):
                syntax(take(), '$end')
            old = settings.get(t.text)
            if op.kind == '+=' and old is not None:
                if old.value[0] == 'list' and v[0] == 'list':
                    v = ('list', old.value[1] + v[1])
                elif old.value[0] != 'list' and v[0] != 'list':
                    v = ('str', old.value[1] + v[1])
                old.value, old.line = v, t.line
            elif old is not None:
                old.value, old.line = v, t.line
                if override_line is None or t.line < override_line:
                    old.count += 1
            else:
                settings[t.text] = Setting(t.text, v, t.line)
        except _Recover:
            continue
        except _Abort:
            break
    return settings, errs, st['python']


# ------------------------------------------------------------ typed access (xlu)

def strtol(s, base=0):
    """C strtol: -> (value, number of characters consumed) ; (0, 0) if no digits."""
    i, n = 0, len(s)
    while i < n and s[i] in ' \t\n\r\f\v':
        i += 1
    neg = False
    if i < n and s[i] in '+-':
        neg = s[i] == '-'
        i += 1
    if base in (0, 16) and s[i:i + 2].lower() == '0x' and i + 2 < n and \
            s[i + 2].lower() in '0123456789abcdef':
        base, i = 16, i + 2
    elif base == 0:
        base = 8 if s[i:i + 1] == '0' else 10
    digits = '0123456789abcdef'[:base]
    j, v = i, 0
    while j < n and s[j].lower() in digits:
        v = v * base + digits.index(s[j].lower())
        j += 1
    if j == i:
        return 0, 0
    return (-v if neg else v), j


class Cfg:
    """Typed getters with xlu's warnings; `warn` collects stderr lines,
    `soft` collects (key, what) for settings xl warned about and ignored."""

    def __init__(self, settings, fname):
        self.s, self.fname, self.warn, self.soft = settings, fname, [], []

    def has(self, k):
        return k in self.s

    def _w(self, k, msg):
        self.warn.append("%s:%d: warning: parameter `%s' %s" % (self.fname, self.s[k].line, k, msg))
        self.soft.append((k, msg))

    def string(self, k):
        st = self.s.get(k)
        if st is None:
            return None
        if st.value[0] == 'list':
            self._w(k, 'is a list but should be a single value')
            return None
        return st.value[1]

    def long(self, k):
        st = self.s.get(k)
        if st is None:
            return None
        if st.value[0] == 'list':
            self._w(k, 'is a list but should be a single value')
            return None
        v, used = strtol(st.value[1])
        if used == 0 or used != len(st.value[1]):
            self._w(k, 'is not a valid number')
            return None
        return v

    def lst(self, k, dont_warn=False):
        st = self.s.get(k)
        if st is None:
            return None
        if st.value[0] != 'list':
            if not dont_warn:
                self._w(k, 'is a single value but should be a list')
            return None
        return [x[1] if x[0] != 'list' else None for x in st.value[1]]


# -------------------------------------------------------------- CPU lists

def parse_cpulist(s, nbits):
    """xl's cpu range syntax ("all", "0-3,5,^1", ...). Bits >= nbits are dropped
    (the bitmap is sized to the host; [verified] with 4 CPUs an 8-bit map).
    -> sorted list, or raises Exit(1, 'Invalid pcpu range: X.')"""
    cpus = set()
    for part in s.split(','):
        if part == '':
            continue
        neg = part.startswith('^')
        body = part[1:] if neg else part
        if body == 'all':
            rng = range(nbits)
        elif body.startswith('node:') or body.startswith('nodes:'):
            nodes = body.split(':', 1)[1]
            a, b = _range(nodes, part)
            if b > 0:   # the simulated host has one NUMA node (node 0)
                raise Exit(1, 'Invalid pcpu range: %s.' % part)
            rng = range(nbits)
        else:
            a, b = _range(body, part)
            rng = range(a, b + 1)
        for c in rng:
            if c < nbits:
                (cpus.discard if neg else cpus.add)(c)
    return sorted(cpus)


def _range(body, part):
    # like strtoul(.., 10): leading blanks and '+' are accepted, a '-' sign is not
    a, used = strtol(body, 10)
    if used == 0 or a < 0:
        raise Exit(1, 'Invalid pcpu range: %s.' % part)
    rest = body[used:]
    if rest == '':
        return a, a
    if rest[0] != '-':
        raise Exit(1, 'Invalid pcpu range: %s.' % part)
    b, used2 = strtol(rest[1:], 10)
    if used2 == 0 or used2 != len(rest) - 1 or b < a:
        raise Exit(1, 'Invalid pcpu range: %s.' % part)
    return a, b


def bitmap_size(ncpus):
    return ((ncpus + 7) // 8) * 8


# -------------------------------------------------------------- disk specs

def parse_disk(spec, fname):
    """xl-disk-configuration(5). -> dict or raises Exit(1, ...)."""
    def err(msg, near=None):
        m = msg if near is None else "%s: near `%s'" % (msg, near)
        raise Exit(1, "%s: config parsing error in disk specification: %s in `%s'" % (fname, m, spec))
    d = {'target': None, 'format': None, 'vdev': None, 'access': None, 'devtype': None,
         'backendtype': None, 'script': None, 'specification': None, 'backend': None}
    positional = ['target', 'format', 'vdev', 'access']
    given = set()
    rest = spec
    first = True
    while True:
        stripped = rest.lstrip(' \t')
        if stripped.startswith('target='):
            if d['target']:
                err('target respecified', stripped[7:])
            d['target'] = stripped[7:]
            break
        comma = stripped.find(',')
        item = stripped if comma < 0 else stripped[:comma]
        if first and ':' in item and '=' not in item:
            # deprecated "[<format>:][<target>],<vdev>[:<devtype>],<access>" prefixes
            while ':' in item and item.split(':', 1)[0] in DISK_DEPRECATED_PREFIXES:
                pre, item = item.split(':', 1)
                if pre in ('raw', 'qcow', 'qcow2', 'vhd'):
                    d['format'] = pre
                elif pre in ('iscsi', 'nbd', 'enbd', 'drbd'):
                    d['script'] = 'block-' + pre
            if item != stripped[:len(item)]:
                positional = ['target', 'vdev', 'access']
        first = False
        if '=' in item:
            k, v = item.split('=', 1)
            if k in ('format', 'vdev', 'access'):
                if k in given or (d[k] not in (None, '')):
                    err('%s respecified' % k, v)
                if k == 'format' and v and v not in DISK_FORMATS:
                    err('unknown value for format', v)
                if k == 'access' and v and v not in DISK_ACCESS:
                    err('unknown value for access', v)
                d[k] = v
                given.add(k)
            elif k == 'devtype':
                if v != 'cdrom':
                    err('unknown value for type', item)           # sic [verified]
                d['devtype'] = v
            elif k == 'backendtype':
                if v not in ('phy', 'qdisk', 'standalone'):
                    err('unknown value for backendtype', v)
                d['backendtype'] = v
            elif k == 'specification':
                if v not in ('xen', 'virtio'):
                    err('unknown value for specification', v)
                d['specification'] = v
            elif k in ('backend', 'script', 'colo-host', 'colo-port', 'colo-export',
                       'active-disk', 'hidden-disk'):
                d[k] = v
            else:
                err('unknown parameter', item)
        elif item in ('cdrom',):
            d['devtype'] = 'cdrom'
        elif item in ('direct-io-safe', 'discard', 'no-discard', 'colo'):
            # [verified] 4.17.7 rejects the documented trusted/untrusted flags as
            # positional parameters
            d[item] = True
        else:
            while positional and positional[0] in given:
                positional.pop(0)
            if not positional:
                err('too many positional parameters', item)
            p = positional.pop(0)
            if p == 'vdev' and ':' in item:
                item, dt = item.split(':', 1)
                if dt == 'cdrom':
                    d['devtype'] = 'cdrom'
            if p == 'format' and item and item not in DISK_FORMATS:
                err('unknown value for format', item)
            if p == 'access' and item:
                if item == 'cdrom':
                    d['devtype'] = 'cdrom'
                    item = ''
                elif item not in DISK_ACCESS:
                    err('unknown value for access', item)
            if item != '':
                d[p] = item
            given.add(p)
        if comma < 0:
            break
        rest = stripped[comma + 1:]
    if d['vdev'] is None:
        err('no vdev specified')
    d['format'] = d['format'] or 'raw'
    cd = d['devtype'] == 'cdrom'
    d['readwrite'] = DISK_ACCESS[d['access']] if d['access'] else not cd
    return d


# -------------------------------------------------------------- vif specs

RATE_UNITS = {'GB': 8e9, 'MB': 8e6, 'KB': 8e3, 'B': 8, 'Gb': 1e9, 'Mb': 1e6, 'Kb': 1e3, 'b': 1}


def _rate_ok(v):
    amount, _, interval = v.partition('@')
    if not amount.endswith('/s'):
        return False
    amount = amount[:-2]
    for u in RATE_UNITS:
        if amount.endswith(u) and amount[:-len(u)].isdigit():
            break
    else:
        return False
    if interval:
        for u in ('ms', 'us', 's'):
            if interval.endswith(u) and interval[:-len(u)].isdigit():
                return True
        return False
    return True


def parse_vif(spec, fname, devid, warn, soft):
    """xl-network-configuration(5). Unknown keys and a bad mac only warn [verified]."""
    nic = {'devid': devid}
    for item in spec.split(','):
        item = item.lstrip(' \t')
        if item == '':
            continue
        if item in ('trusted', 'untrusted'):
            nic['trusted'] = item == 'trusted'
            continue
        if '=' not in item:
            warn.append("unrecognized argument `%s'" % item)
            soft.append(('vif', "unrecognized argument `%s'" % item))
            continue
        k, v = item.split('=', 1)
        if k not in VIF_KEYS:
            warn.append("unrecognized argument `%s'" % item)
            soft.append(('vif', "unrecognized argument `%s'" % item))
            continue
        if k in ('mtu', 'devid'):
            n, used = strtol(v, 10)
            if used == 0 or used != len(v):
                raise Exit(1, 'xl: failed to convert "%s" to number' % v)
            nic[k] = n
        elif k == 'mac':
            parts = v.split(':')
            if len(parts) != 6 or not all(len(p) == 2 and all(c in '0123456789abcdefABCDEF' for c in p)
                                          for p in parts):
                warn.append("Invalid parameter `mac'.")
                soft.append(('vif', "Invalid parameter `mac'."))
                continue
            nic['mac'] = v.lower()
        elif k == 'type':
            if v not in ('ioemu', 'vif'):
                warn.append("Invalid parameter `type'.")
                soft.append(('vif', "Invalid parameter `type'."))
                continue
            nic['nictype'] = v
        elif k == 'rate':
            if not _rate_ok(v):
                raise Exit(1, "%s: config parsing error in vif: invalid rate in `%s'" % (fname, v))
            nic['rate'] = v
        else:
            nic['gatewaydev' if k == 'netdev' else k] = v
    return nic


# -------------------------------------------------------------- xl's checks

def check_uuid(u):
    parts = u.split('-')
    return [len(p) for p in parts] == [8, 4, 4, 4, 12] and \
        all(c in '0123456789abcdefABCDEF' for c in ''.join(parts))


def build(cfg, machine_ncpus, arch):
    """What xl's parse_config_data does with a parsed config (the subset this
    simulator models). -> dict `dom` ; raises Exit for xl's own errors.
    Warnings go to cfg.warn (printed by the caller, in order)."""
    d = {}
    name = cfg.string('name')
    if name is None:
        raise Exit(1, 'Domain name must be specified.')
    d['name'] = name
    t = cfg.string('type')
    if t is not None:
        if t not in ('pv', 'pvh', 'hvm'):
            raise Exit(1, 'Invalid domain type %s.' % t)
    else:
        b = cfg.string('builder')
        if b is None:
            t = 'pvh' if arch == 'arm64' else 'pv'
        elif b == 'hvm':
            t = 'hvm'
        elif b == 'generic':
            t = 'pv'
        else:
            raise Exit(1, 'Invalid domain type %s.' % b)
    d['type'] = t
    u = cfg.string('uuid')
    if u is not None and not check_uuid(u):
        raise Exit(1, 'Failed to parse UUID: %s' % u)
    d['uuid'] = u.lower() if u else None

    vcpus = cfg.long('vcpus')
    maxvcpus = cfg.long('maxvcpus')
    d['vcpus_raw'] = vcpus
    if vcpus is not None and maxvcpus is not None and maxvcpus < vcpus:
        raise Exit(1, 'xl: maxvcpus < vcpus')
    max_vcpus = maxvcpus if maxvcpus is not None else (vcpus if vcpus is not None else 0)
    if max_vcpus < 0:
        max_vcpus = 0
    d['max_vcpus_cfg'] = max_vcpus                  # 0 = not set (libxl then uses 1)
    d['max_vcpus'] = max_vcpus or 1
    d['vcpus'] = (vcpus if vcpus is not None and vcpus > 0 else None) or d['max_vcpus']
    if d['vcpus'] > d['max_vcpus']:
        d['vcpus'] = d['max_vcpus']

    nbits = bitmap_size(machine_ncpus)
    for key, what in (('cpus', 'hard'), ('cpus_soft', 'soft')):
        d[what] = None          # per-vCPU list of CPU lists, or None (no affinity)
        d[what + '_form'] = None
        if not cfg.has(key):
            continue
        lst = cfg.lst(key, dont_warn=True)
        if lst is not None:
            d[what + '_form'] = 'list'
            aff = []
            for i, item in enumerate(lst):
                if i >= max_vcpus:
                    break
                aff.append(parse_cpulist(item if item is not None else '', nbits))
            for a in aff:
                if not a and what == 'hard':
                    raise Exit(1, 'vcpu hard affinity map is empty')
            d[what] = aff
        else:
            s = cfg.string(key)
            if s is None:
                continue
            d[what + '_form'] = 'string'
            one = parse_cpulist(s, nbits)
            aff = [list(one) for _ in range(max_vcpus)]
            if aff and not one and what == 'hard':
                raise Exit(1, 'vcpu hard affinity map is empty')
            d[what] = aff

    mem = cfg.long('memory')
    maxmem = cfg.long('maxmem')
    d['memory_cfg'], d['maxmem_cfg'] = mem, maxmem
    if mem is None and maxmem is None:
        mem = maxmem = 32       # libxl's default for max_memkb (32 MiB)
    elif mem is None:
        mem = maxmem
    elif maxmem is None:
        maxmem = mem
    d['memory'], d['maxmem'] = mem, maxmem

    d['on'] = {}
    for ev, default in (('poweroff', 'destroy'), ('reboot', 'restart'), ('watchdog', 'destroy'),
                        ('crash', 'destroy'), ('soft_reset', 'soft-reset')):
        v = cfg.string('on_' + ev)
        if v is None:
            v = default
        elif v not in ACTIONS:
            raise Exit(1, 'Unknown on_%s action "%s" specified' % (ev, v))
        d['on'][ev] = v

    d['kernel'] = cfg.string('kernel')
    d['ramdisk'] = cfg.string('ramdisk')
    d['bootloader'] = cfg.string('bootloader')
    cmdline, root, extra = cfg.string('cmdline'), cfg.string('root'), cfg.string('extra')
    if cmdline is not None:
        if root is not None or extra is not None:
            cfg.warn.append('Warning: ignoring root= and extra= in favour of cmdline=')
    elif root is not None or extra is not None:
        parts = []
        if root is not None:
            parts.append('root=' + root)
        if extra is not None:
            parts.append(extra)
        cmdline = ' '.join(parts)
    d['cmdline'] = cmdline
    if t in ('pv', 'pvh') and d['kernel'] is None and d['bootloader'] is None:
        raise Exit(1, 'Neither kernel nor bootloader specified')

    d['disks'] = []
    for spec in cfg.lst('disk') or []:
        if spec is None:
            continue
        d['disks'].append(parse_disk(spec, cfg.fname))
    d['vifs'] = []
    for i, spec in enumerate(cfg.lst('vif') or []):
        if spec is None:
            continue
        d['vifs'].append(parse_vif(spec, cfg.fname, i, cfg.warn, cfg.soft))

    g = cfg.string('gic_version')
    if g is not None and g not in ('v2', 'v3', 'default'):
        raise Exit(3, 'Unknown gic_version "%s" specified' % g)
    d['gic_version'] = g
    return d
