/**
 * arm64 vtop output from a synthetic translation table (4K granule, 48-bit VA, 4 levels; and
 * 39-bit VA, 3 levels): crash's arm64_vtop_4level_4k / arm64_vtop_3level_4k layout — the pgd's
 * virtual address as PAGE DIRECTORY, entries by kernel virtual address, the block or page, then
 * arm64_translate_pte's table. Expected text is written from crash's printf formats.
 */
import { describe, expect, it } from 'vitest';
import { PhysImage } from '../../src/synth/phys-image.js';
import { Arm64PageTables, arm64Prot, SIZE_1G, SIZE_2M, SIZE_4K } from '../../src/synth/pagetables-arm64.js';
import { Arm64 } from '../../src/arch/arm64.js';
import { describeWalk } from '../../src/commands/vtop-walk.js';
import { formatVtop } from '../../src/format/vtop.js';
import type { VtopEntry } from '../../src/commands/memory-results.js';
import { explainMapping } from '../../src/commands/vtop-explain.js';

const PHYS_OFFSET = 0x40000000n;
const x = (v: bigint) => v.toString(16);

function setup(vaBits: 39 | 48) {
  const img = new PhysImage({ alloc: { start: PHYS_OFFSET + 0x100000n, end: PHYS_OFFSET + 0x400000n } });
  img.addRam(PHYS_OFFSET, PHYS_OFFSET + (1n << 31n));
  const pt = new Arm64PageTables(img, { vaBits });
  const top = (1n << 64n) - 1n;
  const kvStart = top - (1n << BigInt(vaBits)) + 1n;
  const half = top - (1n << BigInt(vaBits - 1)) + 1n;
  const kernelText = half + 0x80000000n; // flipped layout (v5.4+): the image in the upper half
  const arch = new Arm64(
    { vaBits, pageShift: 12, physOffset: PHYS_OFFSET, kimageVoffset: kernelText - (PHYS_OFFSET + 0x200000n), kernelRoot: pt.root, kernelText },
    (p, n) => img.read(p, n),
  );
  // swapper_pg_dir is a kernel-image symbol: its virtual address is the image's
  const pgdVirt = kernelText + (pt.root - (PHYS_OFFSET + 0x200000n));
  return { img, pt, arch, kvStart, kernelText, pgdVirt };
}

function entryText(s: ReturnType<typeof setup>, va: bigint): string {
  const view = describeWalk(s.arch, va, { kernel: true, pgdVirt: s.pgdVirt });
  const e: VtopEntry = {
    vaddr: va,
    vWidth: 16,
    paddr: view.paddr,
    pageDirectory: view.pageDirectory,
    steps: view.steps,
    page: view.page,
    pte: view.pte,
    pageHeader: false,
    physWidth: 8,
  };
  e.explanation = explainMapping('arm64', e, view);
  return formatVtop({ kind: 'vtop', entries: [e] });
}

