/** One architecture behind one interface: address layout and page-table walks. */

/** One step of a page-table walk, as `vtop` prints it: which table, where the entry is, its value. */
export interface WalkStep {
  /** crash's label for the level: 'PGD', 'P4D', 'PUD', 'PMD', 'PTE'. */
  level: string;
  /** Physical address of the table entry that was read. */
  entryPaddr: bigint;
  /** Entry value as crash's vtop prints it: raw, except that x86_64 clears the SME C-bit. */
  value: bigint;
}

export interface Walk {
  vaddr: bigint;
  /** Physical address of the top-level table. */
  rootPaddr: bigint;
  steps: WalkStep[];
  /** The translated physical address, undefined when the walk hit a non-present entry. */
  paddr?: bigint;
  /** Size of the mapping found (4K, 2M, 1G). */
  pageSize?: bigint;
  /** x86_64 user walks: the leaf is a PROT_NONE entry (present bit clear, _PAGE_PROTNONE set). */
  protNone?: boolean;
}

export interface KernelLayout {
  pageOffset: bigint;
  vmallocStart: bigint;
  vmallocEnd: bigint;
  vmemmapStart: bigint;
  vmemmapEnd: bigint;
  kernelStart: bigint; // __START_KERNEL_map (x86_64) / kimage start (arm64)
  kernelEnd: bigint;
  modulesStart: bigint;
  modulesEnd: bigint;
}

export interface Arch {
  readonly name: 'x86_64' | 'arm64';
  readonly pageSize: number;
  readonly pageShift: number;
  readonly layout: KernelLayout;
  /** Is this a kernel virtual address on this architecture (upper half)? */
  isKernelAddr(vaddr: bigint): boolean;
  /**
   * Fast translation for linearly mapped kernel addresses (direct map, kernel image),
   * undefined for addresses that need a page-table walk.
   */
  linearToPhys(vaddr: bigint): bigint | undefined;
  /** Direct-map virtual address of a physical address (crash PTOV). */
  physToDirect(paddr: bigint): bigint;
  /**
   * Walk the page tables rooted at `rootPaddr` (kernel tables when omitted). `user`: a user
   * address, where x86_64 counts PROT_NONE entries (present bit clear) as mapped, as crash's uvtop does.
   */
  walk(vaddr: bigint, rootPaddr?: bigint, opts?: { user?: boolean }): Walk;
  /** Physical address of the kernel's top-level page table. */
  readonly kernelRoot: bigint;
}

/** Reads physical memory for page-table walks; throws on unreadable entries. */
export type PhysReader = (paddr: bigint, len: number) => Uint8Array;
