"""Jailhouse simulator: the `jailhouse` CLI, /dev/jailhouse and the sysfs tree.

A test tool, not Jailhouse.  Written only from two fact sheets:

  CF  = shared/reference/jailhouse-cell-format.md  (the .cell format and dialects)
  CLI = shared/reference/jailhouse-cli-sysfs.md    (CLI, errno, sysfs, life cycle)

Comments cite them as "CF §n" / "CLI §n".  Every check is one of two kinds:

  * a Jailhouse rule (driver or hypervisor checks it): the failure looks exactly
    like the real tool's (`JAILHOUSE_CELL_CREATE: Device or resource busy`, exit 1),
    and a reason goes to <root>/kernel.log only, as on real hardware;
  * a runtime invariant (real Jailhouse does NOT check it, it would accept the
    command): the sim fails it with errno EINVAL in the real tool's style and adds
    a second stderr line starting `jailhouse-sim: runtime invariant violated (real
    Jailhouse does not check this): ...`.  JAILHOUSE_SIM_INVARIANTS=0 turns these
    off, leaving only Jailhouse's own rules.

The whole state lives under $JAILHOUSE_SIM_ROOT (see tests/sim/README.md).
Stdlib only, light imports: this runs once per CLI call.
"""

import json
import os
import struct
import sys
import time

# --------------------------------------------------------------------------
# errno (CLI §2.1: glibc texts)

EPERM, ENOENT, EINTR, EIO, E2BIG, EAGAIN, ENOMEM = 1, 2, 4, 5, 7, 11, 12
EACCES, EFAULT, EBUSY, EEXIST, ENODEV, ENOTDIR, EISDIR, EINVAL = 13, 14, 16, 17, 19, 20, 21, 22

STRERROR = {
    1: 'Operation not permitted', 2: 'No such file or directory',
    4: 'Interrupted system call', 5: 'Input/output error',
    7: 'Argument list too long', 11: 'Resource temporarily unavailable',
    12: 'Cannot allocate memory', 13: 'Permission denied', 14: 'Bad address',
    16: 'Device or resource busy', 17: 'File exists', 19: 'No such device',
    20: 'Not a directory', 21: 'Is a directory', 22: 'Invalid argument',
}
ERRNO_NAMES = {
    'EPERM': 1, 'ENOENT': 2, 'EINTR': 4, 'EIO': 5, 'E2BIG': 7, 'EAGAIN': 11,
    'ENOMEM': 12, 'EACCES': 13, 'EFAULT': 14, 'EBUSY': 16, 'EEXIST': 17,
    'ENODEV': 19, 'ENOTDIR': 20, 'EISDIR': 21, 'EINVAL': 22,
}


def strerror(e):
    return STRERROR.get(e) or os.strerror(e)


# --------------------------------------------------------------------------
# Dialects (CF §0, §3.1, §4.1, §5, §6)

class Dialect:
    def __init__(self, name, sig, has_arch, rev, rcpu, qos, mem_size,
                 sys_sig, sys_has_arch, sys_root, sys_fixed, max_console,
                 mem_flags, cell_flags, fork, version):
        self.name = name
        self.sig = sig                  # cell signature bytes, no NUL (CF §1)
        self.has_arch = has_arch        # architecture byte at offset 5
        self.rev = rev
        self.rcpu = rcpu                # rcpu_set_size + rCPU bitmap (C)
        self.qos = qos                  # num_qos_devices + QoS array (B, C)
        self.mem_size = mem_size        # 32 (A) or 40 (B, C: + colors)
        self.hdr = 132 + (4 if rcpu else 0) + (4 if qos else 0)
        self.sys_sig = sys_sig
        self.sys_has_arch = sys_has_arch
        self.sys_root = sys_root        # offset of the root cell header in a system config
        self.sys_fixed = sys_fixed      # fixed part incl. root header
        self.max_console = max_console  # highest console type known (CF §4.7)
        self.mem_flags = mem_flags      # memory flag bits the dialect defines (CF §4.4)
        self.cell_flags = cell_flags    # cell flag bits the dialect defines (CF §4.3)
        self.fork = fork                # Omnivisor fork CLI/driver (CLI §6)
        self.version = version


_MEM_A = 0x1FF | 0x8000 | 0xF0000           # R W X DMA IO COMM LOADABLE ROOTSHARED NO_HUGE, IO_*
_MEM_B = _MEM_A | 0x200 | 0x400 | 0x800      # + COLORED, COLORED_NO_COPY, TMP_ROOT_REMAP
_MEM_C = _MEM_B | 0x1000 | 0x2000            # + TCM_A, TCM_B
_CELL_A12 = 0x1 | 0x2 | 0x40000000 | 0x80000000
_CELL_A13 = _CELL_A12 | 0x4                  # + AARCH32 (Aug 2020)

DIALECTS = {
    'A12': Dialect('A12', b'JHCELL', False, 12, False, False, 32,
                   b'JHSYST', False, 354, 486, 8, _MEM_A, _CELL_A12, False, 'v0.12'),
    'A13': Dialect('A13', b'JHCELL', False, 13, False, False, 32,
                   b'JHSYST', False, 356, 488, 10, _MEM_A, _CELL_A13, False, 'v0.12'),
    'A14': Dialect('A14', b'JHCLL', True, 14, False, False, 32,
                   b'JHSYS', True, 356, 488, 10, _MEM_A, _CELL_A13, False, 'v0.12'),
    'B': Dialect('B', b'JHCELL', False, 13, False, True, 40,
                 b'JHSYST', False, 448, 584, 10, _MEM_B, _CELL_A13, False, 'v0.12'),
    # C's system config is "JHSYST" revision 14 in runPHI omnivisor (CF §4.1).
    'C': Dialect('C', b'JHCLL', True, 14, True, True, 40,
                 b'JHSYST', False, 448, 588, 10, _MEM_C, _CELL_A13, True, 'v0.12'),
    # The Omnivisor fork's own headers: C's cell layout, its system config
    # "JHSYS" + architecture (CF §4.1), console types up to 11 (SCIF 10,
    # LINFLEX 11 in its console.h).
    'OV': Dialect('OV', b'JHCLL', True, 14, True, True, 40,
                  b'JHSYS', True, 448, 588, 11, _MEM_C, _CELL_A13, True, 'v0.12'),
}
# Upstream Jailhouse itself (not a fork): its inmates write to the virtual
# console only when the cell flags say VIRTUAL_CONSOLE_ACTIVE (CLI §5).
UPSTREAM_DIALECTS = ('A12', 'A13', 'A14')
# Also accept runphi's own names for the dialects (docs/platform-templates.md §3).
DIALECT_ALIASES = {
    'upstream-v0.12': 'A12', 'upstream-rev13': 'A13', 'upstream-rev14': 'A14',
    'runphi-rev13': 'B', 'runphi-omnivisor': 'C', 'omnivisor-rev14': 'OV',
}


def find_dialect(name):
    key = DIALECT_ALIASES.get(name, name.upper() if name else name)
    return DIALECTS.get(key)


ARCH_CODES = {'x86': 0, 'arm': 1, 'arm64': 2}        # CF §4.2

# Cell flags (CF §4.3)
CELL_PASSIVE_COMMREG = 0x1
CELL_VCONSOLE_PERMITTED = 0x40000000
CELL_VCONSOLE_ACTIVE = 0x80000000
# Memory flags (CF §4.4)
MEM_READ, MEM_WRITE, MEM_EXECUTE, MEM_DMA, MEM_IO = 0x1, 0x2, 0x4, 0x8, 0x10
MEM_COMM_REGION, MEM_LOADABLE, MEM_ROOTSHARED = 0x20, 0x40, 0x80
MEM_COLORED, MEM_TMP_ROOT_REMAP = 0x200, 0x800
PCI_TYPE_DEVICE, PCI_TYPE_BRIDGE, PCI_TYPE_IVSHMEM = 1, 2, 3
IVSHMEM_MAX_PEERS = 12                              # CF §4.8
IVSHMEM_MAX_MSIX = 16
NAME_MAXLEN = 31
MAX_CONFIG_BYTES = 16 * 4096                        # CF §1 / CLI §2.3 #12
MAX_CPU_SET_SIZE = 4096                             # CF §1


# --------------------------------------------------------------------------
# Decoder (own code, from CF §2/§3 only)

class DecodeError(Exception):
    """Structural problem: errno, kernel-log reason, and whether it is a runtime
    invariant (real Jailhouse would not notice)."""

    def __init__(self, errno, reason, invariant=False):
        Exception.__init__(self, reason)
        self.errno = errno
        self.reason = reason
        self.invariant = invariant


def header_layout(d):
    """Byte offsets of the header fields of dialect d (CF §3.1)."""
    lay = {'signature': 0, 'revision': 6, 'name': 8, 'id': 40, 'flags': 44,
           'cpu_set_size': 48}
    if d.has_arch:
        lay['architecture'] = 5
    off = 52
    if d.rcpu:
        lay['rcpu_set_size'] = 52
        off = 56
    for f in ('num_memory_regions', 'num_cache_regions', 'num_irqchips',
              'num_pio_regions', 'num_pci_devices', 'num_pci_caps', 'num_stream_ids'):
        lay[f] = off
        off += 4
    if d.qos:
        lay['num_qos_devices'] = off
        off += 4
    lay['vpci_irq_base'] = off
    lay['cpu_reset_address'] = off + 4
    lay['msg_reply_timeout'] = off + 12
    lay['console'] = off + 20
    assert off + 52 == d.hdr
    return lay


