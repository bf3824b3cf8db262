#!/usr/bin/python3
"""Regenerate test/dump/fixtures/ with REAL compressors (Debian 12 packages; pip is not needed):
  - makedumpfile/: a small kexec-style ELF vmcore (src.elf) and what Debian's makedumpfile 1.7.2
    made of it: -l (lzo) and -c (zlib) with -d 0 and -d 1 (zero pages excluded), and -F (flattened).
    The ELF carries no VMCOREINFO, which lets makedumpfile run without a vmlinux (dump level <= 1).
  - codec/: single 4 KiB pages (*.page) and their compressed forms: python3 zlib (.zlib),
    python3-lzo = liblzo2 lzo1x_1 / lzo1x_999 (.lzo1x_1, .lzo1x_999), python3-snappy = libsnappy
    raw format (.snappy), and the zstd CLI (.zst: from a file, so the frame has a content size,
    no checksum, like makedumpfile's ZSTD_compressCCtx; .stdin.zst: from a pipe, no content size,
    with a checksum).
Needs: apt-get install makedumpfile python3-lzo python3-snappy zstd. Run from anywhere:
  /usr/bin/python3 test/builders/make-kdump-fixtures.py
"""
import os, struct, subprocess, zlib
import lzo, snappy

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'dump', 'fixtures')
PAGE = 4096


def xorshift(seed, n):
    x = (seed * 2654435761 + 12345) & 0xffffffff or 1
    out = bytearray(n)
    for i in range(n):
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        out[i] = x & 0xff
    return bytes(out)


def ram_page(pfn):
    """The content of physical page `pfn` in src.elf (mirrored in test/builders/kdump-fixtures.ts)."""
    k = pfn % 4
    if k == 0:
        return bytes(PAGE)
    if k == 1:
        s = b''.join(b'pfn %d line %d: the quick brown fox\n' % (pfn, i) for i in range(200))
        return s[:PAGE]
    if k == 2:
        return xorshift(pfn, PAGE)
    return b''.join(struct.pack('<Q', 0xffff888000000000 + pfn * PAGE + i * 64) for i in range(PAGE // 8))


def note(name, typ, desc):
    n = name.encode() + b'\0'
    pad = lambda b: b + b'\0' * ((4 - len(b) % 4) % 4)
    return struct.pack('<III', len(n), len(desc), typ) + pad(n) + pad(desc)


def prstatus(pid):
    d = bytearray(336)
    struct.pack_into('<I', d, 32, pid)
    struct.pack_into('<Q', d, 112 + 8 * 16, 0xffffffff81000000 + pid)  # rip
    return bytes(d)


def make_elf():
    loads = [(0x0, 0x8000), (0x10000, 0x8000)]  # a hole at pfns 8..15
    notes = note('CORE', 1, prstatus(1)) + note('CORE', 1, prstatus(2))
    phnum = 1 + len(loads)
    noteoff = 64 + 56 * phnum
    off = (noteoff + len(notes) + PAGE - 1) // PAGE * PAGE
    ph = struct.pack('<IIQQQQQQ', 4, 0, noteoff, 0, 0, len(notes), len(notes), 0)
    data = []
    for pa, sz in loads:
        ph += struct.pack('<IIQQQQQQ', 1, 7, off, 0xffff888000000000 + pa, pa, sz, sz, 0)
        data.append((off, b''.join(ram_page((pa + i) // PAGE) for i in range(0, sz, PAGE))))
        off += sz
    out = bytearray(off)
    out[0:7] = b'\x7fELF\x02\x01\x01'
    struct.pack_into('<HHIQQQIHHHHHH', out, 16, 4, 62, 1, 0, 64, 0, 0, 64, 56, phnum, 0, 0, 0)
    out[64:64 + len(ph)] = ph
    out[noteoff:noteoff + len(notes)] = notes
    for o, d in data:
        out[o:o + len(d)] = d
    return bytes(out)


def makedumpfile_fixtures():
    d = os.path.join(OUT, 'makedumpfile')
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, 'src.elf')
    with open(src, 'wb') as f:
        f.write(make_elf())
    for name, opts in [('lzo-d0', ['-l', '-d', '0']), ('lzo-d1', ['-l', '-d', '1']),
                       ('zlib-d0', ['-c', '-d', '0']), ('zlib-d1', ['-c', '-d', '1'])]:
        dst = os.path.join(d, name + '.kdump')
        if os.path.exists(dst):
            os.remove(dst)
        subprocess.run(['makedumpfile', *opts, src, dst], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(d, 'zlib-d1.flat'), 'wb') as f:
        subprocess.run(['makedumpfile', '-F', '-c', '-d', '1', src], check=True, stdout=f, stderr=subprocess.DEVNULL)
    ver = subprocess.run(['makedumpfile', '-v'], capture_output=True, text=True).stdout.splitlines()[0]
    with open(os.path.join(d, 'VERSION'), 'w') as f:
        f.write(ver + '\n')


def codec_pages():
    text = b''.join(b'task %5d comm "sleeper-%d" state S prio 120\n' % (i * 7, i % 9) for i in range(120))[:PAGE]
    runs = b'\xaa' * 1500 + bytes(i & 0xff for i in range(700)) + bytes(PAGE - 2200)
    struct_ = b''.join(struct.pack('<QQII', 0xffff888003a00000 + i * 0x40, 0xffffffff8d01aa40, i, 0x80000001)
                       for i in range(PAGE // 24)) + bytes(PAGE % 24)
    return {'zero': bytes(PAGE), 'text': text, 'runs': runs, 'struct': struct_, 'noise': xorshift(7, PAGE)}


def codec_fixtures():
    d = os.path.join(OUT, 'codec')
    os.makedirs(d, exist_ok=True)
    for name, p in codec_pages().items():
        base = os.path.join(d, name)
        assert len(p) == PAGE
        open(base + '.page', 'wb').write(p)
        open(base + '.zlib', 'wb').write(zlib.compress(p, 6))
        open(base + '.lzo1x_1', 'wb').write(lzo.compress(p, 1, False))
        open(base + '.lzo1x_999', 'wb').write(lzo.compress(p, 9, False))
        open(base + '.snappy', 'wb').write(snappy.compress(p))
        subprocess.run(['zstd', '-q', '-f', '-3', '--no-check', base + '.page', '-o', base + '.zst'], check=True)
        with open(base + '.stdin.zst', 'wb') as f:
            subprocess.run(['zstd', '-q', '-19', '--check', '-c'], input=p, stdout=f, check=True)


if __name__ == '__main__':
    makedumpfile_fixtures()
    codec_fixtures()
