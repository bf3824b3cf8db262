/**
 * pfn ↔ struct page through mem_section, built by hand in fake physical memory (no BTF: the
 * offsets come from VMCOREINFO, as a kernel writes them), for SPARSEMEM_EXTREME (a root table of
 * pointers) and classic SPARSEMEM (a static array); page flags decoded by pageflag_names[].
 */
import { describe, expect, it } from 'vitest';
import { FakePhysMem } from '../builders/phys-mem.js';
import { X86_64, defaultX86Layout } from '../../src/arch/x86-64.js';
import { Memory } from '../../src/memory/memory.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { VmcoreInfo } from '../../src/debuginfo/vmcoreinfo.js';
import { SymbolTable, type Sym } from '../../src/debuginfo/symbol-table.js';
import { nrToSection, pageToPfn, pageToPhys, pfnToPage, physToPage, presentSections, sparseMem, vmemmap } from '../../src/kernel/helpers/mm-page.js';
import { compoundHead, decodePageFlags, isHeadPage, isTailPage, pageFlagNames, readPage } from '../../src/kernel/helpers/page.js';

const PO = defaultX86Layout(false).pageOffset; // direct map: va = PO + pa
const va = (pa: bigint) => PO + pa;
const SECTION_PAGES = 1n << 15n; // SECTION_SIZE_BITS 27 - PAGE_SHIFT 12
const PAGE_SIZE = 64n;
const SECTION_PRESENT_WITH_MAP = 3n; // SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP

const VMCOREINFO = (root: bigint) =>
  [
    'PAGESIZE=4096',
    `SYMBOL(mem_section)=${root.toString(16)}`,
    'LENGTH(mem_section)=4096',
    'SIZE(mem_section)=16',
    'OFFSET(mem_section.section_mem_map)=0',
    'NUMBER(SECTION_SIZE_BITS)=27',
    'NUMBER(MAX_PHYSMEM_BITS)=46',
    'SIZE(page)=64',
    'OFFSET(page.flags)=0',
    'OFFSET(page._refcount)=52',
    'OFFSET(page.mapping)=24',
    'OFFSET(page._mapcount)=48',
    'OFFSET(page.compound_head)=8',
    'OFFSET(page.compound_order)=17',
    'NUMBER(PG_head_mask)=65536',
    '',
  ].join('\n');

/** mem_maps of sections 0 and 2 (section 1 is a hole), in the direct map. */
const MAP0 = 0x400000n;
const MAP2 = 0x800000n;

function kernelWith(mem: FakePhysMem, root: bigint, syms: Sym[]): Kernel {
  const arch = new X86_64({ physBase: 0n, kernelRoot: 0x1000n, fiveLevel: false, smeMask: 0n, ...defaultX86Layout(false) }, (p, n) => mem.readPhys(p, n));
  return new Kernel({
    dump: mem,
    vmcoreinfo: new VmcoreInfo(VMCOREINFO(root)),
    arch,
    mem: new Memory(mem, arch),
    symbols: new SymbolTable(syms),
    loadBtf: () => undefined,
    debugSource: 'test',
  });
}

function encode(map: bigint, nr: bigint): bigint {
  return BigInt.asUintN(64, va(map) - nr * SECTION_PAGES * PAGE_SIZE) | SECTION_PRESENT_WITH_MAP;
}

function writePages(mem: FakePhysMem): void {
  mem.present(MAP0, 0x1000).present(MAP2, 0x1000);
  // pfn 0: a compound head (PG_head, bit 16) of order 2, refcount 3; pfn 1: its tail
  mem.write64(MAP0, (1n << 16n) | (1n << 9n)); // head|slab
  mem.write(MAP0 + 52n, new Uint8Array([3, 0, 0, 0]));
  mem.write64(MAP0 + PAGE_SIZE + 8n, va(MAP0) + 1n);
  mem.write(MAP0 + PAGE_SIZE + 17n, new Uint8Array([2]));
}

/** pageflag_names[] as mm/debug.c lays it out: {mask, name} pairs, then {0, NULL}. */
function writePageflagNames(mem: FakePhysMem, at: bigint): Sym {
  const names: [bigint, string][] = [[1n << 0n, 'locked'], [1n << 9n, 'slab'], [1n << 12n, 'reserved'], [1n << 16n, 'head']];
  let str = at + 0x100n;
  names.forEach(([mask, name], i) => {
    mem.write64(at + BigInt(i * 16), mask).write64(at + BigInt(i * 16 + 8), va(str));
    mem.write(str, new TextEncoder().encode(name + '\0'));
    str += 16n;
  });
  mem.write64(at + BigInt(names.length * 16), 0n).write64(at + BigInt(names.length * 16 + 8), 0n);
  return { name: 'pageflag_names', address: va(at), type: 'r' };
}