def check_magic(d, data, base=0, sig=None):
    """Driver checks 1-2 of CLI §2.3: length, signature, revision.
    Returns None or a DecodeError.  base/sig allow the same for system configs."""
    sig = sig if sig is not None else d.sig
    if len(data) < base + d.hdr or data[base:base + len(sig)] != sig:
        return DecodeError(EINVAL, 'Not a cell configuration')
    rev = struct.unpack_from('<H', data, base + 6)[0]
    if rev != d.rev:
        return DecodeError(EINVAL, 'Configuration revision mismatch (%d, expected %d)' % (rev, d.rev))
    return None


def cell_name_bytes(raw32):
    """The name as the driver sees it: byte 31 forced to 0 (CF §1)."""
    raw = raw32[:NAME_MAXLEN]
    nul = raw.find(b'\0')
    return raw if nul < 0 else raw[:nul]


def bits_of(bitmap):
    out = []
    for i, byte in enumerate(bitmap):
        if byte:
            for b in range(8):
                if byte & (1 << b):
                    out.append(i * 8 + b)
    return out


def parse_header(d, data, base=0):
    lay = header_layout(d)
    h = {}
    u32 = lambda f: struct.unpack_from('<I', data, base + lay[f])[0]
    h['signature'] = data[base:base + len(d.sig)].decode('latin-1')
    if d.has_arch:
        h['architecture'] = data[base + 5]
    h['revision'] = struct.unpack_from('<H', data, base + 6)[0]
    h['name_raw'] = data[base + 8:base + 40]
    h['name'] = cell_name_bytes(h['name_raw']).decode('utf-8', 'surrogateescape')
    for f in ('id', 'flags', 'cpu_set_size', 'num_memory_regions', 'num_cache_regions',
              'num_irqchips', 'num_pio_regions', 'num_pci_devices', 'num_pci_caps',
              'num_stream_ids', 'vpci_irq_base'):
        h[f] = u32(f)
    h['rcpu_set_size'] = u32('rcpu_set_size') if d.rcpu else 0
    h['num_qos_devices'] = u32('num_qos_devices') if d.qos else 0
    h['cpu_reset_address'] = struct.unpack_from('<Q', data, base + lay['cpu_reset_address'])[0]
    h['msg_reply_timeout'] = struct.unpack_from('<Q', data, base + lay['msg_reply_timeout'])[0]
    c = struct.unpack_from('<QIHHIIQ', data, base + lay['console'])
    h['console'] = dict(zip(('address', 'size', 'type', 'flags', 'divider', 'gate_nr',
                             'clock_reg'), c))
    return h


def expected_size(d, h):
    """CF §2 total length formula."""
    return (d.hdr + h['cpu_set_size'] + h['rcpu_set_size']
            + d.mem_size * h['num_memory_regions'] + 12 * h['num_cache_regions']
            + 32 * h['num_irqchips'] + 4 * h['num_pio_regions']
            + 56 * h['num_pci_devices'] + 8 * h['num_pci_caps']
            + 4 * h['num_stream_ids'] + 20 * h['num_qos_devices'])


def parse_arrays(d, h, data, off):
    """Arrays in CF §2 order starting at off; data must be long enough."""
    cfg = {}
    n = h['cpu_set_size']
    cfg['cpus'] = bits_of(data[off:off + n])
    off += n
    n = h['rcpu_set_size']
    cfg['rcpus'] = bits_of(data[off:off + n])   # C: rCPU set right after the CPU set
    off += n
    mems = []
    for _ in range(h['num_memory_regions']):
        if d.mem_size == 40:
            p, v, s, f, col = struct.unpack_from('<QQQQQ', data, off)
        else:
            p, v, s, f = struct.unpack_from('<QQQQ', data, off)
            col = 0
        mems.append({'phys_start': p, 'virt_start': v, 'size': s, 'flags': f, 'colors': col})
        off += d.mem_size
    cfg['memory'] = mems
    caches = []
    for _ in range(h['num_cache_regions']):
        st, sz, ty, pad, fl = struct.unpack_from('<IIBBH', data, off)
        caches.append({'start': st, 'size': sz, 'type': ty, 'padding': pad, 'flags': fl})
        off += 12
    cfg['caches'] = caches
    irqs = []
    for _ in range(h['num_irqchips']):
        a, i, pb, w0, w1, w2, w3 = struct.unpack_from('<QII4I', data, off)
        irqs.append({'address': a, 'id': i, 'pin_base': pb, 'pin_bitmap': [w0, w1, w2, w3]})
        off += 32
    cfg['irqchips'] = irqs
    pios = []
    for _ in range(h['num_pio_regions']):
        b, ln = struct.unpack_from('<HH', data, off)
        pios.append({'base': b, 'length': ln})
        off += 4
    cfg['pio'] = pios
    pcis = []
    for _ in range(h['num_pci_devices']):
        v = struct.unpack_from('<BBHH6IHHBBHHQIBBH', data, off)
        pcis.append({'type': v[0], 'iommu': v[1], 'domain': v[2], 'bdf': v[3],
                     'bar_mask': list(v[4:10]), 'caps_start': v[10], 'num_caps': v[11],
                     'num_msi_vectors': v[12], 'msi_bits': v[13],
                     'num_msix_vectors': v[14], 'msix_region_size': v[15],
                     'msix_address': v[16], 'shmem_regions_start': v[17],
                     'shmem_dev_id': v[18], 'shmem_peers': v[19], 'shmem_protocol': v[20]})
        off += 56
    cfg['pci_devices'] = pcis
    caps = []
    for _ in range(h['num_pci_caps']):
        i, s, ln, fl = struct.unpack_from('<HHHH', data, off)
        caps.append({'id': i, 'start': s, 'len': ln, 'flags': fl})
        off += 8
    cfg['pci_caps'] = caps
    sids = []
    for _ in range(h['num_stream_ids']):
        sids.append(struct.unpack_from('<I', data, off)[0])
        off += 4
    cfg['stream_ids'] = sids
    qos = []
    for _ in range(h['num_qos_devices']):
        nm, fl, base = struct.unpack_from('<15sBI', data, off)
        qos.append({'name': nm.split(b'\0')[0].decode('latin-1'), 'flags': fl, 'base': base})
        off += 20
    cfg['qos_devices'] = qos
    cfg['end'] = off
    return cfg


def decode_cell(d, data):
    """Full decode for dialect d.  Raises DecodeError for a wrong magic or for a
    file whose length disagrees with the counters.  Returns (header, arrays)."""
    err = check_magic(d, data)
    if err:
        raise err
    h = parse_header(d, data)
    total = expected_size(d, h)
    if len(data) != total:
        # Jailhouse maps the counted size and ignores trailing bytes (CF §1); a
        # shorter file makes it read past the copy.  Both are serializer bugs and
        # the usual sign of the wrong dialect (CF §0 collisions).
        raise DecodeError(EINVAL, 'file is %d bytes but dialect %s header counters give %d '
                          '(header %d + arrays; CF section 2)' % (len(data), d.name, total, d.hdr),
                          invariant=True)
    return h, parse_arrays(d, h, data, d.hdr)


def guess_dialects(data):
    """CF §0: tell colliding dialects apart by the expected length."""
    out = []
    for name, d in DIALECTS.items():
        if check_magic(d, data) is None:
            h = parse_header(d, data)
            if expected_size(d, h) == len(data):
                out.append(name)
    return out


