import type { Kernel } from '../kernel.js';

/**
 * struct page and the pfn ↔ page mapping (include/linux/mm_types.h, include/linux/mmzone.h,
 * include/asm-generic/memory_model.h), named like the kernel: pfnToPage, pageToPfn, pageToPhys.
 *
 * The mapping is SPARSEMEM: mem_section[] (VMCOREINFO SYMBOL(mem_section), LENGTH, SIZE,
 * OFFSET(mem_section.section_mem_map), NUMBER(SECTION_SIZE_BITS), NUMBER(MAX_PHYSMEM_BITS))
 * holds, per section, the encoded mem_map pointer (sparse_encode_mem_map(): mem_map minus the
 * section's first pfn, flag bits below SECTION_MAP_LAST_BIT). With SPARSEMEM_VMEMMAP the
 * decoded pointer is vmemmap + pfn * sizeof(struct page), so when the kernel's vmemmap base
 * agrees with the sections the arithmetic is used directly.
 */

const U64 = (1n << 64n) - 1n;

export interface PageLayout {
  size: number;
  flags: number;
  refcount: number;
  mapcount: number;
  mapping: number;
  index: number;
  private: number;
  compoundHead: number;
  /** Before v4.6: tails carry PG_tail and page.first_page (the head) instead of compound_head. */
  firstPage: number;
  /** 1 << PG_tail, 0n when the kernel has no PG_tail (v4.6+ encodes tails in compound_head). */
  tailMask: bigint;
}

/** struct page member offsets: BTF first, then VMCOREINFO (OFFSET(page.*), SIZE(page)). */
export function pageLayout(k: Kernel): PageLayout {
  return k.memo('mm-page:layout', () => {
    const vi = k.vmcoreinfo;
    const off = (m: string, ...alts: string[]): number => {
      for (const name of [m, ...alts]) {
        const o = k.btf ? k.memberByteOffset('struct page', name) : undefined;
        if (o !== undefined) return o;
        const v = vi.offset(`page.${name}`);
        if (v !== undefined) return v;
      }
      return -1;
    };
    const size = (k.btf && k.hasType('struct page') ? k.sizeOf('struct page') : undefined) ?? vi.size('page') ?? 64;
    return {
      size,
      flags: off('flags'),
      // _refcount since v4.6 ("mm: rename _count, field of the struct page, to _refcount")
      refcount: off('_refcount', '_count'),
      mapcount: off('_mapcount'),
      mapping: off('mapping'),
      // page->index became __folio_index in v6.16 (struct page keeps it only for folios)
      index: off('index', '__folio_index'),
      private: off('private'),
      compoundHead: off('compound_head'),
      firstPage: off('first_page'),
      tailMask: tailMask(k),
    };
  });
}

/** 1 << PG_tail (enum pageflags, else VMCOREINFO NUMBER(PG_tail)); 0n when there is none. */
function tailMask(k: Kernel): bigint {
  const e = k.btf?.enumConstant('PG_tail');
  const bit = e && e.type.values.some((v) => v.name === 'PG_locked') ? e.value : k.vmcoreinfo.number('PG_tail');
  return bit === undefined ? 0n : 1n << bit;
}

export interface SparseMem {
  pfnSectionShift: bigint;
  pagesPerSection: bigint;
  nrSections: bigint;
  sectionsPerRoot: bigint;
  rootCount: number;
  /** SPARSEMEM_EXTREME: the root table holds pointers to SECTIONS_PER_ROOT-entry arrays. */
  extreme: boolean;
  root: bigint;
  memSectionSize: number;
  mapOffset: number;
  mapMask: bigint;
}

const SECTION_MARKED_PRESENT = 1n;
const SECTION_HAS_MEM_MAP = 2n;

