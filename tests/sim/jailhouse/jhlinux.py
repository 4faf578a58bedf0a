"""`jailhouse cell linux` (CLI §1.4), simulated.

What follows the reference: the positionals are a .cell FILE and a KERNEL (not a
cell name); -d is required on arm/arm64 ("No device tree specified", exit 1);
argparse errors exit 2; "Not a cell configuration: FILE" / "Configuration file
revision mismatch: FILE" exit 1; without -w it issues CELL_CREATE tolerating
EEXIST, then one CELL_LOAD per image by name (loader at cpu_reset_address,
kernel, DTB, initrd, params at reset+0x1000), then CELL_START; an ioctl error is
a Python traceback with exit 1.

What is the simulator's own (the reference does not give it): where kernel, DTB
and initrd are placed (the largest WRITE|LOADABLE region, in that order, the
initrd after kernel-size x decomp-factor), the loader and params contents, and
the text printed by -w.
"""

import argparse
import os
import struct

import jhsim

PROG = 'jailhouse-cell-linux'
LOADER = b'jailhouse-sim linux-loader\n' + bytes(256 - 27)


def _align(v, a=0x1000):
    return (v + a - 1) & ~(a - 1)


def traceback_exit(errno, extra=''):
    text = ('Traceback (most recent call last):\n'
            '  File "/usr/libexec/jailhouse/%s", line 0, in <module>\n'
            '    (simulated by jailhouse-sim)\n'
            'OSError: [Errno %d] %s\n' % (PROG, errno, jhsim.strerror(errno)))
    raise jhsim.Exit(1, stderr=text + extra)


def decomp_factor(arch, kernel):
    if arch == 'arm':
        return 4
    if arch == 'arm64':
        return 1
    if kernel[:2] == b'\x1f\x8b':
        return 7
    if kernel[:3] == b'BZh':
        return 4
    if kernel[:4] in (b'\x04\x22\x4d\x18', b'\x02\x21\x4c\x18') or kernel[:3] == b'\x89LZ':
        return 6
    if kernel[:3] == b'\x5d\x00\x00':
        return 8
    return 9