def static_invariants(d, h, cfg):
    """Runtime invariants that need only the file (real Jailhouse checks none of
    these).  Returns a list of reason strings."""
    out = []
    raw = h['name_raw']
    if b'\0' not in raw:
        out.append('cell name is not NUL-terminated within its 32 bytes (at most 31 characters; '
                   'the driver would silently cut it)')
    elif not h['name']:
        out.append('cell name is empty')
    if h['id'] != 0:
        out.append('header id is %d; write 0, the driver fills it in (CF section 1)' % h['id'])
    if h['flags'] & ~d.cell_flags:
        out.append('cell flags 0x%x have bits dialect %s does not define (CF section 4.3)'
                   % (h['flags'], d.name))
    if h['cpu_set_size'] % 8:
        out.append('cpu_set_size %d is not a multiple of 8 (CF section 1)' % h['cpu_set_size'])
    if d.rcpu and h['rcpu_set_size'] % 8:
        out.append('rcpu_set_size %d is not a multiple of 8 (CF section 1)' % h['rcpu_set_size'])
    if not cfg['cpus']:
        out.append('the cell has no CPU')
    con = h['console']
    if con['type'] > d.max_console:
        out.append('console type %d unknown in dialect %s (CF section 4.7)' % (con['type'], d.name))
    if con['flags'] & 0xCFF8:
        out.append('console flags 0x%x set reserved bits (CF section 4.7)' % con['flags'])
    for i, m in enumerate(cfg['memory']):
        if m['flags'] & ~d.mem_flags:
            out.append('memory region %d flags 0x%x have bits dialect %s does not define '
                       '(CF section 4.4)' % (i, m['flags'], d.name))
        if m['flags'] & MEM_TMP_ROOT_REMAP:
            out.append('memory region %d sets TMP_ROOT_REMAP, which is hypervisor-internal' % i)
        if m['colors'] and not m['flags'] & MEM_COLORED:
            out.append('memory region %d has colors 0x%x without COLORED' % (i, m['colors']))
        if m['flags'] & MEM_COMM_REGION and m['phys_start']:
            out.append('comm region %d has phys_start 0x%x; write 0 (CF section 3.3)'
                       % (i, m['phys_start']))
    for i, p in enumerate(cfg['pci_devices']):
        if p['type'] not in (PCI_TYPE_DEVICE, PCI_TYPE_BRIDGE, PCI_TYPE_IVSHMEM):
            out.append('PCI device %d has unknown type %d (CF section 4.8)' % (i, p['type']))
        if p['msi_bits'] & 0xFC:
            out.append('PCI device %d sets reserved bits 0x%x in its MSI bit-field byte'
                       % (i, p['msi_bits']))
        if p['caps_start'] + p['num_caps'] > len(cfg['pci_caps']):
            out.append('PCI device %d capabilities %d..%d exceed num_pci_caps %d'
                       % (i, p['caps_start'], p['caps_start'] + p['num_caps'], len(cfg['pci_caps'])))
        if p['type'] == PCI_TYPE_IVSHMEM:
            if p['shmem_peers'] > IVSHMEM_MAX_PEERS:
                out.append('ivshmem device %d has %d peers, more than %d'
                           % (i, p['shmem_peers'], IVSHMEM_MAX_PEERS))
            if p['shmem_dev_id'] >= p['shmem_peers']:
                out.append('ivshmem device %d: peer id %d is not below peers %d'
                           % (i, p['shmem_dev_id'], p['shmem_peers']))
    return out


def hypervisor_static_checks(d, h, cfg, arch):
    """Hypervisor rules of CLI §2.3 #12/#15 that need only the config.
    Returns None or (errno, reason)."""
    if expected_size(d, h) > MAX_CONFIG_BYTES:
        return E2BIG, 'cell config of %d bytes exceeds 16 pages' % expected_size(d, h)
    if h['cpu_set_size'] > MAX_CPU_SET_SIZE:
        return EINVAL, 'cpu_set_size %d > 4096' % h['cpu_set_size']
    if arch in ('arm', 'arm64'):
        for i, c in enumerate(cfg['irqchips']):
            # pin_base is a multiple of 32 (CF §3.5); 128 pins per entry, GIC has < 1024
            if c['pin_base'] % 32 or c['pin_base'] + 128 > 1024:
                return EINVAL, 'irqchip %d: bad pin_base %d' % (i, c['pin_base'])
    if arch == 'x86':
        for i, c in enumerate(cfg['caches']):
            if c['type'] != 3 or c['size'] == 0:      # CF §3.4/§4.6
                return EINVAL, 'cache region %d: type %d size %d not accepted' % (i, c['type'], c['size'])
    nmem = h['num_memory_regions']
    for i, p in enumerate(cfg['pci_devices']):
        if p['type'] != PCI_TYPE_IVSHMEM:
            continue
        if p['shmem_dev_id'] >= IVSHMEM_MAX_PEERS:
            return EINVAL, 'ivshmem device %d: peer id %d >= %d' % (i, p['shmem_dev_id'], IVSHMEM_MAX_PEERS)
        if p['shmem_regions_start'] + 2 + p['shmem_peers'] > nmem:
            # CF §4.5: state table, R/W section, one output section per peer
            return EINVAL, ('ivshmem device %d: regions %d + 2 + %d peers exceed %d memory regions'
                            % (i, p['shmem_regions_start'], p['shmem_peers'], nmem))
        if p['num_msix_vectors'] > IVSHMEM_MAX_MSIX:
            return EINVAL, 'ivshmem device %d: %d MSI-X vectors > 16' % (i, p['num_msix_vectors'])
    return None


def decode_system(d, data):
    """Minimal system config read for `enable` (CF §5): signature, revision,
    architecture, flags, the root cell's name, CPU/rCPU set and memory regions."""
    sig = d.sys_sig
    if len(data) < d.sys_fixed or data[:len(sig)] != sig:
        raise DecodeError(EINVAL, 'Not a system configuration')
    rev = struct.unpack_from('<H', data, 6)[0]
    if rev != d.rev:
        raise DecodeError(EINVAL, 'Configuration revision mismatch')
    out = {'flags': struct.unpack_from('<I', data, 8)[0]}
    if d.sys_has_arch:
        out['architecture'] = data[5]
    h = parse_header(d, data, d.sys_root)
    need = d.sys_fixed + h['cpu_set_size'] + h['rcpu_set_size'] + d.mem_size * h['num_memory_regions']
    if len(data) < need:
        raise DecodeError(EINVAL, 'system configuration shorter than its root cell arrays')
    h2 = dict(h, num_cache_regions=0, num_irqchips=0, num_pio_regions=0, num_pci_devices=0,
              num_pci_caps=0, num_stream_ids=0, num_qos_devices=0)
    arr = parse_arrays(d, h2, data, d.sys_fixed)
    out['root_name'] = h['name']
    out['cpus'] = arr['cpus']
    out['rcpus'] = arr['rcpus']
    out['memory'] = [[m['phys_start'], m['size'], m['flags']] for m in arr['memory']
                     if m['size'] and not m['flags'] & MEM_COMM_REGION]
    return out


# --------------------------------------------------------------------------
# small helpers

_SPACE = ' \t\n\v\f\r'
_HEX = '0123456789abcdefABCDEF'


def c_strtoint(s, bits=64, signed=True):
    """C strtoll/strtoull with base 0.  Returns (value, whole_string_used, overflow)."""
    i, n = 0, len(s)
    while i < n and s[i] in _SPACE:
        i += 1
    neg = False
    if i < n and s[i] in '+-':
        neg = s[i] == '-'
        i += 1
    base = 10
    if i < n and s[i] == '0':
        if i + 2 < n and s[i + 1] in 'xX' and s[i + 2] in _HEX:
            base = 16
            i += 2
        else:
            base = 8
    digits = '0123456789abcdef'[:base]
    start = i
    while i < n and s[i].lower() in digits and s[i] in '0123456789abcdefABCDEF':
        i += 1
    if i == start:              # no conversion: endp = nptr
        return 0, s == '', False
    mag = int(s[start:i], base)
    whole = i == n
    if signed:
        lim = (1 << (bits - 1)) if neg else (1 << (bits - 1)) - 1
        if mag > lim:
            return (-lim if neg else lim), whole, True
        return (-mag if neg else mag), whole, False
    if mag > (1 << bits) - 1:
        return (1 << bits) - 1, whole, True
    return ((-mag) & ((1 << bits) - 1)) if neg else mag, whole, False


def parse_cpu_list(text):
    """'0-3,6' -> [0,1,2,3,6]"""
    out = set()
    for part in text.replace(' ', '').split(','):
        if not part:
            continue
        if '-' in part:
            a, b = part.split('-', 1)
            out.update(range(int(a, 0), int(b, 0) + 1))
        else:
            out.add(int(part, 0))
    return sorted(out)


def cpulist(cpus):
    """Kernel range-list format (CLI §3)."""
    cpus = sorted(set(cpus))
    parts = []
    i = 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        parts.append(str(cpus[i]) if i == j else '%d-%d' % (cpus[i], cpus[j]))
        i = j + 1
    return ','.join(parts)


def cpumask_hex(cpus, nbits):
    """Kernel cpumask hex: 32-bit groups, comma separated, padded to nr_cpu_ids (CLI §3)."""
    nbits = max(nbits, 1)
    val = 0
    for c in cpus:
        val |= 1 << c
    ngroups = (nbits + 31) // 32
    groups = [(val >> (32 * g)) & 0xffffffff for g in range(ngroups)][::-1]
    first = (nbits - 32 * (ngroups - 1) + 3) // 4
    return ','.join(['%0*x' % (first, groups[0])] + ['%08x' % g for g in groups[1:]])


def quote_name(name):
    """A cell name as a safe file name: bytes outside [A-Za-z0-9._-] become %XX."""
    out = []
    for b in os.fsencode(name):
        ch = chr(b)
        if ch.isascii() and (ch.isalnum() or ch in '._-') and not (not out and ch == '.'):
            out.append(ch)
        else:
            out.append('%%%02X' % b)
    return ''.join(out) or '%00'


def preview(head):
    """Text preview of an image's first bytes, or a hex dump if binary."""
    body = head.rstrip(b'\0')     # a -s image ends in its NUL
    if body and all(32 <= b < 127 or b in (9, 10, 13) for b in body):
        line = body.decode('ascii').split('\n', 1)[0].rstrip('\r')
        return '"%s"' % line[:64]
    return 'binary ' + head[:16].hex()