describe('arm64 vtop, 4K pages, 48-bit VA', () => {
  const s = setup(48);
  const prot = arm64Prot();
  const textVa = s.kernelText;
  const dataVa = s.kernelText + 0x400000n;
  s.pt.map(textVa, PHYS_OFFSET + 0x200000n, SIZE_2M, prot.KERNEL_ROX);
  s.pt.map(dataVa, PHYS_OFFSET + 0x600000n, SIZE_4K, prot.KERNEL);
  s.pt.map(s.kvStart, PHYS_OFFSET, SIZE_1G, prot.KERNEL);
  const E = (name: string, va: bigint) => s.pt.entryAddr(va, name)!;
  const V = (e: bigint) => s.img.readU64(e);
  const lin = (pa: bigint) => s.arch.physToDirect(pa);

  it('a 4K page: PGD, PUD, PMD, PTE by virtual address, then the PTE table', () => {
    const pte = V(E('PTE', dataVa));
    expect(pte).toBe(0xe8000040600703n); // PAGE_KERNEL: AF|SHARED|PXN|UXN|DBM|DIRTY, page type
    expect(entryText(s, dataVa + 0x123n)).toBe(
      [
        'VIRTUAL           PHYSICAL        ',
        `${x(dataVa + 0x123n)}  40600123        `,
        '',
        `PAGE DIRECTORY: ${x(s.pgdVirt)}`,
        `   PGD: ${x(s.pgdVirt + (E('PGD', dataVa) - s.pt.root))} => ${x(V(E('PGD', dataVa)))}`,
        `   PUD: ${x(lin(E('PUD', dataVa)))} => ${x(V(E('PUD', dataVa)))}`,
        `   PMD: ${x(lin(E('PMD', dataVa)))} => ${x(V(E('PMD', dataVa)))}`,
        `   PTE: ${x(lin(E('PTE', dataVa)))} => e8000040600703`,
        '  PAGE: 40600000  ', // "  PAGE: %lx  %s" with an empty %s
        '',
        '     PTE        PHYSICAL  FLAGS',
        'e8000040600703  40600000  (VALID|SHARED|AF|PXN|UXN|DIRTY)',
        '',
        'EXPLANATION: writable kernel page, not executable (PXN), page mapping, dirty',
        '',
      ].join('\n'),
    );
  });

  it('a 2MB block ends the walk at the PMD', () => {
    const pmd = V(E('PMD', textVa));
    expect(entryText(s, textVa)).toBe(
      [
        'VIRTUAL           PHYSICAL        ',
        `${x(textVa)}  40200000        `,
        '',
        `PAGE DIRECTORY: ${x(s.pgdVirt)}`,
        `   PGD: ${x(s.pgdVirt + (E('PGD', textVa) - s.pt.root))} => ${x(V(E('PGD', textVa)))}`,
        `   PUD: ${x(lin(E('PUD', textVa)))} => ${x(V(E('PUD', textVa)))}`,
        `   PMD: ${x(lin(E('PMD', textVa)))} => ${x(pmd)}`,
        '  PAGE: 40200000  (2MB)',
        '',
        '     PTE        PHYSICAL  FLAGS',
        `${x(pmd)}  40200000  (VALID|RDONLY|SHARED|AF|UXN|DIRTY)`,
        '',
        'EXPLANATION: read-only kernel page (RDONLY), executable, 2MB mapping, dirty',
        '',
      ].join('\n'),
    );
  });

  it('a 1GB block ends the walk at the PUD; an unmapped address stops at the empty entry', () => {
    const text = entryText(s, s.kvStart + 0x1234n);
    expect(text).toContain(`   PUD: ${x(lin(E('PUD', s.kvStart)))} => ${x(V(E('PUD', s.kvStart)))}\n  PAGE: 40000000  (1GB)\n\n`);
    expect(text).not.toContain('PMD:');
    const hole = entryText(s, dataVa + 0x1000n);
    expect(hole).toContain(`${x(dataVa + 0x1000n)}  (not mapped)\n\n`);
    expect(hole).toMatch(/ {3}PTE: [0-9a-f]+ => 0\n\nEXPLANATION: not mapped: the PTE entry is empty\n$/);
  });
});

describe('arm64 vtop, 4K pages, 39-bit VA (3 levels)', () => {
  const s = setup(39);
  const va = s.kernelText + 0x5000n;
  s.pt.map(va, PHYS_OFFSET + 0x700000n, SIZE_4K, arm64Prot().KERNEL_RO);

  it('prints PGD, PMD and PTE', () => {
    const text = entryText(s, va);
    expect(text.split('\n').filter((l) => /^ {3}[A-Z]+: /.test(l)).map((l) => l.trim().slice(0, 4))).toEqual(['PGD:', 'PMD:', 'PTE:']);
    expect(text).toContain('  PAGE: 40700000  \n\n');
    expect(text).toContain('(VALID|RDONLY|SHARED|AF|PXN|UXN|DIRTY)');
    expect(text).toContain('EXPLANATION: read-only kernel page (RDONLY), not executable (PXN)');
  });
});
