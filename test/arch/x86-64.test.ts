/**
 * x86_64 address translation against hand-laid page tables. The 4-level walks use the entries
 * crash 8.0.2 printed for `vtop` on the Debian 6.1 reference dump (refdumps/x86_64-debian12-sysrq,
 * 15_vtop_ffff8b3e81210000.txt and 16_vtop_ffffffff8c761900.txt): the table entries are put where
 * crash found them and the walk must visit exactly those addresses and values.
 */
import { describe, expect, it } from 'vitest';
import { X86_64, START_KERNEL_MAP, defaultX86Layout, type X86Params } from '../../src/arch/x86-64.js';
import { PhysReadError } from '../../src/util/errors.js';
import { FakePhysMem } from '../builders/phys-mem.js';

function arch(mem: FakePhysMem, p: Partial<X86Params> & { fiveLevel?: boolean }) {
  const fiveLevel = p.fiveLevel ?? false;
  return new X86_64({ physBase: 0n, kernelRoot: 0n, smeMask: 0n, ...defaultX86Layout(fiveLevel), ...p, fiveLevel }, (a, n) => mem.readPhys(a, n));
}

const steps = (...s: [string, bigint, bigint][]) => s.map(([level, entryPaddr, value]) => ({ level, entryPaddr, value }));

describe('4-level walks (entries from crash vtop on the Debian 6.1 dump)', () => {
  // phys_base 0x1600000 (NUMBER(phys_base)=23068672), init_top_pgt ffffffff8d010000 -> e610000
  const mem = new FakePhysMem()
    .write64(0xe6108b0n, 0x10001067n) // PGD[0x116]
    .write64(0x100017d0n, 0x10002067n)
    .write64(0x10002048n, 0x133a063n)
    .write64(0x133a080n, 0x8000000001210163n)
    .write64(0xe610ff8n, 0xe615067n) // PGD[0x1ff]
    .write64(0xe615ff0n, 0xe616063n)
    .write64(0xe616318n, 0x800000000dc001e1n); // 2 MB page
  const a = arch(mem, { physBase: 0x1600000n, kernelRoot: 0xffffffff8d010000n - START_KERNEL_MAP + 0x1600000n, pageOffset: 0xffff8b3e80000000n });

  it('walks a direct-map address to a 4K page: PGD, PUD, PMD, PTE', () => {
    const w = a.walk(0xffff8b3e81210000n);
    expect(w.rootPaddr).toBe(0xe610000n);
    expect(w.steps).toEqual(steps(
      ['PGD', 0xe6108b0n, 0x10001067n],
      ['PUD', 0x100017d0n, 0x10002067n],
      ['PMD', 0x10002048n, 0x133a063n],
      ['PTE', 0x133a080n, 0x8000000001210163n],
    ));
    expect(w.paddr).toBe(0x1210000n);
    expect(w.pageSize).toBe(0x1000n);
    expect(a.walk(0xffff8b3e81210abcn).paddr).toBe(0x1210abcn);
    // the same address by arithmetic (KASLR'd page_offset_base)
    expect(a.linearToPhys(0xffff8b3e81210abcn)).toBe(0x1210abcn);
  });

  it('walks kernel text to a 2M page and agrees with the kernel-image arithmetic', () => {
    const w = a.walk(0xffffffff8c761900n);
    expect(w.steps).toEqual(steps(
      ['PGD', 0xe610ff8n, 0xe615067n],
      ['PUD', 0xe615ff0n, 0xe616063n],
      ['PMD', 0xe616318n, 0x800000000dc001e1n],
    ));
    expect(w.paddr).toBe(0xdd61900n); // crash: VIRTUAL ffffffff8c761900 PHYSICAL dd61900
    expect(w.pageSize).toBe(0x200000n);
    expect(a.linearToPhys(0xffffffff8c761900n)).toBe(0xdd61900n);
  });
});

