/**
 * arm64 stage-1 translation tables built in a PhysImage, for every granule and VA size the kernel
 * supports: 4K (39-bit: PGD=L1, PMD, PTE; 48-bit: PGD=L0, PUD, PMD, PTE; 52-bit LPA2: PGD=L-1, P4D,
 * PUD, PMD, PTE), 16K (36-bit: PGD=L2, PTE; 47-bit: PGD, PMD, PTE; 48/52-bit: PGD, PUD, PMD, PTE),
 * 64K (42-bit: PGD=L2, PTE; 48/52-bit: PGD, PMD, PTE). One instance is one root: the kernel's
 * swapper_pg_dir (TTBR1_EL1, upper VA half) or a process's mm->pgd (TTBR0_EL1, lower half).
 * Blocks: 1G and 2M (4K), 32M (16K), 512M (64K); pages at the last level. With 52-bit physical
 * addresses the output address is encoded as the hardware wants it: LPA (64K, PA[51:48] in bits
 * [15:12]) or LPA2 (4K/16K, PA[51:50] in bits [9:8], which then no longer hold SH).
 *
 * Descriptor bits, from arch/arm64/include/asm/pgtable-hwdef.h (hardware) and pgtable-prot.h
 * (software bits the kernel keeps in the ignored fields). Leaf attributes are given in page form
 * (PTE_TYPE_PAGE in bits 1:0, as PAGE_KERNEL is); blocks get bit 1 cleared like mk_pmd_sect_prot().
 */
import { PhysImage } from './phys-image.js';

export const ARM64_PTE = {
  // pgtable-hwdef.h
  /** PTE_VALID / PMD_SECT_VALID: bit 0 */
  VALID: 1n << 0n,
  /** PTE_TABLE_BIT / PMD_TABLE_BIT: bit 1 (table at L0-L2, page at L3; clear = block) */
  TABLE_BIT: 1n << 1n,
  /** PTE_TYPE_MASK */
  TYPE_MASK: 3n,
  /** PTE_TYPE_PAGE (L3) */
  TYPE_PAGE: 3n,
  /** PMD_TYPE_TABLE / PUD_TYPE_TABLE */
  TYPE_TABLE: 3n,
  /** PMD_TYPE_SECT / PUD_TYPE_SECT (block) */
  TYPE_SECT: 1n,
  /** PTE_ATTRINDX(t) = t << 2, PTE_ATTRINDX_MASK = 7 << 2 (MAIR_EL1 slot) */
  ATTRINDX_SHIFT: 2n,
  ATTRINDX_MASK: 7n << 2n,
  /** PTE_NS (bit 5, secure state only) */
  NS: 1n << 5n,
  /** PTE_USER: AP[1], EL0 access */
  USER: 1n << 6n,
  /** PTE_RDONLY: AP[2] */
  RDONLY: 1n << 7n,
  /** PTE_SHARED: SH[1:0] = 0b11, inner shareable */
  SHARED: 3n << 8n,
  /** PTE_AF: access flag */
  AF: 1n << 10n,
  /** PTE_NG: not global (user pages; kernel pages too with KPTI) */
  NG: 1n << 11n,
  /** PTE_GP: BTI guarded page */
  GP: 1n << 50n,
  /** PTE_DBM: hardware dirty bit management; the kernel's PTE_WRITE */
  DBM: 1n << 51n,
  /** PTE_CONT: contiguous hint */
  CONT: 1n << 52n,
  /** PTE_PXN: privileged execute never */
  PXN: 1n << 53n,
  /** PTE_UXN: user execute never */
  UXN: 1n << 54n,
  /** PMD_TABLE_PXN / PMD_TABLE_UXN: hierarchical attributes of table descriptors */
  TABLE_PXN: 1n << 59n,
  TABLE_UXN: 1n << 60n,
  // pgtable-prot.h (software bits)
  /** PTE_WRITE = PTE_DBM */
  WRITE: 1n << 51n,
  /** PTE_DIRTY: software dirty */
  DIRTY: 1n << 55n,
  /** PTE_SPECIAL */
  SPECIAL: 1n << 56n,
  /** PTE_DEVMAP (v5.0 - v6.15) */
  DEVMAP: 1n << 57n,
  /** PTE_PROT_NONE, only when !PTE_VALID (bit 58 through v6.9; later kernels reuse other bits) */
  PROT_NONE: 1n << 58n,
} as const;

/** Output address field of a 4K-granule descriptor with 48-bit PA: bits 47..12 (PTE_ADDR_LOW). */
export const ARM64_ADDR_MASK = ((1n << 48n) - 1n) & ~0xfffn;

