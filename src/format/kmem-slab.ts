import type { KmemFreePageResult, KmemSlabResult, KmemVmapResult, SlabLine } from '../commands/kmem/slab-results.js';
import { mkstring } from './mkstring.js';

/**
 * `kmem -s`, `kmem -S` and `kmem <address>` in crash's layout (memory.c kmem_cache_init's headers,
 * dump_kmem_cache_info, DUMP_SLAB_INFO_SLUB, do_slab_slub, do_kmem_cache_slub; 64-bit widths).
 */
export const KMEM_CACHE_HEADER = 'CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME';
export const SLAB_HEADER = '  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE';

const hex = (v: bigint) => v.toString(16);
const r = (v: bigint | number | string, w: number) => String(v).padStart(w);

export function slabLineText(l: SlabLine): string {
  switch (l.t) {
    case 'cache-header':
      return KMEM_CACHE_HEADER;
    case 'cache': {
      const c = l.counts;
      const cols = c ? `${r(c.allocated, 9)}  ${r(c.total, 8)}  ${r(c.slabs, 5)}` : `${r('?', 9)}  ${r('?', 8)}  ${r('?', 5)}`;
      return `${hex(l.addr).padEnd(16)} ${r(l.objsize, 8)}  ${cols}  ${r(l.ssizeK, 4)}k  ${l.name}`;
    }
    case 'ignored':
      return `${hex(l.addr)} ${'[IGNORED]'.padEnd(43)}  ${l.name}`;
    case 'list':
      return `${hex(l.addr)} ${l.name}`;
    case 'slab-header':
      return SLAB_HEADER;
    case 'slab':
      return `  ${hex(l.slab).padEnd(16)}  ${hex(l.memory).padEnd(16)}  ${r(l.node, 4)}  ${r(l.objects, 5)}  ${r(l.inuse, 9)}  ${r(l.objects - l.inuse, 4)}`;
    case 'objects-header':
      return '  FREE / [ALLOCATED]';
    case 'object':
      return l.free ? `   ${hex(l.addr)}  ${l.cpu !== undefined ? `(cpu ${l.cpu} cache)` : ''}` : `  [${hex(l.addr)}]`;
    case 'node-header':
      return 'KMEM_CACHE_NODE   NODE  SLABS  PARTIAL  PER-CPU';
    case 'node':
      return `${hex(l.addr)}  ${r(l.node, 4)}  ${r(l.slabs, 5)}  ${r(l.partial, 7)}  ${r(l.perCpu, 7)}`;
    case 'text':
      return l.text;
    case 'info':
      return `kmem: ${l.message}`;
    case 'warning':
      return `WARNING: ${l.message}`;
    case 'explain':
      return `  ${l.text}`;
  }
}

export function formatKmemSlab(res: KmemSlabResult): string {
  return res.lines.map((l) => slabLineText(l) + '\n').join('');
}

/** The free-page block of kmem_search (dump_free_pages_zones_v2's address search). */
export function formatKmemFreePage(f: KmemFreePageResult): string {
  const z = f.zone;
  const out: string[] = [];
  if (f.node !== undefined) out.push('NODE', ` ${r(f.node, 2)}`);
  out.push(ZONE_HEADER, zoneLineText(z));
  out.push('AREA    SIZE  FREE_AREA_STRUCT');
  out.push(`${r(f.area.order, 3)}  ${r(`${f.area.sizeK}k`, 7)}  ${mkstring(hex(f.area.freeList), 16, 'center')}  `);
  const p = f.position;
  const pos = p ? `(${hex(p.addr)} is ${p.physical && p.addr % 4096n ? 'in ' : ''}${ordinal(p.nth)} of ${p.pages} pages)` : '';
  out.push(`${hex(f.page)}  ${pos}`);
  return out.map((l) => l + '\n').join('');
}

export const ZONE_HEADER = `ZONE  NAME        SIZE    FREE  ${mkstring('MEM_MAP', 16, 'center-ljust')}  START_PADDR  START_MAPNR`;

/** A zone line of kmem -f (dump_free_pages_zones_v2). */
export function zoneLineText(z: KmemFreePageResult['zone']): string {
  return (
    `${r(z.index, 3)}   ${z.name.padEnd(9)} ${r(z.size, 6)}  ${r(z.free, 6)}  ${mkstring(hex(z.memMap), 16, 'center')}  ` +
    `${mkstring(hex(z.startPaddr), 11, 'center-rjust')}  ${mkstring(z.startMapnr.toString(), 11, 'center-rjust')}`
  );
}

/** crash's ordinal(): only the last digit decides (11 → "11st", as crash prints it). */
function ordinal(n: bigint): string {
  const s = n.toString();
  const last = s[s.length - 1];
  return s + (last === '1' ? 'st' : last === '2' ? 'nd' : last === '3' ? 'rd' : 'th');
}

/** The kmem -v header and the line of one vmap_area (memory.c dump_vmap_area). */
export function formatKmemVmap(v: KmemVmapResult): string {
  return `${VMAP_HEADER}\n${vmapRowText(v)}\n`;
}

export const VMAP_HEADER = `${mkstring('VMAP_AREA', 16, 'center-ljust')}  ${mkstring('VM_STRUCT', 16, 'center-ljust')}  ${mkstring('ADDRESS RANGE', 35, 'center-ljust')}     SIZE`;

export function vmapRowText(v: { area: bigint; vm: bigint; start: bigint; end: bigint }): string {
  return `${mkstring(hex(v.area), 16, 'center-ljust')}  ${mkstring(hex(v.vm), 16, 'center-ljust')}  ${hex(v.start).padStart(16)} - ${hex(v.end).padEnd(16)}  ${r(v.end - v.start, 7)}`;
}
