/**
 * x86_64 page tables (4-level and 5-level) built in a PhysImage, read back by arch/x86-64.ts.
 *
 * Entry bits are those of arch/x86/include/asm/pgtable_types.h (_PAGE_BIT_*): each mapping gives
 * its leaf flags explicitly, so a scenario can map one page read-only (RW clear) or user-visible.
 * Intermediate entries get _KERNPG_TABLE (PRESENT|RW|ACCESSED|DIRTY), plus USER when a user
 * mapping lies below them (_PAGE_TABLE), as the kernel's pgd/p4d/pud/pmd_populate do.
 * 1G (PUD) and 2M (PMD) leaves carry PSE; mapping a smaller page inside an existing large one
 * splits it the way split_large_page() does (same flags, PAT moved from bit 12 to bit 7).
 */
import { PhysImage } from './phys-image.js';

export const X86_PTE = {
  PRESENT: 1n << 0n,
  RW: 1n << 1n,
  USER: 1n << 2n,
  PWT: 1n << 3n,
  PCD: 1n << 4n,
  ACCESSED: 1n << 5n,
  DIRTY: 1n << 6n,
  /** PSE in PUD/PMD entries; PAT in 4K PTEs */
  PSE: 1n << 7n,
  GLOBAL: 1n << 8n,
  /** PAT bit of 2M/1G leaves (_PAGE_BIT_PAT_LARGE) */
  PAT_LARGE: 1n << 12n,
  NX: 1n << 63n,
} as const;

const { PRESENT, RW, USER, ACCESSED, DIRTY, PSE, GLOBAL, NX, PAT_LARGE } = X86_PTE;

/** __PAGE_KERNEL and friends (pgtable_types.h), without PSE: map() adds it for large pages. */
export const X86_PROT = {
  /** _KERNPG_TABLE: intermediate entries of kernel tables */
  KERNPG_TABLE: PRESENT | RW | ACCESSED | DIRTY,
  /** _PAGE_TABLE: intermediate entries above user mappings */
  PAGE_TABLE: PRESENT | RW | USER | ACCESSED | DIRTY,
  /** __PAGE_KERNEL: data, direct map */
  KERNEL: PRESENT | RW | ACCESSED | DIRTY | GLOBAL | NX,
  /** __PAGE_KERNEL_RO: rodata, __ro_after_init once marked */
  KERNEL_RO: PRESENT | ACCESSED | GLOBAL | NX,
  /** __PAGE_KERNEL_ROX: kernel text */
  KERNEL_ROX: PRESENT | ACCESSED | GLOBAL,
  /** __PAGE_KERNEL_EXEC */
  KERNEL_EXEC: PRESENT | RW | ACCESSED | DIRTY | GLOBAL,
  /** PAGE_SHARED-like user data page, touched and written */
  USER_RW: PRESENT | RW | USER | ACCESSED | DIRTY | NX,
  /** PAGE_READONLY user page */
  USER_RO: PRESENT | USER | ACCESSED | NX,
  /** PAGE_READONLY_EXEC user text */
  USER_RX: PRESENT | USER | ACCESSED,
} as const;

/** Bits 12..51: the next table or the page frame (__PHYSICAL_MASK_SHIFT 52). */
export const X86_PHYS_MASK = ((1n << 52n) - 1n) & ~0xfffn;

export const SIZE_4K = 1n << 12n;
export const SIZE_2M = 1n << 21n;
export const SIZE_1G = 1n << 30n;

export interface X86PageTablesOptions {
  fiveLevel?: boolean;
  /** Physical address of an existing (zeroed) top-level table; allocated from the image otherwise. */
  root?: bigint;
  /** Flags of intermediate entries (default _KERNPG_TABLE). */
  tableFlags?: bigint;
}

export interface X86MapOptions {
  /** Use 4K pages only. */
  force4K?: boolean;
  /** Largest page size to use (default 1G). */
  maxPageSize?: bigint;
}

interface Level {
  name: string;
  shift: bigint;
}

const LEVELS4: Level[] = [
  { name: 'PGD', shift: 39n },
  { name: 'PUD', shift: 30n },
  { name: 'PMD', shift: 21n },
  { name: 'PTE', shift: 12n },
];
const LEVELS5: Level[] = [{ name: 'PGD', shift: 48n }, { name: 'P4D', shift: 39n }, ...LEVELS4.slice(1)];

export class X86PageTables {
  readonly root: bigint;
  readonly fiveLevel: boolean;
  private readonly levels: Level[];
  private readonly tableFlags: bigint;

  constructor(private readonly img: PhysImage, opts: X86PageTablesOptions = {}) {
    this.fiveLevel = opts.fiveLevel ?? false;
    this.levels = this.fiveLevel ? LEVELS5 : LEVELS4;
    this.tableFlags = opts.tableFlags ?? X86_PROT.KERNPG_TABLE;
    this.root = opts.root ?? img.allocPage();
    if (this.root & 0xfffn) throw new RangeError(`page-table root ${this.root.toString(16)} is not page-aligned`);
  }

