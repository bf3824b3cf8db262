/** Results of foreach, vm, sig, search, swap and dev; rendered by format/vm.ts, sig.ts, search.ts, devices.ts. */
import type { BtResult, TaskHeaderInfo } from './task-results.js';

/** A bt result shown under foreach's own task header (bt's header line left out). */
export interface HeadlessBtResult {
  kind: 'headless';
  result: BtResult;
}

/** PRINT_VM_DATA: the MM/PGD/RSS/TOTAL_VM block. */
export interface VmDataResult {
  kind: 'vm-data';
  mm: bigint;
  pgd: bigint;
  /** KiB */
  rssK: bigint;
  totalVmK: bigint;
}

export interface VmPage {
  vaddr: bigint;
  paddr?: bigint;
  /** `SWAP: dev  OFFSET: n` or `FILE: path  OFFSET: x` (without the prefix word), else not mapped */
  swap?: string;
  file?: string;
}

export interface VmaRow {
  vma: bigint;
  start: bigint;
  end: bigint;
  flags: bigint;
  file: string;
  /** vm -p: every page of the VMA */
  pages?: VmPage[];
}

/** vm_area_dump(): the VMA table (one header), or with -p a header before each VMA and its pages. */
export interface VmaTableResult {
  kind: 'vma-table';
  rows: VmaRow[];
  phys: boolean;
  /** vm -R: only what leads to the reference, in crash's order (rows is then empty). */
  ref?: VmRefBlock[];
}

/**
 * One step of vm -R's output (memory.c VM_REF_*): the VMA header when the run of matching VMA
 * lines starts over, the VMA line, then (a page matched) the VIRTUAL/PHYSICAL header and the
 * matching pages from the first one on.
 */
export interface VmRefBlock {
  header: boolean;
  row?: VmaRow;
  pages?: VmPage[];
}

export interface SigAction {
  sig: number;
  kaddr: bigint;
  handler: bigint;
  mask: bigint;
  flags: bigint;
}

export interface SigQueue {
  /** undefined: (empty) */
  entries?: { sig: number; info: bigint }[];
}

/** dump_signal_data(): thread group level (actions, shared pending) and task level (pending, blocked). */
export interface SigResult {
  kind: 'sig';
  indent: boolean;
  /** sig -g: each thread's header, indented, before its task-level data */
  header?: TaskHeaderInfo;
  group?: { signalStruct: bigint; nrThreads?: number; actions: SigAction[] };
  task?: { sigpending: boolean; blocked: bigint; privateLabel: boolean; signal: bigint; queue: SigQueue };
  shared?: { signal: bigint; queue: SigQueue };
}

export interface SearchHit {
  addr: bigint;
  /** the value found (ulong/uint/ushort modes) */
  value?: bigint;
  /** -c: the printable rendering of the match and what follows */
  text?: string;
  /** `(symbol)` / `(expression)` the value was given as, '' otherwise */
  label: string;
  /** -x: words before and after, rd-style */
  before?: { addr: bigint; words: bigint[] };
  after?: { addr: bigint; words: bigint[] };
}

/** search: one block per range or per task (-t/-T, with its header before the first hit). */
export interface SearchResult {
  kind: 'search';
  /** bytes per value: 8, 4, 2; 1 for -c */
  unit: 1 | 2 | 4 | 8;
  hits: SearchHit[];
}

export interface SwapRow {
  addr: bigint;
  type: string;
  sizeK: bigint;
  usedK: bigint;
  pct: number;
  prio: number;
  file: string;
}

export interface SwapResult {
  kind: 'swap';
  rows: SwapRow[];
}

export interface DevResult {
  kind: 'dev';
  chr: { major: number; name: string; cdev?: bigint; ops?: string }[];
  blk: { major: number; name: string; gendisk?: bigint; ops?: string }[];
}

export type ProcCommandResult = HeadlessBtResult | VmDataResult | VmaTableResult | SigResult | SearchResult | SwapResult | DevResult;