def write_file(path, data, mode='wb'):
    if isinstance(data, str):
        data = data.encode('utf-8', 'surrogateescape')
    with open(path, mode) as f:
        f.write(data)


def read_text(path, default=''):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'surrogateescape')
    except OSError:
        return default


def rmtree(path):
    if not os.path.lexists(path):
        return
    if os.path.isfile(path) or os.path.islink(path):
        os.unlink(path)
        return
    for top, dirs, files in os.walk(path, topdown=False):
        for f in files:
            os.unlink(os.path.join(top, f))
        for dd in dirs:
            p = os.path.join(top, dd)
            if os.path.islink(p):
                os.unlink(p)
            else:
                os.rmdir(p)
    os.rmdir(path)


def overlaps(a0, alen, b0, blen):
    return alen and blen and a0 < b0 + blen and b0 < a0 + alen


STATS_COMMON = ['vmexits_total', 'vmexits_mmio', 'vmexits_management', 'vmexits_hypercall']
STATS_ARCH = {
    'x86': ['vmexits_pio', 'vmexits_xapic', 'vmexits_cr', 'vmexits_cpuid', 'vmexits_xsetbv',
            'vmexits_exception', 'vmexits_msr_other', 'vmexits_msr_x2apic_icr'],
    'arm64': ['vmexits_maintenance', 'vmexits_virt_irq', 'vmexits_virt_sgi', 'vmexits_psci',
              'vmexits_smccc'],
    'arm': ['vmexits_maintenance', 'vmexits_virt_irq', 'vmexits_virt_sgi', 'vmexits_psci',
            'vmexits_smccc', 'vmexits_cp15'],
}

STATES = ('running', 'running/locked', 'shut down', 'failed', 'Comm ABI mismatch', 'invalid')


# --------------------------------------------------------------------------
# Errors raised by operations

class Fail(Exception):
    """An ioctl/hypercall failure.  errno -> `PREFIX: strerror`; reason -> kernel.log;
    invariant -> also a `jailhouse-sim: runtime invariant violated` stderr line."""

    def __init__(self, errno, reason='', invariant=False):
        Exception.__init__(self, reason)
        self.errno = errno
        self.reason = reason
        self.invariant = invariant


class Exit(Exception):
    def __init__(self, code, stderr='', stdout=''):
        Exception.__init__(self, stderr)
        self.code = code
        self.stderr = stderr
        self.stdout = stdout


# --------------------------------------------------------------------------
# The simulated machine