/**
 * MAIR_EL1 slot numbers (arch/arm64/include/asm/memory.h). Before the MTE rework in v5.10,
 * MT_NORMAL was slot 4; since then MT_NORMAL is slot 0 ("MT_NORMAL must be index 0 since
 * vm_get_page_prot() may 'or' in the MT_NORMAL_TAGGED memory type").
 */
export const ARM64_MT_PRE_5_10 = { DEVICE_nGnRnE: 0, DEVICE_nGnRE: 1, DEVICE_GRE: 2, NORMAL_NC: 3, NORMAL: 4, NORMAL_WT: 5 } as const;
export const ARM64_MT = { NORMAL: 0, NORMAL_TAGGED: 1, NORMAL_NC: 2, DEVICE_nGnRnE: 3, DEVICE_nGnRE: 4 } as const;

export const attrIndx = (slot: number): bigint => BigInt(slot & 7) << 2n;

export interface Arm64ProtOptions {
  /** MAIR slot of normal memory: 4 before v5.10, 0 after (default 0). */
  mtNormal?: number;
  /** PROT_NORMAL carried PTE_DIRTY before it was dropped (v5.x era kernels, default true). */
  dirtyInProtNormal?: boolean;
  /** PTE_MAYBE_NG: kernel mappings non-global when KPTI is on (default false). */
  kpti?: boolean;
}

/** The kernel's page protections (pgtable-prot.h) in page form. */
export function arm64Prot(opts: Arm64ProtOptions = {}) {
  const P = ARM64_PTE;
  const mt = attrIndx(opts.mtNormal ?? ARM64_MT.NORMAL);
  const protDefault = P.TYPE_PAGE | P.AF | P.SHARED | (opts.kpti ? P.NG : 0n);
  const protNormal = protDefault | P.PXN | P.UXN | P.WRITE | mt | ((opts.dirtyInProtNormal ?? true) ? P.DIRTY : 0n);
  const pageDefault = P.TYPE_PAGE | P.AF | P.SHARED | mt;
  return {
    /** PAGE_KERNEL = PROT_NORMAL: data, linear map */
    KERNEL: protNormal,
    /** PAGE_KERNEL_RO = (PROT_NORMAL & ~PTE_WRITE) | PTE_RDONLY */
    KERNEL_RO: (protNormal & ~P.WRITE) | P.RDONLY,
    /** PAGE_KERNEL_ROX: kernel text */
    KERNEL_ROX: (protNormal & ~(P.WRITE | P.PXN)) | P.RDONLY,
    /** PAGE_KERNEL_EXEC */
    KERNEL_EXEC: protNormal & ~P.PXN,
    /** PAGE_SHARED after a write: DBM/PTE_WRITE set, hardware cleared AP[2], software dirty */
    USER_RW: pageDefault | P.USER | P.NG | P.PXN | P.UXN | P.WRITE | P.DIRTY,
    /** PAGE_SHARED, clean: writable but AP[2] still set until the first write */
    USER_RW_CLEAN: pageDefault | P.USER | P.RDONLY | P.NG | P.PXN | P.UXN | P.WRITE,
    /** PAGE_READONLY */
    USER_RO: pageDefault | P.USER | P.RDONLY | P.NG | P.PXN | P.UXN,
    /** PAGE_READONLY_EXEC: user text */
    USER_RX: pageDefault | P.USER | P.RDONLY | P.NG | P.PXN,
  };
}

export const SIZE_4K = 1n << 12n;
export const SIZE_2M = 1n << 21n;
export const SIZE_1G = 1n << 30n;

export interface Arm64PageTablesOptions {
  /** VA bits the tables are indexed with (36..52); default 48. */
  vaBits?: number;
  /** PAGE_SHIFT: 12 (4K), 14 (16K) or 16 (64K); default 12. */
  pageShift?: 12 | 14 | 16;
  /** Output-address encoding for 52-bit physical addresses; default none (48-bit PA). */
  encoding?: 'none' | 'lpa' | 'lpa2';
  /** 1: kernel half (TTBR1_EL1, addresses with the top bits set); 0: user half (TTBR0_EL1). Default 1. */
  ttbr?: 0 | 1;
  /** Physical address of an existing zeroed top-level table; allocated from the image otherwise. */
  root?: bigint;
  /** Extra bits for table descriptors (e.g. TABLE_PXN on user tables); default none. */
  tableAttrs?: bigint;
}

export interface Arm64MapOptions {
  /** Map with pages only (no blocks). */
  force4K?: boolean;
  /** Largest block size to use (default: the largest the granule has). */
  maxPageSize?: bigint;
}

