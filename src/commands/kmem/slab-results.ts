/**
 * Results of `kmem -s`, `kmem -S` and `kmem <address>` (memory.c dump_kmem_cache_slub,
 * do_kmem_cache_slub, do_slab_slub, kmem_search): crash prints these as a stream of typed lines,
 * so the result is that stream. Rendered by format/kmem-slab.ts.
 */
import type { CacheCounts } from '../../kernel/helpers/slab-walk.js';

export type SlabLine =
  /** `CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME` */
  | { t: 'cache-header' }
  /** a cache; no counts: crash's `?` columns after "cannot gather relevant slab data" */
  | { t: 'cache'; addr: bigint; objsize: number; counts?: CacheCounts; ssizeK: number; name: string }
  /** -I: `%lx %-43s  %s` with [IGNORED] */
  | { t: 'ignored'; addr: bigint; name: string }
  /** `kmem -s list`: address and name */
  | { t: 'list'; addr: bigint; name: string }
  /** `  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE` */
  | { t: 'slab-header' }
  | { t: 'slab'; slab: bigint; memory: bigint; node: number; objects: number; inuse: number }
  /** `  FREE / [ALLOCATED]` */
  | { t: 'objects-header' }
  | { t: 'object'; addr: bigint; free: boolean; cpu?: number }
  /** `KMEM_CACHE_NODE   NODE  SLABS  PARTIAL  PER-CPU` and its row */
  | { t: 'node-header' }
  | { t: 'node'; addr: bigint; node: number; slabs: bigint; partial: bigint; perCpu: bigint }
  /** literal lines: `CPU 1 KMEM_CACHE_CPU:`, `  (empty)`, `NODE 0 FULL:` ... */
  | { t: 'text'; text: string }
  /** crash's error(INFO): `kmem: <message>` */
  | { t: 'info'; message: string }
  /** crash's error(WARNING): `WARNING: <message>` */
  | { t: 'warning'; message: string }
  /** -e (crash-tui): what the line above means */
  | { t: 'explain'; text: string };

export interface KmemSlabResult {
  kind: 'kmem-slab';
  lines: SlabLine[];
}

/** kmem <address> in a free buddy block (dump_free_pages_zones_v2 with an address). */
export interface KmemFreePageResult {
  kind: 'kmem-free-page';
  /** NODE line when the kernel has several nodes */
  node?: number;
  zone: { index: number; name: string; size: bigint; free: bigint; memMap: bigint; startPaddr: bigint; startMapnr: bigint };
  area: { order: number; sizeK: bigint; freeList: bigint };
  /** the block's first struct page */
  page: bigint;
  /** `(addr is Nth of M pages)` for blocks above order 0 */
  position?: { addr: bigint; nth: bigint; pages: bigint; physical: boolean };
}

/** kmem <address> in vmalloc space: the kmem -v line of its vmap_area. */
export interface KmemVmapResult {
  kind: 'kmem-vmap';
  area: bigint;
  vm: bigint;
  start: bigint;
  end: bigint;
}