export function sparseMem(k: Kernel): SparseMem | undefined {
  return k.memo('mm-page:sparse', () => {
    const vi = k.vmcoreinfo;
    const sym = k.symbol('mem_section')?.address;
    const root = vi.symbol('mem_section') ?? (sym !== undefined ? k.readPtr(sym, 'mem_section') : undefined);
    if (root === undefined || root === 0n) return undefined;
    const x86 = k.arch.name === 'x86_64';
    const fiveLevel = x86 && vi.number('pgtable_l5_enabled') === 1n;
    const sectionSizeBits = Number(vi.number('SECTION_SIZE_BITS') ?? (x86 ? 27n : 27n));
    const maxPhysmemBits = Number(vi.number('MAX_PHYSMEM_BITS') ?? (x86 ? (fiveLevel ? 52n : 46n) : 48n));
    const memSectionSize = vi.size('mem_section') ?? (k.btf && k.hasType('struct mem_section') ? k.sizeOf('struct mem_section') : 16);
    const mapOffset = vi.offset('mem_section.section_mem_map') ?? 0;
    // SPARSEMEM_EXTREME (mm/sparse.c, v4.15+ "Allocate mem_section at runtime"): mem_section is a
    // pointer, and VMCOREINFO gives its value; the static array has the symbol's own address.
    const extreme = sym === undefined || sym !== root;
    const nrSections = 1n << BigInt(maxPhysmemBits - sectionSizeBits);
    const sectionsPerRoot = extreme ? BigInt(Math.floor(k.arch.pageSize / memSectionSize)) : 1n;
    const lastBit = k.btf ? k.types.enumValue('SECTION_MAP_LAST_BIT') : undefined;
    return {
      pfnSectionShift: BigInt(sectionSizeBits - k.arch.pageShift),
      pagesPerSection: 1n << BigInt(sectionSizeBits - k.arch.pageShift),
      nrSections,
      sectionsPerRoot,
      rootCount: vi.length('mem_section') ?? Number(nrSections / sectionsPerRoot),
      extreme,
      root,
      memSectionSize,
      mapOffset,
      mapMask: ~((1n << (lastBit ?? 5n)) - 1n) & U64,
    };
  });
}

/** __nr_to_section(): the struct mem_section address, undefined when its root is absent. */
export function nrToSection(k: Kernel, nr: bigint): bigint | undefined {
  const s = sparseMem(k);
  if (!s || nr < 0n || nr >= s.nrSections) return undefined;
  if (!s.extreme) return s.root + nr * BigInt(s.memSectionSize);
  const ri = nr / s.sectionsPerRoot;
  if (ri >= BigInt(s.rootCount)) return undefined;
  const roots = k.memo('mm-page:roots', () => new Map<bigint, bigint>());
  let r = roots.get(ri);
  if (r === undefined) {
    try {
      r = k.readPtr(s.root + ri * 8n, 'memory section root table');
    } catch {
      r = 0n;
    }
    roots.set(ri, r);
  }
  if (!r || !k.arch.isKernelAddr(r)) return undefined;
  return r + (nr % s.sectionsPerRoot) * BigInt(s.memSectionSize);
}

export interface Section {
  nr: bigint;
  startPfn: bigint;
  /** Decoded mem_map: the struct page of startPfn. */
  memMap: bigint;
}

function decodeSection(k: Kernel, s: SparseMem, nr: bigint, raw: bigint): Section | undefined {
  if (!(raw & SECTION_MARKED_PRESENT) || !(raw & SECTION_HAS_MEM_MAP)) return undefined;
  const startPfn = nr << s.pfnSectionShift;
  return { nr, startPfn, memMap: ((raw & s.mapMask) + startPfn * BigInt(pageLayout(k).size)) & U64 };
}

/** valid_section() with a mem_map: the section holding `nr`, or undefined. */
export function section(k: Kernel, nr: bigint): Section | undefined {
  const s = sparseMem(k);
  const addr = nrToSection(k, nr);
  if (!s || addr === undefined) return undefined;
  try {
    return decodeSection(k, s, nr, k.readU64(addr + BigInt(s.mapOffset), 'memory section'));
  } catch {
    return undefined;
  }
}

/** Every present section with a mem_map, ascending, read root by root (absent roots skipped). */
export function presentSections(k: Kernel): Section[] {
  return k.memo('mm-page:sections', () => {
    const s = sparseMem(k);
    const out: Section[] = [];
    if (s)
      forEachSectionWord(k, s, (nr, _addr, raw) => {
        const sec = decodeSection(k, s, nr, raw);
        if (sec) out.push(sec);
      });
    return out;
  });
}

/** One mem_section as crash's kmem -n lists it: its address and raw section_mem_map. */
export interface MemSectionEntry {
  nr: bigint;
  addr: bigint;
  raw: bigint;
}

/** valid_section(): every section marked present (with or without a mem_map), ascending. */
export function validSections(k: Kernel): MemSectionEntry[] {
  return k.memo('mm-page:valid', () => {
    const s = sparseMem(k);
    const out: MemSectionEntry[] = [];
    if (s)
      forEachSectionWord(k, s, (nr, addr, raw) => {
        if (raw & SECTION_MARKED_PRESENT) out.push({ nr, addr, raw });
      });
    return out;
  });
}

/**
 * Every mem_section's section_mem_map word, ascending: the flat array, or with SPARSEMEM_EXTREME
 * root by root (absent or non-kernel roots skipped), a page of sections per read.
 */