interface Level {
  /** the kernel's name for it (crash's vtop labels) */
  name: string;
  shift: bigint;
  /** index bits at this level */
  span: bigint;
  last: boolean;
  /** blocks allowed here (level 1 with 4K, level 2 with any granule) */
  block: boolean;
}

const NAMES: Record<number, string[]> = {
  2: ['PGD', 'PTE'],
  3: ['PGD', 'PMD', 'PTE'],
  4: ['PGD', 'PUD', 'PMD', 'PTE'],
  5: ['PGD', 'P4D', 'PUD', 'PMD', 'PTE'],
};

export class Arm64PageTables {
  readonly root: bigint;
  readonly vaBits: number;
  readonly pageShift: number;
  readonly pageSize: bigint;
  readonly ttbr: 0 | 1;
  readonly encoding: 'none' | 'lpa' | 'lpa2';
  private readonly levels: Level[];
  private readonly tableAttrs: bigint;

  constructor(private readonly img: PhysImage, opts: Arm64PageTablesOptions = {}) {
    this.vaBits = opts.vaBits ?? 48;
    this.pageShift = opts.pageShift ?? 12;
    this.pageSize = 1n << BigInt(this.pageShift);
    this.ttbr = opts.ttbr ?? 1;
    this.encoding = opts.encoding ?? 'none';
    const bpl = BigInt(this.pageShift - 3);
    const n = Math.ceil((this.vaBits - this.pageShift) / Number(bpl));
    if (!NAMES[n]) throw new RangeError(`no arm64 table layout for ${this.vaBits}-bit VAs with ${this.pageSize / 1024n}K pages`);
    this.levels = NAMES[n].map((name, i) => {
      const shift = BigInt(this.pageShift) + bpl * BigInt(n - 1 - i);
      const archLevel = 4 - n + i; // architectural lookup level: the last is 3
      return { name, shift, span: i === 0 ? BigInt(this.vaBits) - shift : bpl, last: i === n - 1, block: archLevel === 2 || (archLevel === 1 && this.pageShift === 12) };
    });
    this.tableAttrs = opts.tableAttrs ?? 0n;
    this.root = opts.root ?? img.alloc(Number(this.pageSize), Number(this.pageSize));
    if (this.root & 0xfffn) throw new RangeError(`translation table root ${this.root.toString(16)} is not page-aligned`);
  }

  /** Level names top-down, e.g. ['PGD','PUD','PMD','PTE'] or ['PGD','PMD','PTE']. */
  get levelNames(): string[] {
    return this.levels.map((l) => l.name);
  }

  /** Descriptor bits holding the output address, in this encoding. */
  encode(pa: bigint): bigint {
    const low = (hi: bigint) => pa & ((1n << hi) - 1n) & ~(this.pageSize - 1n);
    if (this.encoding === 'lpa') return low(48n) | ((pa >> 48n) & 0xfn) << 12n;
    if (this.encoding === 'lpa2') return low(50n) | ((pa >> 50n) & 3n) << 8n;
    if (pa >> 48n) throw new RangeError(`pa ${pa.toString(16)} needs 52-bit output addresses (LPA/LPA2)`);
    return low(48n);
  }

  /** The output address a descriptor holds. */
  decode(d: bigint): bigint {
    const low = (hi: bigint) => d & ((1n << hi) - 1n) & ~(this.pageSize - 1n);
    if (this.encoding === 'lpa') return low(48n) | ((d >> 12n) & 0xfn) << 48n;
    if (this.encoding === 'lpa2') return low(50n) | ((d >> 8n) & 3n) << 50n;
    return low(48n);
  }

  /** Descriptor bits that are not output address (and not the type bits). */
  private attrMask(): bigint {
    const oa = ((1n << 50n) - 1n) & ~0xfffn;
    return ~ARM64_PTE.TYPE_MASK & ~oa & ~(this.encoding === 'lpa2' ? 0x300n : 0n) & ~(this.encoding === 'lpa' ? 0xf000n : 0n) & ((1n << 64n) - 1n);
  }

  private slot(table: bigint, l: Level, va: bigint): bigint {
    return table + ((va >> l.shift) & ((1n << l.span) - 1n)) * 8n;
  }

  private checkVa(va: bigint): void {
    const top = va >> BigInt(this.vaBits);
    const ok = this.ttbr === 1 ? top === (1n << BigInt(64 - this.vaBits)) - 1n : top === 0n;
    if (!ok) throw new RangeError(`va ${va.toString(16)} is not a TTBR${this.ttbr} address with ${this.vaBits}-bit VAs`);
  }

