import type { Kernel } from '../kernel.js';
import { pageLayout, type PageLayout } from './mm-page.js';

/**
 * struct page contents (include/linux/mm_types.h, include/linux/page-flags.h): flags decoded by
 * the kernel's own names, reference and map counts, compound (folio) head and order.
 */

export interface PageFlagName {
  mask: bigint;
  name: string;
}

/**
 * The page-flag names as crash's page_flags_init() finds them: the kernel's pageflag_names[]
 * (mm/debug.c, struct trace_print_flags {mask, name}, ended by {0, NULL} since v4.6 or
 * {-1, NULL} before), else the enumerators of enum pageflags up to __NR_PAGEFLAGS.
 */
export function pageFlagNames(k: Kernel): PageFlagName[] {
  return k.memo('page:flagnames', () => fromPageflagNames(k) ?? fromEnum(k) ?? []);
}

function fromPageflagNames(k: Kernel): PageFlagName[] | undefined {
  const sym = k.symbol('pageflag_names');
  if (!sym) return undefined;
  const entSize = k.btf && k.hasType('struct trace_print_flags') ? k.sizeOf('struct trace_print_flags') : 16;
  const maskOff = (k.btf && k.memberByteOffset('struct trace_print_flags', 'mask')) || 0;
  const nameOff = (k.btf && k.memberByteOffset('struct trace_print_flags', 'name')) ?? 8;
  const out: PageFlagName[] = [];
  try {
    for (let i = 0; i < 128; i++) {
      const e = sym.address + BigInt(i * entSize);
      const mask = k.readU64(e + BigInt(maskOff), 'pageflag_names');
      const name = k.readPtr(e + BigInt(nameOff), 'pageflag_names');
      if (!name && (mask === 0n || mask === (1n << 64n) - 1n)) return out.length ? out : undefined;
      if (!name) return undefined;
      out.push({ mask, name: k.readCString(name, 64, 'pageflag_names') });
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function fromEnum(k: Kernel): PageFlagName[] | undefined {
  const e = k.btf?.enumConstant('PG_locked');
  if (!e) return undefined;
  const out: PageFlagName[] = [];
  for (const v of e.type.values) {
    if (v.name === '__NR_PAGEFLAGS') return out;
    if (v.name.startsWith('PG_') && v.value >= 0n && v.value < 64n) out.push({ mask: 1n << v.value, name: v.name.slice(3) });
  }
  return out;
}

/** Names of the flags set in `flags`, in table order (crash translate_page_flags()). */
export function decodePageFlags(flags: bigint, names: readonly PageFlagName[]): string[] {
  if (!flags) return [];
  return names.filter((n) => flags & n.mask).map((n) => n.name);
}

/** Bit number of PG_<name>: enum pageflags, else VMCOREINFO NUMBER(PG_<name>), else the names table. */
export function pageFlagBit(k: Kernel, name: string): number | undefined {
  return k.memo(`page:bit:${name}`, () => {
    const e = k.btf?.enumConstant(`PG_${name}`);
    if (e && e.type.values.some((v) => v.name === 'PG_locked')) return Number(e.value);
    const n = k.vmcoreinfo.number(`PG_${name}`);
    if (n !== undefined) return Number(n);
    const m = pageFlagNames(k).find((f) => f.name === name)?.mask;
    if (m && (m & (m - 1n)) === 0n) return m.toString(2).length - 1;
    return undefined;
  });
}

export interface PageInfo {
  page: bigint;
  flags: bigint;
  /** _refcount as crash prints it (a C int). */
  refcount: number;
  /** _mapcount as stored (-1 = unmapped). */
  mapcount: number;
  mapping: bigint;
  index: bigint;
  private: bigint;
  compoundHead: bigint;
}

/** Decode one struct page from a buffer holding it at `off`. */
export function decodePage(layout: PageLayout, dv: DataView, off: number, page: bigint): PageInfo {
  const u64 = (o: number) => (o < 0 ? 0n : dv.getBigUint64(off + o, true));
  const s32 = (o: number) => (o < 0 ? 0 : dv.getInt32(off + o, true));
  return {
    page,
    flags: u64(layout.flags),
    refcount: s32(layout.refcount),
    mapcount: s32(layout.mapcount),
    mapping: u64(layout.mapping),
    index: u64(layout.index),
    private: u64(layout.private),
    compoundHead: layout.compoundHead >= 0 ? u64(layout.compoundHead) : firstPageLink(layout, u64(layout.flags), u64(layout.firstPage)),
  };
}

/**
 * Before v4.6 a tail page said so with PG_tail and pointed at its head with page.first_page
 * (v2.6.26 "mm: PG_tail"); present that the way compound_head does (head | 1) so one test serves.
 */
function firstPageLink(layout: PageLayout, flags: bigint, first: bigint): bigint {
  return layout.tailMask && layout.firstPage >= 0 && flags & layout.tailMask && first ? first | 1n : 0n;
}

export function readPage(k: Kernel, page: bigint): PageInfo {
  const layout = pageLayout(k);
  const b = k.readBytes(page, layout.size, 'page struct');
  return decodePage(layout, new DataView(b.buffer, b.byteOffset, b.byteLength), 0, page);
}

/** PageTail(): compound_head bit 0 (v4.6+ "mm: make compound_head() robust"). */
export const isTailPage = (p: PageInfo): boolean => (p.compoundHead & 1n) === 1n;

/** PageHead(): PG_head set on a page that is not a tail. */
export function isHeadPage(k: Kernel, p: PageInfo): boolean {
  const bit = pageFlagBit(k, 'head');
  return bit !== undefined && !isTailPage(p) && ((p.flags >> BigInt(bit)) & 1n) === 1n;
}

/** compound_head(): the head page of a tail, the page itself otherwise. */
export const compoundHead = (p: PageInfo): bigint => (isTailPage(p) ? p.compoundHead - 1n : p.page);

/**
 * compound_order() of a head page: page[1].compound_order (to v6.5), folio._folio_order
 * (v6.6-v6.8), or the low byte of folio._flags_1 (v6.9+). Probed by member, never by version.
 */
export function compoundOrder(k: Kernel, head: bigint): number | undefined {
  const size = BigInt(pageLayout(k).size);
  try {
    const po = k.btf ? k.memberByteOffset('struct page', 'compound_order') : k.vmcoreinfo.offset('page.compound_order');
    if (po !== undefined) return k.readU8(head + size + BigInt(po), 'compound_order');
    if (!k.btf) return undefined;
    const fo = k.memberByteOffset('struct folio', '_folio_order');
    if (fo !== undefined) return k.readU8(head + BigInt(fo), 'folio order');
    const f1 = k.memberByteOffset('struct folio', '_flags_1');
    if (f1 !== undefined) return Number(k.readU64(head + BigInt(f1), 'folio flags') & 0xffn);
    // before compound_order had a member (v4.4 "mm: make compound_head() robust"), set_compound_order()
    // kept the order in page[1].lru.prev
    const lru = k.memberByteOffset('struct page', 'lru');
    if (lru !== undefined && !k.hasType('struct folio')) return Number(k.readU64(head + size + BigInt(lru) + 8n, 'compound order') & 0xffn);
  } catch {
    return undefined;
  }
  return undefined;
}

/** page_count(): the head's _refcount for a tail page (tails keep theirs at 0). */
export function pageCount(k: Kernel, p: PageInfo): number {
  if (!isTailPage(p)) return p.refcount;
  try {
    return readPage(k, compoundHead(p)).refcount;
  } catch {
    return p.refcount;
  }
}

/** page_mapcount() for a small page: _mapcount + 1. */
export const pageMapcount = (p: PageInfo): number => p.mapcount + 1;
