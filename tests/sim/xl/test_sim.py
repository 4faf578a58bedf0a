#!/usr/bin/env python3
"""Self-tests of the xl simulator (tests/sim/xl). Python 3 stdlib only.

Expected texts marked [verified] were observed on Debian's xl 4.17.7 (see README.md)."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import xlcfg  # noqa: E402
from xlcfg import Exit  # noqa: E402

XL = os.path.join(HERE, 'xl')
XLSIM = os.path.join(HERE, 'xl-sim')


# ============================================================ parser (libxlu) unit tests

def parse(text, fname='F'):
    return xlcfg.parse(text, fname)


def val(text, key):
    settings, errs, _ = parse(text)
    assert not errs, errs
    return settings[key].value


class ParserTest(unittest.TestCase):
    def test_values_lists_comments(self):
        s, errs, _ = parse('name = "a" # comment\nmemory=64; vcpus = 2\n'
                           'disk = [ "x",\n  \'y\', ]\ncpus=[1, "2-3"]\nempty=[]\n')
        self.assertEqual(errs, [])
        self.assertEqual(s['name'].value, ('str', 'a'))
        self.assertEqual(s['memory'].value, ('num', '64'))
        self.assertEqual(s['vcpus'].value, ('num', '2'))
        self.assertEqual(s['disk'].value, ('list', [('str', 'x'), ('str', 'y')]))
        self.assertEqual(s['cpus'].value, ('list', [('num', '1'), ('str', '2-3')]))
        self.assertEqual(s['empty'].value, ('list', []))

    def test_identifiers(self):
        self.assertEqual(parse('x.y=1\nx_1=2\n')[1], [])
        self.assertEqual(parse('eXtra="a"\n')[1], ["F:1: config parsing error near `Xtra=\"a\"': lexical error"])
        self.assertEqual(parse('_x=1\n')[1], ["F:1: config parsing error near `_x=1': lexical error"])

    def test_escapes(self):
        self.assertEqual(val(r'e="a\tb\\c\"d\'e\n\r\a\b\f\v"', 'e')[1], 'a\tb\\c"d\'e\n\r\a\b\f\v')
        self.assertEqual(val(r"e='it\'s \"q\"'", 'e')[1], 'it\'s "q"')
        self.assertEqual(val("e='x\"y'", 'e')[1], 'x"y')
        self.assertEqual(val('e="a#b;c"', 'e')[1], 'a#b;c')
        # [verified] libxlu 4.17 quirks: an octal escape needs >= 3 digits and yields nothing
        self.assertEqual(val(r'e="X\101Y"', 'e')[1], 'XY')
        self.assertEqual(val(r'e="X\1012Y"', 'e')[1], 'XY')
        self.assertEqual(val(r'e="X\00000Y"', 'e')[1], 'X0Y')
        self.assertEqual(val(r'e="X\101aY"', 'e')[1], 'XaY')
        bad = {r'e="\x41"': 'invalid digit after backslash hexnumerical character escape in quoted string',
               r'e="X\12Y"': 'invalid digit after backslash octalnumerical character escape in quoted string',
               r'e="\q"': 'invalid character after backlash in quoted string',
               r'e="\8"': 'invalid character after backlash in quoted string',
               r'e="a\ b"': 'invalid character after backlash in quoted string'}
        for text, msg in bad.items():
            raw = text[2:]
            self.assertEqual(parse(text + '\n')[1], ["F:1: config parsing error near `%s': %s" % (raw, msg)], text)

    def test_unterminated_and_multiline_strings(self):
        self.assertEqual(parse('e="abc\n')[1], ["F:1: config parsing error near `\"abc': lexical error"])
        self.assertEqual(parse(r'e="abc\"' + '\n')[1], ["F:1: config parsing error near `\"abc\\\"': lexical error"])
        self.assertEqual(parse('e="a\nb"\n')[1], ["F:1: config parsing error near `\"a': lexical error",
                                                  "F:2: config parsing error near `\"': lexical error"])

    def test_duplicates_and_append(self):
        s, errs, _ = parse('m=5\nm=7\ne="a"\ne+="b"\nd=["x"]\nd+=["y"]\nn+=["z"]\n')
        self.assertEqual(errs, [])
        self.assertEqual(s['m'].value, ('num', '7'))            # the later wins [verified]
        self.assertEqual(s['m'].count, 2)
        self.assertEqual(s['e'].value, ('str', 'ab'))           # [verified]
        self.assertEqual(s['e'].count, 1)
        self.assertEqual(s['d'].value, ('list', [('str', 'x'), ('str', 'y')]))
        self.assertEqual(s['n'].value, ('list', [('str', 'z')]))

    def test_syntax_errors(self):
        cases = {  # all [verified]; F:1 is the line of the statement unless noted
            'memory=5 6\n': ["F:1: config parsing error near `6': syntax error, unexpected NUMBER, expecting $end"],
            'memory\n': ["F:0: config parsing error near <newline>: syntax error, unexpected NEWLINE, expecting += or '='"],
            '\n\nmemory\n': ["F:2: config parsing error near <newline>: syntax error, unexpected NEWLINE, expecting += or '='"],
            'memory': ["F:1: config parsing error near `': syntax error, unexpected $end, expecting += or '='"],
            'memory=\n': ["F:0: config parsing error near <newline>: syntax error, unexpected NEWLINE, expecting STRING or NUMBER or '['"],
            'memory 5\n': ["F:1: config parsing error near `5': syntax error, unexpected NUMBER, expecting += or '='"],
            '=5\n': ["F:1: config parsing error near `=': syntax error, unexpected '=', expecting $end or IDENT or NEWLINE or ';'"],
            '+=5\n': ["F:1: config parsing error near `+=': syntax error, unexpected +=, expecting $end or IDENT or NEWLINE or ';'"],
            '9x=1\n': ["F:1: config parsing error near `9x': syntax error, unexpected NUMBER, expecting $end or IDENT or NEWLINE or ';'"],
            'a=]\n': ["F:1: config parsing error near `]': syntax error, unexpected ']', expecting STRING or NUMBER or '['"],
            'd=[,]\n': ["F:1: config parsing error near `,': syntax error, unexpected ',', expecting ']'"],
            'd=["a" "b"]\n': ["F:1: config parsing error near `\"b\"': syntax error, unexpected STRING, expecting ']'"],
            'a=[\n1,\n2\n': ["F:3: config parsing error near `': syntax error, unexpected $end, expecting ']'"],
            'e="a" m=5\n': ["F:1: config parsing error near `m': syntax error, unexpected IDENT, expecting $end"],
            'memory=0x1g\n': ["F:1: config parsing error near `g': syntax error, unexpected IDENT, expecting $end"],
            # recovery: errors other than "expecting $end" resume after the newline
            'a=\nb=\n': ["F:0: config parsing error near <newline>: syntax error, unexpected NEWLINE, expecting STRING or NUMBER or '['",
                         "F:1: config parsing error near <newline>: syntax error, unexpected NEWLINE, expecting STRING or NUMBER or '['"],
            'a=1\n=\nb=1 2\n': ["F:2: config parsing error near `=': syntax error, unexpected '=', expecting $end or IDENT or NEWLINE or ';'",
                                "F:3: config parsing error near `2': syntax error, unexpected NUMBER, expecting $end"],
            'a=1 2\nb=1 2\nc=@\n': ["F:1: config parsing error near `2': syntax error, unexpected NUMBER, expecting $end"],
            # lexical errors: reported, skipped; same-line syntax errors are not reported
            'a=@6\nb=1 2\n': ["F:1: config parsing error near `@6': lexical error",
                              "F:2: config parsing error near `2': syntax error, unexpected NUMBER, expecting $end"],
            'a=@ 6 7\nb=1 2\n': ["F:1: config parsing error near `@': lexical error"],
            'a=@ @\n': ["F:1: config parsing error near `@': lexical error", "F:1: config parsing error near `@': lexical error"],
            'a=[1 @]\nb=1 2\n': ["F:1: config parsing error near `@]': lexical error",
                                 "F:2: config parsing error near `b': syntax error, unexpected IDENT, expecting ']'"],
            'memory=5\r\n': ["F:1: config parsing error near `\r': lexical error"],
        }
        for text, want in cases.items():
            self.assertEqual(parse(text)[1], want, repr(text))

    def test_python_hint(self):
        for text in ('memory=1+2\n', 'memory=-1\n', 'memory=1.5\n', 'x-y=1\n'):
            self.assertTrue(parse(text)[2], text)
        for text in ('x=@\n', 'memory=64K\n', 'e="abc\n'):
            self.assertFalse(parse(text)[2], text)

    def test_numbers(self):
        def num(v):
            cfg = xlcfg.Cfg(parse('k=%s\n' % v)[0], 'F')
            return cfg.long('k'), cfg.warn
        self.assertEqual(num('64'), (64, []))
        self.assertEqual(num('"64"'), (64, []))
        self.assertEqual(num('0x40'), (64, []))
        self.assertEqual(num('064'), (52, []))                                 # octal [verified]
        for v in ('08', '0x', '1e3', '""', '"64k"'):
            self.assertEqual(num(v), (None, ["F:1: warning: parameter `k' is not a valid number"]), v)
        self.assertEqual(num('[64]'), (None, ["F:1: warning: parameter `k' is a list but should be a single value"]))
        cfg = xlcfg.Cfg(parse('d="x"\n')[0], 'F')
        self.assertIsNone(cfg.lst('d'))
        self.assertEqual(cfg.warn, ["F:1: warning: parameter `d' is a single value but should be a list"])

    def test_cpulist(self):
        p = xlcfg.parse_cpulist
        self.assertEqual(p('0-1,3', 8), [0, 1, 3])
        self.assertEqual(p('all', 8), list(range(8)))
        self.assertEqual(p('all,^1', 8), [0, 2, 3, 4, 5, 6, 7])
        self.assertEqual(p('1,,2', 8), [1, 2])
        self.assertEqual(p(' 1', 8), [1])
        self.assertEqual(p('01', 8), [1])
        self.assertEqual(p('9', 8), [])                        # outside the host bitmap: dropped
        self.assertEqual(p('^1', 8), [])
        for bad in ('abc', '1-0', '1-', '-1', '0x1', '1 ', '5-x'):
            with self.assertRaises(Exit) as cm:
                p(bad, 8)
            self.assertEqual(cm.exception.err, ['Invalid pcpu range: %s.' % bad])  # [verified]

    def test_disk_specs(self):
        d = xlcfg.parse_disk
        self.assertEqual((d('/img,raw,xvda,rw', 'F')['target'], d('/img,raw,xvda,rw', 'F')['vdev']), ('/img', 'xvda'))
        x = d('format=raw, vdev=xvda, access=ro, target=/a,b c', 'F')
        self.assertEqual((x['target'], x['readwrite']), ('/a,b c', False))
        self.assertEqual(d('phy:/dev/sda,xvda,w', 'F')['vdev'], 'xvda')
        self.assertEqual(d('/i.iso,,hdc,cdrom', 'F')['devtype'], 'cdrom')
        self.assertEqual(d('/i,qcow2,xvda', 'F')['format'], 'qcow2')
        bad = {  # [verified]
            '/img': 'no vdev specified',
            'target=/img,vdev=xvda': 'no vdev specified',
            '/img,bogus,xvda,rw': "unknown value for format: near `bogus'",
            '/img,raw,xvda,rx': "unknown value for access: near `rx'",
            '/img,raw,xvda,rw,extra': "too many positional parameters: near `extra'",
            '/a,raw,xvda,rw,bogus=1': "unknown parameter: near `bogus=1'",
            '/a,raw,xvda,rw,target=/b': "target respecified: near `/b'",
            '/a,raw,xvda,rw,vdev=xvdb': "vdev respecified: near `xvdb'",
            '/a,raw,xvda,backendtype=bogus': "unknown value for backendtype: near `bogus'",
            '/a,raw,xvda,rw,trusted': "too many positional parameters: near `trusted'",
            '/a,raw,xvda,rw,devtype=floppy': "unknown value for type: near `devtype=floppy'",
        }
        for spec, msg in bad.items():
            with self.assertRaises(Exit) as cm:
                d(spec, 'F')
            self.assertEqual(cm.exception.err, ["F: config parsing error in disk specification: %s in `%s'" % (msg, spec)])

    def test_vif_specs(self):
        warn, soft = [], []
        n = xlcfg.parse_vif(' bridge=xenbr0,mac=00:16:3E:00:00:0a,,bogus=1,mac=zz', 'F', 0, warn, soft)
        self.assertEqual(n, {'devid': 0, 'bridge': 'xenbr0', 'mac': '00:16:3e:00:00:0a'})
        self.assertEqual(warn, ["unrecognized argument `bogus=1'", "Invalid parameter `mac'."])   # [verified]
        with self.assertRaises(Exit) as cm:
            xlcfg.parse_vif('mtu=abc', 'F', 0, [], [])
        self.assertEqual(cm.exception.err, ['xl: failed to convert "abc" to number'])
        with self.assertRaises(Exit) as cm:
            xlcfg.parse_vif('rate=bogus', 'F', 0, [], [])
        self.assertEqual(cm.exception.err, ["F: config parsing error in vif: invalid rate in `bogus'"])
        self.assertEqual(xlcfg.parse_vif('rate=10Mb/s@20ms', 'F', 0, [], [])['rate'], '10Mb/s@20ms')

    def test_build_errors(self):
        def build(text):
            cfg = xlcfg.Cfg(parse(text)[0], 'F')
            return xlcfg.build(cfg, 4, 'x86_64')
        K = 'kernel="/k"\n'
        cases = {  # [verified] (message, exit status)
            'memory=64\n' + K: ('Domain name must be specified.', 1),
            'name=["x"]\n' + K: ('Domain name must be specified.', 1),
            'name="a"\ntype="foo"\n' + K: ('Invalid domain type foo.', 1),
            'name="a"\ntype="PV"\n' + K: ('Invalid domain type PV.', 1),
            'name="a"\nbuilder="x"\n' + K: ('Invalid domain type x.', 1),
            'name="a"\nvcpus=2\nmaxvcpus=1\n' + K: ('xl: maxvcpus < vcpus', 1),
            'name="a"\nvcpus=2\ncpus="^1"\n' + K: ('vcpu hard affinity map is empty', 1),
            'name="a"\nvcpus=2\ncpus=["0",""]\n' + K: ('vcpu hard affinity map is empty', 1),
            'name="a"\non_crash="Preserve"\n' + K: ('Unknown on_crash action "Preserve" specified', 1),
            'name="a"\nuuid="bogus"\n' + K: ('Failed to parse UUID: bogus', 1),
            'name="a"\ngic_version="v9"\n' + K: ('Unknown gic_version "v9" specified', 3),
            'name="a"\ntype="pvh"\n': ('Neither kernel nor bootloader specified', 1),
        }
        for text, (msg, code) in cases.items():
            with self.assertRaises(Exit) as cm:
                build(text)
            self.assertEqual((cm.exception.err, cm.exception.code), ([msg], code), text)
        d = build('name="a"\nvcpus=2\ncpus="1-2"\nmemory=64\nroot="/dev/xvda"\nextra="quiet"\n' + K)
        self.assertEqual((d['hard'], d['memory'], d['maxmem'], d['cmdline']), ([[1, 2], [1, 2]], 64, 64, 'root=/dev/xvda quiet'))
        d = build('name="a"\ncpus="1"\n' + K)                   # no vcpus= -> no pinning [verified]
        self.assertEqual((d['hard'], d['max_vcpus'], d['memory']), ([], 1, 32))
        d = build('name="a"\nvcpus=2\ncpus=["3"]\n' + K)
        self.assertEqual(d['hard'], [[3]])
        self.assertEqual(build('name="a"\nhvm=1\ntype="hvm"\n')['type'], 'hvm')


# ============================================================ CLI tests

LIST_HDR = 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n'


class SimCase(unittest.TestCase):
    cpus = ('--cpus', '4', '--dom0-cpus', '0', '--memory-mib', '512', '--dom0-memory-mib', '256',
            '--bridge', 'xenbr0')

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='xlsim-')
        self.root = os.path.join(self.dir, 'root')
        self.env = dict(os.environ, XL_SIM_ROOT=self.root)
        for k in ('XL_SIM_FAIL', 'XL_SIM_INVARIANTS', 'XL_SIM_WAIT_TIMEOUT', 'XL_SIM_CONSOLE_TIMEOUT'):
            self.env.pop(k, None)
        self.kernel = self.file('Image', 'kernel image\n')
        self.initrd = self.file('rootfs.cpio.gz', 'cpio\n')
        self.sim('init', *self.cpus)

    def tearDown(self):
        shutil.rmtree(self.dir)

    @staticmethod
    def read(path):
        with open(path) as f:
            return f.read()

    def file(self, name, content):
        p = os.path.join(self.dir, name)
        with open(p, 'w') as f:
            f.write(content)
        return p

    def run_(self, prog, args, env=None, timeout=30, cwd=None):
        e = dict(self.env)
        e.update(env or {})
        r = subprocess.run([sys.executable, '-S', prog] + list(args), capture_output=True, text=True, env=e,
                           timeout=timeout, cwd=cwd)
        return r.returncode, r.stdout, r.stderr

    def xl(self, *args, **kw):
        return self.run_(XL, args, **kw)

    def sim(self, *args, **kw):
        rc, out, err = self.run_(XLSIM, args, **kw)
        self.assertEqual(rc, 0, err)
        return out

    def cfg(self, name='g1', cpus='["2"]', vcpus=1, memory=96, extra=''):
        text = ('name = "%s"\ntype = "pvh"\nkernel = "%s"\nramdisk = "%s"\nextra = "console=hvc0"\n'
                'vcpus = %d\ncpus = %s\nmemory = %d\nmaxmem = %d\n%s'
                % (name, self.kernel, self.initrd, vcpus, cpus, memory, memory, extra))
        return self.file(name + '.cfg', text)

    def create(self, *args, ok=True, **kw):  # noqa: D401
        rc, out, err = self.xl('create', *args, **kw)
        if ok:
            self.assertEqual(rc, 0, err)
        return rc, out, err

    def state(self):
        return json.loads(self.sim('show'))

    def rows(self):
        rc, out, err = self.xl('list')
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith(LIST_HDR), out)
        res = {}
        for line in out[len(LIST_HDR):].splitlines():
            m = re.match(r'^(.{40}) ([ \d]{5}) ([ \d]{5}) ([ \d]{5})     ([-rbpscd]{6})  ([ \d]{6}\.\d)$', line)
            self.assertIsNotNone(m, repr(line))
            res[m.group(1).rstrip()] = (int(m.group(2)), int(m.group(3)), int(m.group(4)), m.group(5))
        return res

    def console(self, name):
        return self.sim('console', name)


class LifecycleTest(SimCase):
    def test_create_paused_unpause_list(self):
        rc, out, err = self.create('-p', self.cfg())
        self.assertEqual((out, err), ('', 'Parsing config from %s\n' % self.cfg()))
        self.assertEqual(self.rows(), {'Domain-0': (0, 256, 1, 'r-----'), 'g1': (1, 96, 1, '--p---')})
        self.assertEqual(self.console('g1'), '')
        self.assertEqual(self.xl('unpause', 'g1'), (0, '', ''))
        self.assertEqual(self.rows()['g1'], (1, 96, 1, '-b----'))
        self.assertEqual(self.console('g1'), 'Hello from g1: Image\n')

    def test_list_exact_format(self):
        self.create(self.cfg())
        rc, out, err = self.xl('list', 'g1')
        self.assertRegex(out, r'^Name {40}ID   Mem VCPUs\tState\tTime\(s\)\ng1 {38}     1    96     1     -b----  +\d+\.\d\n$')

    def test_create_without_p_runs(self):
        self.create(self.cfg())
        self.assertEqual(self.rows()['g1'][3], '-b----')
        self.assertEqual(self.console('g1'), 'Hello from g1: Image\n')
        self.sim('guest', 'g1', 'busy')
        self.assertEqual(self.rows()['g1'][3], 'r-----')

    def test_unpause_running_is_error_but_exit_0(self):
        self.create(self.cfg())
        rc, out, err = self.xl('unpause', 'g1')
        self.assertEqual((rc, out), (0, ''))
        self.assertEqual(err, 'libxl: error: libxl_domain.c:688:domain_unpause_done: Domain 1:Unpausing domain: Invalid argument\n')

    def test_pause_is_counted(self):
        self.create(self.cfg())
        self.xl('pause', 'g1')
        self.xl('pause', '1')
        self.xl('unpause', 'g1')
        self.assertEqual(self.rows()['g1'][3], '--p---')
        self.xl('unpause', 'g1')
        self.assertEqual(self.rows()['g1'][3], '-b----')

    def test_pause_unpause_unknown(self):
        self.assertEqual(self.xl('pause', 'nosuch'), (1, '', 'nosuch is an invalid domain identifier (rc=-6)\n'))
        self.assertEqual(self.xl('unpause', '9'), (0, '', 'libxl: error: libxl_dom.c:37:libxl__domain_type: unable to get domain type for domid=9\n'))
        self.assertEqual(self.xl('pause', '9'), (0, '', 'libxl: error: libxl_domain.c:587:libxl_domain_pause: Domain 9:Pausing domain: No such process\n'))

    def test_poweroff_default_destroys(self):
        self.create(self.cfg())
        self.sim('guest', 'g1', 'poweroff')
        self.assertNotIn('g1', self.rows())

    def test_poweroff_preserve(self):
        self.create(self.cfg(extra='on_poweroff = "preserve"\n'))
        self.sim('guest', 'g1', 'poweroff')
        self.assertEqual(self.rows()['g1'][3], '---s--')
        self.assertEqual(self.xl('destroy', 'g1')[0], 0)
        self.assertNotIn('g1', self.rows())

    def test_crash_preserve_and_default(self):
        self.create(self.cfg(extra='on_crash = "preserve"\n'))
        self.sim('guest', 'g1', 'crash')
        self.assertEqual(self.rows()['g1'][3], '---sc-')
        self.assertIn('Kernel panic', self.console('g1'))
        self.create(self.cfg('g2', cpus='["3"]'))
        self.sim('guest', 'g2', 'crash')
        self.assertNotIn('g2', self.rows())

    def test_control_before_create_and_while_paused(self):
        self.sim('guest', 'g1', 'poweroff')
        self.create('-p', self.cfg(extra='on_poweroff = "preserve"\n'))
        self.assertEqual(self.rows()['g1'][3], '--p---')
        self.xl('unpause', 'g1')
        self.assertEqual(self.rows()['g1'][3], '---s--')
        self.assertEqual(self.console('g1'), 'Hello from g1: Image\nreboot: Power down\n')

    def test_restart_gets_new_domid(self):
        self.create(self.cfg(extra='on_poweroff = "restart"\n'))
        self.sim('guest', 'g1', 'poweroff')
        self.assertEqual(self.rows()['g1'][:1], (2,))
        self.assertEqual(self.console('g1'), 'Hello from g1: Image\n')

    def test_rename_restart(self):
        self.create(self.cfg(extra='on_poweroff = "rename-restart"\n'))
        self.sim('guest', 'g1', 'poweroff')
        rows = self.rows()
        self.assertEqual(rows['g1'][0], 2)
        old = [n for n in rows if n.startswith('g1-')]
        self.assertEqual(len(old), 1)
        self.assertEqual(rows[old[0]][3], '---s--')

    def test_shutdown(self):
        self.create(self.cfg())
        rc, out, err = self.xl('shutdown', 'g1')
        self.assertEqual((rc, out, err), (0, '', 'Shutting down domain 1\n'))
        self.assertNotIn('g1', self.rows())

    def test_shutdown_wait(self):
        self.create(self.cfg())
        rc, out, err = self.xl('shutdown', '-w', 'g1')
        self.assertEqual((rc, err), (0, 'Shutting down domain 1\nWaiting for 1 domains\n'
                                        'Domain 1 has been shut down, reason code 0\n'))

    def test_shutdown_paused_happens_at_unpause(self):
        self.create('-p', self.cfg(extra='on_poweroff = "preserve"\n'))
        self.assertEqual(self.xl('shutdown', 'g1')[0], 0)
        self.assertEqual(self.rows()['g1'][3], '--p---')
        self.xl('unpause', 'g1')
        self.assertEqual(self.rows()['g1'][3], '---s--')

    def test_shutdown_hang_waits(self):
        self.create(self.cfg())
        self.sim('guest', 'g1', 'hang')
        self.assertEqual(self.xl('shutdown', 'g1')[0], 0)
        self.assertEqual(self.rows()['g1'][3], '-b----')
        t = time.time()
        rc, out, err = self.xl('shutdown', '-w', 'g1', env={'XL_SIM_WAIT_TIMEOUT': '0.5'})
        self.assertGreaterEqual(time.time() - t, 0.5)
        self.assertEqual(rc, 1)
        self.assertIn('real xl would keep waiting', err)
        # a waiter returns when another process destroys the domain
        p = subprocess.Popen([sys.executable, '-S', XL, 'shutdown', '-w', 'g1'], env=self.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        self.assertIsNone(p.poll())
        self.assertEqual(self.xl('destroy', 'g1')[0], 0)
        out, err = p.communicate(timeout=10)
        self.assertEqual((p.returncode, err.splitlines()[-1]), (0, 'Domain 1 has been destroyed'))

    def test_shutdown_hvm_never_booted(self):
        f = self.file('h.cfg', 'name="h"\ntype="hvm"\nvcpus=1\ncpus=["1"]\nmemory=32\n')
        self.create('-p', f)
        rc, out, err = self.xl('shutdown', 'h')
        self.assertEqual((rc, err), (1, 'Shutting down domain 1\nPV control interface not available: external '
                                        'graceful shutdown not possible.\nUse "-F" to fallback to ACPI power '
                                        'event.\nshutdown failed (rc=-10)\n'))

    def test_shutdown_errors(self):
        self.assertEqual(self.xl('shutdown'), (1, '', 'You must specify -a or a domain id.\n\n'))
        self.assertEqual(self.xl('shutdown', '7')[2], 'Shutting down domain 7\nlibxl: error: libxl_dom.c:37:'
                         'libxl__domain_type: unable to get domain type for domid=7\nshutdown failed (rc=-3)\n')

    def test_destroy(self):
        self.create('-p', self.cfg())
        self.assertEqual(self.xl('destroy', '1'), (0, '', ''))
        self.assertEqual(list(self.rows()), ['Domain-0'])
        rc, out, err = self.xl('destroy', '1')
        self.assertEqual((rc, err), (1, 'libxl: error: libxl_domain.c:1183:libxl__destroy_domid: Domain 1:Non-existant domain\n'
                                        'libxl: error: libxl_domain.c:1137:domain_destroy_callback: Domain 1:Unable to destroy guest\n'
                                        'libxl: error: libxl_domain.c:1064:domain_destroy_cb: Domain 1:Destruction of domain failed\n'
                                        'destroy failed (rc=-21)\n'))
        self.assertEqual(self.xl('destroy', 'g1'), (1, '', 'g1 is an invalid domain identifier (rc=-6)\n'))
        msg = ('Not destroying domain 0; use -f to force.\nThis can only be done when using a disaggregated '
               'hardware domain and toolstack.\n\n')
        self.assertEqual(self.xl('destroy', '0'), (1, '', msg))
        self.assertEqual(self.xl('destroy', ''), (1, '', msg))            # "" is domid 0

    def test_domid_domname(self):
        self.create('-p', self.cfg())
        self.assertEqual(self.xl('domid', 'g1'), (0, '1\n', ''))
        self.assertEqual(self.xl('domid', 'Domain-0'), (0, '0\n', ''))
        self.assertEqual(self.xl('domname', '1'), (0, 'g1\n', ''))
        self.assertEqual(self.xl('domname', '0'), (0, 'Domain-0\n', ''))
        self.assertEqual(self.xl('domid', 'x'), (1, '', "Can't get domid of domain name 'x', maybe this domain does not exist.\n"))
        self.assertEqual(self.xl('domname', '5'), (1, '', "Can't get domain name of domain id '5', maybe this domain does not exist.\n"))
        self.assertEqual(self.xl('domname', 'abc'), (1, '', 'Invalid domain id.\n\n'))

    def test_list_args(self):
        self.create('-p', self.cfg())
        self.assertEqual(self.xl('list', '7'), (1, '', "Error: Domain '7' does not exist.\n"))
        self.assertEqual(self.xl('list', 'nosuch'), (1, '', 'nosuch is an invalid domain identifier (rc=-6)\n'))
        rc, out, err = self.xl('list', 'a', 'b')
        self.assertEqual(rc, 1)
        self.assertTrue(out.startswith('Usage: xl [-vtT] list [options] [Domain]\n'))
        self.assertEqual(self.xl('list', '-x'), (2, '', "option `x' not supported.\n"))

    def test_list_long_json(self):
        self.create('-p', self.cfg(extra='on_crash = "preserve"\nvif = ["bridge=xenbr0"]\n'))
        rc, out, err = self.xl('list', '-l')
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.endswith('\n]\n\n'))
        self.assertIn('    {\n        "domid": 1,\n        "config": {\n            "c_info": {\n', out)
        self.assertIn('"type.pvh": {\n\n                },', out)        # yajl's empty map
        j = json.loads(out)
        self.assertEqual([x['domid'] for x in j], [0, 1])
        c = j[1]['config']
        self.assertEqual(c['c_info']['name'], 'g1')
        self.assertEqual(c['c_info']['type'], 'pvh')
        b = c['b_info']
        self.assertEqual((b['max_memkb'], b['target_memkb'], b['max_vcpus'], b['vcpu_hard_affinity']),
                         (98304, 98304, 1, [[2]]))
        self.assertEqual((b['kernel'], b['ramdisk'], b['cmdline']), (self.kernel, self.initrd, 'console=hvc0'))
        self.assertEqual((c['on_crash'], c['on_reboot']), ('preserve', 'restart'))
        self.assertNotIn('on_poweroff', c)
        self.assertEqual(c['nics'], [{'devid': 0, 'bridge': 'xenbr0'}])

    def test_vcpu_list(self):
        self.create(self.cfg(vcpus=2, cpus='"2-3"'))
        rc, out, err = self.xl('vcpu-list', 'g1')
        lines = out.splitlines()
        self.assertEqual(lines[0], 'Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)')
        self.assertRegex(lines[1], r'^g1 {30}     1     0    2   -b-  +\d+\.\d  2-3 / all$')
        self.assertRegex(lines[2], r'^g1 {30}     1     1    3   -b-  +\d+\.\d  2-3 / all$')
        rc, out, err = self.xl('vcpu-list')
        self.assertRegex(out.splitlines()[1], r'^Domain-0 {24}     0     0    0   r--  +\d+\.\d  0 / all$')

    def test_info(self):
        self.create(self.cfg())
        rc, out, err = self.xl('info')
        info = dict(re.match(r'^(\S+) +: ?(.*)$', l).groups() for l in out.splitlines())
        self.assertEqual((info['nr_cpus'], info['total_memory'], info['free_memory'], info['xen_version']),
                         ('4', '512', str(512 - 256 - 96), '4.17.7'))
        self.assertIn('free_memory            : 160\n', out)

    def test_console_follows_until_end(self):
        self.create(self.cfg())
        p = subprocess.Popen([sys.executable, '-S', XL, 'console', 'g1'], env=self.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        self.assertIsNone(p.poll())
        self.sim('guest', 'g1', 'poweroff')
        out, err = p.communicate(timeout=10)
        self.assertEqual((p.returncode, out), (0, 'Hello from g1: Image\nreboot: Power down\n'))
        rc, out, err = self.xl('console', 'g1')
        self.assertEqual(rc, 1)

    def test_console_timeout_and_create_c(self):
        self.sim('guest', 'g1', 'crash')
        rc, out, err = self.create('-c', self.cfg(extra='on_crash = "restart"\n'),
                                   env={'XL_SIM_CONSOLE_TIMEOUT': '5'})
        self.assertEqual(out, 'Hello from g1: Image\nKernel panic - not syncing: xl-sim: guest crashed\n')
        rc, out, err = self.xl('console', 'g1', env={'XL_SIM_CONSOLE_TIMEOUT': '0.2'})
        self.assertEqual((rc, out), (0, 'Hello from g1: Image\n'))   # the restarted domain's own output

    def test_usage_errors(self):
        rc, out, err = self.xl('pause')
        self.assertEqual((rc, err), (2, "'xl pause' requires at least 1 argument.\n\n"))
        self.assertEqual(out, 'Usage: xl [-vtTf] pause <Domain>\n\nPause execution of a domain.\n\n')
        self.assertEqual(self.xl('save', 'x')[0], 2)
        self.assertEqual(self.xl('frobnicate'), (1, '', 'command not implemented\n'))
        self.assertEqual(self.xl('create'), (6, '', 'Config file not specified and none in save file\n'))
        self.assertEqual(self.xl('create', '/nonexistent.cfg'),
                         (3, '', 'Failed to read config file: /nonexistent.cfg: No such file or directory\n'))
        self.assertEqual(self.xl('console', '-t', 'foo', 'x'), (1, '', 'console type supported are: pv, serial, vuart\n'))
        rc, out, err = self.xl('create', self.cfg(), 'junk')
        self.assertEqual(rc, 2)
        self.assertTrue(out.startswith('Usage: xl [-vtTfN] create'))

    def test_commands_log(self):
        self.create('-p', self.cfg())
        self.xl('unpause', 'g1')
        self.xl('bogus', 'a b', '"q"')
        with open(os.path.join(self.root, 'commands.log')) as f:
            logged = [json.loads(l) for l in f]
        self.assertEqual([l[1:] for l in logged], [['create', '-p', self.cfg()], ['unpause', 'g1'],
                                                   ['bogus', 'a b', '"q"']])
        self.assertTrue(logged[0][0].endswith('xl'))

    def test_create_extra_vars_and_quiet(self):
        rc, out, err = self.create('-q', self.cfg(), 'memory=64', 'maxmem=64')
        self.assertEqual(err, '')
        self.assertEqual(self.rows()['g1'][1], 64)

    def test_startup_is_fast(self):
        t = time.time()
        for _ in range(5):
            subprocess.run([sys.executable, '-S', XL, 'list'], env=self.env, capture_output=True)
        self.assertLess((time.time() - t) / 5, 0.5)


class CreateFailureTest(SimCase):
    def assertCreateFails(self, cfg, code, lines, consumed=True):
        before = self.state()
        rc, out, err = self.create(cfg, ok=False)
        self.assertEqual(rc, code, err)
        self.assertEqual(err.splitlines()[1:], lines)
        after = self.state()
        self.assertEqual(after['next_domid'], before['next_domid'] + (1 if consumed else 0))
        self.assertEqual(after['domains'], before['domains'])

    def test_parse_error(self):
        f = self.file('bad.cfg', 'name="x"\nmemory=1+2\n')
        self.assertCreateFails(f, 1, ["%s:2: config parsing error near `+2': lexical error" % f,
                                      'warning: Config file looks like it contains Python code.',
                                      'warning:  Arbitrary Python is no longer supported.',
                                      'warning:  See https://wiki.xen.org/wiki/PythonInXlConfig',
                                      'Failed to parse config: Invalid argument'], consumed=False)

    def test_memory_exhausted(self):
        self.assertCreateFails(self.cfg(memory=300), 3, [
            "xc: error: panic: xc_dom_boot.c:116: xc_dom_boot_mem_init: can't allocate low memory for domain: Out of memory: Internal error",
            'libxl: error: libxl_dom.c:664:libxl__build_dom: xc_dom_boot_mem_init failed: Cannot allocate memory',
            'libxl: error: libxl_create.c:1875:domcreate_rebuild_done: Domain 1:cannot (re-)build domain: -3'])
        self.create(self.cfg(memory=200))
        self.assertEqual(self.create(self.cfg('g2', cpus='["3"]', memory=57), ok=False)[0], 3)
        self.create(self.cfg('g2', cpus='["3"]', memory=56))

    def test_kernel_missing(self):
        os.unlink(self.kernel)
        self.assertCreateFails(self.cfg(), 3, [
            "xc: error: panic: xc_dom_core.c:207: failed to open file '%s': No such file or directory: Internal error" % self.kernel,
            'libxl: error: libxl_dom.c:1052:libxl__domain_firmware: xc_dom_kernel_file failed: No such file or directory',
            'libxl: error: libxl_create.c:1875:domcreate_rebuild_done: Domain 1:cannot (re-)build domain: -3'])

    def test_ramdisk_unreadable(self):
        os.unlink(self.initrd)
        os.mkdir(self.initrd)
        rc, out, err = self.create(self.cfg(), ok=False)
        self.assertEqual(rc, 3)
        self.assertIn('xc_dom_{kernel_file/ramdisk_file} failed: Is a directory', err)

    def test_disk_target(self):
        cfg = self.cfg(extra="disk = ['/dev/test-vg/lv_g1,raw,xvda,rw']\n")
        self.assertCreateFails(cfg, 3, [
            'libxl: error: libxl_device.c:397:libxl__device_disk_set_backend: Disk vdev=xvda failed to stat: /dev/test-vg/lv_g1: No such file or directory',
            'libxl: error: libxl_create.c:1309:initiate_domain_create: Domain 1:Unable to set disk defaults for disk 0'])
        self.sim('add-path', '/dev/test-vg/lv_g1')
        self.create(cfg)
        img = self.file('disk.img', '')
        self.create(self.cfg('g2', cpus='["3"]', memory=32, extra="disk = ['%s,raw,xvda,rw']\n" % img))

    def test_bridge_missing(self):
        self.assertCreateFails(self.cfg(extra='vif = ["bridge=br1"]\n'), 3, [
            'libxl: error: libxl_exec.c:117:libxl_report_child_exitstatus: /etc/xen/scripts/vif-bridge online [1001] exited with error status 1',
            'libxl: error: libxl_device.c:1286:device_hotplug_child_death_cb: Domain 1:script: Could not find bridge device br1',
            'libxl: error: libxl_create.c:1903:domcreate_attach_devices: Domain 1:unable to add vif devices'])
        self.create(self.cfg(extra='vif = ["bridge=xenbr0"]\n'))
        self.create(self.cfg('g2', cpus='["3"]', memory=32, extra='vif = [""]\n'))   # default bridge xenbr0

    def test_name_unique(self):
        self.create(self.cfg())
        self.assertCreateFails(self.cfg(cpus='["3"]'), 3, [
            'libxl: error: libxl_domain.c:461:libxl__domain_rename: Domain 2:Domain with name "g1" already exists.',
            'libxl: error: libxl_create.c:1271:initiate_domain_create: Domain 2:cannot make domain: -6'])

    def test_affinity_without_cpus(self):
        self.assertCreateFails(self.cfg(cpus='["5"]'), 3, [
            'libxl: error: libxl_sched.c:62:libxl_set_vcpuaffinity: Domain 1:Setting vcpu affinity: Invalid argument',
            "libxl: error: libxl_dom.c:327:libxl__build_pre: Domain 1:setting affinity failed on vcpu `0'",
            'libxl: error: libxl_create.c:1875:domcreate_rebuild_done: Domain 1:cannot (re-)build domain: -3'])

    def test_xl_semantic_errors(self):
        f = self.file('x.cfg', 'name="x"\ntype="kvm"\n')
        self.assertCreateFails(f, 1, ['Invalid domain type kvm.'], consumed=False)
        f = self.file('x.cfg', 'name="x"\nkernel="/k"\non_poweroff="halt"\n')
        self.assertCreateFails(f, 1, ['Unknown on_poweroff action "halt" specified'], consumed=False)


class InvariantTest(SimCase):
    def violations(self, cfg, **kw):
        rc, out, err = self.create(cfg, ok=False, **kw)
        pre = 'xl-sim: runtime invariant violated (real xl does not check this): '
        lines = [l for l in err.splitlines()[1:] if l.startswith(pre)]
        self.assertEqual(rc, 1, err)
        self.assertTrue(lines, err)
        self.assertEqual(self.state()['domains'], {})
        self.assertEqual(self.state()['next_domid'], 1)
        return [l[len(pre):] for l in lines]

    def test_unknown_and_duplicate_keys(self):
        v = self.violations(self.cfg(extra='cpu_affinity = ["2"]\nmemory = 64\n'))
        self.assertEqual(v, ["unknown key `cpu_affinity' (xl ignores it silently)",
                             "key `memory' is set 2 times (xl silently keeps the last value)"])

    def test_names(self):
        self.assertIn('domain name "123" is all digits: xl treats it as a domain id, so the domain cannot be '
                      'addressed by name', self.violations(self.cfg('123')))
        self.assertIn('empty domain name', self.violations(self.cfg('')))
        f = self.file('n.cfg', self.read(self.cfg()).replace('name = "g1"', r'name = "g\n1"'))
        self.assertIn('domain name contains control characters: "g\\n1"', self.violations(f))

    def test_cpu_rules(self):
        self.assertEqual(self.violations(self.cfg(cpus='["0"]')), ["vCPU 0 is pinned to Domain-0's CPU(s) 0"])
        self.assertEqual(self.violations(self.cfg(cpus='"0-3"', vcpus=1)), ["vCPU 0 is pinned to Domain-0's CPU(s) 0"])
        self.assertEqual(self.violations(self.cfg(cpus='["3-5"]')),
                         ['vCPU 0 is pinned to CPUs 4-5 that the machine does not have (CPUs 0-3)'])
        self.assertEqual(self.violations(self.cfg(vcpus=2, cpus='["2"]')),
                         ["vCPU 1 has no hard affinity, so it may run on Domain-0's CPUs (0)"])
        f = self.file('u.cfg', self.read(self.cfg()).replace('cpus = ["2"]\n', ''))
        self.assertEqual(self.violations(f), ["no cpus= pinning: the guest's vCPUs may run on Domain-0's CPUs (0)"])
        f = self.file('nv.cfg', self.read(self.cfg()).replace('vcpus = 1\n', ''))
        self.assertEqual(self.violations(f), ['cpus= is set but vcpus= is not: xl 4.17 then pins no vCPU at all'])
        self.create(self.cfg())
        rc, out, err = self.create(self.cfg('g2', cpus='["2"]', memory=32), ok=False)
        self.assertIn('CPU(s) 2 are already pinned to domain 1 (g1): partitions must not share CPUs', err)

    def test_soft_settings_and_values(self):
        f = self.file('s.cfg', self.read(self.cfg(extra='vif = ["bridge=xenbr0,speed=fast"]\n'))
                      .replace('vcpus = 1', 'vcpus = "two"'))
        v = self.violations(f)
        self.assertIn("`vcpus': is not a valid number (xl only warns and ignores it)", v)
        self.assertIn("`vif': unrecognized argument `speed=fast' (xl only warns and ignores it)", v)
        v = self.violations(self.file('z.cfg', 'name="z"\nkernel="%s"\nvcpus=0\nmemory=8\ncpus=["1"]\n' % self.kernel))
        self.assertEqual(v, ['vcpus=0 (xl silently creates 1 vCPU)',
                             'cpus= is set but vcpus= is not: xl 4.17 then pins no vCPU at all'])
        rc, out, err = self.create(self.file('m.cfg', 'name="m"\nkernel="%s"\nvcpus=1\nmemory=0\ncpus=["1"]\n'
                                             % self.kernel), ok=False)
        self.assertEqual(rc, 3)                                   # Xen cannot build it
        self.assertIn('xc_dom_boot_mem_init failed', err)

    def test_paths_and_arch(self):
        rel = os.path.relpath(self.cfg(extra='gic_version = "v2"\n'))
        v = self.violations(rel)
        self.assertIn('config file path "%s" is not absolute (xl(1): "configfile has to be an absolute path to a file")' % rel, v)
        self.assertIn('gic_version is an ARM option (runPHI emits it only on aarch64 builds)', v)
        f = self.file('r.cfg', self.read(self.cfg()).replace('kernel = "%s"' % self.kernel, 'kernel = "Image"'))
        self.assertIn('kernel path "Image" is not absolute (it depends on xl\'s working directory)',
                      self.violations(f, cwd=self.dir))

    def test_injection_attempts(self):
        # an unescaped container id that smuggles another key in
        name = 'x"\nkernel="/evil'
        text = 'name = "%s"\n' % name + self.read(self.cfg()).split('\n', 1)[1]
        v = self.violations(self.file('inj.cfg', text))
        self.assertIn("key `kernel' is set 2 times (xl silently keeps the last value)", v)
        # a raw newline inside quotes is a lexical error in xl itself
        f = self.file('nl.cfg', 'name = "a\nb"\n')
        rc, out, err = self.create(f, ok=False)
        self.assertEqual(rc, 1)
        self.assertIn("config parsing error near `\"a': lexical error", err)
        # correctly escaped metacharacters stay inside the string
        f = self.cfg(extra='cmdline = "console=hvc0 x=\\"; memory=999; y=\\\\ #z"\n')
        self.create(f)
        rc, out, err = self.xl('list', '-l', 'g1')
        b = json.loads(out)[0]['config']['b_info']
        self.assertEqual((b['cmdline'], b['max_memkb']), ('console=hvc0 x="; memory=999; y=\\ #z', 96 * 1024))

    def test_invariants_off(self):
        cfg = self.cfg('42', cpus='["0"]', extra='cpu_affinity = ["2"]\n')
        self.create(cfg, env={'XL_SIM_INVARIANTS': '0'})
        self.sim('init', *self.cpus, '--no-invariants')
        self.create(cfg)
        self.assertEqual(self.rows()['42'][0], 1)
        self.assertEqual(self.xl('list', '42'), (1, '', "Error: Domain '42' does not exist.\n"))  # [verified]


class FailureInjectionTest(SimCase):
    def test_env_create(self):
        rc, out, err = self.create(self.cfg(), ok=False, env={'XL_SIM_FAIL': 'create'})
        self.assertEqual(rc, 3)
        self.assertIn('cannot make domain: -3', err)
        self.assertEqual((self.state()['domains'], self.state()['next_domid']), ({}, 1))
        rc, out, err = self.create(self.cfg(), ok=False, env={'XL_SIM_FAIL': 'create g1 rc=1'})
        self.assertEqual(rc, 1)
        self.create(self.cfg(), env={'XL_SIM_FAIL': 'create other'})

    def test_file_once_and_targets(self):
        self.create(self.cfg())
        with open(os.path.join(self.root, 'fail'), 'w') as f:
            f.write('# comment\ndestroy g1 once\nunpause 1 ENOMEM\n')
        rc, out, err = self.xl('destroy', 'g1')
        self.assertEqual((rc, err.splitlines()[0]), (1, 'libxl: error: libxl_domain.c:1616:domain_destroy_domid_cb: '
                                                        'Domain 1:xc_domain_destroy failed: Operation not permitted'))
        self.assertTrue(err.endswith('destroy failed (rc=-3)\n'))
        self.assertIn('g1', self.rows())
        with open(os.path.join(self.root, 'fail')) as f:
            self.assertEqual(f.read(), '# comment\nunpause 1 ENOMEM\n')
        self.xl('pause', 'g1')
        rc, out, err = self.xl('unpause', 'g1')                     # xl exits 0 here [verified]
        self.assertEqual((rc, err), (0, 'libxl: error: libxl_domain.c:688:domain_unpause_done: Domain 1:Unpausing '
                                        'domain: Cannot allocate memory\n'))
        self.assertEqual(self.rows()['g1'][3], '--p---')
        self.assertEqual(self.xl('destroy', 'g1')[0], 0)

    def test_other_commands(self):
        self.create(self.cfg())
        env = {'XL_SIM_FAIL': 'list;shutdown;pause rc=1;console;vcpu-list;info;domid;domname'}
        self.assertEqual(self.xl('list', env=env), (1, '', 'libxl: error: libxl_domain.c:335:libxl_list_domain: '
                                                          'getting domain info list: Operation not permitted\n'
                                                          'libxl_list_domain failed.\n'))
        self.assertEqual(self.xl('shutdown', 'g1', env=env)[0], 1)
        self.assertEqual(self.xl('pause', 'g1', env=env)[0], 1)
        self.assertEqual(self.xl('console', 'g1', env=env), (1, '', 'Unable to attach console\n'))
        self.assertEqual(self.xl('vcpu-list', env=env)[0], 1)
        self.assertEqual(self.xl('info', env=env), (1, '', 'libxl_physinfo failed.\n'))
        self.assertEqual(self.xl('domid', 'g1', env=env)[0], 1)
        self.assertEqual(self.xl('domname', '1', env=env)[0], 1)
        self.assertEqual(self.rows()['g1'][3], '-b----')


class SaveRestoreTest(SimCase):
    def test_save_restore(self):
        self.create(self.cfg())
        chk = os.path.join(self.dir, 'g1.chk')
        rc, out, err = self.xl('save', 'g1', chk)
        self.assertEqual(rc, 0, err)
        self.assertTrue(err.startswith('Saving to %s new xl format (info 0x3/0x0/' % chk))
        self.assertNotIn('g1', self.rows())
        with open(chk, 'rb') as f:
            self.assertEqual(f.read(32), b'Xen saved domain, xl format\n \0 \r')
        rc, out, err = self.xl('restore', chk)
        self.assertEqual(rc, 0, err)
        self.assertIn('Parsing config from <saved>\n', err)
        self.assertEqual(self.rows()['g1'], (2, 96, 1, '-b----'))
        self.assertEqual(self.console('g1'), 'Hello from g1: Image\n')   # resumed, not rebooted

    def test_save_keep_and_restore_paused(self):
        self.create(self.cfg())
        chk = os.path.join(self.dir, 'g1.chk')
        self.assertEqual(self.xl('save', '-c', 'g1', chk)[0], 0)
        self.assertEqual(self.rows()['g1'][3], '-b----')
        rc, out, err = self.xl('restore', chk)
        self.assertEqual(rc, 3)
        self.assertIn('Domain with name "g1" already exists.', err)
        self.xl('destroy', 'g1')
        self.assertEqual(self.xl('restore', '-p', chk)[0], 0)
        self.assertEqual(self.rows()['g1'][3], '--p---')
        self.xl('unpause', 'g1')
        self.assertEqual(self.console('g1'), 'Hello from g1: Image\n')

    def test_restore_errors(self):
        bad = self.file('bad.chk', 'not a save file')
        self.assertEqual(self.xl('restore', bad), (3, '', 'File has wrong magic number - corrupt or for a different tool?\n'))
        self.assertEqual(self.xl('restore', bad + 'x')[0], 1)
        self.assertEqual(self.xl('save', 'nosuch', bad), (1, '', 'nosuch is an invalid domain identifier (rc=-6)\n'))


if __name__ == '__main__':
    unittest.main(verbosity=1)
