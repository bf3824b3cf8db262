import type { Kernel } from '../kernel.js';
import { resolveType } from '../../debuginfo/btf/types.js';
import { pfnToPage } from './mm-page.js';
import { readPage } from './page.js';
import { isBuddy } from './page-explain.js';
import { allZones } from './vmstat.js';
import { memoryNodes } from './mm.js';
import { listForEach } from './list.js';

/**
 * The buddy allocator's free blocks (mm/page_alloc.c): a free block's first page is PageBuddy
 * with its order in page.private, and sits on zone->free_area[order].free_list[migratetype].
 * As the kernel's is_free_buddy_page() does, the block holding a pfn is found by looking at the
 * pfn aligned down to each order, instead of walking every free list as crash does.
 */

export interface FreeBlock {
  zone: bigint;
  /** index of the zone in its node (ZONE_DMA, ZONE_DMA32, ZONE_NORMAL ...) */
  zoneIndex: number;
  nodeId: number;
  nodeStartPfn: bigint;
  order: number;
  headPfn: bigint;
  head: bigint;
  /** the free_area[order].free_list[migratetype] list_head the block is on */
  freeList: bigint;
}

export function freeBlockContaining(k: Kernel, pfn: bigint): FreeBlock | undefined {
  if (!k.btf || !k.hasMember('struct zone', 'free_area')) return undefined;
  const fa = k.types.memberOf('struct zone', 'free_area')!;
  const t = resolveType(fa.type);
  const maxOrder = t.kind === 'array' ? t.length : 11;
  for (let o = 0; o < maxOrder; o++) {
    const headPfn = pfn & ~((1n << BigInt(o)) - 1n);
    const head = pfnToPage(k, headPfn);
    if (head === undefined) continue;
    let p;
    try {
      p = readPage(k, head);
    } catch {
      continue;
    }
    if (!isBuddy(k, p) || p.private < BigInt(o) || p.private >= BigInt(maxOrder)) continue;
    const order = Number(p.private);
    if (pfn >= headPfn + (1n << BigInt(order))) continue;
    const z = zoneOf(k, headPfn);
    if (!z) return undefined;
    const freeList = findFreeList(k, z.zone, order, head);
    if (freeList === undefined) return undefined;
    return { ...z, order, headPfn, head, freeList };
  }
  return undefined;
}

interface ZoneInfo {
  zone: bigint;
  zoneIndex: number;
  nodeId: number;
  nodeStartPfn: bigint;
}

function zoneOf(k: Kernel, pfn: bigint): ZoneInfo | undefined {
  const startOff = k.memberByteOffset('struct zone', 'zone_start_pfn');
  const spanOff = k.memberByteOffset('struct zone', 'spanned_pages');
  if (startOff === undefined || spanOff === undefined) return undefined;
  const nodes = memoryNodes(k);
  const zones = allZones(k);
  const perNode = nodes.length ? zones.length / nodes.length : zones.length;
  for (let i = 0; i < zones.length; i++) {
    const z = zones[i];
    const start = k.readU64(z + BigInt(startOff), 'zone_start_pfn');
    const span = k.readU64(z + BigInt(spanOff), 'spanned_pages');
    if (pfn < start || pfn >= start + span) continue;
    const node = nodes[Math.floor(i / perNode)];
    return { zone: z, zoneIndex: i % perNode, nodeId: node?.id ?? 0, nodeStartPfn: node?.startPfn ?? 0n };
  }
  return undefined;
}

/** Which migratetype list of free_area[order] holds the block's head (page.lru / buddy_list). */
function findFreeList(k: Kernel, zone: bigint, order: number, head: bigint): bigint | undefined {
  const faOff = k.offsetOf('struct zone', 'free_area');
  const faSize = k.sizeOf('struct free_area');
  const fl = k.types.memberOf('struct free_area', 'free_list')!;
  const ft = resolveType(fl.type);
  const lists = ft.kind === 'array' ? ft.length : 1;
  const lru = k.memberByteOffset('struct page', 'buddy_list') ?? k.memberByteOffset('struct page', 'lru') ?? 8;
  const node = head + BigInt(lru);
  for (let mt = 0; mt < lists; mt++) {
    const lh = zone + BigInt(faOff + order * faSize + fl.bitOffset / 8 + mt * 16);
    try {
      for (const n of listForEach(k, lh, 'free_list')) if (n === node) return lh;
    } catch {
      /* a corrupted list: try the next one */
    }
  }
  return undefined;
}

/** zone.free_area[] geometry: MAX_ORDER areas of `lists` migratetype list_heads each. */
export interface FreeAreaLayout {
  /** offset of zone.free_area */
  offset: number;
  orders: number;
  areaSize: number;
  /** offset of free_area.free_list in struct free_area */
  listOffset: number;
  lists: number;
  /** offset of the list_head in struct page the free lists link (buddy_list, lru) */
  pageLink: number;
}

export function freeAreaLayout(k: Kernel): FreeAreaLayout | undefined {
  return k.memo('buddy:layout', () => {
    if (!k.btf || !k.hasMember('struct zone', 'free_area') || !k.hasType('struct free_area')) return undefined;
    const fa = resolveType(k.types.memberOf('struct zone', 'free_area')!.type);
    const fl = k.types.memberOf('struct free_area', 'free_list');
    if (!fl) return undefined;
    const ft = resolveType(fl.type);
    return {
      offset: k.offsetOf('struct zone', 'free_area'),
      orders: fa.kind === 'array' ? fa.length : 11,
      areaSize: k.sizeOf('struct free_area'),
      listOffset: fl.bitOffset / 8,
      lists: ft.kind === 'array' ? ft.length : 1,
      pageLink: k.memberByteOffset('struct page', 'buddy_list') ?? k.memberByteOffset('struct page', 'lru') ?? 8,
    };
  });
}

/** The address of zone->free_area[order].free_list[mt]. */
export const freeListHead = (l: FreeAreaLayout, zone: bigint, order: number, mt: number): bigint =>
  zone + BigInt(l.offset + order * l.areaSize + l.listOffset + mt * 16);

/** How a free-list walk ended early, in crash do_list()'s words. */
export interface FreeListError {
  kind: 'duplicate' | 'invalid';
  /** the list_head address (duplicate) or the address that could not be read (invalid) */
  entry: bigint;
}

/**
 * One free list's pages, as crash's do_list(RETURN_ON_DUPLICATE) walks it: from head.next until
 * the head (or NULL, the first entry again, or a self-loop). `seen` is shared by every list of
 * one report, so a page on two lists is a duplicate as in crash's single hash queue; the walk is
 * bounded by it and by `limit`.
 */
export function walkFreeList(
  k: Kernel,
  head: bigint,
  pageLink: number,
  seen: Set<bigint>,
  limit = 1 << 24,
): { pages: bigint[]; error?: FreeListError } {
  const pages: bigint[] = [];
  let first: bigint;
  try {
    first = k.readPtr(head, 'free_area free_list');
  } catch {
    return { pages, error: { kind: 'invalid', entry: head } };
  }
  if (first === head) return { pages };
  let next = first;
  let last = 0n;
  while (pages.length < limit) {
    const page = next - BigInt(pageLink);
    pages.push(page);
    if (seen.has(page)) return { pages, error: { kind: 'duplicate', entry: next } };
    seen.add(page);
    last = next;
    try {
      next = k.readPtr(next, 'list entry');
    } catch {
      return { pages, error: { kind: 'invalid', entry: next } };
    }
    if (next === 0n || next === head || next === first || next === last) return { pages };
  }
  return { pages, error: { kind: 'duplicate', entry: next } };
}
