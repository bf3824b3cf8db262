import { describe, expect, it } from 'vitest';
import { X86_64, defaultX86Layout } from '../../src/arch/x86-64.js';
import { PhysImage } from '../../src/synth/phys-image.js';
import { SIZE_1G, SIZE_2M, SIZE_4K, X86PageTables, X86_PHYS_MASK, X86_PROT, X86_PTE, x86FlagNames } from '../../src/synth/pagetables-x86.js';

const G = 1n << 30n;
const M = 1n << 20n;

function setup(fiveLevel: boolean) {
  const img = new PhysImage({ alloc: { start: 0x7000000n, end: 0x8000000n } });
  img.addRam(0n, 4n * G);
  const pt = new X86PageTables(img, { fiveLevel });
  const arch = new X86_64(
    { physBase: 0x1000000n, kernelRoot: pt.root, fiveLevel, smeMask: 0n, ...defaultX86Layout(fiveLevel) },
    (pa, len) => img.read(pa, len),
  );
  return { img, pt, arch };
}

describe.each([false, true])('X86PageTables (fiveLevel=%s) read back by X86_64.walk', (fiveLevel) => {
  const labels = fiveLevel ? ['PGD', 'P4D', 'PUD', 'PMD', 'PTE'] : ['PGD', 'PUD', 'PMD', 'PTE'];
  const shifts = fiveLevel ? [48n, 39n, 30n, 21n, 12n] : [39n, 30n, 21n, 12n];
  const pageOffset = defaultX86Layout(fiveLevel).pageOffset;

  it('direct map with 1G pages: every step, the entry addresses and the PSE leaf', () => {
    const { pt, arch, img } = setup(fiveLevel);
    expect(pt.map(pageOffset, 0n, 4n * G, X86_PROT.KERNEL)).toBe(pt.root);
    const va = pageOffset + 0x12345678n;
    const w = arch.walk(va);
    expect(w.steps.map((s) => s.level)).toEqual(labels.slice(0, labels.indexOf('PUD') + 1));
    expect(w.paddr).toBe(0x12345678n);
    expect(w.pageSize).toBe(SIZE_1G);
    // each step's entry sits at table + index*8, and points at the next step's table
    let table = pt.root;
    w.steps.forEach((s, i) => {
      expect(s.entryPaddr).toBe(table + ((va >> shifts[i]!) & 0x1ffn) * 8n);
      expect(s.value).toBe(img.readU64(s.entryPaddr));
      table = s.value & X86_PHYS_MASK;
    });
    const leaf = w.steps.at(-1)!.value;
    expect(x86FlagNames(leaf)).toEqual(['PRESENT', 'RW', 'ACCESSED', 'DIRTY', 'PSE', 'GLOBAL', 'NX']);
    expect(x86FlagNames(w.steps[0]!.value)).toEqual(['PRESENT', 'RW', 'ACCESSED', 'DIRTY']); // _KERNPG_TABLE
  });

  it('picks 2M and 4K pages where alignment or size does not allow 1G', () => {
    const { pt, arch } = setup(fiveLevel);
    const va = 0xffffffff81000000n; // kernel text, 16M-aligned
    pt.map(va, 0x1000000n, 2n * M + 0x3000n, X86_PROT.KERNEL_ROX);
    const big = arch.walk(va + 0x1234n);
    expect(big.steps.map((s) => s.level)).toEqual(labels.slice(0, labels.indexOf('PMD') + 1));
    expect(big.pageSize).toBe(SIZE_2M);
    expect(big.paddr).toBe(0x1001234n);
    const small = arch.walk(va + 2n * M + 0x2010n);
    expect(small.steps.map((s) => s.level)).toEqual(labels);
    expect(small.pageSize).toBe(SIZE_4K);
    expect(small.paddr).toBe(0x1202010n);
    expect(x86FlagNames(small.steps.at(-1)!.value)).toEqual(['PRESENT', 'ACCESSED', 'GLOBAL']);
    expect(arch.walk(va + 2n * M + 0x3000n).paddr).toBeUndefined(); // past the end: PTE not present
  });

  it('force4K maps only PTEs', () => {
    const { pt, arch } = setup(fiveLevel);
    pt.map(pageOffset, 0n, 4n * M, X86_PROT.KERNEL, { force4K: true });
    const w = arch.walk(pageOffset + 3n * M + 0x10n);
    expect(w.steps.map((s) => s.level)).toEqual(labels);
    expect(w.pageSize).toBe(SIZE_4K);
    expect(w.paddr).toBe(3n * M + 0x10n);
    expect(w.steps.at(-1)!.value & X86_PTE.PSE).toBe(0n);
  });

  it('remapping one page read-only inside a 2M page splits it, keeping the neighbours', () => {
    const { pt, arch } = setup(fiveLevel);
    const va = 0xffffffff82000000n;
    pt.map(va, 0x2000000n, 2n * M, X86_PROT.KERNEL);
    expect(arch.walk(va).pageSize).toBe(SIZE_2M);
    pt.map(va + 0x5000n, 0x2005000n, SIZE_4K, X86_PROT.KERNEL_RO);
    const ro = arch.walk(va + 0x5008n);
    expect(ro.pageSize).toBe(SIZE_4K);
    expect(ro.paddr).toBe(0x2005008n);
    expect(x86FlagNames(ro.steps.at(-1)!.value)).toEqual(['PRESENT', 'ACCESSED', 'GLOBAL', 'NX']); // RW clear
    const nb = arch.walk(va + 0x6000n);
    expect(nb.paddr).toBe(0x2006000n);
    expect(x86FlagNames(nb.steps.at(-1)!.value)).toEqual(['PRESENT', 'RW', 'ACCESSED', 'DIRTY', 'GLOBAL', 'NX']);
    // and a 1G page splits into 2M pages
    pt.map(pageOffset, 0n, G, X86_PROT.KERNEL);
    pt.map(pageOffset + 0x400000n, 0x400000n, SIZE_4K, X86_PROT.KERNEL_RO);
    expect(arch.walk(pageOffset + 0x200000n).pageSize).toBe(SIZE_2M);
    expect(arch.walk(pageOffset + 0x401000n).pageSize).toBe(SIZE_4K);
    expect(arch.walk(pageOffset + 0x401000n).paddr).toBe(0x401000n);
  });

  it('user mappings put USER on every level; the kernel half is shared with a process PGD', () => {
    const { pt, arch, img } = setup(fiveLevel);
    pt.map(pageOffset, 0n, G, X86_PROT.KERNEL);
    const user = new X86PageTables(img, { fiveLevel });
    user.copyRootEntries(pt, 256, 511);
    user.map(0x7f0000001000n, 0x3000000n, SIZE_4K, X86_PROT.USER_RW);
    const w = arch.walk(0x7f0000001abcn, user.root);
    expect(w.paddr).toBe(0x3000abcn);
    for (const s of w.steps) expect(s.value & X86_PTE.USER).toBe(X86_PTE.USER);
    expect(arch.walk(pageOffset + 0x1000n, user.root).paddr).toBe(0x1000n);
    expect(arch.walk(0x7f0000001000n).paddr).toBeUndefined(); // not in the kernel's tables
    user.unmap(0x7f0000001000n);
    expect(arch.walk(0x7f0000001000n, user.root).paddr).toBeUndefined();
    expect(user.entryAddr(0x7f0000001000n, 'PTE')).toBe(arch.walk(0x7f0000001000n, user.root).steps.at(-1)!.entryPaddr);
  });
});

it('rejects unaligned mappings', () => {
  const img = new PhysImage({ alloc: { start: 0x1000n, end: 0x100000n } });
  const pt = new X86PageTables(img);
  expect(() => pt.map(0xffff888000000800n, 0n, SIZE_4K, X86_PROT.KERNEL)).toThrow(/aligned/);
});
