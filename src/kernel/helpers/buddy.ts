import type { Kernel } from '../kernel.js';
import { resolveType } from '../../debuginfo/btf/types.js';
import { pfnToPage } from './mm-page.js';
import { readPage } from './page.js';
import { isBuddy } from './page-explain.js';
import { allZones, zonePageState } from './vmstat.js';
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

/** What the zone line of kmem -f shows. */
export function zoneSummary(k: Kernel, z: FreeBlock): { name: string; size: bigint; free: bigint; startPfn: bigint } {
  const nameOff = k.offsetOf('struct zone', 'name');
  let name = '(unknown)';
  try {
    name = k.readCString(k.readPtr(z.zone + BigInt(nameOff), 'zone name'), 32);
  } catch {
    /* keep (unknown) */
  }
  return {
    name,
    size: k.readU64(z.zone + BigInt(k.offsetOf('struct zone', 'spanned_pages')), 'zone spanned_pages'),
    free: zonePageState(k, z.zone, 'NR_FREE_PAGES') ?? 0n,
    startPfn: k.readU64(z.zone + BigInt(k.offsetOf('struct zone', 'zone_start_pfn')), 'zone_start_pfn'),
  };
}
