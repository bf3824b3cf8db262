/**
 * Results of kmem's whole-system reports (memory.c dump_free_pages_zones_v2, dump_vmap_area,
 * dump_vm_stat + dump_vm_event_state, dump_zone_stats, dump_memory_nodes + dump_mem_sections +
 * dump_memory_blocks, dump_per_cpu_offsets, dump_hstates, dump_page_flags). One command result
 * kind, `kmem-report`, with the report named by `report`; rendered by format/kmem-reports.ts.
 */
import type { FreeListError } from '../../kernel/helpers/buddy.js';

/** The zone line of kmem -f (and of kmem <address> in a free block). */
export interface FreeZoneLine {
  index: number;
  name: string;
  size: bigint;
  free: bigint;
  memMap: bigint;
  startPaddr: bigint;
  startMapnr: bigint;
}

export interface FreeAreaRow {
  order: number;
  sizeK: bigint;
  /** free_area[order].free_list[mt] */
  list: bigint;
  blocks: number;
  /** the blocks' first pages (listed with -F) */
  pages: bigint[];
  /** the walk stopped: crash's do_list error, then `corrupted free list` (the report ends here) */
  error?: FreeListError & { listIndex: number; freeArea: bigint };
}

export interface FreeZone extends FreeZoneLine {
  /** crash prints NODE lines on multi-node kernels before a node's first zone */
  node?: { id: number; first: boolean };
  /** undefined when the zone has no free pages (crash skips its areas) */
  areas?: FreeAreaRow[];
}

export interface KmemFreeReport {
  kind: 'kmem-report';
  report: 'free';
  verbose: boolean;
  zones: FreeZone[];
  /** sum of the zones' free page counters, and the pages found on the lists */
  total: bigint;
  found: bigint;
}

export interface VmapAreaRow {
  area: bigint;
  vm: bigint;
  start: bigint;
  end: bigint;
}

export interface KmemVmlistReport {
  kind: 'kmem-report';
  report: 'vmlist';
  areas: VmapAreaRow[];
}

export interface Counter {
  name: string;
  value: bigint;
}

/** kmem -V: VM_ZONE_STAT (VM_STAT before v4.8), VM_NODE_STAT, VM_NUMA_STAT, VM_EVENT_STATES. */
export interface KmemVmStatReport {
  kind: 'kmem-report';
  report: 'vmstat';
  /** undefined: the kernel has no vm_stat (crash prints nothing for it) */
  stat?: { split: boolean; zone: Counter[]; node: Counter[]; numa: Counter[] };
  events?: Counter[];
}

export interface ZoneStat {
  nodeIndex: number;
  index: number;
  addr: bigint;
  name: string;
  size: bigint;
  present: bigint;
  watermarks: [bigint, bigint, bigint];
  vmStat?: Counter[];
}

export interface KmemZonesReport {
  kind: 'kmem-report';
  report: 'zones';
  zones: ZoneStat[];
}

export interface NodeZoneRow {
  index: number;
  name: string;
  size: bigint;
  memMap: bigint;
  startPaddr: bigint;
  startMapnr: bigint;
}

export interface MemSectionRow {
  nr: bigint;
  addr: bigint;
  coded: bigint;
  memMap: bigint;
  state: string;
  pfn: bigint;
}

export interface MemBlockRow {
  addr: bigint;
  name: string;
  start: bigint;
  /** undefined: only the start is known (PHYSICAL START) */
  end?: bigint;
  nid?: number;
  state: string;
  startSection: bigint;
}

export interface KmemNodesReport {
  kind: 'kmem-report';
  report: 'nodes';
  radix: 10 | 16;
  /** crash's PADDR_PRLEN: the hex digits of the memory size */
  paddrWidth: number;
  nodes: {
    id: number;
    size: bigint;
    pgdat: bigint;
    bootmem?: bigint;
    zonesAddr: bigint[];
    memMap: bigint;
    startPaddr: bigint;
    startMapnr: bigint;
    zones: NodeZoneRow[];
  }[];
  /** SPARSEMEM only */
  sections?: MemSectionRow[];
  blocks?: { withNid: boolean; range: boolean; rows: MemBlockRow[] };
}

export interface KmemPerCpuReport {
  kind: 'kmem-report';
  report: 'percpu';
  offsets: bigint[];
}

export interface KmemHstatesReport {
  kind: 'kmem-report';
  report: 'hstates';
  rows: { addr: bigint; size: string; free: bigint; total: bigint; name: string }[];
}

export interface KmemPageFlagsReport {
  kind: 'kmem-report';
  report: 'pageflags';
  /** undefined or 0: the whole table */
  flags?: bigint;
  /** every PG_ enumerator, in declaration order */
  names: { name: string; bit: number }[];
  /** crash's widths: the longest enumerator name and the digits of the largest mask */
  nameWidth: number;
  valueDigits: number;
}

export type KmemReportResult =
  | KmemFreeReport
  | KmemVmlistReport
  | KmemVmStatReport
  | KmemZonesReport
  | KmemNodesReport
  | KmemPerCpuReport
  | KmemHstatesReport
  | KmemPageFlagsReport;