def main(cli):
    p = argparse.ArgumentParser(prog=PROG, description='Boot Linux in a non-root cell.')
    p.add_argument('config', metavar='CELLCONFIG', type=argparse.FileType('rb'),
                   help='cell configuration file')
    p.add_argument('kernel', metavar='KERNEL', type=argparse.FileType('rb'),
                   help='image of the kernel to be booted')
    p.add_argument('--dtb', '-d', metavar='DTB', type=argparse.FileType('rb'),
                   help='device tree for the kernel [arm/arm64 only]')
    p.add_argument('--initrd', '-i', metavar='FILE', type=argparse.FileType('rb'),
                   help='initrd/initramfs for the kernel')
    p.add_argument('--cmdline', '-c', metavar='"STRING"', default='',
                   help='kernel command line')
    p.add_argument('--write-params', '-w', metavar='FILE',
                   help='only parse cell configuration, write out parameters into the '
                        'specified file and print required jailhouse cell commands to boot '
                        'Linux to the console')
    p.add_argument('--arch', '-a', choices=['x86', 'arm', 'arm64'],
                   help='target architecture')
    p.add_argument('--kernel-decomp-factor', '-k', metavar='FACTOR', type=int,
                   help='decompression factor of the kernel image')
    args = p.parse_args(cli.argv[3:])

    sim = cli.sim
    d = sim.dialect
    cfgpath = args.config.name
    data = args.config.read()
    if len(data) < d.hdr or data[:len(d.sig)] != d.sig:
        raise jhsim.Exit(1, stderr='Not a cell configuration: %s\n' % cfgpath)
    if struct.unpack_from('<H', data, 6)[0] != d.rev:
        raise jhsim.Exit(1, stderr='Configuration file revision mismatch: %s\n' % cfgpath)
    h = jhsim.parse_header(d, data)
    total = jhsim.expected_size(d, h)
    cfg = jhsim.parse_arrays(d, h, data + bytes(max(0, total - len(data))), d.hdr)
    arch = args.arch or sim.st['arch']
    if arch in ('arm', 'arm64') and not args.dtb:
        raise jhsim.Exit(1, stderr='No device tree specified\n')
    kernel = args.kernel.read()
    dtb = args.dtb.read() if args.dtb else None
    initrd = args.initrd.read() if args.initrd else None
    factor = args.kernel_decomp_factor or decomp_factor(arch, kernel)

    reset = h['cpu_reset_address']
    ram = [m for m in cfg['memory']
           if m['size'] and m['flags'] & (jhsim.MEM_WRITE | jhsim.MEM_LOADABLE)
           == (jhsim.MEM_WRITE | jhsim.MEM_LOADABLE)]
    if not ram:
        raise jhsim.Exit(1, stderr='No space found to load all images\n')
    big = max(ram, key=lambda m: m['size'])
    start = big['virt_start']
    if start <= reset < start + big['size']:
        start = max(start, reset + 0x2000)
    end = big['virt_start'] + big['size']
    kaddr = _align(start)
    pos = _align(kaddr + len(kernel))
    daddr = None
    if dtb is not None:
        daddr = pos
        pos = _align(daddr + len(dtb))
    iaddr = None
    if initrd is not None:
        iaddr = _align(max(pos, kaddr + factor * len(kernel)))
        pos = _align(iaddr + len(initrd))
    if pos > end:
        raise jhsim.Exit(1, stderr='No space found to load all images\n')
    params = ('jailhouse-sim linux params\nkernel=0x%x\n' % kaddr).encode()
    if daddr is not None:
        params += b'dtb=0x%x\n' % daddr
    if iaddr is not None:
        params += b'initrd=0x%x+0x%x\n' % (iaddr, len(initrd))
    params += b'cmdline=' + os.fsencode(args.cmdline) + b'\n'

    name = h['name']
    if args.write_params:
        with open(args.write_params, 'wb') as f:
            f.write(params)
        loads = ['linux-loader.bin -a 0x%x' % reset, '%s -a 0x%x' % (args.kernel.name, kaddr)]
        if daddr is not None:
            loads.append('%s -a 0x%x' % (args.dtb.name, daddr))
        if iaddr is not None:
            loads.append('%s -a 0x%x' % (args.initrd.name, iaddr))
        loads.append('%s -a 0x%x' % (args.write_params, reset + 0x1000))
        out = ('Boot parameters written to %s. Start Linux with the following commands '
               '(adjusting paths as needed):\n\n'
               'jailhouse cell create %s\n'
               'jailhouse cell load %s %s\n'
               'jailhouse cell start %s\n'
               % (args.write_params, cfgpath, name, ' '.join(loads), name))
        raise jhsim.Exit(0, stdout=out)

    if not sim.st['module_loaded']:
        traceback_exit(jhsim.ENOENT)
    sim.lock()
    e = jhsim.injected(sim, 'cell linux', [name, cfgpath])
    if e is not None:
        traceback_exit(e)

    def call(cmd, fn, *a, tolerate=None):
        e = jhsim.injected(sim, cmd, [name, cfgpath])
        if e is not None:
            traceback_exit(e)
        try:
            r = fn(*a)
        except jhsim.Fail as f:
            if tolerate is not None and f.errno == tolerate:
                return None
            sim.save()
            sim.klog(f.reason)
            traceback_exit(f.errno, 'jailhouse-sim: runtime invariant violated (real Jailhouse does '
                           'not check this): %s\n' % f.reason if f.invariant else '')
        sim.save()
        return r

    ref = ('name', os.fsencode(name))
    call('cell create', sim.op_create, data, cfgpath, tolerate=jhsim.EEXIST)

    def img(label, blob, addr):
        return {'size': len(blob), 'addr': addr, 'label': label, 'head': blob[:64]}

    images = [img('linux-loader', LOADER, reset), img('kernel ' + args.kernel.name, kernel, kaddr)]
    if dtb is not None:
        images.append(img('dtb ' + args.dtb.name, dtb, daddr))
    if initrd is not None:
        images.append(img('initrd ' + args.initrd.name, initrd, iaddr))
    images.append(img('params', params, reset + 0x1000))
    for im in images:
        call('cell load', sim.op_load, ref, [im])
    cell = sim.lookup(ref)
    if isinstance(cell, dict):
        cell['linux'] = {'kernel': args.kernel.name, 'dtb': args.dtb.name if args.dtb else None,
                         'initrd': args.initrd.name if args.initrd else None,
                         'cmdline': args.cmdline}
    call('cell start', sim.op_start, ref)
    return 0