class Sim:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.simdir = os.path.join(self.root, 'sim')
        self.statefile = os.path.join(self.simdir, 'state.json')
        self.sysfs = os.path.join(self.root, 'sys', 'devices', 'jailhouse')
        self.devnode = os.path.join(self.root, 'dev', 'jailhouse')
        self.ring = os.path.join(self.simdir, 'hvconsole.log')
        self.klog_path = os.path.join(self.root, 'kernel.log')
        self.uartdir = os.path.join(self.root, 'console')
        self.firmware = os.path.join(self.root, 'lib', 'firmware')
        self.st = None
        self._lockfd = None

    # ---- persistence
    def initialised(self):
        return os.path.exists(self.statefile)

    def lock(self):
        import fcntl
        self._lockfd = os.open(os.path.join(self.simdir, 'lock'), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._lockfd, fcntl.LOCK_EX)
        self.load()

    def unlock(self):
        if self._lockfd is not None:
            os.close(self._lockfd)
            self._lockfd = None

    def load(self):
        with open(self.statefile) as f:
            self.st = json.load(f)
        return self.st

    def save(self):
        tmp = self.statefile + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.st, f, indent=1, sort_keys=True)
        os.replace(tmp, self.statefile)
        self.render()

    @property
    def dialect(self):
        return DIALECTS[self.st['dialect']]

    def invariants_on(self):
        env = os.environ.get('JAILHOUSE_SIM_INVARIANTS')
        if env is not None:
            return env not in ('0', 'no', 'off', 'false')
        return self.st.get('invariants', True)

    # ---- logs
    def log_command(self, argv):
        line = json.dumps(list(argv)) + '\n'
        try:
            fd = os.open(os.path.join(self.root, 'commands.log'),
                         os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            os.write(fd, line.encode('utf-8', 'surrogateescape'))
            os.close(fd)
        except OSError:
            pass

    def klog(self, text):
        """The kernel log (dmesg): driver messages and the sim's reasons."""
        try:
            with open(self.klog_path, 'a', encoding='utf-8', errors='surrogateescape') as f:
                f.write('jailhouse: %s\n' % text)
        except OSError:
            pass
        if os.environ.get('JAILHOUSE_SIM_VERBOSE'):
            sys.stderr.write('[kernel] jailhouse: %s\n' % text)

    def hv_print(self, text):
        """Hypervisor console ring (CLI §5): only with SYS_VIRTUAL_DEBUG_CONSOLE."""
        if not self.st.get('virtual_console'):
            return
        write_file(self.ring, text, 'ab')

    def ring_bytes(self):
        try:
            with open(self.ring, 'rb') as f:
                f.seek(self.st.get('ring_start', 0))
                return f.read()
        except OSError:
            return b''

    def uart_path(self, name):
        return os.path.join(self.uartdir, quote_name(name) + '.log')

    # ---- sysfs rendering (CLI §3)
    def render(self):
        """Sync the sysfs tree with the state.  Only files whose content changed are
        rewritten (a list of what was written is kept in sim/rendered.json)."""
        st = self.st
        cache_path = os.path.join(self.simdir, 'rendered.json')
        if not st['module_loaded']:
            rmtree(os.path.join(self.root, 'sys'))
            if os.path.exists(self.devnode):
                os.unlink(self.devnode)
            if os.path.exists(cache_path):
                os.unlink(cache_path)
            return
        os.makedirs(os.path.dirname(self.devnode), exist_ok=True)
        if not os.path.exists(self.devnode):
            write_file(self.devnode, b'')
        base = self.sysfs
        os.makedirs(os.path.join(base, 'cells'), exist_ok=True)
        want = {}
        en = st['enabled']
        want['enabled'] = '1\n' if en else '0\n'
        pool = self.pool_usage() if en else (0, 0, 0, 0)
        for fname, v in zip(('mem_pool_size', 'mem_pool_used', 'remap_pool_size',
                             'remap_pool_used'), pool):
            want[fname] = '%d\n' % v
        # console: snapshot of the last <= 2048 ring bytes; empty while disabled
        want['console'] = (self.ring_bytes()[-2048:] if en and st.get('virtual_console')
                           else b'').decode('utf-8', 'surrogateescape')
        if st.get('ever_enabled'):
            core = os.path.join(base, 'core')   # kept after disable (CLI §3)
            if not os.path.exists(core):
                write_file(core, b'JAILHOUS' + bytes(56))
        ncpus = st['ncpus']
        names = STATS_COMMON + STATS_ARCH.get(st['arch'], [])
        for c in (self.all_cells() if en else []):
            d = 'cells/%d/' % c['id']
            want[d + 'name'] = c['name'] + '\n'
            want[d + 'state'] = c['state'] + '\n'
            want[d + 'cpus_assigned'] = cpumask_hex(c['cpus'], ncpus) + '\n'
            want[d + 'cpus_assigned_list'] = cpulist(c['cpus']) + '\n'
            want[d + 'cpus_failed'] = cpumask_hex(c['failed'], ncpus) + '\n'
            want[d + 'cpus_failed_list'] = cpulist(c['failed']) + '\n'
            if self.dialect.fork:
                nr = max(st.get('nrcpus', 0), 1)
                want[d + 'rcpus_assigned'] = cpumask_hex(c.get('rcpus', []), nr) + '\n'
                want[d + 'rcpus_assigned_list'] = cpulist(c.get('rcpus', [])) + '\n'
                if st.get('nfpga'):
                    fp = c.get('fpga', [])
                    want[d + 'fpga_regions_assigned'] = cpumask_hex(fp, st['nfpga']) + '\n'
                    want[d + 'fpga_regions_assigned_list'] = cpulist(fp) + '\n'
            for n in names:
                want[d + 'statistics/' + n] = '0\n'
            for cpu in c['cpus']:           # cpu<N> directories move with the CPU
                for n in names:
                    want[d + 'statistics/cpu%d/%s' % (cpu, n)] = '0\n'
        try:
            with open(cache_path) as f:
                have = json.load(f)
        except (OSError, ValueError):
            have = {}
        for rel, text in want.items():
            path = os.path.join(base, rel)
            if have.get(rel) != text or not os.path.exists(path):
                try:
                    write_file(path, text)
                except FileNotFoundError:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    write_file(path, text)
        gone = [rel for rel in have if rel not in want]
        for rel in gone:
            try:
                os.unlink(os.path.join(base, rel))
            except OSError:
                pass
        if gone:
            cells_dir = os.path.join(base, 'cells')
            for top, dirs, files in os.walk(cells_dir, topdown=False):
                if top != cells_dir and not os.listdir(top):
                    os.rmdir(top)
        tmp = cache_path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(want, f)
        os.replace(tmp, cache_path)

    def pool_usage(self):
        """Page counts: not modelled on anything real, only plausible and monotone."""
        used = 128
        remap = 16
        for c in self.st['cells'].values():
            used += 24 + 2 * len(c['regions']) + 8 * len(c['pci'])
            remap += 2 + 4 * len(c['pci'])
        return self.st['mem_pool_pages'], used, self.st['remap_pool_pages'], remap

    # ---- cells
    def root_cell(self):
        r = self.st['root']
        return {'id': 0, 'name': r['name'], 'state': 'running', 'cpus': r['cpus'],
                'failed': [], 'rcpus': r.get('rcpus', []), 'fpga': r.get('fpga', [])}

    def all_cells(self):
        out = [self.root_cell()] if self.st['enabled'] else []
        out += sorted(self.st['cells'].values(), key=lambda c: c['id'])
        return out

    def lookup(self, ref):
        """ref = ('id', n) or ('name', bytes).  Root cell returned as 'root'."""
        kind, val = ref
        if kind == 'id':
            if val == 0:
                return 'root'
            return self.st['cells'].get(str(val))
        key = val[:NAME_MAXLEN]
        if os.fsencode(self.st['root']['name']) == key:
            return 'root'
        for c in self.st['cells'].values():
            if os.fsencode(c['name']) == key:
                return c
        return None

    def reply_file(self, name):
        return os.path.join(self.simdir, 'reply', quote_name(name))

    def reply_of(self, cell):
        r = read_text(self.reply_file(cell['name'])).strip()
        return r if r in ('approve', 'deny', 'unknown', 'none') else 'approve'

    # ---- the hypervisor's question (CLI §4 "Ask")
    def ask(self, cell):
        if cell['flags'] & CELL_PASSIVE_COMMREG:
            return
        if cell['state'] in ('shut down', 'failed'):
            return
        reply = self.reply_of(cell)
        if cell['state'] == 'Comm ABI mismatch' and not os.path.exists(self.reply_file(cell['name'])):
            reply = 'none'          # such a cell normally cannot answer
        if reply == 'approve':
            return
        if reply in ('deny', 'unknown'):
            raise Fail(EPERM, 'cell "%s" answered %s to the shutdown request' % (cell['name'], reply))
        if cell['timeout']:
            # the cell is suspended, marked failed, and the operation proceeds
            cell['state'] = 'failed'
            self.klog('jailhouse-sim: cell "%s" did not reply within msg_reply_timeout; '
                      'marked failed' % cell['name'])
            return
        # msg_reply_timeout 0 = wait forever: the CLI hangs (inferred, CLI §4).
        self.klog('jailhouse-sim: waiting forever for cell "%s" to answer (it never polls its '
                  'comm region); `jailhouse-sim cell-reply` unblocks' % cell['name'])
        while True:
            time.sleep(0.1)
            reply = self.reply_of(cell)
            if reply == 'approve':
                return
            if reply in ('deny', 'unknown'):
                raise Fail(EPERM, 'cell "%s" answered %s' % (cell['name'], reply))

    def prologue(self, ref):
        """CLI §2.4 step 1 and §2.5: enabled, lookup, not the root cell."""
        if not self.st['enabled']:
            raise Fail(EINVAL, 'hypervisor not enabled')
        cell = self.lookup(ref)
        if cell is None:
            raise Fail(ENOENT, 'no such cell')
        if cell == 'root':
            raise Fail(EINVAL, 'the root cell cannot be managed')
        return cell

    def locked_cell(self, exclude=None):
        for c in self.st['cells'].values():
            if c is not exclude and c['state'] == 'running/locked':
                return c
        return None

    # ---- create (CLI §2.3)
    def op_create(self, data, path):
        d = self.dialect
        st = self.st
        err = check_magic(d, data)
        if err:
            raise Fail(err.errno, err.reason)
        if d.has_arch:
            arch = data[5]
            if arch != ARCH_CODES[st['arch']]:
                # master bug (CLI §0 #12): exit 0, nothing created
                self.klog('Configuration architecture mismatch')
                return None
        if not st['enabled']:
            raise Fail(EINVAL, 'hypervisor not enabled')
        h = parse_header(d, data)
        name = h['name']
        if self.lookup(('name', os.fsencode(name))) is not None:
            raise Fail(EEXIST, 'a cell named "%s" exists' % name)
        inv = self.invariants_on()
        total = expected_size(d, h)
        if len(data) != total:
            if inv:
                raise Fail(EINVAL, 'file is %d bytes but dialect %s header counters give %d '
                           '(header %d + arrays; CF section 2). Real Jailhouse would read %s'
                           % (len(data), d.name, total, d.hdr,
                              'past the end of the file' if len(data) < total
                              else 'only the counted bytes and ignore the rest'), invariant=True)
            if len(data) < total:
                data = data + bytes(total - len(data))
        cfg = parse_arrays(d, h, data, d.hdr)
        root = st['root']
        cpus = cfg['cpus']
        # 7: CPU set must be a subset of the root cell's current set
        bad = [c for c in cpus if c not in root['cpus']]
        if bad:
            owner = ['%d (%s)' % (c, self.cpu_owner(c)) for c in bad]
            raise Fail(EBUSY, 'CPUs not owned by the root cell: ' + ', '.join(owner))
        # 8: x86 cannot give CPU 0 away
        if st['arch'] == 'x86' and 0 in cpus:
            raise Fail(EINVAL, 'Cannot assign CPU 0 to other cells')
        # 9/14: Linux cannot offline its last CPU; the calling CPU stays with the root
        if cpus and set(cpus) >= set(root['cpus']):
            raise Fail(EBUSY, 'the root cell would lose its last CPU')
        # 10: a running/locked cell forbids reconfiguration
        lk = self.locked_cell()
        if lk:
            raise Fail(EPERM, 'cell "%s" is running/locked' % lk['name'])
        hv = hypervisor_static_checks(d, h, cfg, st['arch'])
        if hv:
            raise Fail(hv[0], hv[1])
        # Omnivisor: rCPUs must be the root's and free (CLI §6: taken -> EINVAL)
        if d.rcpu:
            for r in cfg['rcpus']:
                if r not in root.get('rcpus', []):
                    raise Fail(EINVAL, 'rCPU %d not owned by the root cell' % r)
        # 16: ivshmem endpoint (same domain/BDF and peer id) already taken
        for p in cfg['pci_devices']:
            if p['type'] != PCI_TYPE_IVSHMEM:
                continue
            for other in st['cells'].values():
                for q in other['pci']:
                    if (q['type'] == PCI_TYPE_IVSHMEM and q['domain'] == p['domain']
                            and q['bdf'] == p['bdf'] and q['shmem_dev_id'] == p['shmem_dev_id']):
                        raise Fail(EBUSY, 'ivshmem %04x:%02x:%02x.%x peer %d already used by cell "%s"'
                                   % (p['domain'], p['bdf'] >> 8, (p['bdf'] >> 3) & 31, p['bdf'] & 7,
                                      p['shmem_dev_id'], other['name']))
        if inv:
            problems = static_invariants(d, h, cfg)
            problems += self.cross_cell_invariants(cfg)
            if problems:
                raise Fail(EINVAL, '; '.join(problems), invariant=True)
        # success: CPUs move from the root cell, the cell is `shut down`
        cid = 1
        while str(cid) in st['cells']:
            cid += 1
        root['cpus'] = [c for c in root['cpus'] if c not in cpus]
        if d.rcpu:
            root['rcpus'] = [r for r in root.get('rcpus', []) if r not in cfg['rcpus']]
        st['seq'] = st.get('seq', 0) + 1
        cell = {
            'id': cid, 'name': name, 'seq': st['seq'], 'flags': h['flags'],
            'cpus': sorted(cpus), 'rcpus': sorted(cfg['rcpus']), 'failed': [],
            'state': 'shut down', 'loadable': False,
            'timeout': h['msg_reply_timeout'], 'reset': h['cpu_reset_address'],
            'console': h['console'], 'regions': cfg['memory'], 'pci': cfg['pci_devices'],
            'images': [], 'rcpu_fw': {}, 'config': os.path.abspath(path), 'linux': None,
            'architecture': h.get('architecture'),
        }
        st['cells'][str(cid)] = cell
        write_file(self.uart_path(name), b'')       # a new cell's console starts empty
        self.klog('Created Jailhouse cell "%s"' % name)
        self.hv_print('Created cell "%s"\n' % name)
        self.hv_print('Page pool usage after cell creation: mem %d/%d, remap %d/%d\n'
                      % self.pool_text())
        return cell

    def pool_text(self):
        size, used, rsize, rused = self.pool_usage()
        return used, size, rused, rsize

    def cpu_owner(self, cpu):
        if cpu >= self.st['ncpus']:
            return 'no such CPU'
        for c in self.st['cells'].values():
            if cpu in c['cpus']:
                return 'owned by cell "%s"' % c['name']
        return 'not in the root cell'

    def cross_cell_invariants(self, cfg):
        """Runtime invariants across cells.  Jailhouse does NOT check these (CLI §2.3
        'Not checked'): it would silently unmap the range from the root twice."""
        out = []
        for i, m in enumerate(cfg['memory']):
            if not m['size'] or m['flags'] & MEM_COMM_REGION:
                continue
            for other in self.st['cells'].values():
                for j, o in enumerate(other['regions']):
                    if not o['size'] or o['flags'] & MEM_COMM_REGION:
                        continue
                    if (m['flags'] & MEM_ROOTSHARED) and (o['flags'] & MEM_ROOTSHARED):
                        continue
                    if overlaps(m['phys_start'], m['size'], o['phys_start'], o['size']):
                        out.append('memory region %d (phys 0x%x+0x%x) overlaps region %d of cell "%s" '
                                   '(phys 0x%x+0x%x) and not both are ROOTSHARED'
                                   % (i, m['phys_start'], m['size'], j, other['name'],
                                      o['phys_start'], o['size']))
        for p in cfg['pci_devices']:
            if p['type'] == PCI_TYPE_IVSHMEM:
                continue
            for other in self.st['cells'].values():
                for q in other['pci']:
                    if q['type'] != PCI_TYPE_IVSHMEM and (q['domain'], q['bdf']) == (p['domain'], p['bdf']):
                        out.append('PCI device %04x:%04x is already assigned to cell "%s"'
                                   % (p['domain'], p['bdf'], other['name']))
        return out

    # ---- load / shutdown (CLI §2.4)
    def set_loadable(self, cell):
        cell['failed'] = []
        if not cell['loadable']:
            cell['loadable'] = True
            cell['state'] = 'shut down'
            self.hv_print('Cell "%s" can be loaded\n' % cell['name'])

    def op_load(self, ref, images, rimages=()):
        cell = self.prologue(ref)
        self.ask(cell)
        self.set_loadable(cell)
        cell['linux'] = None            # `cell linux` sets it again after its loads
        # Omnivisor: rCPU images first (CLI §6)
        for fw, idx in rimages:
            if idx not in cell.get('rcpus', []):
                raise Fail(EINVAL, 'rCPU %d is not in cell "%s"' % (idx, cell['name']))
            fwname = fw[:NAME_MAXLEN]
            if not os.path.isfile(os.path.join(self.firmware, fwname)):
                raise Fail(ENOENT, 'firmware %s not found in /lib/firmware' % fwname)
            cell['rcpu_fw'][str(idx)] = fwname
            self.klog('jailhouse-sim: rCPU %d of cell "%s" holds firmware %s' % (idx, cell['name'], fwname))
        for img in images:
            self.write_image(cell, img)

    def write_image(self, cell, img):
        size, addr = img['size'], img['addr']
        if size == 0:
            return                          # the driver skips 0-byte images
        region = None
        for m in cell['regions']:
            if m['size'] and m['virt_start'] <= addr < m['virt_start'] + m['size']:
                region = m
                break
        if region is None:
            raise Fail(EINVAL, 'image %s at 0x%x: no memory region of cell "%s" contains it'
                       % (img['label'], addr, cell['name']))
        if addr + size > region['virt_start'] + region['size']:
            raise Fail(EINVAL, 'image %s at 0x%x (%d bytes) overruns region 0x%x+0x%x'
                       % (img['label'], addr, size, region['virt_start'], region['size']))
        need = MEM_WRITE | MEM_LOADABLE
        if region['flags'] & need != need:
            raise Fail(EINVAL, 'image %s at 0x%x: region 0x%x+0x%x (flags 0x%x) lacks WRITE|LOADABLE'
                       % (img['label'], addr, region['virt_start'], region['size'], region['flags']))
        rmem = self.st['root'].get('memory') or []
        if rmem:
            phys = region['phys_start'] + (addr - region['virt_start'])
            if not self.covered(phys, size, rmem):
                # inferred (CLI §2.4): the root cannot write where it has no mapping
                raise Fail(EFAULT, 'image %s: phys 0x%x+0x%x is outside the root cell\'s memory '
                           '(simulated fault of the write)' % (img['label'], phys, size))
        cell['images'] = [i for i in cell['images'] if i['addr'] != addr]
        cell['images'].append({'addr': addr, 'size': size, 'label': img['label'],
                               'head': img['head'].hex()})

    @staticmethod
    def covered(start, size, regions):
        pos, end = start, start + size
        progressed = True
        while pos < end and progressed:
            progressed = False
            for r in regions:
                if r[0] <= pos < r[0] + r[1]:
                    pos = r[0] + r[1]
                    progressed = True
        return pos >= end

    def op_shutdown(self, ref):
        cell = self.prologue(ref)
        self.ask(cell)
        self.set_loadable(cell)

    # ---- start (CLI §2.5)
    def op_start(self, ref):
        cell = self.prologue(ref)
        try:
            self.ask(cell)
        except Fail as e:
            if self.dialect.fork and cell.get('rcpu_fw'):
                # CLI §6: the rCPU result overwrites the hypercall result
                self.klog('jailhouse-sim: start of "%s" refused by the cell, but the Omnivisor '
                          'driver reports the rCPU result (success)' % cell['name'])
                self.start_rcpus(cell)
                return
            raise e
        cell['loadable'] = False
        cell['state'] = 'running'
        cell['failed'] = []
        self.hv_print('Started cell "%s"\n' % cell['name'])
        self.boot_output(cell)
        if self.dialect.fork and cell.get('rcpu_fw'):
            self.start_rcpus(cell)

    def start_rcpus(self, cell):
        for idx, fw in sorted(cell['rcpu_fw'].items()):
            self.cell_say(cell, '[RPU-%s] Hello from cell %s: firmware %s\n' % (idx, cell['name'], fw),
                          ring=False)

    def cell_may_putc(self, cell):
        return bool(cell['flags'] & (CELL_VCONSOLE_PERMITTED | CELL_VCONSOLE_ACTIVE))

    def cell_uses_virtual_console(self, cell):
        """Upstream: an inmate writes to the virtual console only with ACTIVE
        (PERMITTED alone allows the hypercall, nobody makes it; CLI §5). The
        forks' guests (runPHI's Zephyr) are assumed to use it when permitted."""
        if self.dialect.name in UPSTREAM_DIALECTS:
            return bool(cell['flags'] & CELL_VCONSOLE_ACTIVE)
        return self.cell_may_putc(cell)

    def cell_say(self, cell, text, ring=True):
        """A cell prints: its own console (UART) file always; the hypervisor ring
        too if it writes to the virtual console (CLI §5)."""
        write_file(self.uart_path(cell['name']), text, 'ab')
        if ring and self.cell_uses_virtual_console(cell):
            self.hv_print(text)

    def boot_output(self, cell):
        name = cell['name']
        lines = ['Hello from cell %s%s' % (name, '' if cell['images'] else ' (no image loaded)')]
        for img in cell['images']:
            lines.append('  image %s @0x%x, %d bytes: %s'
                         % (img['label'], img['addr'], img['size'], preview(bytes.fromhex(img['head']))))
        lx = cell.get('linux')
        if lx:
            lines.append('Booting Linux on cell %s: kernel=%s dtb=%s initrd=%s cmdline="%s"'
                         % (name, lx['kernel'], lx['dtb'] or '-', lx['initrd'] or '-', lx['cmdline']))
        self.cell_say(cell, '\n'.join(lines) + '\n')

    # ---- destroy (CLI §2.5)
    def op_destroy(self, ref):
        cell = self.prologue(ref)
        lk = self.locked_cell(exclude=cell)
        if lk:
            raise Fail(EPERM, 'cell "%s" is running/locked' % lk['name'])
        self.ask(cell)
        self.remove_cell(cell)

    def remove_cell(self, cell):
        root = self.st['root']
        root['cpus'] = sorted(set(root['cpus']) | set(cell['cpus']))
        if cell.get('rcpus'):
            root['rcpus'] = sorted(set(root.get('rcpus', [])) | set(cell['rcpus']))
        del self.st['cells'][str(cell['id'])]
        self.hv_print('Closing cell "%s"\n' % cell['name'])
        self.hv_print('Page pool usage after cell destruction: mem %d/%d, remap %d/%d\n' % self.pool_text())
        self.klog('Destroyed Jailhouse cell "%s"' % cell['name'])

    # ---- enable / disable (CLI §2.2)
    def op_enable(self, data):
        d = self.dialect
        st = self.st
        try:
            sysc = decode_system(d, data)
        except DecodeError as e:
            raise Fail(e.errno, e.reason)
        if d.sys_has_arch and sysc.get('architecture') != ARCH_CODES[st['arch']]:
            raise Fail(EINVAL, 'Configuration architecture mismatch')
        if st['enabled']:
            raise Fail(EBUSY, 'already enabled')
        if sorted(sysc['cpus']) != sorted(st['online_cpus']):
            raise Fail(EINVAL, 'root CPU set %s differs from the online CPUs %s'
                       % (cpulist(sysc['cpus']), cpulist(st['online_cpus'])))
        st['root'] = {'name': sysc['root_name'], 'cpus': sorted(sysc['cpus']),
                      'rcpus': sorted(sysc['rcpus']) if d.rcpu else [],
                      'fpga': list(range(st.get('nfpga', 0))),
                      'memory': sysc['memory']}
        st['virtual_console'] = bool(sysc['flags'] & 1)
        self.start_hypervisor()

    def start_hypervisor(self):
        st = self.st
        st['enabled'] = True
        st['ever_enabled'] = True
        st['cells'] = {}
        try:
            st['ring_start'] = os.path.getsize(self.ring)
        except OSError:
            st['ring_start'] = 0
        self.klog('The Jailhouse is opening.')

    def op_disable(self):
        st = self.st
        if not st['enabled']:
            raise Fail(EINVAL, 'not enabled')
        for cell in sorted(st['cells'].values(), key=lambda c: c['seq']):
            lk = self.locked_cell(exclude=cell)
            if lk:
                raise Fail(EPERM, 'cell "%s" is running/locked' % lk['name'])
            self.ask(cell)
            self.remove_cell(cell)
        st['enabled'] = False
        self.klog('The Jailhouse was closed.')


# --------------------------------------------------------------------------
# Failure injection

DEFAULT_FAIL_ERRNO = {
    'enable': ENODEV, 'disable': EPERM, 'console': EIO, 'cell create': ENOMEM,
    'cell load': EINVAL, 'cell shutdown': EPERM, 'cell start': EPERM,
    'cell destroy': EPERM, 'cell list': EIO, 'cell linux': ENOMEM,
}


def parse_fail_entry(line):
    words = line.split()
    if not words:
        return None
    if words[0] == 'cell':
        if len(words) < 2:
            return None
        cmd, rest = 'cell ' + words[1], words[2:]
    else:
        cmd, rest = words[0], words[1:]
    ent = {'cmd': cmd, 'cell': None, 'errno': None, 'once': False, 'text': line.strip()}
    for w in rest:
        if w == 'once':
            ent['once'] = True
        elif w.upper() in ERRNO_NAMES:
            ent['errno'] = ERRNO_NAMES[w.upper()]
        elif w.startswith('errno=') and w[6:].isdigit():
            ent['errno'] = int(w[6:])
        elif ent['cell'] is None:
            ent['cell'] = w
    if ent['errno'] is None:
        ent['errno'] = DEFAULT_FAIL_ERRNO.get(cmd, EIO)
    return ent


def injected(sim, cmd, cells=()):
    """Returns an errno if a failure is injected for cmd (matching one of the
    strings in cells, if the entry names a cell), else None."""
    sources = []
    env = os.environ.get('JAILHOUSE_SIM_FAIL')
    if env:
        for part in env.replace(';', '\n').split('\n'):
            sources.append(('env', part))
    fpath = os.path.join(sim.root, 'fail')
    lines = read_text(fpath).split('\n') if os.path.exists(fpath) else []
    for i, part in enumerate(lines):
        sources.append((i, part))
    for src, line in sources:
        if line.strip().startswith('#'):
            continue
        ent = parse_fail_entry(line)
        if not ent or ent['cmd'] != cmd:
            continue
        if ent['cell'] is not None and ent['cell'] not in cells:
            continue
        if ent['once'] and src != 'env':
            del lines[src]
            write_file(fpath, '\n'.join(lines))
        sim.klog('jailhouse-sim: injected failure "%s"' % ent['text'])
        return ent['errno']
    return None


# --------------------------------------------------------------------------
# The CLI (CLI §1, §2)

HELP_EXTENSIONS = [
    ('cell', 'linux', 'CELLCONFIG KERNEL [-i | --initrd FILE]\n'
     '              [-c | --cmdline "STRING"] [-w | --write-params FILE]'),
    ('cell', 'stats', '{ ID | [--name] NAME }'),
    ('config', 'create', '[-h] [-g] [-r ROOT] [--mem-inmates MEM]\n'
     '                 [--mem-hv MEM] FILE'),
    ('config', 'collect', 'FILE.TAR'),
    ('config', 'check', '[-h] SYSCONFIG [CELLCONFIG ...]'),
    ('hardware', 'check', ''),
]


def usage_text(argv0, fork=False):
    load_extra = ('             [-r | --rcpu IMAGE_NAME RCPU_MASK] ...\n' if fork else '')
    out = ('Usage: %s { COMMAND | --help | --version }\n'
           '\nAvailable commands:\n'
           '   enable SYSCONFIG\n'
           '   disable\n'
           '   console [-f | --follow]\n'
           '   cell create CELLCONFIG\n'
           '   cell list\n'
           '   cell load { ID | [--name] NAME } { IMAGE | { -s | --string } "STRING" }\n'
           '             [-a | --address ADDRESS] ...\n'
           '%s'
           '   cell start { ID | [--name] NAME }\n'
           '   cell shutdown { ID | [--name] NAME }\n'
           '   cell destroy { ID | [--name] NAME }\n' % (os.path.basename(argv0), load_extra))
    for a, b, c in HELP_EXTENSIONS:
        out += '   %s %s %s\n' % (a, b, c)
    return out


class Cli:
    def __init__(self, sim, argv):
        self.sim = sim
        self.argv = argv

    def usage(self, code=1):
        fork = bool(self.sim.st and self.sim.dialect.fork)
        raise Exit(code, stdout=usage_text(self.argv[0], fork))

    # -- entry
    def run(self):
        argv = self.argv
        if len(argv) < 2:
            self.usage()
        cmd = argv[1]
        if cmd == 'enable':
            return self.cmd_enable()
        if cmd == 'disable':
            return self.cmd_disable()
        if cmd == 'cell':
            return self.cmd_cell()
        if cmd in ('config', 'hardware'):
            subs = [b for a, b, c in HELP_EXTENSIONS if a == cmd]
            if len(argv) >= 3 and argv[2] in subs:
                raise Exit(1, stderr='execvp: No such file or directory\n')  # helper not simulated
            self.usage()
        if cmd == 'console':
            return self.cmd_console()
        if cmd == '--version':
            raise Exit(0, stdout='Jailhouse management tool %s\n' % self.sim.dialect.version)
        if cmd == '--help':
            self.usage(0)
        self.usage()

    # -- /dev/jailhouse + lock
    def open_dev(self):
        """Opening /dev/jailhouse: module must be loaded."""
        if not self.sim.st['module_loaded']:
            raise Exit(1, stderr='opening /dev/jailhouse: No such file or directory\n')

    def ioctl(self, prefix, fn, *args):
        try:
            r = fn(*args)
        except Fail as e:
            self.sim.save()
            self.sim.klog((e.reason or strerror(e.errno)) if not e.invariant
                          else 'jailhouse-sim: runtime invariant violated: ' + e.reason)
            msg = '%s: %s\n' % (prefix, strerror(e.errno))
            if e.invariant:
                msg += ('jailhouse-sim: runtime invariant violated (real Jailhouse does not check '
                        'this): %s\n' % e.reason)
            raise Exit(1, stderr=msg)
        self.sim.save()
        return r

    def inject(self, cmd, prefix, cells=()):
        e = injected(self.sim, cmd, cells)
        if e is not None:
            raise Exit(1, stderr='%s: %s\n' % (prefix, strerror(e)))

    # -- files (read_file of jailhouse.c)
    @staticmethod
    def read_file(name):
        try:
            fd = os.open(name, os.O_RDONLY)
        except OSError as e:
            raise Exit(1, stderr='opening %s: %s\n' % (name, strerror(e.errno)))
        try:
            size = os.fstat(fd).st_size
            chunks = []
            got = 0
            while got < size:
                b = os.read(fd, size - got)
                if not b:
                    break
                chunks.append(b)
                got += len(b)
            if got < size:
                raise Exit(1, stderr='reading %s: %s\n' % (name, 'Success'))
            return b''.join(chunks)
        except OSError as e:
            raise Exit(1, stderr='reading %s: %s\n' % (name, strerror(e.errno)))
        finally:
            os.close(fd)

    # -- cell id (parse_cell_id of jailhouse.c, CLI §1.2)
    def parse_cell_id(self, args):
        """Returns (ref, nargs) or (None, 0)."""
        if not args:
            return None, 0
        if args[0] == '--name':
            if len(args) < 2:
                return None, 0
            return ('name', os.fsencode(args[1])[:NAME_MAXLEN]), 2
        val, whole, overflow = c_strtoint(args[0], 64, True)
        v32 = val & 0xffffffff
        if v32 >= 1 << 31:
            v32 -= 1 << 32
        if overflow or not whole or v32 < 0:
            return ('name', os.fsencode(args[0])[:NAME_MAXLEN]), 1
        return ('id', v32), 1

    def cell_strings(self, ref):
        """Strings a failure-injection entry may name: the argument and the cell name."""
        out = []
        kind, val = ref
        out.append(str(val) if kind == 'id' else os.fsdecode(val))
        c = self.sim.lookup(ref) if self.sim.st['enabled'] else None
        if isinstance(c, dict):
            out.append(c['name'])
            out.append(str(c['id']))
        elif c == 'root':
            out.append(self.sim.st['root']['name'])
        return out

    # -- enable / disable
    def cmd_enable(self):
        if len(self.argv) != 3:
            self.usage()
        data = self.read_file(self.argv[2])
        self.open_dev()
        self.sim.lock()
        self.inject('enable', 'JAILHOUSE_ENABLE')
        self.ioctl('JAILHOUSE_ENABLE', self.sim.op_enable, data)
        return 0

    def cmd_disable(self):
        self.open_dev()
        self.sim.lock()
        self.inject('disable', 'JAILHOUSE_DISABLE')
        self.ioctl('JAILHOUSE_DISABLE', self.sim.op_disable)
        return 0

    # -- cell
    def cmd_cell(self):
        argv = self.argv
        if len(argv) < 3:
            self.usage()
        sub = argv[2]
        if sub == 'create':
            return self.cmd_create()
        if sub == 'list':
            return self.cmd_list()
        if sub == 'load':
            return self.cmd_load()
        if sub in ('start', 'shutdown', 'destroy'):
            return self.cmd_simple(sub)
        if sub == 'linux':
            import jhlinux
            return jhlinux.main(self)
        if sub == 'stats':
            raise Exit(1, stderr='execvp: No such file or directory\n')    # helper not simulated
        self.usage()

    def cmd_create(self):
        if len(self.argv) != 4:
            self.usage()
        path = self.argv[3]
        data = self.read_file(path)
        self.open_dev()
        self.sim.lock()
        names = [path, os.path.basename(path)]
        if len(data) >= 40:
            names.append(cell_name_bytes(data[8:40]).decode('utf-8', 'surrogateescape'))
        self.inject('cell create', 'JAILHOUSE_CELL_CREATE', names)
        self.ioctl('JAILHOUSE_CELL_CREATE', self.sim.op_create, data, path)
        return 0

    def cmd_simple(self, sub):
        args = self.argv[3:]
        if not args:
            self.usage()
        ref, n = self.parse_cell_id(args)
        if n == 0 or n != len(args):
            self.usage()
        self.open_dev()
        self.sim.lock()
        if sub == 'start':
            prefix, fn = 'JAILHOUSE_CELL_START', self.sim.op_start
        elif sub == 'shutdown':
            prefix, fn = 'JAILHOUSE_CELL_LOAD', self.sim.op_shutdown   # CLI §0 #2
        else:
            prefix, fn = 'JAILHOUSE_CELL_DESTROY', self.sim.op_destroy
        self.inject('cell ' + sub, prefix, self.cell_strings(ref))
        self.ioctl(prefix, fn, ref)
        return 0

    def cmd_load(self):
        argv = self.argv
        args = argv[3:]
        ref, n = self.parse_cell_id(args)
        if n == 0:
            self.usage()
        rest = args[n:]
        fork = self.sim.dialect.fork
        # Pass 1: the image specs (CLI §1.3); with the Omnivisor CLI, -r groups (CLI §6).
        specs, rspecs = [], []
        i = 0
        while i < len(rest):
            tok = rest[i]
            if fork and tok in ('-r', '--rcpu'):
                if i + 2 >= len(rest):
                    self.usage()
                rspecs.append((rest[i + 1], self.atoi(rest[i + 2])))
                i += 3
                continue
            if fork and rspecs:
                # an image after an -r group: the fork's second parsing pass assumes
                # images first (CLI §6, inferred) -- refuse rather than guess.
                sys.stderr.write('jailhouse-sim: with the Omnivisor CLI, -r groups must come after '
                                 'the normal images\n')
                self.usage()
            if tok in ('-s', '--string'):
                if i + 1 >= len(rest):
                    self.usage()
                spec = {'string': rest[i + 1]}
                i += 2
            else:
                spec = {'file': tok}
                i += 1
            spec['addr'] = 0
            if i < len(rest) and rest[i] in ('-a', '--address'):
                if i + 1 >= len(rest):
                    self.usage()
                val, whole, _ = c_strtoint(rest[i + 1], 64, False)
                if not whole:
                    self.usage()
                spec['addr'] = val
                i += 2
            specs.append(spec)
        if not specs and not rspecs:
            self.usage()
        # Pass 2: read every file before opening /dev/jailhouse.
        images = []
        for spec in specs:
            if 'string' in spec:
                data = os.fsencode(spec['string']) + b'\0'
                label = '-s'
            else:
                data = self.read_file(spec['file'])
                label = spec['file']
            images.append({'size': len(data), 'addr': spec['addr'], 'label': label, 'head': data[:64]})
        self.open_dev()
        self.sim.lock()
        self.inject('cell load', 'JAILHOUSE_CELL_LOAD', self.cell_strings(ref))
        self.ioctl('JAILHOUSE_CELL_LOAD', self.sim.op_load, ref, images, rspecs)
        return 0

    @staticmethod
    def atoi(s):
        s = s.lstrip(_SPACE)
        sign = 1
        if s[:1] in ('+', '-'):
            sign = -1 if s[0] == '-' else 1
            s = s[1:]
        n = 0
        for ch in s:
            if not ch.isdigit() or not ch.isascii():
                break
            n = n * 10 + int(ch)
        return sign * n

    # -- list (CLI §2.6)
    def cmd_list(self):
        if len(self.argv) != 3:
            self.usage()
        sim = self.sim
        cells_dir = os.path.join(sim.sysfs, 'cells')
        sim.lock()
        self.inject('cell list', 'scandir')
        if not os.path.isdir(cells_dir):
            return 0
        entries = sorted(e for e in os.listdir(cells_dir) if not e.startswith('.'))
        if not entries:
            return 0
        fork = sim.dialect.fork
        fpga = fork and sim.st.get('nfpga')
        head = ['ID', 'Name', 'State', 'Assigned CPUs']
        widths = [8, 24, 18, 24]
        if fork:
            head.append('Assigned rCPUs')
            widths.append(24)
            if fpga:
                head.append('Assigned FPGA regions')
                widths.append(24)
        head.append('Failed CPUs')
        widths.append(24)
        fmt = lambda vals: ''.join('%-*s' % (w, v) for w, v in zip(widths, vals)) + '\n'
        out = [fmt(head)]
        for e in entries:
            d = os.path.join(cells_dir, e)
            vals = [e]
            attrs = ['name', 'state', 'cpus_assigned_list']
            if fork:
                attrs.append('rcpus_assigned_list')
                if fpga:
                    attrs.append('fpga_regions_assigned_list')
            attrs.append('cpus_failed_list')
            for a in attrs:
                p = os.path.join(d, a)
                try:
                    with open(p, 'rb') as f:
                        v = f.read().decode('utf-8', 'surrogateescape')
                except OSError as err:
                    sys.stdout.write(''.join(out))
                    raise Exit(1, stderr='opening /sys/devices/jailhouse/cells/%s/%s: %s\n'
                               % (e, a, strerror(err.errno)))
                if v.endswith('\n'):
                    v = v[:-1]
                vals.append(v)
            out.append(fmt(vals))
        raise Exit(0, stdout=''.join(out))

    # -- console (CLI §2.6, §5)
    def cmd_console(self):
        argv = self.argv
        follow = False
        if len(argv) == 3:
            if argv[2] in ('-f', '--follow'):
                follow = True
            else:
                self.usage()
        self.open_dev()
        sim = self.sim
        sim.lock()
        self.inject('console', 'read(console)')
        st = sim.st
        if not st.get('virtual_console', True) and st.get('ever_enabled'):
            raise Exit(1, stderr='read(console): Operation not permitted\n')
        if not st.get('ever_enabled') and not follow:
            raise Exit(1, stderr='read(console): Resource temporarily unavailable\n')
        data = sim.ring_bytes()
        sim.unlock()
        out = sys.stdout.buffer
        pos = len(data)
        if len(data) > 2048:
            out.write(b'<missed %d bytes of console log>\n' % (len(data) - 2048))
            data = data[-2048:]
        out.write(data)
        out.flush()
        if not follow:
            return 0
        import signal
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        limit = os.environ.get('JAILHOUSE_SIM_FOLLOW_TIMEOUT')
        deadline = time.time() + float(limit) if limit else None
        ring_start = st.get('ring_start', 0)
        while deadline is None or time.time() < deadline:
            time.sleep(0.1)
            try:
                cur = sim.load()
            except (OSError, ValueError):
                continue
            if cur.get('ring_start', 0) != ring_start:      # re-enabled: a new ring
                ring_start = cur.get('ring_start', 0)
                pos = 0
            if not cur.get('virtual_console'):
                continue
            new = sim.ring_bytes()[pos:]
            if new:
                pos += len(new)
                if len(new) > 2048:
                    out.write(b'<missed %d bytes of console log>\n' % (len(new) - 2048))
                    new = new[-2048:]
                out.write(new)
                out.flush()
        return 0


def cli_main(argv):
    root = os.environ.get('JAILHOUSE_SIM_ROOT')
    if not root:
        sys.stderr.write('jailhouse-sim: JAILHOUSE_SIM_ROOT is not set\n')
        return 1
    sim = Sim(root)
    if not sim.initialised():
        sys.stderr.write('jailhouse-sim: %s is not initialised (run jailhouse-sim init)\n' % sim.root)
        return 1
    sim.log_command(argv)
    try:
        sim.load()
        return Cli(sim, argv).run()
    except Exit as e:
        if e.stdout:
            sys.stdout.write(e.stdout)
            sys.stdout.flush()
        if e.stderr:
            sys.stderr.write(e.stderr)
        return e.code
    except BrokenPipeError:
        return 1
    finally:
        sim.unlock()
