#!/usr/bin/env python3
"""Self-tests of the Jailhouse simulator (tests/sim/jailhouse).

The .cell files are built by hand here with struct.pack, following the tables of
shared/reference/jailhouse-cell-format.md (CF), and checked against its worked
examples (§7) before the simulator sees them.  Expected CLI texts and exit codes
come from shared/reference/jailhouse-cli-sysfs.md (CLI).
"""
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
JH = os.path.join(HERE, 'jailhouse')
SIM = os.path.join(HERE, 'jailhouse-sim')

# ---------------------------------------------------------------------------
# A .cell builder written from CF §3 (independent of jhsim.py's decoder)

SIG = {'A12': (b'JHCELL', 12), 'A13': (b'JHCELL', 13), 'A14': (b'JHCLL', 14),
       'B': (b'JHCELL', 13), 'C': (b'JHCLL', 14), 'OV': (b'JHCLL', 14)}
HDR = {'A12': 132, 'A13': 132, 'A14': 132, 'B': 136, 'C': 140, 'OV': 140}
ARCH_BYTE = ('A14', 'C', 'OV')
COLORS = ('B', 'C', 'OV')    # 40-byte memory regions
QOS = ('B', 'C', 'OV')
RCPU = ('C', 'OV')

R, W, X, DMA, IO, COMM, LOAD, RSH = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80
RAM = R | W | X | LOAD          # 0x47


def mem(phys, virt, size, flags, colors=0):
    return (phys, virt, size, flags, colors)


def ivshmem(bdf, start, dev_id, peers, domain=0, proto=1, msix=0, bar0=0xFFFFF000, msi_bits=0):
    return dict(type=3, iommu=0, domain=domain, bdf=bdf, bar=[bar0, 0, 0, 0, 0, 0], caps_start=0,
                num_caps=0, msi=0, msi_bits=msi_bits, msix=msix, msix_size=0, msix_addr=0,
                start=start, dev_id=dev_id, peers=peers, proto=proto)


def pci_dev(bdf, domain=0):
    d = ivshmem(bdf, 0, 0, 0, domain=domain, proto=0, bar0=0)
    d['type'] = 1
    return d


def pack_pci(p):
    return struct.pack('<BBHH6IHHBBHHQIBBH', p['type'], p['iommu'], p['domain'], p['bdf'],
                       *p['bar'], p['caps_start'], p['num_caps'], p['msi'], p['msi_bits'],
                       p['msix'], p['msix_size'], p['msix_addr'], p['start'], p['dev_id'],
                       p['peers'], p['proto'])