  /**
   * Map [va, va+size) to [pa, pa+size) with page-form attributes `prot` (type bits are set here:
   * blocks 0b01, pages 0b11). Returns the root's physical address.
   */
  map(va: bigint, pa: bigint, size: bigint, prot: bigint, opts: Arm64MapOptions = {}): bigint {
    const g = this.pageSize;
    if ((va | pa | size) & (g - 1n)) throw new RangeError(`map: va ${va.toString(16)}, pa ${pa.toString(16)} and size ${size.toString(16)} must be ${g / 1024n}K-aligned`);
    this.checkVa(va);
    if (size > 0n) this.checkVa(va + size - 1n);
    const max = opts.force4K ? g : (opts.maxPageSize ?? 1n << 62n);
    const blocks = this.levels.filter((l) => l.block).map((l) => 1n << l.shift);
    let off = 0n;
    while (off < size) {
      const v = va + off;
      const p = pa + off;
      let s = g;
      for (const cand of blocks) {
        if (cand <= max && ((v | p) & (cand - 1n)) === 0n && size - off >= cand) {
          s = cand;
          break;
        }
      }
      this.setLeaf(v, p, s, prot);
      off += s;
    }
    return this.root;
  }

  /** Write `desc` as the leaf descriptor of `va` (a page-table entry built by hand: swap, PROT_NONE). */
  setPte(va: bigint, desc: bigint): void {
    this.map(va, 0n, this.pageSize, 0n, { force4K: true });
    this.img.writeU64(this.leafSlot(va)!, desc);
  }

  /** Clear the leaf descriptor mapping `va`. */
  unmap(va: bigint): void {
    const slot = this.leafSlot(va);
    if (slot !== undefined) this.img.writeU64(slot, 0n);
  }

  /** Physical address of the descriptor at `name` ('PGD','P4D','PUD','PMD','PTE') for `va`, if reachable. */
  entryAddr(va: bigint, name: string): bigint | undefined {
    let table = this.root;
    for (const l of this.levels) {
      const e = this.slot(table, l, va);
      if (l.name === name) return e;
      const d = this.img.readU64(e);
      if ((d & 3n) !== 3n || l.last) return undefined;
      table = this.decode(d);
    }
    return undefined;
  }

  private leafSlot(va: bigint): bigint | undefined {
    let table = this.root;
    for (const l of this.levels) {
      const e = this.slot(table, l, va);
      const d = this.img.readU64(e);
      if (l.last || (d & 3n) === 1n) return e;
      if (!(d & 1n)) return undefined;
      table = this.decode(d);
    }
    return undefined;
  }

  private setLeaf(va: bigint, pa: bigint, size: bigint, prot: bigint): void {
    const attrs = prot & this.attrMask();
    let table = this.root;
    for (const l of this.levels) {
      const slot = this.slot(table, l, va);
      if (1n << l.shift === size) {
        const type = l.last ? ARM64_PTE.TYPE_PAGE : ARM64_PTE.TYPE_SECT;
        this.img.writeU64(slot, this.encode(pa) | attrs | type);
        return;
      }
      if (l.last) throw new Error('unreachable: no level for this page size');
      let d = this.img.readU64(slot);
      if ((d & 3n) === 3n) {
        table = this.decode(d);
        continue;
      }
      const next = (d & 3n) === 1n ? this.split(d, l.shift) : this.allocTable();
      d = this.encode(next) | ARM64_PTE.TYPE_TABLE | this.tableAttrs;
      this.img.writeU64(slot, d);
      table = next;
    }
  }

  private allocTable(): bigint {
    return this.img.alloc(Number(this.pageSize), Number(this.pageSize));
  }

  /** Replace a block by a table of smaller blocks/pages with the same attributes. */
  private split(block: bigint, shift: bigint): bigint {
    const childShift = shift - BigInt(this.pageShift - 3);
    const childSize = 1n << childShift;
    const base = this.decode(block) & ~((1n << shift) - 1n);
    const attrs = block & this.attrMask();
    const type = childShift === BigInt(this.pageShift) ? ARM64_PTE.TYPE_PAGE : ARM64_PTE.TYPE_SECT;
    const t = this.allocTable();
    const n = Number(this.pageSize / 8n);
    const buf = new Uint8Array(n * 8);
    const dv = new DataView(buf.buffer);
    for (let i = 0; i < n; i++) dv.setBigUint64(i * 8, this.encode(base + BigInt(i) * childSize) | attrs | type, true);
    this.img.write(t, buf);
    return t;
  }
}
