/**
 * Big machines for the scale benchmark (bench/scale.mjs): a bundled scenario's kernel with its
 * RAM grown to `ramBytes` and the VM counters `kmem -i` reads (zones inside pglist_data, the
 * zone/node stat arrays, totalram_pages) declared and filled in. The image stays sparse — only
 * the pages the kernel's objects occupy exist — so building a 256 GB machine costs what building
 * the small one does; writeKdumpFile() then writes it with the rest of RAM excluded (or, for a
 * stream the reader must index page by page, every page dumped).
 */
import { loadScenario, type Scenario } from './scenario.js';

/** 4.19's zone_stat_item / node_stat_item (include/linux/mmzone.h), struct zone cut to what is read. */
const VMSTAT_TYPES = `
enum zone_type { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE, __MAX_NR_ZONES };
enum zone_stat_item {
	NR_FREE_PAGES, NR_ZONE_LRU_BASE, NR_ZONE_INACTIVE_ANON = NR_ZONE_LRU_BASE, NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE, NR_ZONE_ACTIVE_FILE, NR_ZONE_UNEVICTABLE, NR_ZONE_WRITE_PENDING, NR_MLOCK,
	NR_PAGETABLE, NR_KERNEL_STACK_KB, NR_BOUNCE, NR_ZSPAGES, NR_FREE_CMA_PAGES, NR_VM_ZONE_STAT_ITEMS };
enum node_stat_item {
	NR_LRU_BASE, NR_INACTIVE_ANON = NR_LRU_BASE, NR_ACTIVE_ANON, NR_INACTIVE_FILE, NR_ACTIVE_FILE,
	NR_UNEVICTABLE, NR_SLAB_RECLAIMABLE, NR_SLAB_UNRECLAIMABLE, NR_ISOLATED_ANON, NR_ISOLATED_FILE,
	WORKINGSET_REFAULT, WORKINGSET_ACTIVATE, WORKINGSET_RESTORE, WORKINGSET_NODERECLAIM, NR_ANON_MAPPED,
	NR_FILE_MAPPED, NR_FILE_PAGES, NR_FILE_DIRTY, NR_WRITEBACK, NR_WRITEBACK_TEMP, NR_SHMEM, NR_SHMEM_THPS,
	NR_SHMEM_PMDMAPPED, NR_ANON_THPS, NR_UNSTABLE_NFS, NR_VMSCAN_WRITE, NR_VMSCAN_IMMEDIATE, NR_DIRTIED,
	NR_WRITTEN, NR_KERNEL_MISC_RECLAIMABLE, NR_VM_NODE_STAT_ITEMS };
struct zone {
	unsigned long watermark[3];
	long lowmem_reserve[4];
	struct pglist_data *zone_pgdat;
	unsigned long zone_start_pfn;
	unsigned long managed_pages;
	unsigned long spanned_pages;
	unsigned long present_pages;
	const char *name;
	atomic_long_t vm_stat[NR_VM_ZONE_STAT_ITEMS];
};
struct pglist_data {
	struct zone node_zones[__MAX_NR_ZONES];
	int nr_zones;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	int node_id;
};`;

const PGLIST_DATA = /struct pglist_data \{[^}]*\};/;

export interface ScaleOptions {
  /** a bundled scenario folder whose kernel declares struct pglist_data in _kernels/common.h */
  base: string;
  ramBytes: bigint;
  name?: string;
}

/** The base scenario on a machine of `ramBytes` of RAM, with its VM counters. */
export function scaleScenario(o: ScaleOptions): Scenario {
  const s = loadScenario(o.base);
  const ram = s.memory.ram.map(([a, b]) => [a, b] as [bigint, bigint]);
  const last = ram[ram.length - 1]!;
  if (o.ramBytes <= last[1]) throw new RangeError(`scaleScenario: ${o.ramBytes} bytes is not more than the base's ${last[1]}`);
  last[1] = o.ramBytes;
  const common = s.typeSources.find((t) => PGLIST_DATA.test(t.text));
  if (!common) throw new Error(`scaleScenario: ${o.base} declares no struct pglist_data to extend`);
  const typeSources = s.typeSources.map((t) => (t === common ? { file: t.file, text: t.text.replace(PGLIST_DATA, VMSTAT_TYPES) } : t));
  const pages = o.ramBytes / 4096n;
  // a machine that has been up a while: most memory in the page cache, a few percent free and slab
  const free = pages / 20n;
  const file = (pages * 7n) / 10n;
  return {
    ...s,
    name: o.name ?? `${s.name}-${o.ramBytes >> 30n}g`,
    memory: { ...s.memory, ram, nodes: undefined },
    typeSources,
    vmstat: {
      totalram: pages - pages / 64n,
      zone: { NR_FREE_PAGES: free },
      node: { NR_FILE_PAGES: file, NR_SLAB_RECLAIMABLE: pages / 50n, NR_SLAB_UNRECLAIMABLE: pages / 100n, NR_SHMEM: pages / 200n },
    },
  };
}