describe('large pages, holes and unreadable tables (4-level, hand-built)', () => {
  const mem = new FakePhysMem()
    .present(0x20000n, 0x4000)
    .write64(0x20888n, 0x21067n) // PGD[0x111] (PAGE_OFFSET)
    .write64(0x21018n, 0x1400010e3n) // PUD[3]: 1G page, PAT bit 12 set
    .write64(0x21000n, 0x22067n) // PUD[0]
    .write64(0x22010n, 0x2000010e3n) // PMD[2]: 2M page, PAT bit 12 set
    .write64(0x22020n, 0x23067n) // PMD[4]
    .write64(0x23028n, 0x1234500n) // PTE[5]: not present (a swap-style entry)
    .write64(0x23030n, 0x80000000077000e3n) // PTE[6]: bit 7 is PAT at this level, not PSE
    .write64(0x20900n, 0x7fff0000067n); // PGD[0x120] -> a table outside the dump
  const a = arch(mem, { kernelRoot: 0x20000n });

  it('maps a 1G page from the PUD, ignoring the PAT bit in the frame address', () => {
    const w = a.walk(0xffff8880c0012345n);
    expect(w.steps).toEqual(steps(['PGD', 0x20888n, 0x21067n], ['PUD', 0x21018n, 0x1400010e3n]));
    expect(w.paddr).toBe(0x140012345n);
    expect(w.pageSize).toBe(1n << 30n);
  });

  it('maps a 2M page from the PMD', () => {
    const w = a.walk(0xffff888000412345n);
    expect(w.steps.map((s) => s.level)).toEqual(['PGD', 'PUD', 'PMD']);
    expect(w.steps[2]).toEqual({ level: 'PMD', entryPaddr: 0x22010n, value: 0x2000010e3n });
    expect(w.paddr).toBe(0x200012345n);
    expect(w.pageSize).toBe(1n << 21n);
  });

  it('treats bit 7 of a PTE as PAT: still a 4K page', () => {
    const w = a.walk(0xffff888000806010n);
    expect(w.steps).toHaveLength(4);
    expect(w.paddr).toBe(0x7700010n);
    expect(w.pageSize).toBe(0x1000n);
  });

  it('stops at the first non-present entry with paddr undefined, keeping the steps so far', () => {
    const pgd = a.walk(0xffffc90000000000n);
    expect(pgd.steps).toEqual(steps(['PGD', 0x20c90n, 0n]));
    expect(pgd.paddr).toBeUndefined();
    const pmd = a.walk(0xffff888000600000n);
    expect(pmd.steps.map((s) => [s.level, s.value])).toEqual([['PGD', 0x21067n], ['PUD', 0x22067n], ['PMD', 0n]]);
    expect(pmd.paddr).toBeUndefined();
    const pte = a.walk(0xffff888000805000n);
    expect(pte.steps[3]).toEqual({ level: 'PTE', entryPaddr: 0x23028n, value: 0x1234500n });
    expect(pte.paddr).toBeUndefined();
    expect(pte.pageSize).toBeUndefined();
  });

  it('lets a table outside the dump surface as a PhysReadError at the entry read', () => {
    expect(() => a.walk(0xffff900000000000n)).toThrow(new PhysReadError('seek', 0x7fff0000000n));
  });
});

describe('5-level walks', () => {
  const mem = new FakePhysMem()
    .present(0x10000n, 0x5000)
    .write64(0x10d00n, 0x11067n) // PGD[0x1a0]
    .write64(0x11000n, 0x12067n) // P4D[0]
    .write64(0x12000n, 0x13067n) // PUD[0]
    .write64(0x13000n, 0x14067n) // PMD[0]
    .write64(0x14008n, 0x80000000abcde163n); // PTE[1]
  const a = arch(mem, { fiveLevel: true, kernelRoot: 0x10000n });

  it('walks PGD, P4D, PUD, PMD, PTE for a 5-level vmalloc address', () => {
    const w = a.walk(0xffa0000000001234n);
    expect(w.steps).toEqual(steps(
      ['PGD', 0x10d00n, 0x11067n],
      ['P4D', 0x11000n, 0x12067n],
      ['PUD', 0x12000n, 0x13067n],
      ['PMD', 0x13000n, 0x14067n],
      ['PTE', 0x14008n, 0x80000000abcde163n],
    ));
    expect(w.paddr).toBe(0xabcde234n);
  });

  it('uses the 5-level direct map and kernel-address range', () => {
    expect(a.linearToPhys(0xff11000000001000n)).toBe(0x1000n);
    expect(a.physToDirect(0x1000n)).toBe(0xff11000000001000n);
    expect(a.linearToPhys(0xffa0000000001234n)).toBeUndefined(); // vmalloc: walk it
    expect(a.isKernelAddr(0xff00000000000000n)).toBe(true);
    expect(a.isKernelAddr(0xff11000000001000n)).toBe(true);
    expect(a.isKernelAddr(0x00ffffffffffffffn)).toBe(false);
  });
});