function forEachSectionWord(k: Kernel, s: SparseMem, visit: (nr: bigint, addr: bigint, raw: bigint) => void): void {
  const scan = (base: bigint, first: bigint, n: number) =>
    forEachChunk(k, base, n, s.memSectionSize, (dv, off, i) => visit(first + BigInt(i), base + BigInt(i * s.memSectionSize), dv.getBigUint64(off + s.mapOffset, true)));
  if (!s.extreme) return scan(s.root, 0n, Math.min(s.rootCount, Number(s.nrSections)));
  const roots: bigint[] = [];
  forEachChunk(k, s.root, s.rootCount, 8, (dv, off, i) => {
    const r = dv.getBigUint64(off, true);
    if (r && k.arch.isKernelAddr(r)) roots.push(BigInt(i), r);
  });
  for (let i = 0; i < roots.length; i += 2) scan(roots[i + 1], roots[i] * s.sectionsPerRoot, Number(s.sectionsPerRoot));
}

/** Visit `n` entries of `size` bytes from `addr`, a page at a time; unreadable pages are skipped. */
function forEachChunk(k: Kernel, addr: bigint, n: number, size: number, visit: (dv: DataView, off: number, index: number) => void): void {
  const per = Math.max(1, Math.floor(k.arch.pageSize / size));
  for (let i = 0; i < n; i += per) {
    const m = Math.min(per, n - i);
    let b: Uint8Array;
    try {
      b = k.readBytes(addr + BigInt(i * size), m * size, 'memory section');
    } catch {
      continue;
    }
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let j = 0; j < m; j++) visit(dv, j * size, i + j);
  }
}

/**
 * The vmemmap base (SPARSEMEM_VMEMMAP) when the sections agree with it: x86_64 vmemmap_base
 * (memory-region KASLR) or the arch default. Undefined means: decode through mem_section only.
 */
export function vmemmap(k: Kernel): bigint | undefined {
  return k.memo('mm-page:vmemmap', () => {
    const sym = k.symbol('vmemmap_base');
    let cand: bigint | undefined;
    try {
      cand = sym ? k.readU64(sym.address, 'vmemmap_base') : k.arch.layout.vmemmapStart || undefined;
    } catch {
      cand = undefined;
    }
    const first = presentSections(k)[0];
    if (cand === undefined || !first) return undefined;
    return ((cand + first.startPfn * BigInt(pageLayout(k).size)) & U64) === first.memMap ? cand : undefined;
  });
}

/** pfn_to_page(), undefined when the pfn's section is not present. */
export function pfnToPage(k: Kernel, pfn: bigint): bigint | undefined {
  const s = sparseMem(k);
  if (!s || pfn < 0n) return undefined;
  const sec = section(k, pfn >> s.pfnSectionShift);
  if (!sec) return undefined;
  return (sec.memMap + (pfn - sec.startPfn) * BigInt(pageLayout(k).size)) & U64;
}

/** page_to_pfn(): undefined unless `page` is a struct page of a present section (crash is_page_ptr()). */
export function pageToPfn(k: Kernel, page: bigint): bigint | undefined {
  const size = BigInt(pageLayout(k).size);
  const vm = vmemmap(k);
  const s = sparseMem(k);
  if (vm !== undefined && s) {
    if (page < vm || (page - vm) % size) return undefined;
    const pfn = (page - vm) / size;
    return section(k, pfn >> s.pfnSectionShift) ? pfn : undefined;
  }
  const secs = presentSections(k);
  let lo = 0;
  let hi = secs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const sec = secs[mid];
    const end = sec.memMap + (s?.pagesPerSection ?? 0n) * size;
    if (page < sec.memMap) hi = mid - 1;
    else if (page >= end) lo = mid + 1;
    else return (page - sec.memMap) % size ? undefined : sec.startPfn + (page - sec.memMap) / size;
  }
  return undefined;
}

export const pfnToPhys = (k: Kernel, pfn: bigint): bigint => pfn << BigInt(k.arch.pageShift);
export const physToPfn = (k: Kernel, paddr: bigint): bigint => paddr >> BigInt(k.arch.pageShift);

/** page_to_phys() */
export function pageToPhys(k: Kernel, page: bigint): bigint | undefined {
  const pfn = pageToPfn(k, page);
  return pfn === undefined ? undefined : pfnToPhys(k, pfn);
}

/** The struct page of a physical address (crash phys_to_page()). */
export function physToPage(k: Kernel, paddr: bigint): bigint | undefined {
  return pfnToPage(k, physToPfn(k, paddr));
}
