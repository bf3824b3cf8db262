/**
 * x86_64 user PTEs that are not present (x86_64.c x86_64_uvtop_level4, x86_64_translate_pte):
 * - PROT_NONE (mprotect(PROT_NONE), NUMA hinting): _PAGE_PRESENT clear, _PAGE_PROTNONE (= _PAGE_GLOBAL,
 *   bit 8) set. uvtop counts it as mapped (pte & (_PAGE_PRESENT|_PAGE_PROTNONE)): the PHYSICAL
 *   address, "  PAGE: %lx  %s", and the PTE/PHYSICAL/FLAGS table with PROTNONE and GLOBAL (the
 *   same bit, both printed). Since the L1TF fix (4.19, 6b28baca9b1f) the kernel stores a PROT_NONE
 *   pte's pfn inverted; crash prints pte & PHYSICAL_PAGE_MASK as is, which is the inverted
 *   garbage — we undo the inversion (pte_pfn()) and print the real frame.
 * - A swap entry: not mapped, a blank line, then the PTE/SWAP/OFFSET table (type in bits 59-63,
 *   ~offset in bits 9-58 with L1TF).
 * Tables built with the synth x86 page-table builder; expected text from crash's printf formats.
 */
import { describe, expect, it } from 'vitest';
import { PhysImage } from '../../src/synth/phys-image.js';
import { X86PageTables, X86_PROT } from '../../src/synth/pagetables-x86.js';
import { X86_64, defaultX86Layout } from '../../src/arch/x86-64.js';
import { describeWalk } from '../../src/commands/vtop-walk.js';
import { formatVtop } from '../../src/format/vtop.js';
import { x86SwapEntry } from '../../src/kernel/helpers/swap.js';
import type { VtopEntry } from '../../src/commands/memory-results.js';

const x = (v: bigint) => v.toString(16);
const PHYS_MASK = ((1n << 52n) - 1n) & ~0xfffn;

function setup() {
  const img = new PhysImage({ alloc: { start: 0x100000n, end: 0x400000n } });
  img.addRam(0n, 0x40000000n);
  const pt = new X86PageTables(img, {});
  const arch = new X86_64({ physBase: 0n, kernelRoot: pt.root, smeMask: 0n, fiveLevel: false, ...defaultX86Layout(false) }, (p, n) => img.read(p, n));
  return { img, pt, arch };
}

function entryText(s: ReturnType<typeof setup>, va: bigint, swap?: { device: string; offset: bigint }): string {
  const view = describeWalk(s.arch, va, { kernel: false, pgdVirt: s.arch.physToDirect(s.pt.root), root: s.pt.root });
  const e: VtopEntry = { vaddr: va, vWidth: 10, paddr: view.paddr, steps: view.steps, page: view.page, pageHeader: false, physWidth: 8 };
  if (view.pte) e.pte = { ...view.pte, ...(view.pte.present ? {} : { swap }) };
  return formatVtop({ kind: 'vtop', entries: [e] });
}

describe('x86_64 uvtop of non-present user ptes', () => {
  const s = setup();
  const va = 0x7f0000001000n;
  s.pt.map(va, 0x2000000n, 0x1000n, X86_PROT.USER_RW);
  const pteAt = s.pt.entryAddr(va, 'PTE')!;
  const walkLines = () =>
    (['PGD', 'PUD', 'PMD', 'PTE'] as const).map((l) => `   ${l}: ${x(s.pt.entryAddr(va, l)!)} => ${x(s.img.readU64(s.pt.entryAddr(va, l)!))}`);

  it('a PROT_NONE pte still maps its (un-inverted) frame, with PROTNONE|GLOBAL', () => {
    // pte_modify(pte, PAGE_NONE) of a dirty, accessed page at pfn 0x1234: L1TF-inverted pfn, ACCESSED|DIRTY|PROTNONE
    const pte = ((~0x1234000n & PHYS_MASK) | 0x160n) & ((1n << 64n) - 1n);
    s.img.writeU64(pteAt, pte);
    const w = s.arch.walk(va + 0x10n, s.pt.root, { user: true });
    expect(w.protNone).toBe(true);
    expect(w.paddr).toBe(0x1234010n);
    expect(s.arch.walk(va, s.pt.root).paddr).toBeUndefined(); // not for kernel walks (kvtop)
    expect(entryText(s, va + 0x10n)).toBe(
      [
        'VIRTUAL     PHYSICAL        ',
        `${x(va + 0x10n)}  1234010         `,
        '',
        ...walkLines(),
        '  PAGE: 1234000  ',
        '',
        '     PTE       PHYSICAL  FLAGS', // CENTER|LJUST in strlen("ffffffedcb160")
        `${x(pte)}   1234000  (ACCESSED|DIRTY|PROTNONE|GLOBAL)`,
        '',
        '',
      ].join('\n'),
    );
  });

  it('a swap entry is not mapped: blank line, then the PTE/SWAP/OFFSET table', () => {
    // swp_entry(type 1, offset 0x2a) as __swp_entry() with the L1TF inversion: type << 59 | ~offset << 9
    const pte = ((1n << 59n) | ((~0x2an << 9n) & ((1n << 59n) - 1n) & ~0x1ffn)) & ((1n << 64n) - 1n);
    expect(x86SwapEntry(pte)).toEqual({ type: 1, offset: 0x2an });
    s.img.writeU64(pteAt, pte);
    expect(s.arch.walk(va, s.pt.root, { user: true }).paddr).toBeUndefined();
    expect(entryText(s, va, { device: '/dev/vda2', offset: 42n })).toBe(
      [
        'VIRTUAL     PHYSICAL        ',
        `${x(va)}  (not mapped)`,
        '',
        ...walkLines(),
        '',
        '      PTE          SWAP     OFFSET',
        `${x(pte)}  /dev/vda2    42  `, // CENTER|RJUST of "42" in strlen("OFFSET")
        '',
        '',
      ].join('\n'),
    );
  });
});
