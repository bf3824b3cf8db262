import type { Kernel } from '../../kernel/kernel.js';
import type { KmemFreePageResult } from './slab-results.js';
import type { FreeAreaRow, FreeZone, FreeZoneLine, KmemFreeReport } from './report-results.js';
import { err, lines, type CommandResult } from '../result.js';
import { freeAreaLayout, freeBlockContaining, freeListHead, walkFreeList } from '../../kernel/helpers/buddy.js';
import { nodeZones, zoneFreePages, type ZoneDesc } from '../../kernel/helpers/zone.js';
import { memoryNodes } from '../../kernel/helpers/mm.js';
import { pageLayout, pageToPfn, pfnToPage, physToPage, physToPfn } from '../../kernel/helpers/mm-page.js';
import { crashKvtop } from './pages.js';

/**
 * `kmem -f`, `kmem -F` and `kmem -f <address>` (memory.c dump_free_pages_zones_v2,
 * dump_zone_free_area): every zone of every node, and for the zones with free pages each
 * zone->free_area[order].free_list[migratetype] with its block count (-f) or its blocks' first
 * pages (-F), then the sum of the zones' NR_FREE_PAGES checked against the pages on the lists.
 */
export function kmemFree(k: Kernel, verbose: boolean): CommandResult[] {
  const layout = freeAreaLayout(k);
  if (!layout) return [err('neither free_area_struct or free_area structures exist')];
  const zones = nodeZones(k);
  if (!zones.length) return [err('cannot determine pgdat list for this kernel/architecture')];
  const multi = memoryNodes(k).length > 1;
  const seen = new Set<bigint>();
  const report: KmemFreeReport = { kind: 'kmem-report', report: 'free', verbose, zones: [], total: 0n, found: 0n };
  for (const z of zones) {
    const line = zoneLine(k, z);
    const zone: FreeZone = { ...line, node: multi && z.index === 0 ? { id: z.node.id, first: z.nodeIndex === 0 } : undefined };
    report.zones.push(zone);
    report.total += line.free;
    if (!line.free) continue;
    zone.areas = [];
    for (let order = 0; order < layout.orders; order++) {
      for (let mt = 0; mt < layout.lists; mt++) {
        const list = freeListHead(layout, z.addr, order, mt);
        const { pages, error } = walkFreeList(k, list, layout.pageLink, seen);
        const row: FreeAreaRow = { order, sizeK: (BigInt(k.arch.pageSize) << BigInt(order)) / 1024n, list, blocks: pages.length, pages };
        zone.areas.push(row);
        if (error) {
          row.error = { ...error, listIndex: mt, freeArea: freeListHead(layout, z.addr, order, 0) - BigInt(layout.listOffset) };
          return [report, ...freeListErrors(row)];
        }
        report.found += BigInt(pages.length) << BigInt(order);
      }
    }
  }
  return [report];
}

/** crash: do_list's INFO message (after a newline), then the FATAL `corrupted free list`. */
function freeListErrors(row: FreeAreaRow): CommandResult[] {
  const e = row.error!;
  return [
    lines(['']),
    err(`${e.kind === 'duplicate' ? 'duplicate' : 'invalid'} list entry: ${e.entry.toString(16)}`),
    err(`corrupted free list ${e.listIndex} from free_area struct: ${e.freeArea.toString(16)}`),
  ];
}

/** The ZONE line: spanned size, NR_FREE_PAGES, the zone's first struct page and its index in the node's mem_map. */
export function zoneLine(k: Kernel, z: ZoneDesc): FreeZoneLine {
  const memMap = z.spanned ? (pfnToPage(k, z.startPfn) ?? 0n) : 0n;
  const nodeMap = pfnToPage(k, z.node.startPfn) ?? 0n;
  return {
    index: z.index,
    name: z.name,
    size: z.spanned,
    free: zoneFreePages(k, z.addr),
    memMap,
    startPaddr: z.startPfn << BigInt(k.arch.pageShift),
    startMapnr: memMap ? (memMap - nodeMap) / BigInt(pageLayout(k).size) : 0n,
  };
}

/**
 * `kmem -f <address>`: the free block holding the address's page, or nothing (a page in use: kernel
 * text, a vmalloc'd page); crash's `cannot determine page for` where the physical address (a user
 * address is taken as one), or the one crash's kvtop() computes, has no struct page; nothing where
 * a kernel address does not translate.
 */
export function kmemFreeAddr(k: Kernel, addr: bigint, physical: boolean): CommandResult[] {
  if (physical && physToPage(k, addr) === undefined) return [err(`cannot determine page for ${addr.toString(16)}`)];
  if (!physical && pageToPfn(k, addr) === undefined) {
    const paddr = crashKvtop(k, addr);
    if (paddr === undefined) return [];
    if (physToPage(k, paddr) === undefined) return [err(`cannot determine page for ${addr.toString(16)}`)];
  }
  const f = freePageOf(k, addr, physical);
  return f ? [f] : [];
}

/** The free buddy block holding the address's page (dump_free_pages_zones_v2 with an address). */
export function freePageOf(k: Kernel, addr: bigint, physical: boolean): KmemFreePageResult | undefined {
  let pfn: bigint | undefined = physical ? physToPfn(k, addr) : pageToPfn(k, addr);
  if (pfn === undefined) {
    const paddr = crashKvtop(k, addr);
    if (paddr === undefined) return undefined;
    pfn = physToPfn(k, paddr);
  }
  const b = safe(() => freeBlockContaining(k, pfn!));
  if (!b) return undefined;
  const z = safe(() => nodeZones(k).find((d) => d.addr === b.zone));
  if (!z) return undefined;
  const pageSize = BigInt(k.arch.pageSize);
  const pages = 1n << BigInt(b.order);
  return {
    kind: 'kmem-free-page',
    node: memoryNodes(k).length > 1 ? b.nodeId : undefined,
    zone: zoneLine(k, z),
    area: { order: b.order, sizeK: (pages * pageSize) / 1024n, freeList: b.freeList },
    page: b.head,
    position: b.order ? { addr, nth: pfn - b.headPfn + 1n, pages, physical } : undefined,
  };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