describe('AMD SME: the C-bit is stripped from table addresses and from the values vtop prints', () => {
  const C = 1n << 47n;
  const mem = new FakePhysMem()
    .present(0x30000n, 0x4000)
    .write64(0x30c90n, C | 0x31067n) // PGD[0x192]
    .write64(0x31000n, C | 0x32067n)
    .write64(0x32000n, C | 0x33067n)
    .write64(0x33018n, C | 0x8000000000444163n); // PTE[3]
  const a = arch(mem, { kernelRoot: 0x30000n, smeMask: C });

  it('walks through encrypted entries to the unencrypted physical address', () => {
    const w = a.walk(0xffffc90000003008n);
    expect(w.paddr).toBe(0x444008n);
    // crash x86_64.c: "PUD: %lx => %lx" prints pud_pte &= ~sme_mask (likewise every level)
    expect(w.steps).toEqual(steps(
      ['PGD', 0x30c90n, 0x31067n],
      ['PUD', 0x31000n, 0x32067n],
      ['PMD', 0x32000n, 0x33067n],
      ['PTE', 0x33018n, 0x8000000000444163n],
    ));
  });
});

describe('user page tables', () => {
  const mem = new FakePhysMem()
    .present(0x40000n, 0x4000)
    .write64(0x407f0n, 0x41067n) // PGD[0xfe]
    .write64(0x41000n, 0x42067n)
    .write64(0x42000n, 0x43067n)
    .write64(0x43008n, 0x8000000000555167n); // PTE[1], USER
  const a = arch(mem, { kernelRoot: 0x99000n });

  it('walks from the given root, not the kernel one', () => {
    const w = a.walk(0x7f0000001ff8n, 0x40000n);
    expect(w.rootPaddr).toBe(0x40000n);
    expect(w.steps[0]).toEqual({ level: 'PGD', entryPaddr: 0x407f0n, value: 0x41067n });
    expect(w.paddr).toBe(0x555ff8n);
    expect(a.linearToPhys(0x7f0000001ff8n)).toBeUndefined();
    expect(a.isKernelAddr(0x7f0000001ff8n)).toBe(false);
  });
});

describe('linear maps', () => {
  const mem = new FakePhysMem();
  it('translates the kernel image with phys_base, and only inside the image', () => {
    const a = arch(mem, { physBase: 0x1600000n, kernelImageSize: 0x40000000n });
    expect(a.linearToPhys(0xffffffff81000000n)).toBe(0x2600000n);
    expect(a.linearToPhys(0xffffffffbfffffffn)).toBe(0x415fffffn);
    expect(a.linearToPhys(0xffffffffc0000000n)).toBeUndefined(); // modules: walked
    expect(a.layout.modulesStart).toBe(0xffffffffc0000000n);
  });

  it('takes a negative phys_base, signed or as the unsigned 64-bit word, modulo 2^64', () => {
    // phys_base -0x1600000: the image sits 22 MB lower in physical memory than the link address implies
    for (const physBase of [-23068672n, 0xfffffffffea00000n]) {
      const a = arch(mem, { physBase });
      expect(a.linearToPhys(0xffffffff82000000n)).toBe(0xa00000n);
      expect(a.linearToPhys(0xffffffff81600000n)).toBe(0n);
      const r = a.linearToPhys(0xffffffff80000000n)!;
      expect(r >= 0n && r < 1n << 64n).toBe(true);
      expect(r).toBe(0xfffffffffea00000n);
    }
  });

  it('translates the 4-level direct map both ways and bounds it at 64 TB', () => {
    const a = arch(mem, {});
    expect(a.linearToPhys(0xffff888000000000n)).toBe(0n);
    expect(a.linearToPhys(0xffff888123456789n)).toBe(0x123456789n);
    expect(a.physToDirect(0x123456789n)).toBe(0xffff888123456789n);
    expect(a.linearToPhys(0xffff888000000000n + (1n << 46n))).toBeUndefined();
    expect(a.linearToPhys(0xffffc90000000000n)).toBeUndefined();
    expect(a.linearToPhys(0xffff887fffffffffn)).toBeUndefined();
  });

  it('knows the 4-level kernel half of the address space', () => {
    const a = arch(mem, {});
    expect(a.isKernelAddr(0xffff800000000000n)).toBe(true);
    expect(a.isKernelAddr(0xffffffffff600000n)).toBe(true);
    expect(a.isKernelAddr(0x00007fffffffffffn)).toBe(false);
    expect(a.isKernelAddr(0xff11000000000000n)).toBe(false); // non-canonical with 48-bit VA
    expect(a.layout.vmallocStart).toBe(0xffffc90000000000n);
    expect(a.layout.vmallocEnd).toBe(0xffffc90000000000n + (32n << 40n) - 1n);
  });
});
