/**
 * Results of the memory commands (vtop, ptov/btop/ptob, kmem -i, kmem -p). Listed in the
 * CommandResult union (result.ts); rendered by format/vtop.ts, format/ptov.ts, format/kmem-*.ts.
 */

/** One struct page as `kmem -p` prints it. */
export interface PageRow {
  page: bigint;
  phys: bigint;
  mapping: bigint;
  index: bigint;
  count: number;
  flags: bigint;
  /** Decoded names of the flags set (the kernel's pageflag_names). */
  names: string[];
  /** -e: what the page is, in words. */
  explanation?: string;
}

/**
 * One `kmem -m` value, as memory.c show_page_member_data() classifies it by the member's gdb type
 * code: a pointer; an integer (bits already extracted from a bitfield); a struct whose name starts
 * with _count/_mapcount (its first int); a struct of longs or of ints; a 2-byte struct; a bool.
 */
export type PageMemberCell =
  | { kind: 'ptr'; value: bigint }
  | { kind: 'int'; value: bigint; size: number; signed: boolean; decimal: boolean }
  | { kind: 'count'; value: number }
  | { kind: 'longs'; values: bigint[] }
  | { kind: 'ints'; values: number[] }
  | { kind: 'short'; value: number }
  | { kind: 'bool'; value: number; decimal: boolean };

export interface PageMemberRow {
  page: bigint;
  cells: PageMemberCell[];
}

/** `kmem -p`: the mem_map table (also the tail of `vtop`). */
export interface KmemPagesResult {
  kind: 'kmem-pages';
  /** MAX(PADDR_PRLEN, strlen("PHYSICAL")) */
  physWidth: number;
  header: boolean;
  rows: PageRow[];
  /** `kmem -m member[,member]`: the chosen members instead of the mem_map columns. */
  members?: { names: string[]; rows: PageMemberRow[] };
}

/** `kmem -i`: rows of the memory usage table; a null row is crash's blank separator line. */
export interface KmemInfoRow {
  label: string;
  pages: bigint;
  /** pages_to_size() text */
  size: string;
  /** "NN% of TOTAL MEM" etc., undefined for a total line ("----") */
  percent?: { value: bigint; of: string };
}
export interface KmemInfoResult {
  kind: 'kmem-info';
  rows: (KmemInfoRow | null)[];
}

/** One level of a verbose walk: `   PUD: <entry> => <value>`. */
export interface VtopStep {
  level: string;
  entry: bigint;
  value: bigint;
}

export interface VtopPte {
  value: bigint;
  phys: bigint;
  flags: string[];
  /** A non-present, non-zero pte: where the page went. */
  swap?: { device: string; offset: bigint };
}

/** One `vtop` address. */
export interface VtopEntry {
  vaddr: bigint;
  /** Width of the VIRTUAL column: VADDR_PRLEN (16) or UVADDR_PRLEN (10). */
  vWidth: number;
  paddr?: bigint;
  /** What crash prints instead of a physical address. */
  status?: 'not mapped' | 'not a kernel virtual address' | 'not accessible';
  /** x86_64 kernel tables: `PGD DIRECTORY: <init_top_pgt>` */
  pgdDirectory?: bigint;
  /** `PAGE DIRECTORY: <x>`: the pgd entry (x86_64 kernel) or the pgd's address (arm64). */
  pageDirectory?: bigint;
  steps: VtopStep[];
  /** `  PAGE: <base>  (2MB)`; blank: `  PAGE: <base>  ` (crash's "  PAGE: %lx  %s" with an empty %s) */
  page?: { base: bigint; size?: string; blank?: boolean };
  pte?: VtopPte;
  /** User addresses: the VMA holding the address. */
  vma?: { addr: bigint; start: bigint; end: bigint; flags: bigint; file: string } | 'not found';
  /** The struct page of the physical page (kmem -p row), printed after a blank line. */
  pageRow?: PageRow;
  /** Print the kmem -p header before pageRow (crash prints it once per command). */
  pageHeader: boolean;
  physWidth: number;
  /** -e: one line saying what the mapping means. */
  explanation?: string;
  /** Unmapped user page: `SWAP: dev  OFFSET: n` or `FILE: path  OFFSET: x` */
  location?: string;
}

export interface VtopResult {
  kind: 'vtop';
  entries: VtopEntry[];
}

/** `ptov`: physical → direct-map virtual, or a per-cpu offset across cpus. */
export type PtovItem =
  | { type: 'phys'; paddr: bigint; vaddr: bigint }
  | { type: 'percpu'; offset: bigint; ncpus: number; cpus: { cpu: number; vaddr: bigint; offline: boolean }[] };

export interface PtovResult {
  kind: 'ptov';
  items: PtovItem[];
}

/** `btop` / `ptob`: `<in>: <out>` in hex. */
export interface NumPairsResult {
  kind: 'num-pairs';
  pairs: [bigint, bigint][];
}