def bitmap(bits, nbytes):
    b = bytearray(nbytes)
    for n in bits:
        b[n // 8] |= 1 << (n % 8)
    return bytes(b)


def shmem_net(start, dev_id):
    """CF §4.5 JAILHOUSE_SHMEM_NET_REGIONS(start, dev_id): four entries."""
    return [mem(start, start, 0x1000, R | RSH), mem(0, 0, 0, 0),
            mem(start + 0x1000, start + 0x1000, 0x7F000, R | RSH | (W if dev_id == 0 else 0)),
            mem(start + 0x80000, start + 0x80000, 0x7F000, R | RSH | (W if dev_id == 1 else 0))]


def build_cell(dialect, name='cell', cpus=(1,), rcpus=(), mems=(), irqchips=(), pci=(),
               caps=(), sids=(), qos=(), caches=(), pios=(), flags=0x1, reset=0, timeout=0,
               vpci=0, console=(0x09000000, 0, 3, 3, 0, 0, 0), cpu_set_size=8,
               rcpu_set_size=8, arch=2, revision=None, signature=None, id_=0, raw_name=None,
               counts=None):
    sig, rev = SIG[dialect]
    if signature is not None:
        sig = signature
    if revision is not None:
        rev = revision
    if dialect not in RCPU:
        rcpu_set_size = 0
    cnt = dict(mem=len(mems), cache=len(caches), irq=len(irqchips), pio=len(pios),
               pci=len(pci), caps=len(caps), sids=len(sids), qos=len(qos))
    cnt.update(counts or {})
    if dialect in ARCH_BYTE:
        h = struct.pack('<5sBH', sig, arch, rev)
    else:
        h = struct.pack('<6sH', sig, rev)
    nm = raw_name if raw_name is not None else name.encode().ljust(32, b'\0')
    h += struct.pack('<32sIII', nm, id_, flags, cpu_set_size)
    if dialect in RCPU:
        h += struct.pack('<I', rcpu_set_size)
    h += struct.pack('<7I', cnt['mem'], cnt['cache'], cnt['irq'], cnt['pio'], cnt['pci'],
                     cnt['caps'], cnt['sids'])
    if dialect in QOS:
        h += struct.pack('<I', cnt['qos'])
    h += struct.pack('<IQQ', vpci, reset, timeout)
    h += struct.pack('<QIHHIIQ', *console)
    assert len(h) == HDR[dialect], (dialect, len(h))
    body = bitmap(cpus, cpu_set_size)
    if dialect in RCPU:
        body += bitmap(rcpus, rcpu_set_size)
    for m in mems:
        body += struct.pack('<QQQQQ', *m) if dialect in COLORS else struct.pack('<QQQQ', *m[:4])
    for c in caches:
        body += struct.pack('<IIBBH', *c)
    for q in irqchips:
        body += struct.pack('<QII4I', q[0], q[1], q[2], *q[3])
    for p in pios:
        body += struct.pack('<HH', *p)
    for p in pci:
        body += pack_pci(p)
    for c in caps:
        body += struct.pack('<HHHH', *c)
    for s in sids:
        body += struct.pack('<I', s)
    if dialect in QOS:
        for q in qos:
            body += struct.pack('<15sBI', *q)
    return h + body


def zephyr_demo(dialect='B'):
    """The runPHI zephyr demo of CF §7: 1 CPU word (CPUs 0,1), 13 regions, 1 irqchip,
    2 ivshmem devices."""
    mems = [mem(0x7FAF0000, 0x7FAF0000, 0x1000, 0x81),
            mem(0x7FAF1000, 0x7FAF1000, 0x9000, 0x83),
            mem(0x7FAFA000, 0x7FAFA000, 0x2000, 0x81),
            mem(0x7FAFC000, 0x7FAFC000, 0x2000, 0x81),
            mem(0x7FAFE000, 0x7FAFE000, 0x2000, 0x83)]
    mems += shmem_net(0x7FB00000, 1)
    mems += [mem(0x09000000, 0x09000000, 0x1000, 0x93),
             mem(0x7F900000, 0, 0x10000, 0x47),
             mem(0x70000000, 0x70000000, 0x8000000, 0x4F),
             mem(0, 0x80000000, 0x1000, 0x23)]
    irq = [(0x08000000, 0, 32, [0x2, 0, 0, 0x3000])]
    pci = [ivshmem(0x0000, 0, 2, 3, domain=1, proto=0), ivshmem(0x0008, 5, 1, 2, domain=0, proto=1)]
    return build_cell(dialect, 'qemu-arm64-zephyr-demo', cpus=(0, 1), mems=mems, irqchips=irq,
                      pci=pci, flags=0x40000001, reset=0x70000000, vpci=108)


def kria_like():
    """CF §7.4 synthetic C cell: 532 bytes."""
    mems = shmem_net(0x7E000000, 1) + [
        mem(0xFFE00000, 0xFFE00000, 0x10000, RAM | 0x1000),          # TCM_A
        mem(0x3ED00000, 0x3ED00000, 0x1000000, RAM | 0x200, 0xF0),    # COLORED
        mem(0, 0x80000000, 0x1000, 0x23)]
    return build_cell('C', 'kria-like', cpus=(1,), rcpus=(0,), mems=mems,
                      irqchips=[(0xF9010000, 0, 32, [0, 0, 0, 0])],
                      pci=[ivshmem(0x0008, 0, 1, 2, msi_bits=3)], sids=[0x7F001234, 0])


def build_system(dialect, root_name='Sys-Root', cpus=(0, 1, 2, 3), mems=(), flags=1, arch=2,
                 revision=None, signature=None):
    """CF §5: fixed system header, embedded root cell header, root arrays."""
    fixed = {'A12': (354, 486), 'A13': (356, 488), 'A14': (356, 488), 'B': (448, 584),
             'C': (448, 588)}[dialect]
    sys_sig = {'A14': b'JHSYS'}.get(dialect, b'JHSYST')
    buf = bytearray(fixed[1])
    sig = signature if signature is not None else sys_sig
    buf[0:len(sig)] = sig
    if dialect == 'A14':
        buf[5] = arch
    struct.pack_into('<HI', buf, 6, revision if revision is not None else SIG[dialect][1], flags)
    root = build_cell(dialect, root_name, cpus=cpus, mems=mems, flags=0)
    rh = HDR[dialect]
    buf[fixed[0]:fixed[0] + rh] = root[:rh]
    return bytes(buf) + root[rh:]


# ---------------------------------------------------------------------------

# tmpfs when there is one: the simulator writes many small sysfs files
TMP = '/dev/shm' if os.access('/dev/shm', os.W_OK) else None

CLEAN_ENV = ('JAILHOUSE_SIM_FAIL', 'JAILHOUSE_SIM_INVARIANTS', 'JAILHOUSE_SIM_VERBOSE',
             'JAILHOUSE_SIM_FOLLOW_TIMEOUT')


def usage_head(stdout):
    return stdout.startswith('Usage: jailhouse { COMMAND | --help | --version }\n\nAvailable commands:\n')


class SimCase(unittest.TestCase):
    dialect = 'B'
    cpus = 4
    init_args = ('--memory', '0x40000000:0x80000000')

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix='jhsim-test-', dir=TMP)
        self.env = dict(os.environ, JAILHOUSE_SIM_ROOT=self.root)
        for k in CLEAN_ENV:
            self.env.pop(k, None)
        self.n = 0
        self.init()

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def init(self, *extra, dialect=None, cpus=None):
        args = ['init', '--cpus', str(cpus or self.cpus), '--dialect', dialect or self.dialect]
        args += list(self.init_args) + list(extra)
        r = subprocess.run([SIM] + args, env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def jh(self, *args, env=None, timeout=30):
        e = dict(self.env)
        e.update(env or {})
        return subprocess.run([JH] + list(args), env=e, capture_output=True, text=True,
                              timeout=timeout)

    def sim(self, *args):
        r = subprocess.run([SIM] + list(args), env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def ok(self, *args, env=None):
        r = self.jh(*args, env=env)
        self.assertEqual((r.returncode, r.stderr), (0, ''), args)
        return r

    def fails(self, args, stderr, env=None):
        """Exit 1 and the exact stderr text (first line; more lines only if given)."""
        r = self.jh(*args, env=env)
        self.assertEqual(r.returncode, 1, (args, r.stdout, r.stderr))
        if stderr.endswith('\n'):
            self.assertEqual(r.stderr, stderr)
        else:
            self.assertEqual(r.stderr.split('\n')[0], stderr, r.stderr)
        return r

    def invariant(self, args, prefix, words, env=None):
        r = self.jh(*args, env=env)
        self.assertEqual(r.returncode, 1, (args, r.stderr))
        lines = r.stderr.splitlines()
        self.assertEqual(lines[0], prefix + ': Invalid argument')
        self.assertTrue(lines[1].startswith('jailhouse-sim: runtime invariant violated '
                                            '(real Jailhouse does not check this): '), lines)
        for w in words:
            self.assertIn(w, lines[1])
        return r

    def file(self, data, name=None):
        self.n += 1
        p = os.path.join(self.root, 'files', name or 'f%d' % self.n)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'wb') as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return p

    def cell(self, name='c1', cpus=(1,), base=0x70000000, dialect=None, extra_mems=(), **kw):
        """A plain cell: loadable RAM at virt 0 (1 MiB at phys base), a comm region."""
        mems = [mem(base, 0, 0x100000, RAM), mem(0, 0x80000000, 0x1000, 0x23)] + list(extra_mems)
        kw.setdefault('mems', mems)
        return self.file(build_cell(dialect or self.dialect, name, cpus=cpus, **kw), name + '.cell')

    def sysfs(self, rel):
        with open(os.path.join(self.root, 'sys/devices/jailhouse', rel)) as f:
            return f.read()

    def state(self, cell_id):
        return self.sysfs('cells/%s/state' % cell_id)

    def cell_ids(self):
        p = os.path.join(self.root, 'sys/devices/jailhouse/cells')
        return sorted(os.listdir(p)) if os.path.isdir(p) else []

    def console(self, name):
        with open(os.path.join(self.root, 'console', name + '.log')) as f:
            return f.read()

    def klog(self):
        with open(os.path.join(self.root, 'kernel.log')) as f:
            return f.read()

    def ring(self):
        with open(os.path.join(self.root, 'sim', 'hvconsole.log')) as f:
            return f.read()

    def commands(self):
        with open(os.path.join(self.root, 'commands.log')) as f:
            return [json.loads(line)[1:] for line in f]


# ---------------------------------------------------------------------------
# The builder against the reference's worked examples (CF §7)

class TestBuilderMatchesReference(unittest.TestCase):
    def test_zephyr_b_808_bytes_and_offsets(self):
        b = zephyr_demo('B')
        self.assertEqual(len(b), 808)
        self.assertEqual(b[0:8], b'JHCELL\x0d\x00')
        self.assertEqual(b[0x2C:0x30], bytes.fromhex('01000040'))
        self.assertEqual(b[0x54:0x58], bytes.fromhex('6c000000'))
        self.assertEqual(b[0x58:0x60], bytes.fromhex('0000007000000000'))
        self.assertEqual(b[0x68:0x70], bytes.fromhex('0000000900000000'))
        self.assertEqual(b[0x74:0x78], bytes.fromhex('03000300'))
        self.assertEqual(b[0x88], 0x03)
        self.assertEqual(struct.unpack_from('<QQQQ', b, 0x158), (0x7FB00000, 0x7FB00000, 0x1000, 0x81))
        self.assertEqual(b[0x180:0x1A8], bytes(40))
        self.assertEqual(struct.unpack_from('<Q', b, 0x1D0 + 24)[0], 0x83)
        self.assertEqual(struct.unpack_from('<Q', b, 0x1F8 + 24)[0], 0x93)
        self.assertEqual(struct.unpack_from('<QQQQ', b, 0x270), (0, 0x80000000, 0x1000, 0x23))
        self.assertEqual(struct.unpack_from('<Q', b, 0x298)[0], 0x08000000)
        self.assertEqual(b[0x2B8], 3)
        self.assertEqual(struct.unpack_from('<I', b, 0x2BE)[0], 0xFFFFF000)
        self.assertEqual(b[0x2EC], 2)
        self.assertEqual(struct.unpack_from('<I', b, 0x320)[0], 5)

    def test_zephyr_upstream_700_bytes(self):
        for d, head in (('A12', b'JHCELL\x0c\x00'), ('A13', b'JHCELL\x0d\x00'),
                        ('A14', b'JHCLL\x02\x0e\x00')):
            b = zephyr_demo(d)
            self.assertEqual(len(b), 700, d)
            self.assertEqual(b[:8], head)
            self.assertEqual(struct.unpack_from('<I', b, 0x34)[0], 13)     # num_memory_regions
            self.assertEqual(struct.unpack_from('<Q', b, 0x54)[0], 0x70000000)
            self.assertEqual(b[0x84], 0x03)                               # CPU bitmap

    def test_kria_c_532_bytes_and_offsets(self):
        b = kria_like()
        self.assertEqual(len(b), 532)
        self.assertEqual(b[:8], b'JHCLL\x02\x0e\x00')
        self.assertEqual(b[0x8C], 0x02)        # CPU set
        self.assertEqual(b[0x94], 0x01)        # rCPU set
        self.assertEqual(struct.unpack_from('<Q', b, 0x9C)[0], 0x7E000000)   # memory
        self.assertEqual(struct.unpack_from('<Q', b, 0x1B4)[0], 0xF9010000)  # irqchip
        self.assertEqual(b[0x1D4], 3)          # PCI device
        self.assertEqual(b[0x1F7], 0x03)       # MSI bit-field byte
        self.assertEqual(b[0x20C:0x210], bytes.fromhex('3412007f'))

    def test_decode_tells_colliding_dialects_apart(self):
        tmp = tempfile.mkdtemp()
        try:
            for d, data in (('B', zephyr_demo('B')), ('A13', zephyr_demo('A13')),
                            ('A12', zephyr_demo('A12')), ('A14', zephyr_demo('A14')),
                            ('C', kria_like())):
                p = os.path.join(tmp, d + '.cell')
                with open(p, 'wb') as f:
                    f.write(data)
                env = dict(os.environ)
                env.pop('JAILHOUSE_SIM_ROOT', None)
                r = subprocess.run([SIM, 'decode', p], capture_output=True, text=True, env=env)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                out = json.loads(r.stdout)
                # C and the Omnivisor fork's headers (OV) share one layout.
                self.assertEqual(out['fits'], [d, 'OV'] if d == 'C' else [d])
                self.assertEqual(out['dialect'], d)
                self.assertEqual(out['size'], len(data))
        finally:
            shutil.rmtree(tmp)


    def test_decode_reports_problems(self):
        tmp = tempfile.mkdtemp()
        try:
            p = os.path.join(tmp, 'x.cell')
            with open(p, 'wb') as f:
                f.write(build_cell('B', 'x', mems=[mem(0, 0, 0x1000, RAM, colors=1)]))
            r = subprocess.run([SIM, 'decode', p, '--dialect', 'runphi-rev13'], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            out = json.loads(r.stdout)
            self.assertEqual(out['header']['name'], 'x')
            self.assertEqual(out['memory'][0]['colors'], 1)
            self.assertEqual(len(out['problems']), 1)
            self.assertIn('without COLORED', out['problems'][0])
            r = subprocess.run([SIM, 'decode', p, '--dialect', 'A13'], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn('dialect A13 header counters', json.loads(r.stdout)['problems'][0])
        finally:
            shutil.rmtree(tmp)


# ---------------------------------------------------------------------------
# Each dialect: accepts its own files, rejects the others

class TestDialects(SimCase):
    def test_each_dialect_accepts_valid_cell(self):
        for d in ('A12', 'A13', 'A14', 'B', 'C'):
            with self.subTest(dialect=d):
                self.init(dialect=d)
                p = self.cell('cell-' + d, dialect=d)
                self.ok('cell', 'create', p)
                self.assertEqual(self.sysfs('cells/1/name'), 'cell-%s\n' % d)
                self.assertEqual(self.state(1), 'shut down\n')
                self.ok('cell', 'load', 'cell-' + d, self.file('payload ' + d), '-a', '0x100')
                self.ok('cell', 'start', 'cell-' + d)
                self.assertEqual(self.state(1), 'running\n')
                self.ok('cell', 'destroy', 'cell-' + d)
                self.assertEqual(self.cell_ids(), ['0'])

    def test_zephyr_demo_runs_in_each_dialect(self):
        for d in ('A12', 'A13', 'A14', 'B'):
            with self.subTest(dialect=d):
                self.init(dialect=d)
                p = self.file(zephyr_demo(d))
                self.ok('cell', 'create', p)
                self.assertEqual(self.sysfs('cells/0/cpus_assigned_list'), '2-3\n')
                self.ok('cell', 'load', 'qemu-arm64-zephyr-demo', self.file('zephyr\n'),
                        '-a', '0x70000000', '-s', 'x', '-a', '0x0')
                self.ok('cell', 'start', '1')

    def test_kria_like_cell_in_dialect_c(self):
        self.init('--rcpus', '2', dialect='C')
        self.ok('cell', 'create', self.file(kria_like()))
        self.assertEqual(self.sysfs('cells/1/rcpus_assigned_list'), '0\n')
        self.assertEqual(self.sysfs('cells/0/rcpus_assigned_list'), '1\n')

    def test_wrong_dialect_files(self):
        # CF §0 collisions: same signature and revision, different layout -> caught by length
        pairs = [('B', 'A13'), ('A13', 'B'), ('C', 'A14'), ('A14', 'C')]
        for sim_d, file_d in pairs:
            with self.subTest(sim=sim_d, file=file_d):
                self.init(dialect=sim_d)
                p = self.file(zephyr_demo(file_d) if file_d != 'C' else kria_like())
                self.invariant(('cell', 'create', p), 'JAILHOUSE_CELL_CREATE',
                               ['dialect %s header counters' % sim_d])
                self.assertEqual(self.cell_ids(), ['0'])
        # different signature or revision: Jailhouse's own check, EINVAL, nothing more
        for sim_d, file_d in [('B', 'A12'), ('B', 'A14'), ('A12', 'A13'), ('A14', 'B'), ('C', 'B')]:
            with self.subTest(sim=sim_d, file=file_d):
                self.init(dialect=sim_d)
                self.fails(('cell', 'create', self.cell(dialect=file_d)),
                           'JAILHOUSE_CELL_CREATE: Invalid argument\n')

    def test_bad_signature_revision_and_short_file(self):
        self.fails(('cell', 'create', self.cell(signature=b'JHCELX')),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        self.assertIn('Not a cell configuration', self.klog())
        self.fails(('cell', 'create', self.cell(revision=12)),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        self.assertIn('Configuration revision mismatch', self.klog())
        self.fails(('cell', 'create', self.file(build_cell('B', 'x')[:135])),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        self.fails(('cell', 'create', self.file(b'')), 'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        self.assertEqual(self.cell_ids(), ['0'])

    def test_architecture_mismatch_is_silent_success(self):
        # CLI §0 #12: master bug, exit 0 and nothing created
        for d in ('A14', 'C'):
            with self.subTest(dialect=d):
                self.init(dialect=d)
                self.ok('cell', 'create', self.cell(dialect=d, arch=0))
                self.assertEqual(self.cell_ids(), ['0'])
                self.assertIn('Configuration architecture mismatch', self.klog())
                self.fails(('cell', 'start', 'c1'), 'JAILHOUSE_CELL_START: No such file or directory\n')


# ---------------------------------------------------------------------------

class TestCreateRules(SimCase):
    def test_duplicate_names(self):
        self.ok('cell', 'create', self.cell('dup', cpus=(1,)))
        self.fails(('cell', 'create', self.cell('dup', cpus=(2,))),
                   'JAILHOUSE_CELL_CREATE: File exists\n')
        self.fails(('cell', 'create', self.cell('RootCell', cpus=(2,))),
                   'JAILHOUSE_CELL_CREATE: File exists\n')
        self.assertEqual(self.cell_ids(), ['0', '1'])

    def test_name_length(self):
        ok31 = 'n' * 31
        self.ok('cell', 'create', self.cell(ok31))
        self.assertEqual(self.sysfs('cells/1/name'), ok31 + '\n')
        raw = b'm' * 32
        self.invariant(('cell', 'create', self.cell('x', cpus=(2,), raw_name=raw)),
                       'JAILHOUSE_CELL_CREATE', ['not NUL-terminated'])
        # and with invariants off, Jailhouse cuts the name to 31 bytes
        self.ok('cell', 'create', self.cell('x', cpus=(2,), raw_name=raw),
                env={'JAILHOUSE_SIM_INVARIANTS': '0'})
        self.assertEqual(self.sysfs('cells/2/name'), 'm' * 31 + '\n')
        # a 31-byte prefix of a 32-byte name matches an existing cell: EEXIST
        self.fails(('cell', 'create', self.cell('y', cpus=(3,), raw_name=b'n' * 31 + b'z')),
                   'JAILHOUSE_CELL_CREATE: File exists\n', env={'JAILHOUSE_SIM_INVARIANTS': '0'})

    def test_empty_name_is_invariant(self):
        self.invariant(('cell', 'create', self.cell('')), 'JAILHOUSE_CELL_CREATE', ['name is empty'])

    def test_size_must_match_counters(self):
        good = build_cell('B', 't', cpus=(1,), mems=[mem(0x70000000, 0, 0x100000, RAM)])
        self.invariant(('cell', 'create', self.file(good + b'\0\0\0\0')), 'JAILHOUSE_CELL_CREATE',
                       ['file is 188 bytes', 'give 184', 'ignore the rest'])
        self.invariant(('cell', 'create', self.file(good[:-8])), 'JAILHOUSE_CELL_CREATE',
                       ['file is 176 bytes', 'give 184', 'past the end'])
        wrong_count = build_cell('B', 't', cpus=(1,), mems=[mem(0x70000000, 0, 0x100000, RAM)],
                                 counts={'pci': 1})
        self.invariant(('cell', 'create', self.file(wrong_count)), 'JAILHOUSE_CELL_CREATE',
                       ['give 240'])
        # Jailhouse itself ignores trailing bytes
        self.ok('cell', 'create', self.file(good + b'\0' * 4), env={'JAILHOUSE_SIM_INVARIANTS': '0'})

    def test_cpus_not_owned_by_root(self):
        self.fails(('cell', 'create', self.cell('a', cpus=(4,))),
                   'JAILHOUSE_CELL_CREATE: Device or resource busy\n')
        self.assertIn('no such CPU', self.klog())
        self.ok('cell', 'create', self.cell('a', cpus=(1, 2)))
        self.fails(('cell', 'create', self.cell('b', cpus=(2, 3))),
                   'JAILHOUSE_CELL_CREATE: Device or resource busy\n')
        self.assertIn('owned by cell "a"', self.klog())
        # the root cell must keep a CPU
        self.fails(('cell', 'create', self.cell('b', cpus=(0, 3))),
                   'JAILHOUSE_CELL_CREATE: Device or resource busy\n')
        self.ok('cell', 'create', self.cell('b', cpus=(3,), base=0x71000000))
        self.assertEqual(self.sysfs('cells/0/cpus_assigned_list'), '0\n')

    def test_root_cpus_subset(self):
        self.init('--root-cpus', '0-2')
        self.fails(('cell', 'create', self.cell('a', cpus=(3,))),
                   'JAILHOUSE_CELL_CREATE: Device or resource busy\n')

    def test_x86_cpu0(self):
        self.init('--arch', 'x86')
        self.fails(('cell', 'create', self.cell('a', cpus=(0,))),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        self.assertIn('Cannot assign CPU 0 to other cells', self.klog())

    def test_no_cpu_is_invariant(self):
        self.invariant(('cell', 'create', self.cell('a', cpus=())), 'JAILHOUSE_CELL_CREATE',
                       ['no CPU'])

    def test_cpu_set_size(self):
        self.invariant(('cell', 'create', self.cell('a', cpu_set_size=4)), 'JAILHOUSE_CELL_CREATE',
                       ['multiple of 8'])
        self.fails(('cell', 'create', self.cell('a', cpu_set_size=4104)),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')

    def test_config_larger_than_16_pages(self):
        mems = [mem(0x70000000 + i * 0x1000, i * 0x1000, 0x1000, RAM) for i in range(1700)]
        self.fails(('cell', 'create', self.cell('big', mems=mems)),
                   'JAILHOUSE_CELL_CREATE: Argument list too long\n')

    def test_not_enabled_and_no_module(self):
        self.init('--disabled')
        self.fails(('cell', 'create', self.cell()), 'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        self.init('--no-module')
        self.fails(('cell', 'create', self.cell()),
                   'opening /dev/jailhouse: No such file or directory\n')
        self.assertFalse(os.path.exists(os.path.join(self.root, 'sys/devices/jailhouse')))

    def test_missing_file_and_usage(self):
        self.fails(('cell', 'create', '/nonexistent/x.cell'),
                   'opening /nonexistent/x.cell: No such file or directory\n')
        r = self.jh('cell', 'create')
        self.assertEqual(r.returncode, 1)
        self.assertTrue(usage_head(r.stdout))
        self.assertEqual(r.stderr, '')
        r = self.jh('cell', 'create', 'a', 'b')
        self.assertEqual(r.returncode, 1)
        self.assertTrue(usage_head(r.stdout))

    def test_running_locked_blocks_create_and_destroy(self):
        self.ok('cell', 'create', self.cell('a', cpus=(1,)))
        self.ok('cell', 'create', self.cell('b', cpus=(2,), base=0x71000000))
        self.ok('cell', 'start', 'a')
        self.sim('cell-state', 'a', 'running/locked')
        self.assertEqual(self.state(1), 'running/locked\n')
        self.fails(('cell', 'create', self.cell('c', cpus=(3,), base=0x72000000)),
                   'JAILHOUSE_CELL_CREATE: Operation not permitted\n')
        self.fails(('cell', 'destroy', 'b'), 'JAILHOUSE_CELL_DESTROY: Operation not permitted\n')
        # load and start of other cells stay allowed; its own destroy asks (approve)
        self.ok('cell', 'load', 'b', self.file('x'))
        self.ok('cell', 'start', 'b')
        self.ok('cell', 'destroy', 'a')
        self.ok('cell', 'destroy', 'b')

    def test_memory_overlap_is_runtime_invariant(self):
        self.ok('cell', 'create', self.cell('a', cpus=(1,), base=0x70000000))
        self.invariant(('cell', 'create', self.cell('b', cpus=(2,), base=0x700FF000)),
                       'JAILHOUSE_CELL_CREATE', ['overlaps region 0 of cell "a"', 'ROOTSHARED'])
        # Jailhouse itself does not check it (CLI §2.3 "Not checked")
        self.ok('cell', 'create', self.cell('b', cpus=(2,), base=0x700FF000),
                env={'JAILHOUSE_SIM_INVARIANTS': '0'})

    def test_memory_overlap_allowed_when_both_rootshared(self):
        uart = mem(0x09000000, 0x09000000, 0x1000, 0x93)
        self.ok('cell', 'create', self.cell('a', cpus=(1,), extra_mems=[uart] + shmem_net(0x7FB00000, 0),
                                            pci=[ivshmem(8, 3, 0, 2)]))
        self.ok('cell', 'create', self.cell('b', cpus=(2,), base=0x71000000,
                                            extra_mems=[uart] + shmem_net(0x7FB00000, 1),
                                            pci=[ivshmem(8, 3, 1, 2)]))
        # one side not shared -> invariant
        self.invariant(('cell', 'create', self.cell('c', cpus=(3,), base=0x72000000,
                                                    extra_mems=[mem(0x09000000, 0x09000000, 0x1000, 0x13)])),
                       'JAILHOUSE_CELL_CREATE', ['overlaps'])
        # comm regions (phys 0) never count
        self.ok('cell', 'create', self.cell('d', cpus=(3,), base=0x72000000))

    def test_physical_pci_device_twice_is_invariant(self):
        self.ok('cell', 'create', self.cell('a', cpus=(1,), pci=[pci_dev(0x10)]))
        self.invariant(('cell', 'create', self.cell('b', cpus=(2,), base=0x71000000, pci=[pci_dev(0x10)])),
                       'JAILHOUSE_CELL_CREATE', ['already assigned to cell "a"'])

    def test_ivshmem_rules(self):
        net = shmem_net(0x7FB00000, 1)
        # regions_start + 2 + peers > num_memory_regions: EINVAL (hypervisor)
        self.fails(('cell', 'create', self.cell('a', extra_mems=net, pci=[ivshmem(8, 3, 1, 3)])),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        self.assertIn('exceed 6 memory regions', self.klog())
        # peer id >= 12: EINVAL
        self.fails(('cell', 'create', self.cell('a', extra_mems=net, pci=[ivshmem(8, 0, 12, 2)])),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        # MSI-X vectors > 16
        self.fails(('cell', 'create', self.cell('a', extra_mems=net, pci=[ivshmem(8, 2, 1, 2, msix=17)])),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        # peer id not below peers: runtime invariant
        self.invariant(('cell', 'create', self.cell('a', extra_mems=net, pci=[ivshmem(8, 2, 2, 2)])),
                       'JAILHOUSE_CELL_CREATE', ['peer id 2 is not below peers 2'])
        # endpoint (BDF + peer id) taken: EBUSY
        self.ok('cell', 'create', self.cell('a', extra_mems=net, pci=[ivshmem(8, 2, 1, 2)]))
        self.fails(('cell', 'create', self.cell('b', cpus=(2,), base=0x71000000, extra_mems=net,
                                                pci=[ivshmem(8, 2, 1, 2)])),
                   'JAILHOUSE_CELL_CREATE: Device or resource busy\n')
        self.ok('cell', 'create', self.cell('b', cpus=(2,), base=0x71000000,
                                            extra_mems=shmem_net(0x7FB00000, 0),
                                            pci=[ivshmem(8, 2, 0, 2)]))

    def test_irqchip_pin_base(self):
        self.fails(('cell', 'create', self.cell('a', irqchips=[(0x08000000, 0, 33, [0, 0, 0, 0])])),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        self.ok('cell', 'create', self.cell('a', irqchips=[(0x08000000, 0, 160, [1, 0, 0, 0])]))

    def test_lints(self):
        cases = [
            (dict(extra_mems=[mem(0x7E000000, 0x7E000000, 0x1000, RAM | 0x1000)]), 'does not define'),
            (dict(extra_mems=[mem(0x7E000000, 0x7E000000, 0x1000, RAM, colors=3)]), 'without COLORED'),
            (dict(extra_mems=[mem(0x7E000000, 0x7E000000, 0x1000, RAM | 0x800)]), 'TMP_ROOT_REMAP'),
            (dict(mems=[mem(0x70000000, 0, 0x100000, RAM), mem(0x1000, 0x80000000, 0x1000, 0x23)]),
             'comm region 1 has phys_start'),
            (dict(flags=0x10), 'cell flags 0x10'),
            (dict(console=(0, 0, 11, 0, 0, 0, 0)), 'console type 11'),
            (dict(console=(0, 0, 3, 0x8, 0, 0, 0)), 'reserved bits'),
            (dict(id_=5), 'header id is 5'),
            (dict(pci=[dict(pci_dev(8), type=4)]), 'unknown type 4'),
            (dict(pci=[dict(pci_dev(8), msi_bits=4)]), 'MSI bit-field'),
            (dict(pci=[dict(pci_dev(8), num_caps=2)]), 'exceed num_pci_caps'),
        ]
        for kw, words in cases:
            with self.subTest(words=words):
                self.invariant(('cell', 'create', self.cell('lint', **kw)),
                               'JAILHOUSE_CELL_CREATE', [words])
        self.ok('cell', 'create', self.cell('colored', extra_mems=[
            mem(0x7E000000, 0x7E000000, 0x1000, RAM | 0x200, colors=3)]))

    def test_a12_has_no_aarch32_flag(self):
        self.init(dialect='A12')
        self.invariant(('cell', 'create', self.cell('a', dialect='A12', flags=0x5)),
                       'JAILHOUSE_CELL_CREATE', ['cell flags 0x5'])
        self.init(dialect='A13')
        self.ok('cell', 'create', self.cell('a', dialect='A13', flags=0x5))


# ---------------------------------------------------------------------------

class TestCpuAccounting(SimCase):
    cpus = 8

    def test_cpus_move_and_return(self):
        self.assertEqual(self.sysfs('cells/0/cpus_assigned_list'), '0-7\n')
        self.assertEqual(self.sysfs('cells/0/cpus_assigned'), 'ff\n')
        self.assertEqual(self.sysfs('cells/0/name'), 'RootCell\n')
        self.assertEqual(self.sysfs('cells/0/state'), 'running\n')
        self.ok('cell', 'create', self.cell('a', cpus=(2, 3)))
        self.ok('cell', 'create', self.cell('b', cpus=(6,), base=0x71000000))
        self.assertEqual(self.sysfs('cells/0/cpus_assigned_list'), '0-1,4-5,7\n')
        self.assertEqual(self.sysfs('cells/0/cpus_assigned'), 'b3\n')
        self.assertEqual(self.sysfs('cells/1/cpus_assigned'), '0c\n')
        self.assertEqual(self.sysfs('cells/1/cpus_assigned_list'), '2-3\n')
        self.assertEqual(self.sysfs('cells/2/cpus_assigned_list'), '6\n')
        self.assertEqual(self.sysfs('cells/1/cpus_failed'), '00\n')
        self.assertEqual(self.sysfs('cells/1/cpus_failed_list'), '\n')
        stats = os.path.join(self.root, 'sys/devices/jailhouse/cells')
        self.assertTrue(os.path.isdir(os.path.join(stats, '1/statistics/cpu2')))
        self.assertFalse(os.path.isdir(os.path.join(stats, '0/statistics/cpu2')))
        self.assertEqual(self.sysfs('cells/1/statistics/vmexits_total'), '0\n')
        self.ok('cell', 'destroy', 'a')
        self.assertEqual(self.sysfs('cells/0/cpus_assigned_list'), '0-5,7\n')
        self.assertTrue(os.path.isdir(os.path.join(stats, '0/statistics/cpu2')))
        self.assertEqual(self.cell_ids(), ['0', '2'])
        # lowest free id is reused
        self.ok('cell', 'create', self.cell('c', cpus=(1,)))
        self.assertEqual(self.sysfs('cells/1/name'), 'c\n')

    def test_wide_cpumask(self):
        self.init(cpus=64)
        self.ok('cell', 'create', self.cell('a', cpus=(33, 62)))
        self.assertEqual(self.sysfs('cells/1/cpus_assigned'), '40000002,00000000\n')
        self.assertEqual(self.sysfs('cells/1/cpus_assigned_list'), '33,62\n')

    def test_failed_cpus(self):
        self.ok('cell', 'create', self.cell('a', cpus=(2, 3)))
        self.ok('cell', 'start', 'a')
        self.sim('cpu-fail', 'a', '3')
        self.assertEqual(self.sysfs('cells/1/cpus_failed_list'), '3\n')
        self.assertEqual(self.state(1), 'running\n')
        self.sim('cpu-fail', 'a', '2')
        self.assertEqual(self.state(1), 'failed\n')
        # load clears the failed flags and needs no answer from a failed cell
        self.ok('cell', 'shutdown', 'a')
        self.assertEqual(self.sysfs('cells/1/cpus_failed_list'), '\n')
        self.assertEqual(self.state(1), 'shut down\n')


# ---------------------------------------------------------------------------

class TestStateMachine(SimCase):
    def test_life_cycle(self):
        img = self.file('first image\nmore\n')
        self.ok('cell', 'create', self.cell('a', flags=0x40000001))
        self.assertEqual(self.state(1), 'shut down\n')
        self.ok('cell', 'load', 'a', img)
        self.assertEqual(self.state(1), 'shut down\n')
        self.ok('cell', 'start', 'a')
        self.assertEqual(self.state(1), 'running\n')
        self.assertIn('Hello from cell a\n  image %s @0x0, 17 bytes: "first image"\n' % img,
                      self.console('a'))
        # start on a running cell is a restart without reloading
        self.ok('cell', 'start', 'a')
        self.assertEqual(self.console('a').count('Hello from cell a'), 2)
        # load into a running (passive) cell: no question, shut down
        self.ok('cell', 'load', 'a', self.file('second'), '-a', '0x10')
        self.assertEqual(self.state(1), 'shut down\n')
        self.ok('cell', 'start', 'a')
        self.assertIn('"second"', self.console('a').split('Hello from cell a')[-1])
        self.ok('cell', 'shutdown', 'a')
        self.assertEqual(self.state(1), 'shut down\n')
        self.ok('cell', 'shutdown', 'a')
        self.ok('cell', 'start', 'a')
        self.ok('cell', 'destroy', 'a')
        self.assertEqual(self.cell_ids(), ['0'])
        ring = self.ring()
        for line in ('Created cell "a"', 'Cell "a" can be loaded', 'Started cell "a"',
                     'Closing cell "a"', 'Page pool usage after cell creation',
                     'Page pool usage after cell destruction'):
            self.assertIn(line, ring)
        self.assertIn('Created Jailhouse cell "a"', self.klog())
        self.assertIn('Destroyed Jailhouse cell "a"', self.klog())

    def test_can_be_loaded_printed_once_per_stop(self):
        self.ok('cell', 'create', self.cell('a'))
        self.ok('cell', 'load', 'a', self.file('x'))
        self.ok('cell', 'load', 'a', self.file('y'))
        self.assertEqual(self.ring().count('Cell "a" can be loaded'), 1)
        self.ok('cell', 'start', 'a')
        self.ok('cell', 'shutdown', 'a')
        self.assertEqual(self.ring().count('Cell "a" can be loaded'), 2)

    def test_start_without_load(self):
        self.ok('cell', 'create', self.cell('a'))
        self.ok('cell', 'start', 'a')
        self.assertEqual(self.state(1), 'running\n')
        self.assertIn('Hello from cell a (no image loaded)', self.console('a'))

    def test_destroy_from_any_state(self):
        for st in ('running', 'shut down', 'failed', 'invalid'):
            with self.subTest(state=st):
                self.ok('cell', 'create', self.cell('a'))
                self.ok('cell', 'start', 'a')
                self.sim('cell-state', 'a', st)
                self.ok('cell', 'destroy', 'a')
                self.assertEqual(self.cell_ids(), ['0'])
                self.assertEqual(self.sysfs('cells/0/cpus_assigned_list'), '0-3\n')

    def test_root_cell_refuses(self):
        self.fails(('cell', 'start', '0'), 'JAILHOUSE_CELL_START: Invalid argument\n')
        self.fails(('cell', 'load', '0', self.file('x')), 'JAILHOUSE_CELL_LOAD: Invalid argument\n')
        self.fails(('cell', 'shutdown', 'RootCell'), 'JAILHOUSE_CELL_LOAD: Invalid argument\n')
        self.fails(('cell', 'destroy', '--name', 'RootCell'), 'JAILHOUSE_CELL_DESTROY: Invalid argument\n')

    def test_unknown_cell(self):
        self.fails(('cell', 'start', 'nope'), 'JAILHOUSE_CELL_START: No such file or directory\n')
        self.fails(('cell', 'shutdown', '7'), 'JAILHOUSE_CELL_LOAD: No such file or directory\n')
        self.fails(('cell', 'destroy', 'nope'), 'JAILHOUSE_CELL_DESTROY: No such file or directory\n')
        self.fails(('cell', 'load', 'nope', self.file('x')), 'JAILHOUSE_CELL_LOAD: No such file or directory\n')

    def test_not_enabled(self):
        self.init('--disabled')
        self.fails(('cell', 'start', 'x'), 'JAILHOUSE_CELL_START: Invalid argument\n')
        self.fails(('cell', 'shutdown', 'x'), 'JAILHOUSE_CELL_LOAD: Invalid argument\n')

    def test_non_passive_cell_is_asked(self):
        self.ok('cell', 'create', self.cell('a', flags=0))
        self.ok('cell', 'start', 'a')
        # default: the simulated cell approves
        self.ok('cell', 'shutdown', 'a')
        self.ok('cell', 'start', 'a')
        self.sim('cell-reply', 'a', 'deny')
        self.fails(('cell', 'shutdown', 'a'), 'JAILHOUSE_CELL_LOAD: Operation not permitted\n')
        self.fails(('cell', 'load', 'a', self.file('x')), 'JAILHOUSE_CELL_LOAD: Operation not permitted\n')
        self.fails(('cell', 'start', 'a'), 'JAILHOUSE_CELL_START: Operation not permitted\n')
        self.fails(('cell', 'destroy', 'a'), 'JAILHOUSE_CELL_DESTROY: Operation not permitted\n')
        self.assertEqual(self.state(1), 'running\n')
        self.sim('cell-reply', 'a', 'unknown')
        self.fails(('cell', 'shutdown', 'a'), 'JAILHOUSE_CELL_LOAD: Operation not permitted\n')
        # a cell that is shut down is not asked
        self.sim('cell-state', 'a', 'shut down')
        self.ok('cell', 'start', 'a')
        self.sim('cell-reply', 'a', 'approve')
        self.ok('cell', 'destroy', 'a')

    def test_passive_cell_is_not_asked(self):
        self.sim('cell-reply', 'a', 'deny')
        self.ok('cell', 'create', self.cell('a', flags=0x1))
        self.ok('cell', 'start', 'a')
        self.ok('cell', 'shutdown', 'a')
        self.ok('cell', 'start', 'a')
        self.ok('cell', 'destroy', 'a')

    def test_reply_timeout_marks_failed(self):
        self.sim('cell-reply', 'a', 'none')
        self.ok('cell', 'create', self.cell('a', flags=0, timeout=1000))
        self.ok('cell', 'start', 'a')
        self.ok('cell', 'shutdown', 'a')
        self.assertEqual(self.state(1), 'shut down\n')
        self.assertIn('marked failed', self.klog())

    def test_no_reply_hangs_until_answered(self):
        self.sim('cell-reply', 'a', 'none')
        self.ok('cell', 'create', self.cell('a', flags=0))
        self.ok('cell', 'start', 'a')
        e = dict(self.env)
        p = subprocess.Popen([JH, 'cell', 'shutdown', 'a'], env=e, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.6)
            self.assertIsNone(p.poll(), 'the CLI should hang (CLI §4)')
            self.sim('cell-reply', 'a', 'approve')
            out, err = p.communicate(timeout=10)
            self.assertEqual((p.returncode, err), (0, ''))
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(self.state(1), 'shut down\n')

    def test_comm_abi_mismatch_cannot_answer(self):
        self.ok('cell', 'create', self.cell('a', flags=0, timeout=5))
        self.ok('cell', 'start', 'a')
        self.sim('cell-state', 'a', 'Comm ABI mismatch')
        self.assertEqual(self.state(1), 'Comm ABI mismatch\n')
        self.ok('cell', 'destroy', 'a')      # times out -> failed -> proceeds
        self.assertIn('marked failed', self.klog())


# ---------------------------------------------------------------------------

class TestLoad(SimCase):
    def setUp(self):
        SimCase.setUp(self)
        mems = [mem(0x70000000, 0, 0x10000, RAM),
                mem(0x70100000, 0x100000, 0x100000, RAM | DMA),
                mem(0x70300000, 0x300000, 0x1000, R | W | X),           # not loadable
                mem(0x70400000, 0x400000, 0x1000, R | X | LOAD),        # not writable
                mem(0xD0000000, 0x500000, 0x1000, RAM),                 # outside root memory
                mem(0, 0x80000000, 0x1000, 0x23)]
        self.ok('cell', 'create', self.cell('a', mems=mems))

    def test_good_loads(self):
        self.ok('cell', 'load', 'a', self.file(b'A' * 0x10000), '-a', '0')
        self.ok('cell', 'load', 'a', self.file('k'), '--address', '0x1FFFFF')
        self.ok('cell', 'load', 'a', self.file('x'), '-a', '010', self.file('y'), '-a', '1048576',
                '--string', 'con-base=0x2f8', '-a', '0x1000')
        self.ok('cell', 'start', 'a')
        c = self.console('a')
        self.assertIn('image -s @0x1000, 15 bytes: "con-base=0x2f8"', c)
        self.assertIn('@0x8, 1 bytes: "x"', c)
        self.assertIn('@0x100000, 1 bytes: "y"', c)

    def test_default_address_is_zero(self):
        self.ok('cell', 'load', 'a', self.file('zero'))
        self.ok('cell', 'start', 'a')
        self.assertIn('@0x0, 4 bytes: "zero"', self.console('a'))

    def test_binary_preview(self):
        self.ok('cell', 'load', 'a', self.file(b'\x7fELF\x02\x01\x01\x00' + bytes(8)))
        self.ok('cell', 'start', 'a')
        self.assertIn('binary 7f454c46020101000000000000000000', self.console('a'))

    def test_rejected_images(self):
        cases = [('0x10000', 1), ('0x0', 0x10001), ('0x300000', 1), ('0x400000', 1),
                 ('0x80000000', 1), ('0x900000', 1)]
        for addr, size in cases:
            with self.subTest(addr=addr):
                self.fails(('cell', 'load', 'a', self.file(b'z' * size), '-a', addr),
                           'JAILHOUSE_CELL_LOAD: Invalid argument\n')

    def test_outside_root_memory_faults(self):
        self.fails(('cell', 'load', 'a', self.file('z'), '-a', '0x500000'),
                   'JAILHOUSE_CELL_LOAD: Bad address\n')
        self.assertIn("outside the root cell's memory", self.klog())

    def test_empty_image_is_skipped(self):
        self.ok('cell', 'load', 'a', self.file(b''), '-a', '0x900000')

    def test_partial_load_keeps_earlier_images(self):
        self.ok('cell', 'start', 'a')
        self.fails(('cell', 'load', 'a', self.file('good'), '-a', '0x100', self.file('bad'), '-a',
                    '0x300000'), 'JAILHOUSE_CELL_LOAD: Invalid argument\n')
        self.assertEqual(self.state(1), 'shut down\n')
        self.ok('cell', 'start', 'a')
        self.assertIn('"good"', self.console('a'))
        self.assertNotIn('"bad"', self.console('a'))

    def test_missing_file_changes_nothing(self):
        self.ok('cell', 'start', 'a')
        self.fails(('cell', 'load', 'a', self.file('x'), '/nonexistent/img'),
                   'opening /nonexistent/img: No such file or directory\n')
        self.assertEqual(self.state(1), 'running\n')
        # -a in image position is a file name (CLI §1.3)
        self.fails(('cell', 'load', 'a', '-a', '0x100', self.file('x')),
                   'opening -a: No such file or directory\n')
        d = os.path.join(self.root, 'adir')
        os.mkdir(d)
        self.fails(('cell', 'load', 'a', d), 'reading %s: Is a directory\n' % d)

    def test_usage_errors(self):
        for args in (('cell', 'load', 'a'), ('cell', 'load'), ('cell', 'load', 'a', 'f', '-a'),
                     ('cell', 'load', 'a', 'f', '-a', '0x1g'), ('cell', 'load', 'a', '-s'),
                     ('cell', 'load', '--name')):
            with self.subTest(args=args):
                r = self.jh(*args)
                self.assertEqual(r.returncode, 1)
                self.assertTrue(usage_head(r.stdout), r.stdout)

    def test_rcpu_flag_is_a_file_name_outside_the_fork(self):
        self.fails(('cell', 'load', 'a', '-r', 'fw.elf', '0'),
                   'opening -r: No such file or directory\n')


# ---------------------------------------------------------------------------

class TestAddressing(SimCase):
    cpus = 8

    def setUp(self):
        SimCase.setUp(self)
        self.ok('cell', 'create', self.cell('first', cpus=(1,)))                        # id 1
        self.ok('cell', 'create', self.cell('123', cpus=(2,), base=0x71000000))         # id 2
        self.ok('cell', 'create', self.cell('08', cpus=(3,), base=0x72000000))          # id 3
        self.ok('cell', 'create', self.cell('-1', cpus=(4,), base=0x73000000))          # id 4
        self.ok('cell', 'create', self.cell('x' * 31, cpus=(5,), base=0x74000000))      # id 5

    def started(self, arg, cell_id):
        self.ok('cell', 'start', arg)
        self.assertEqual(self.state(cell_id), 'running\n', arg)
        self.ok('cell', 'shutdown', '--name', self.sysfs('cells/%d/name' % cell_id)[:-1])

    def test_ids(self):
        for arg, cid in (('1', 1), ('01', 1), ('0x1', 1), ('0X2', 2), ('+1', 1), (' 1', 1),
                         ('4294967297', 1), ('-4294967295', 1), ('010', None)):
            with self.subTest(arg=arg):
                if cid is None:   # octal 010 = 8: no such id
                    self.fails(('cell', 'start', arg), 'JAILHOUSE_CELL_START: No such file or directory\n')
                else:
                    self.started(arg, cid)

    def test_names(self):
        self.started('first', 1)
        self.started('08', 3)        # not a complete octal number -> name
        self.started('-1', 4)        # negative -> name
        self.started('x' * 40, 5)    # cut to 31 bytes
        # an all-digit name is only reachable with --name
        self.fails(('cell', 'start', '123'), 'JAILHOUSE_CELL_START: No such file or directory\n')
        self.ok('cell', 'start', '--name', '123')
        self.assertEqual(self.state(2), 'running\n')
        self.fails(('cell', 'start', '1 '), 'JAILHOUSE_CELL_START: No such file or directory\n')
        self.fails(('cell', 'start', 'First'), 'JAILHOUSE_CELL_START: No such file or directory\n')

    def test_empty_string_is_root(self):
        self.fails(('cell', 'start', ''), 'JAILHOUSE_CELL_START: Invalid argument\n')

    def test_too_big_is_name(self):
        self.fails(('cell', 'destroy', '99999999999999999999'),
                   'JAILHOUSE_CELL_DESTROY: No such file or directory\n')

    def test_extra_args_are_usage(self):
        r = self.jh('cell', 'start', 'first', 'extra')
        self.assertEqual(r.returncode, 1)
        self.assertTrue(usage_head(r.stdout))
        r = self.jh('cell', 'destroy', '--name')
        self.assertEqual(r.returncode, 1)
        self.assertTrue(usage_head(r.stdout))


# ---------------------------------------------------------------------------

class TestList(SimCase):
    def test_format(self):
        self.ok('cell', 'create', self.cell('demo', cpus=(1, 2)))
        r = self.ok('cell', 'list')
        row = lambda *v: ''.join('%-*s' % (w, x) for w, x in zip((8, 24, 18, 24, 24), v)) + '\n'
        self.assertEqual(r.stdout, row('ID', 'Name', 'State', 'Assigned CPUs', 'Failed CPUs')
                         + row('0', 'RootCell', 'running', '0,3', '')
                         + row('1', 'demo', 'shut down', '1-2', ''))
        self.assertTrue(r.stdout.split('\n')[0].endswith('Failed CPUs             '))

    def test_sorted_as_strings(self):
        self.init(cpus=12)
        for i in range(1, 11):
            self.ok('cell', 'create', self.cell('c%d' % i, cpus=(i,), base=0x70000000 + i * 0x1000000))
        ids = [line.split()[0] for line in self.ok('cell', 'list').stdout.splitlines()[1:]]
        self.assertEqual(ids, ['0', '1', '10', '2', '3', '4', '5', '6', '7', '8', '9'])

    def test_disabled_or_no_module_prints_nothing(self):
        for flag in ('--disabled', '--no-module'):
            self.init(flag)
            r = self.ok('cell', 'list')
            self.assertEqual(r.stdout, '')

    def test_usage(self):
        r = self.jh('cell', 'list', 'x')
        self.assertEqual(r.returncode, 1)
        self.assertTrue(usage_head(r.stdout))


# ---------------------------------------------------------------------------

class TestFailureInjection(SimCase):
    def test_env(self):
        p = self.cell('a')
        self.fails(('cell', 'create', p), 'JAILHOUSE_CELL_CREATE: Cannot allocate memory\n',
                   env={'JAILHOUSE_SIM_FAIL': 'cell create'})
        self.assertEqual(self.cell_ids(), ['0'])
        self.ok('cell', 'create', p)
        env = {'JAILHOUSE_SIM_FAIL': 'cell load EBUSY;cell start'}
        self.fails(('cell', 'load', 'a', self.file('x')), 'JAILHOUSE_CELL_LOAD: Device or resource busy\n', env=env)
        self.fails(('cell', 'start', 'a'), 'JAILHOUSE_CELL_START: Operation not permitted\n', env=env)
        self.assertEqual(self.state(1), 'shut down\n')
        self.fails(('cell', 'shutdown', 'a'), 'JAILHOUSE_CELL_LOAD: Input/output error\n',
                   env={'JAILHOUSE_SIM_FAIL': 'cell shutdown errno=5'})
        self.fails(('cell', 'destroy', 'a'), 'JAILHOUSE_CELL_DESTROY: Operation not permitted\n',
                   env={'JAILHOUSE_SIM_FAIL': 'cell destroy'})
        self.fails(('cell', 'list',), 'scandir: Input/output error\n',
                   env={'JAILHOUSE_SIM_FAIL': 'cell list'})
        self.fails(('console',), 'read(console): Input/output error\n',
                   env={'JAILHOUSE_SIM_FAIL': 'console'})
        self.fails(('disable',), 'JAILHOUSE_DISABLE: Operation not permitted\n',
                   env={'JAILHOUSE_SIM_FAIL': 'disable'})
        self.assertEqual(self.cell_ids(), ['0', '1'])

    def test_file_with_cell_and_once(self):
        self.ok('cell', 'create', self.cell('a', cpus=(1,)))
        self.ok('cell', 'create', self.cell('b', cpus=(2,), base=0x71000000))
        with open(os.path.join(self.root, 'fail'), 'w') as f:
            f.write('# comment\ncell start b ENODEV once\ncell destroy 1\n')
        self.ok('cell', 'start', 'a')
        self.fails(('cell', 'start', 'b'), 'JAILHOUSE_CELL_START: No such device\n')
        self.ok('cell', 'start', 'b')                     # "once" entry consumed
        self.fails(('cell', 'destroy', 'a'), 'JAILHOUSE_CELL_DESTROY: Operation not permitted\n')
        self.ok('cell', 'destroy', 'b')

    def test_file_errors_come_first(self):
        self.fails(('cell', 'create', '/nonexistent'), 'opening /nonexistent: No such file or directory\n',
                   env={'JAILHOUSE_SIM_FAIL': 'cell create'})
        r = self.jh('cell', 'start', env={'JAILHOUSE_SIM_FAIL': 'cell start'})
        self.assertTrue(usage_head(r.stdout))

    def test_commands_log(self):
        p = self.cell('a')
        self.ok('cell', 'create', p)
        self.ok('cell', 'load', 'a', self.file('x'), '-a', '0x10', '-s', 'with space')
        self.jh('cell', 'start', 'a', env={'JAILHOUSE_SIM_FAIL': 'cell start'})
        self.jh('cell', 'bogus')
        self.assertEqual(self.commands()[0], ['cell', 'create', p])
        self.assertEqual(self.commands()[1][4:], ['-a', '0x10', '-s', 'with space'])
        self.assertEqual(self.commands()[2:], [['cell', 'start', 'a'], ['cell', 'bogus']])


# ---------------------------------------------------------------------------

def inmate_demo_like(flags=0xC0000001, cpus=(2,), ram=0x70000000):
    """A cell laid out as upstream's qemu-arm64 inmate-demo (A14): the demo
    ivshmem device at 00:00.0 as peer 1 of 3 (only its own output writable),
    no UART interrupt, the device's INTx 144 = 32 + vpci_irq_base 112."""
    mems = [mem(0x7FAF0000, 0x7FAF0000, 0x1000, R | RSH),
            mem(0x7FAF1000, 0x7FAF1000, 0x9000, R | W | RSH),
            mem(0x7FAFA000, 0x7FAFA000, 0x2000, R | RSH),
            mem(0x7FAFC000, 0x7FAFC000, 0x2000, R | W | RSH),
            mem(0x7FAFE000, 0x7FAFE000, 0x2000, R | RSH),
            mem(0x09000000, 0x09000000, 0x1000, R | W | IO | RSH),
            mem(ram, 0, 0x100000, RAM),
            mem(0, 0x80000000, 0x1000, 0x23)]
    gic = (0x08000000, 0, 32, (0, 0, 0, 1 << (144 - 128)))
    demo = ivshmem(0, 0, 1, 3, domain=1, proto=0)
    return build_cell('A14', 'inmate-demo', cpus=cpus, mems=mems, irqchips=[gic], pci=[demo],
                      flags=flags, vpci=112)


class TestUpstreamRev14(SimCase):
    """Upstream Jailhouse on QEMU virt: revision 14, "JHCLL" + architecture."""
    dialect = 'A14'
    init_args = ('--memory', '0x70000000:0xf800000', '--memory', '0x7faf0000:0x10000')

    def test_inmate_demo_layout_is_accepted(self):
        p = self.file(inmate_demo_like())
        self.ok('cell', 'create', p)
        self.assertEqual(self.cell_ids(), ['0', '1'])
        r = subprocess.run([SIM, 'decode', p], env=self.env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual(json.loads(r.stdout)['problems'], [])

    def test_fork_cell_is_not_a_cell_configuration(self):
        # runPHI's qemu-arm64 cells are dialect B ("JHCELL", revision 13).
        self.fails(('cell', 'create', self.file(zephyr_demo('B'))), 'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        self.assertIn('Not a cell configuration', self.klog())
        self.assertEqual(self.cell_ids(), ['0'])
        # and an Omnivisor cell: same signature and revision, another layout
        self.invariant(('cell', 'create', self.file(kria_like())), 'JAILHOUSE_CELL_CREATE',
                       ['dialect A14 header counters'])
        self.assertEqual(self.cell_ids(), ['0'])

    def test_guest_output_reaches_the_console_only_with_active(self):
        self.ok('cell', 'create', self.cell('permitted', cpus=(1,), flags=0x40000001))
        self.ok('cell', 'create', self.cell('active', cpus=(2,), base=0x71000000, flags=0xC0000001))
        for n in ('permitted', 'active'):
            self.ok('cell', 'load', n, self.file('I am %s\n' % n))
            self.ok('cell', 'start', n)
            self.assertIn('Hello from cell %s\n' % n, self.console(n))   # its UART always
        ring = self.ok('console').stdout
        self.assertIn('Started cell "permitted"', ring)
        self.assertNotIn('Hello from cell permitted', ring)
        self.assertIn('Hello from cell active', ring)
        self.assertIn('"I am active"', ring)

    def test_active_alone_is_enough(self):
        # ACTIVE implies PERMITTED (the driver adds it, CLI §5).
        self.ok('cell', 'create', self.cell('a', flags=0x80000001))
        self.ok('cell', 'start', 'a')
        self.assertIn('Hello from cell a', self.ok('console').stdout)


class TestOmnivisorFork(SimCase):
    """The Omnivisor fork's headers (OV): C's layout, console type 11 = LINFLEX."""
    dialect = 'OV'
    init_args = ('--memory', '0x3ed00000:0x8000000', '--rcpus', '2')

    def plain(self, dialect, console_type):
        mems = [mem(0x3ED00000, 0, 0x100000, RAM), mem(0, 0x80000000, 0x1000, 0x23)]
        return self.file(build_cell(dialect, 'lf', mems=mems, console=(0x401C8000, 0x3000, console_type, 3, 0, 0, 0)))

    def test_console_type_11_is_a_fork_type(self):
        self.ok('cell', 'create', self.plain('OV', 11))
        self.init(dialect='C')
        self.invariant(('cell', 'create', self.plain('C', 11)), 'JAILHOUSE_CELL_CREATE', ['console type'])

    def test_kria_like_cell_loads(self):
        self.ok('cell', 'create', self.file(kria_like()))


class TestConsole(SimCase):
    def test_ring_needs_permitted_flag(self):
        self.ok('cell', 'create', self.cell('quiet', cpus=(1,), flags=0x1))
        self.ok('cell', 'create', self.cell('loud', cpus=(2,), base=0x71000000, flags=0x40000001))
        self.ok('cell', 'create', self.cell('active', cpus=(3,), base=0x72000000, flags=0x80000001))
        for n in ('quiet', 'loud', 'active'):
            self.ok('cell', 'load', n, self.file('I am %s\n' % n))
            self.ok('cell', 'start', n)
            self.assertIn('Hello from cell %s\n' % n, self.console(n))
        ring = self.ok('console').stdout
        self.assertIn('Started cell "quiet"', ring)
        self.assertNotIn('Hello from cell quiet', ring)
        self.assertIn('Hello from cell loud', ring)
        self.assertIn('"I am loud"', ring)
        self.assertIn('Hello from cell active', ring)
        self.assertEqual(ring, self.ring())
        self.assertEqual(self.sysfs('console'), ring[-2048:])

    def test_missed_bytes(self):
        self.ok('cell', 'create', self.cell('a', flags=0x40000001))
        for i in range(30):
            self.sim('cell-print', 'a', 'line %02d ' % i + 'x' * 90)
        full = self.ring()
        self.assertGreater(len(full), 2048)
        out = self.ok('console').stdout
        self.assertEqual(out, '<missed %d bytes of console log>\n' % (len(full) - 2048) + full[-2048:])

    def test_console_errors(self):
        self.init('--no-virtual-console')
        self.fails(('console',), 'read(console): Operation not permitted\n')
        self.ok('cell', 'create', self.cell('a', flags=0x40000001))
        self.ok('cell', 'start', 'a')
        self.assertIn('Hello from cell a', self.console('a'))    # the cell's own UART still works
        self.init('--disabled')
        self.fails(('console',), 'read(console): Resource temporarily unavailable\n')
        self.init('--no-module')
        self.fails(('console',), 'opening /dev/jailhouse: No such file or directory\n')
        r = self.jh('console', '-x')
        self.assertTrue(usage_head(r.stdout))

    def test_follow(self):
        self.ok('cell', 'create', self.cell('a', flags=0x40000001))
        p = subprocess.Popen([JH, 'console', '-f'], env=dict(self.env, JAILHOUSE_SIM_FOLLOW_TIMEOUT='3'),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.4)
            self.ok('cell', 'start', 'a')
            self.sim('cell-print', 'a', 'late line')
            out, err = p.communicate(timeout=10)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertIn('Created cell "a"', out)
        self.assertIn('Hello from cell a', out)
        self.assertIn('late line', out)

    def test_sim_console_reader(self):
        self.ok('cell', 'create', self.cell('a'))
        self.ok('cell', 'start', 'a')
        r = self.sim('console', 'a')
        self.assertEqual(r.stdout, 'Hello from cell a (no image loaded)\n')
        # a new cell of the same name starts with an empty console
        self.ok('cell', 'destroy', 'a')
        self.ok('cell', 'create', self.cell('a'))
        self.assertEqual(self.console('a'), '')


# ---------------------------------------------------------------------------

class TestEnableDisable(SimCase):
    def test_disable_destroys_cells(self):
        self.ok('cell', 'create', self.cell('a', cpus=(1,)))
        self.ok('cell', 'create', self.cell('b', cpus=(2,), base=0x71000000))
        self.ok('cell', 'start', 'a')
        self.ok('disable', 'ignored-extra')
        self.assertEqual(self.sysfs('enabled'), '0\n')
        self.assertEqual(self.cell_ids(), [])
        self.assertEqual(self.sysfs('mem_pool_used'), '0\n')
        self.assertIn('The Jailhouse was closed.', self.klog())
        self.fails(('disable',), 'JAILHOUSE_DISABLE: Invalid argument\n')
        self.assertTrue(os.path.exists(os.path.join(self.root, 'sys/devices/jailhouse/core')))

    def test_disable_stops_at_locked_cell(self):
        self.ok('cell', 'create', self.cell('a', cpus=(1,)))
        self.ok('cell', 'create', self.cell('b', cpus=(2,), base=0x71000000))
        self.ok('cell', 'start', 'b')
        self.sim('cell-state', 'b', 'running/locked')
        self.fails(('disable',), 'JAILHOUSE_DISABLE: Operation not permitted\n')
        self.assertEqual(self.sysfs('enabled'), '1\n')

    def test_enable(self):
        self.init('--disabled')
        self.assertEqual(self.sysfs('enabled'), '0\n')
        self.assertEqual(self.cell_ids(), [])
        sysc = self.file(build_system('B', 'QEMU-ARM64', mems=[mem(0x40000000, 0x40000000, 0x30000000, 0x7)]))
        self.ok('enable', sysc)
        self.assertEqual(self.sysfs('enabled'), '1\n')
        self.assertEqual(self.sysfs('cells/0/name'), 'QEMU-ARM64\n')
        self.assertEqual(self.sysfs('cells/0/cpus_assigned_list'), '0-3\n')
        self.assertIn('The Jailhouse is opening.', self.klog())
        self.fails(('enable', sysc), 'JAILHOUSE_ENABLE: Device or resource busy\n')
        # root memory now comes from the system config: 0x70000000 lies outside it
        self.ok('cell', 'create', self.cell('a'))
        self.fails(('cell', 'load', 'a', self.file('x')), 'JAILHOUSE_CELL_LOAD: Bad address\n')
        self.ok('disable')
        self.ok('enable', sysc)

    def test_enable_errors(self):
        self.init('--disabled')
        self.fails(('enable', self.file(build_system('B', signature=b'JHSYSX'))),
                   'JAILHOUSE_ENABLE: Invalid argument\n')
        self.fails(('enable', self.file(build_system('B', revision=12))),
                   'JAILHOUSE_ENABLE: Invalid argument\n')
        self.fails(('enable', self.file(build_system('B', cpus=(0, 1)))),
                   'JAILHOUSE_ENABLE: Invalid argument\n')
        self.fails(('enable', '/nonexistent'), 'opening /nonexistent: No such file or directory\n')
        r = self.jh('enable')
        self.assertTrue(usage_head(r.stdout))
        self.init('--disabled', dialect='A14')
        self.fails(('enable', self.file(build_system('A14', arch=0))), 'JAILHOUSE_ENABLE: Invalid argument\n')
        self.ok('enable', self.file(build_system('A14', arch=2)))

    def test_enable_each_dialect(self):
        for d in ('A12', 'A13', 'A14', 'B', 'C'):
            with self.subTest(dialect=d):
                self.init('--disabled', dialect=d)
                self.ok('enable', self.file(build_system(d, 'root-' + d)))
                self.assertEqual(self.sysfs('cells/0/name'), 'root-%s\n' % d)

    def test_enable_without_virtual_console_flag(self):
        self.init('--disabled')
        self.ok('enable', self.file(build_system('B', flags=0)))
        self.fails(('console',), 'read(console): Operation not permitted\n')


# ---------------------------------------------------------------------------

class TestOmnivisor(SimCase):
    dialect = 'C'
    init_args = ('--memory', '0x40000000:0x80000000', '--rcpus', '2', '--fpga-regions', '3')

    def setUp(self):
        SimCase.setUp(self)
        os.makedirs(os.path.join(self.root, 'lib/firmware'), exist_ok=True)
        with open(os.path.join(self.root, 'lib/firmware/rpu0-demo.elf'), 'wb') as f:
            f.write(b'\x7fELF')

    def test_rcpus(self):
        self.ok('cell', 'create', self.cell('rpu', cpus=(1,), rcpus=(0,)))
        self.assertEqual(self.sysfs('cells/0/rcpus_assigned_list'), '1\n')
        self.assertEqual(self.sysfs('cells/1/rcpus_assigned_list'), '0\n')
        self.assertEqual(self.sysfs('cells/1/rcpus_assigned'), '1\n')
        lines = self.ok('cell', 'list').stdout.splitlines()
        self.assertEqual(lines[0].split('  ')[0:1], ['ID'])
        self.assertIn('Assigned rCPUs', lines[0])
        self.assertIn('Assigned FPGA regions', lines[0])
        self.assertLess(lines[0].index('Assigned rCPUs'), lines[0].index('Failed CPUs'))
        self.assertEqual(lines[1].split(), ['0', 'RootCell', 'running', '0,2-3', '1', '0-2'])
        # rCPU already taken / not existing: EINVAL
        self.fails(('cell', 'create', self.cell('other', cpus=(2,), base=0x71000000, rcpus=(0,))),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        self.fails(('cell', 'create', self.cell('other', cpus=(2,), base=0x71000000, rcpus=(5,))),
                   'JAILHOUSE_CELL_CREATE: Invalid argument\n')
        # load -r: firmware by name from /lib/firmware, index must be the cell's
        self.ok('cell', 'load', 'rpu', '-r', 'rpu0-demo.elf', '0')
        self.fails(('cell', 'load', 'rpu', '-r', 'missing.elf', '0'),
                   'JAILHOUSE_CELL_LOAD: No such file or directory\n')
        self.fails(('cell', 'load', 'rpu', '-r', 'rpu0-demo.elf', '1'),
                   'JAILHOUSE_CELL_LOAD: Invalid argument\n')
        self.ok('cell', 'load', 'rpu', self.file('apu image'), '-a', '0x0', '--rcpu', 'rpu0-demo.elf', '0,1')
        self.ok('cell', 'start', 'rpu')
        self.assertIn('[RPU-0] Hello from cell rpu: firmware rpu0-demo.elf', self.console('rpu'))
        self.ok('cell', 'destroy', 'rpu')
        self.assertEqual(self.sysfs('cells/0/rcpus_assigned_list'), '0-1\n')

    def test_refused_start_still_succeeds_with_rcpus(self):
        self.ok('cell', 'create', self.cell('rpu', cpus=(1,), rcpus=(0,), flags=0))
        self.ok('cell', 'load', 'rpu', '-r', 'rpu0-demo.elf', '0')
        self.ok('cell', 'start', 'rpu')
        self.sim('cell-reply', 'rpu', 'deny')
        self.ok('cell', 'start', 'rpu')        # CLI §6: rCPU result overwrites the hypercall's

    def test_r_group_syntax(self):
        for args in (('cell', 'load', 'x', '-r', 'fw'), ('cell', 'load', 'x', '-r', 'fw', '0', 'img')):
            with self.subTest(args=args):
                r = self.jh(*args)
                self.assertEqual(r.returncode, 1)
                self.assertTrue(usage_head(r.stdout))


# ---------------------------------------------------------------------------

class TestCellLinux(SimCase):
    def linux_cell(self, name='lx'):
        mems = [mem(0x7F900000, 0, 0x10000, RAM), mem(0x70000000, 0x70000000, 0x4000000, RAM | DMA),
                mem(0, 0x80000000, 0x1000, 0x23)]
        return self.cell(name, cpus=(1, 2), mems=mems, flags=0x40000001)

    def test_boot(self):
        cfg = self.linux_cell()
        kernel = self.file(b'ARM64 kernel Image\n' + bytes(1000), 'Image')
        dtb = self.file(b'\xd0\x0d\xfe\xed' + bytes(100), 'lx.dtb')
        initrd = self.file(b'070701' + bytes(200), 'rootfs.cpio')
        self.ok('cell', 'linux', cfg, kernel, '-d', dtb, '-i', initrd, '-c', 'console=ttyAMA0')
        self.assertEqual(self.state(1), 'running\n')
        c = self.console('lx')
        self.assertIn('image linux-loader @0x0', c)
        self.assertIn('"ARM64 kernel Image"', c)
        self.assertIn('Booting Linux on cell lx: kernel=%s dtb=%s initrd=%s cmdline="console=ttyAMA0"'
                      % (kernel, dtb, initrd), c)
        # again: CELL_CREATE's EEXIST is tolerated, the cell is reused
        self.ok('cell', 'linux', cfg, kernel, '-d', dtb)
        self.assertEqual(self.cell_ids(), ['0', '1'])

    def test_errors(self):
        kernel = self.file(b'k' * 100)
        r = self.jh('cell', 'linux', self.linux_cell(), kernel)
        self.assertEqual((r.returncode, r.stderr), (1, 'No device tree specified\n'))
        r = self.jh('cell', 'linux', kernel, kernel, '-d', kernel)
        self.assertEqual((r.returncode, r.stderr), (1, 'Not a cell configuration: %s\n' % kernel))
        bad_rev = self.cell('r', revision=12)
        r = self.jh('cell', 'linux', bad_rev, kernel, '-d', kernel)
        self.assertEqual((r.returncode, r.stderr), (1, 'Configuration file revision mismatch: %s\n' % bad_rev))
        # runPHI's form: a cell name instead of a .cell file -> argparse error, exit 2
        r = self.jh('cell', 'linux', '0123456789abcdef01234567', kernel, '-d', kernel, '-c', 'console ttyAMA0,115200')
        self.assertEqual(r.returncode, 2)
        self.assertIn("can't open '0123456789abcdef01234567'", r.stderr)
        r = self.jh('cell', 'linux', kernel)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(self.cell_ids(), ['0'])
        # an ioctl error is a Python traceback, exit 1
        r = self.jh('cell', 'linux', self.linux_cell(), kernel, '-d', kernel,
                    env={'JAILHOUSE_SIM_FAIL': 'cell start'})
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith('Traceback (most recent call last):\n'))
        self.assertTrue(r.stderr.endswith('OSError: [Errno 1] Operation not permitted\n'))
        self.assertEqual(self.state(1), 'shut down\n')

    def test_no_space(self):
        kernel = self.file(b'k' * 0x5000000)
        r = self.jh('cell', 'linux', self.linux_cell(), kernel, '-d', kernel)
        self.assertEqual((r.returncode, r.stderr), (1, 'No space found to load all images\n'))

    def test_write_params(self):
        out = os.path.join(self.root, 'params.bin')
        cfg = self.linux_cell()
        r = self.ok('cell', 'linux', cfg, self.file(b'k' * 10, 'Image'), '-d', self.file(b'd', 'x.dtb'),
                    '-w', out, '-c', 'quiet')
        self.assertIn('jailhouse cell create %s\n' % cfg, r.stdout)
        self.assertIn('jailhouse cell start lx\n', r.stdout)
        with open(out, 'rb') as f:
            self.assertIn(b'cmdline=quiet', f.read())
        self.assertEqual(self.cell_ids(), ['0'])


# ---------------------------------------------------------------------------

class TestTopLevel(SimCase):
    def test_help_version_usage(self):
        r = self.jh('--help')
        self.assertEqual(r.returncode, 0)
        self.assertTrue(usage_head(r.stdout))
        self.assertIn('   cell shutdown { ID | [--name] NAME }\n', r.stdout)
        r = self.jh('--version')
        self.assertEqual((r.returncode, r.stdout), (0, 'Jailhouse management tool v0.12\n'))
        for args in ((), ('bogus',), ('cell',), ('cell', 'bogus'), ('config', 'bogus')):
            with self.subTest(args=args):
                r = self.jh(*args)
                self.assertEqual((r.returncode, r.stderr), (1, ''))
                self.assertTrue(usage_head(r.stdout))

    def test_unsimulated_helpers(self):
        for args in (('config', 'create', 'x'), ('hardware', 'check'), ('cell', 'stats', '1')):
            with self.subTest(args=args):
                self.fails(args, 'execvp: No such file or directory\n')

    def test_uninitialised_root(self):
        r = self.jh(env={'JAILHOUSE_SIM_ROOT': os.path.join(self.root, 'nothing')})
        self.assertEqual(r.returncode, 1)
        self.assertIn('not initialised', r.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=1)
