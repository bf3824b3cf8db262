/**
 * The data seam of the panes beside the REPL: what the Stack, Memory and Page-flags panes may ask
 * of the dump. The TUI implements it over the Session's kernel (src/tui.tsx); tests use a fake.
 * Plain data only: no Ink, no kernel objects cross this line.
 */
import type { PageRow, VtopPte } from '../commands/memory-results.js';

export type AddrSpace = 'kvaddr' | 'uvaddr' | 'physaddr';

/** One line of the Stack pane: a frame (selectable, it has a stack slot) or a note (header, registers, stack switch). */
export interface Frame {
  /** The line as `bt` prints it. */
  text: string;
  /** `#N` for a frame line. */
  level?: number;
  /** The stack slot of the frame: selecting the frame makes it the current address. */
  sp?: bigint;
  ip?: bigint;
}

/** What the Page-flags pane shows for an address: its struct page (a kmem -p row) and the PTE mapping it. */
export interface PageInfo {
  address: bigint;
  space: AddrSpace;
  /** The physical address it translates to. */
  phys?: bigint;
  /** The struct page as `kmem -p` shows it (flags decoded by the kernel's names). */
  row?: PageRow;
  /** Width of the PHYSICAL column (crash's PADDR_PRLEN). */
  physWidth?: number;
  /** The last page-table entry of the walk (virtual addresses only). */
  pte?: VtopPte;
  /** `2MB`, `1GB` for a huge mapping. */
  pageSize?: string;
  /** One line saying what the page is (kmem -p -e). */
  explanation?: string;
  /** Why there is nothing to show (crash wording). */
  error?: string;
}

export interface MemoryRead {
  bytes?: Uint8Array;
  /** crash's message for the failed read (`page excluded: kernel virtual address: ...  type: "64-bit KVADDR"`). */
  error?: string;
}

export interface PaneSource {
  readMemory(addr: bigint, len: number, space: AddrSpace): MemoryRead;
  /** `name` or `name+0xoff` for kernel text/data addresses (rd -s), undefined otherwise. */
  symbolize(addr: bigint): string | undefined;
  /** Whether a value is a kernel virtual address (a pointer the Memory pane can follow). */
  isKernelAddress(addr: bigint): boolean;
  /** A symbol's address, to read `rd linux_banner` as an address. */
  resolveSymbol?(name: string): bigint | undefined;
  /** The struct page and PTE of an address; absent until the kernel side provides it. */
  pageInfo?(addr: bigint, space: AddrSpace): PageInfo | undefined;
  /** The current context's backtrace; absent until the kernel side provides it. */
  backtrace?(): Frame[] | undefined;
}

/** The kernel half of a 64-bit address space (x86_64 and arm64): the top 16 bits set. */
export const looksKernel = (addr: bigint): boolean => addr >> 48n === 0xffffn;
