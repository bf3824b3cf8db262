import { describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { ReadError, readErrorText } from '../../src/memory/read-error.js';
import { X86_64, defaultX86Layout } from '../../src/arch/x86-64.js';
import { FakePhysMem, X86PageTables } from '../builders/phys-mem.js';
import { pattern } from '../builders/core-elf.js';

const PHYS_BASE = 0x1600000n;
const KVADDR = '64-bit KVADDR';

function setup() {
  const mem = new FakePhysMem();
  mem.write(0x0n, pattern(0x0n, 0x10000)); // low RAM
  mem.write(0x2600000n, pattern(0x2600000n, 0x2000)); // kernel image at ffffffff81000000
  mem.write(0x200000n, pattern(0x200000n, 0x1000));
  mem.write(0x400000n, pattern(0x400000n, 0x200000)); // backs a 2M mapping
  const kpt = new X86PageTables(mem, { allocBase: 0x100000n })
    .map(0xffffc90000001000n, 0x200000n) // two virtually adjacent pages, physically apart
    .map(0xffffc90000002000n, 0x7000n)
    .map(0xffffc90000003000n, 0x7fffffff000n) // mapped, but not in the dump
    .map(0xffffc90000200000n, 0x400000n, 1n << 21n);
  mem.write64(kpt.root + 0x1d4n * 8n, 0x7fff0000067n); // PGD[0x1d4] (vmemmap): a PUD table outside the dump
  const upt = new X86PageTables(mem, { allocBase: 0x180000n })
    .map(0x7f0000001000n, 0x9000n)
    .map(0x7f0000002000n, 0xa000n)
    .map(0x7f0000003000n, 0x6fffffff000n);
  const arch = new X86_64(
    { physBase: PHYS_BASE, kernelRoot: kpt.root, fiveLevel: false, smeMask: 0n, ...defaultX86Layout(false) },
    (p, n) => mem.readPhys(p, n),
  );
  return { mem, kpt, upt, m: new Memory(mem, arch) };
}

function readError(f: () => unknown): ReadError {
  try {
    f();
  } catch (e) {
    if (e instanceof ReadError) return e;
    throw e;
  }
  throw new Error('expected a ReadError');
}

const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('kernel virtual reads', () => {
  const { mem, m } = setup();

  it('reads the direct map by arithmetic, across page boundaries', () => {
    expect(m.readKv(0xffff888000003ff0n, 0x20)).toEqual(pattern(0x3ff0n, 0x20));
    expect(m.readKv(0xffff888000000000n, 0x10000)).toEqual(pattern(0n, 0x10000));
    expect(m.kvtop(0xffff888000001234n)).toBe(0x1234n);
  });

  it('reads the kernel image through phys_base', () => {
    expect(m.readKv(0xffffffff81000ff8n, 16)).toEqual(pattern(0x2600ff8n, 16));
  });

  it('reads walked (vmalloc) addresses page by page, following each page to its own frame', () => {
    expect(m.readKv(0xffffc90000001ff8n, 16)).toEqual(cat(pattern(0x200ff8n, 8), pattern(0x7000n, 8)));
    expect(m.readKv(0xffffc90000001000n, 0x2000)).toEqual(cat(pattern(0x200000n, 0x1000), pattern(0x7000n, 0x1000)));
    expect(m.kvtop(0xffffc90000002abcn)).toBe(0x7abcn);
  });

  it('reads across 4K boundaries inside a 2M mapping', () => {
    expect(m.readKv(0xffffc900002ffff8n, 16)).toEqual(pattern(0x4ffff8n, 16));
    expect(m.kvtop(0xffffc900003fffffn)).toBe(0x5fffffn);
  });

  it('translates a walked page once and reuses it (no second walk for the same page)', () => {
    m.readKv(0xffffc90000002000n, 8);
    const before = mem.reads;
    m.readKv(0xffffc90000002100n, 8);
    expect(mem.reads - before).toBe(1); // the data read only
  });
});

describe("crash's read error messages", () => {
  const { m } = setup();

  it('an unmapped kernel address is "invalid kernel virtual address"', () => {
    const e = readError(() => m.readKv(0xffffc90000000000n, 8, KVADDR));
    expect(e.message).toBe('invalid kernel virtual address: ffffc90000000000  type: "64-bit KVADDR"');
    expect([e.fault, e.space, e.addr, e.what]).toEqual(['invalid', 'kvaddr', 0xffffc90000000000n, KVADDR]);
    // nothing mapped at any level, and a page table page missing from the dump: the same message
    expect(readError(() => m.readKv(0xffffe00000000000n, 8, KVADDR)).message).toBe('invalid kernel virtual address: ffffe00000000000  type: "64-bit KVADDR"');
    expect(readError(() => m.readKv(0xffffea0000000010n, 8, KVADDR)).message).toBe('invalid kernel virtual address: ffffea0000000010  type: "64-bit KVADDR"');
    expect(readError(() => m.kvtop(0xffffc90000000000n)).message).toBe('invalid kernel virtual address: ffffc90000000000  type: "kernel virtual address"');
  });

  it('a user-space address is not a kernel virtual address', () => {
    expect(readError(() => m.readKv(0x400000n, 8, KVADDR)).message).toBe('invalid kernel virtual address: 400000  type: "64-bit KVADDR"');
  });

  it('mapped but not in the dump is a "seek error" at the virtual address of the failing page', () => {
    const e = readError(() => m.readKv(0xffffc90000002ff8n, 16, KVADDR));
    expect(e.message).toBe('seek error: kernel virtual address: ffffc90000003000  type: "64-bit KVADDR"');
    expect(e.fault).toBe('seek');
    // direct map beyond the RAM in the dump
    expect(readError(() => m.readKv(0xffff888100000000n, 8, KVADDR)).message).toBe('seek error: kernel virtual address: ffff888100000000  type: "64-bit KVADDR"');
  });

  it('a physical read outside the dump is a "seek error: physical address"', () => {
    const e = readError(() => m.readPhys(0x7fffffff000n, 8, '64-bit PHYSADDR'));
    expect(e.message).toBe('seek error: physical address: 7fffffff000  type: "64-bit PHYSADDR"');
    expect(e.space).toBe('physaddr');
    expect(readError(() => m.read('physaddr', 0x10ff8n, 4, '32-bit PHYSADDR')).message).toBe(
      'seek error: physical address: 10ff8  type: "32-bit PHYSADDR"',
    );
  });

  it('relabels an error for a caller that knows better what it was reading', () => {
    const e = readError(() => m.readKv(0xffffc90000000000n, 8)).relabel('mm_struct pgd');
    expect(e.message).toBe('invalid kernel virtual address: ffffc90000000000  type: "mm_struct pgd"');
    expect(e).toBeInstanceOf(ReadError);
  });

  it('words the dump-side faults like crash', () => {
    expect(readErrorText('read', 'kvaddr', 0xffff888000001000n, KVADDR)).toBe('read error: kernel virtual address: ffff888000001000  type: "64-bit KVADDR"');
    expect(readErrorText('excluded', 'physaddr', 0x1000n, 'x')).toBe('page excluded: physical address: 1000  type: "x"');
    expect(readErrorText('incomplete', 'uvaddr', 0x7f00n, 'x')).toBe('page incomplete: user virtual address: 7f00  type: "x"');
  });
});

describe('user virtual reads', () => {
  const { m, upt } = setup();

  it('reads through the given page-table root, across pages', () => {
    expect(m.readUv(0x7f0000001ff8n, 16, upt.root)).toEqual(cat(pattern(0x9ff8n, 8), pattern(0xa000n, 8)));
    expect(m.read('uvaddr', 0x7f0000002010n, 4, 'x', upt.root)).toEqual(pattern(0xa010n, 4));
    expect(m.uvtop(0x7f0000001234n, upt.root)).toBe(0x9234n);
  });

  it('reports unmapped and missing user pages in crash wording', () => {
    expect(readError(() => m.readUv(0x7f0000004000n, 8, upt.root, '64-bit UVADDR')).message).toBe(
      'invalid user virtual address: 7f0000004000  type: "64-bit UVADDR"',
    );
    expect(readError(() => m.readUv(0x7f0000002ff8n, 16, upt.root, '64-bit UVADDR')).message).toBe(
      'seek error: user virtual address: 7f0000003000  type: "64-bit UVADDR"',
    );
    // no root: no current user context
    expect(readError(() => m.read('uvaddr', 0x7f0000001000n, 8, '64-bit UVADDR')).message).toBe(
      'invalid user virtual address: 7f0000001000  type: "64-bit UVADDR"',
    );
    // a root outside the dump
    expect(readError(() => m.readUv(0x7f0000001000n, 8, 0x7ff00000000n, 'u')).fault).toBe('invalid');
  });

  it('does not find user mappings through the kernel tables', () => {
    expect(readError(() => m.readKv(0x7f0000001000n, 8)).fault).toBe('invalid');
  });
});

describe('changing the architecture', () => {
  it('setArch drops cached translations', () => {
    const { mem, kpt, m } = setup();
    expect(m.kvtop(0xffffc90000001010n)).toBe(0x200010n);
    const other = new X86PageTables(mem, { allocBase: 0x1c0000n }).map(0xffffc90000001000n, 0x5000n);
    const params = { physBase: PHYS_BASE, kernelRoot: other.root, fiveLevel: false, smeMask: 0n, ...defaultX86Layout(false) };
    m.setArch(new X86_64(params, (p, n) => mem.readPhys(p, n)));
    expect(m.kvtop(0xffffc90000001010n)).toBe(0x5010n);
    expect(m.readKv(0xffffc90000001010n, 4)).toEqual(pattern(0x5010n, 4));
    expect(kpt.root).not.toBe(other.root);
  });
});