  /**
   * Map [va, va+size) to [pa, pa+size) with leaf `flags` (PRESENT is implied). Picks 1G/2M pages
   * where va, pa and the remaining size allow, 4K otherwise. Returns the root's physical address.
   */
  map(va: bigint, pa: bigint, size: bigint, flags: bigint, opts: X86MapOptions = {}): bigint {
    if ((va | pa | size) & 0xfffn) throw new RangeError(`map: va ${va.toString(16)}, pa ${pa.toString(16)} and size ${size.toString(16)} must be 4K-aligned`);
    const max = opts.force4K ? SIZE_4K : (opts.maxPageSize ?? SIZE_1G);
    const f = flags | PRESENT;
    let off = 0n;
    while (off < size) {
      const v = va + off;
      const p = pa + off;
      const left = size - off;
      let s = SIZE_4K;
      for (const cand of [SIZE_1G, SIZE_2M]) {
        if (cand <= max && (v & (cand - 1n)) === 0n && (p & (cand - 1n)) === 0n && left >= cand) {
          s = cand;
          break;
        }
      }
      this.setLeaf(v, p, s, f);
      off += s;
    }
    return this.root;
  }

  /** Clear the leaf entry mapping `va` (the page becomes not-present). */
  unmap(va: bigint): void {
    const slot = this.findLeafSlot(va);
    if (slot !== undefined) this.img.writeU64(slot, 0n);
  }

  /** Physical address of the entry at `level` ('PGD', 'P4D', 'PUD', 'PMD', 'PTE') for `va`, if reachable. */
  entryAddr(va: bigint, level: string): bigint | undefined {
    let table = this.root;
    for (const l of this.levels) {
      const e = table + this.index(va, l.shift) * 8n;
      if (l.name === level) return e;
      const val = this.img.readU64(e);
      if (!(val & PRESENT) || (l.shift !== 12n && l.shift <= 30n && val & PSE)) return undefined;
      table = val & X86_PHYS_MASK;
    }
    return undefined;
  }

  /**
   * Copy top-level entries [first, last] from another table set (pgd_alloc copies the kernel
   * half, entries 256..511, into every process's PGD).
   */
  copyRootEntries(from: X86PageTables, first = 256, last = 511): void {
    for (let i = first; i <= last; i++) {
      const v = this.img.readU64(from.root + BigInt(i) * 8n);
      if (v) this.img.writeU64(this.root + BigInt(i) * 8n, v);
    }
  }

  private index(va: bigint, shift: bigint): bigint {
    return (va >> shift) & 0x1ffn;
  }

  private findLeafSlot(va: bigint): bigint | undefined {
    let table = this.root;
    for (const l of this.levels) {
      const e = table + this.index(va, l.shift) * 8n;
      const val = this.img.readU64(e);
      if (!(val & PRESENT)) return undefined;
      if (l.shift === 12n || (l.shift <= 30n && val & PSE)) return e;
      table = val & X86_PHYS_MASK;
    }
    return undefined;
  }

  private setLeaf(va: bigint, pa: bigint, size: bigint, flags: bigint): void {
    const user = flags & USER;
    let table = this.root;
    for (const l of this.levels) {
      const slot = table + this.index(va, l.shift) * 8n;
      const pageSize = 1n << l.shift;
      if (pageSize === size) {
        const leaf = size === SIZE_4K ? (pa & X86_PHYS_MASK) | (flags & ~PSE) : (pa & X86_PHYS_MASK) | flags | PSE;
        this.img.writeU64(slot, leaf);
        return;
      }
      let val = this.img.readU64(slot);
      if (!(val & PRESENT)) {
        val = this.img.allocPage() | this.tableFlags | user;
      } else if (l.shift <= 30n && val & PSE) {
        val = this.split(val, l.shift) | this.tableFlags | user;
      } else if (user) {
        val |= USER;
      }
      this.img.writeU64(slot, val);
      table = val & X86_PHYS_MASK;
    }
  }

  /** Replace a large leaf by a table of 512 smaller leaves with the same flags; returns the table. */
  private split(val: bigint, shift: bigint): bigint {
    const childShift = shift - 9n;
    const childSize = 1n << childShift;
    const base = val & X86_PHYS_MASK & ~((1n << shift) - 1n);
    let flags = val & ~X86_PHYS_MASK;
    if (childShift === 12n) {
      const pat = flags & PAT_LARGE ? PSE : 0n;
      flags = (flags & ~PSE & ~PAT_LARGE) | pat;
    }
    const t = this.img.allocPage();
    const buf = new Uint8Array(4096);
    const dv = new DataView(buf.buffer);
    for (let i = 0n; i < 512n; i++) {
      dv.setBigUint64(Number(i) * 8, (base + i * childSize) | (childShift === 12n ? flags : flags | PSE), true);
    }
    this.img.write(t, buf);
    return t;
  }
}

/** Check flags text-wise in tests and diagnostics: the crash-style names of the bits set. */
export function x86FlagNames(v: bigint): string[] {
  const names: [bigint, string][] = [
    [PRESENT, 'PRESENT'],
    [RW, 'RW'],
    [USER, 'USER'],
    [X86_PTE.PWT, 'PWT'],
    [X86_PTE.PCD, 'PCD'],
    [ACCESSED, 'ACCESSED'],
    [DIRTY, 'DIRTY'],
    [PSE, 'PSE'],
    [GLOBAL, 'GLOBAL'],
    [NX, 'NX'],
  ];
  return names.filter(([b]) => (v & b) !== 0n).map(([, n]) => n);
}