describe('SPARSEMEM_EXTREME: root table of section-array pointers', () => {
  const mem = new FakePhysMem();
  const ROOT = 0x10000n;
  const SECTIONS = 0x11000n;
  mem.write64(ROOT, va(SECTIONS));
  mem.write64(SECTIONS + 0n * 16n, encode(MAP0, 0n));
  mem.write64(SECTIONS + 2n * 16n, encode(MAP2, 2n));
  mem.present(SECTIONS, 0x1000);
  writePages(mem);
  const flagSym = writePageflagNames(mem, 0x20000n);
  // the mem_section pointer variable lives elsewhere: VMCOREINFO gives its value
  const k = kernelWith(mem, va(ROOT), [{ name: 'mem_section', address: va(0x30000n), type: 'b' }, flagSym]);

  it('decodes the layout from VMCOREINFO', () => {
    const s = sparseMem(k)!;
    expect(s.extreme).toBe(true);
    expect(s.sectionsPerRoot).toBe(256n);
    expect(s.pagesPerSection).toBe(SECTION_PAGES);
    expect(nrToSection(k, 2n)).toBe(va(SECTIONS + 32n));
    expect(nrToSection(k, 256n)).toBeUndefined(); // root 1 is NULL
  });

  it('lists present sections and maps pfns to pages and back', () => {
    expect(presentSections(k).map((s) => [s.nr, s.memMap])).toEqual([
      [0n, va(MAP0)],
      [2n, va(MAP2)],
    ]);
    expect(vmemmap(k)).toBeUndefined(); // the mem_maps are not one virtual array
    expect(pfnToPage(k, 5n)).toBe(va(MAP0) + 5n * PAGE_SIZE);
    expect(pfnToPage(k, SECTION_PAGES + 1n)).toBeUndefined(); // section 1: a hole
    const p = pfnToPage(k, 2n * SECTION_PAGES + 3n)!;
    expect(p).toBe(va(MAP2) + 3n * PAGE_SIZE);
    expect(pageToPfn(k, p)).toBe(2n * SECTION_PAGES + 3n);
    expect(pageToPfn(k, p + 1n)).toBeUndefined(); // not a struct page boundary
    expect(pageToPhys(k, va(MAP0) + PAGE_SIZE)).toBe(0x1000n);
    expect(physToPage(k, 0x1234n)).toBe(va(MAP0) + PAGE_SIZE);
  });

  it('reads pages: flags by pageflag_names, compound head and tail', () => {
    expect(pageFlagNames(k).map((f) => f.name)).toEqual(['locked', 'slab', 'reserved', 'head']);
    const head = readPage(k, va(MAP0));
    expect(decodePageFlags(head.flags, pageFlagNames(k))).toEqual(['slab', 'head']);
    expect(head.refcount).toBe(3);
    expect(isHeadPage(k, head)).toBe(true);
    const tail = readPage(k, va(MAP0) + PAGE_SIZE);
    expect(isTailPage(tail)).toBe(true);
    expect(isHeadPage(k, tail)).toBe(false);
    expect(compoundHead(tail)).toBe(va(MAP0));
  });
});

describe('classic SPARSEMEM: a static mem_section[] array', () => {
  const mem = new FakePhysMem();
  const ARRAY = 0x10000n;
  mem.present(ARRAY, 0x1000);
  mem.write64(ARRAY + 0n * 16n, encode(MAP0, 0n));
  mem.write64(ARRAY + 2n * 16n, encode(MAP2, 2n));
  writePages(mem);
  // VMCOREINFO SYMBOL(mem_section) is the array's own address here
  const k = kernelWith(mem, va(ARRAY), [{ name: 'mem_section', address: va(ARRAY), type: 'b' }]);

  it('indexes the array directly', () => {
    expect(sparseMem(k)!.extreme).toBe(false);
    expect(sparseMem(k)!.sectionsPerRoot).toBe(1n);
    expect(pfnToPage(k, 2n * SECTION_PAGES)).toBe(va(MAP2));
    expect(pageToPfn(k, va(MAP0) + 7n * PAGE_SIZE)).toBe(7n);
    expect(presentSections(k).map((s) => s.nr)).toEqual([0n, 2n]);
  });
});

describe('decodePageFlags', () => {
  const names = [
    { mask: 1n, name: 'locked' },
    { mask: 1n << 9n, name: 'slab' },
    { mask: 1n << 16n, name: 'head' },
  ];
  it('names the low flag bits in table order; node/zone/section bits stay in the hex only', () => {
    expect(decodePageFlags(0xfffffc0010200n, names)).toEqual(['slab', 'head']);
    expect(decodePageFlags(0n, names)).toEqual([]);
    expect(decodePageFlags(0xfffffc0000000n, names)).toEqual([]);
  });
});
