import type { Arch, KernelLayout, PhysReader, Walk, WalkStep } from './types.js';
import { u64le } from '../util/bytes.js';

/**
 * arm64 kernel address translation (arch/arm64/include/asm/memory.h, pgtable-hwdef.h).
 * Since v5.4 ("arm64: mm: Flip kernel VA space", 14c127c957c1) the linear map is the lower
 * half of the kernel VA range and the kernel image sits in the upper half; before it, the
 * reverse. Which one a dump has is probed from where the kernel image is, not from a version.
 *
 * Granules 4K/16K/64K and VA sizes 36..52 bits, all from VMCOREINFO (PAGESIZE, NUMBER(VA_BITS),
 * NUMBER(TCR_EL1_T1SZ), NUMBER(MAX_PHYSMEM_BITS)):
 * - 64K with 52-bit VA (v5.4, "arm64: mm: Introduce 52-bit Kernel VAs"): the pgd has 1024 entries;
 *   a CPU without LVA runs 48-bit with TTBR1 offset into the same table (offset_ttbr1), so the
 *   walk indexes the pgd with the configured 52 bits either way.
 * - 4K/16K with 52-bit VA (v6.9, LPA2): one more level when the CPU has LPA2 (vabits_actual 52);
 *   without it the top level is folded at run time (pgd_to_folded_p4d / p4d_to_folded_pud) and the
 *   root page is walked as a 48-bit (4K) or 47-bit (16K) table.
 * - The linear map starts at _PAGE_OFFSET(vabits_actual) and ends at _PAGE_END(VA_BITS_MIN); the
 *   kernel exports PHYS_OFFSET (memstart_addr) already moved down by _PAGE_OFFSET(vabits_actual) -
 *   _PAGE_OFFSET(VA_BITS) (arm64_memblock_init), so PA = VA - _PAGE_OFFSET(VA_BITS) + PHYS_OFFSET.
 * - Output addresses: bits [47:PAGE_SHIFT], plus PA[51:48] in bits [15:12] for 64K pages with
 *   52-bit PAs (LPA), or bits [49:PAGE_SHIFT] plus PA[51:50] in bits [9:8] for LPA2.
 */
export interface Arm64Params {
  /** NUMBER(VA_BITS): the configured VA size (CONFIG_ARM64_VA_BITS). */
  vaBits: number;
  /** 64 - NUMBER(TCR_EL1_T1SZ): the VA size the CPU runs with (vabits_actual); default vaBits. */
  vaBitsActual?: number;
  /** PAGE_SHIFT: 12, 14 or 16. */
  pageShift: number;
  /** NUMBER(MAX_PHYSMEM_BITS): 52 selects the 52-bit output-address encodings; default 48. */
  maxPhysmemBits?: number;
  physOffset: bigint;
  kimageVoffset: bigint;
  /** Physical address of swapper_pg_dir (TTBR1). */
  kernelRoot: bigint;
  /** Virtual address of _text/_stext: tells the VA layout apart. */
  kernelText: bigint;
  vmallocStart?: bigint;
  vmallocEnd?: bigint;
  vmemmapStart?: bigint;
  vmemmapEnd?: bigint;
  modulesStart?: bigint;
  modulesEnd?: bigint;
}

const DESC_VALID = 1n;
const DESC_TABLE = 2n; // bit 1: table (levels 0-2) or page (level 3); clear: block
const TOP = (1n << 64n) - 1n;
/** _PAGE_OFFSET(va) = -(1 << va) and _PAGE_END(va) = -(1 << (va - 1)), as unsigned. */
export const pageOffsetFor = (va: number): bigint => TOP - (1n << BigInt(va)) + 1n;
export const pageEndFor = (va: number): bigint => TOP - (1n << BigInt(va - 1)) + 1n;

/** The translation regime a dump's VMCOREINFO describes: what the walk and vtop need. */
export interface Arm64Geometry {
  pageShift: number;
  /** VA bits the root table is indexed with. */
  walkVaBits: number;
  /** crash's names for the levels, top-down. */
  names: string[];
  /** Decode a descriptor's output address. */
  oa: (desc: bigint) => bigint;
  /** 'lpa2' (4K/16K, 52-bit), 'lpa' (64K, 52-bit PA) or 'none'. */
  encoding: 'lpa2' | 'lpa' | 'none';
}

const LEVEL_NAMES: Record<number, string[]> = {
  2: ['PGD', 'PTE'],
  3: ['PGD', 'PMD', 'PTE'],
  4: ['PGD', 'PUD', 'PMD', 'PTE'],
  5: ['PGD', 'P4D', 'PUD', 'PMD', 'PTE'],
};

/** Level layout and descriptor format for a granule and VA configuration. */
export function arm64Geometry(pageShift: number, vaBits: number, vaBitsActual = vaBits, maxPhysmemBits = 48): Arm64Geometry {
  // 64K keeps the configured pgd (TTBR1 offset on 48-bit CPUs); 4K/16K fold the top level at run time.
  const walkVaBits = pageShift === 16 ? vaBits : Math.min(vaBits, vaBitsActual);
  const bpl = pageShift - 3;
  const levels = Math.ceil((walkVaBits - pageShift) / bpl);
  const encoding = pageShift === 16 ? (maxPhysmemBits === 52 ? 'lpa' : 'none') : vaBitsActual === 52 ? 'lpa2' : 'none';
  const shift = BigInt(pageShift);
  const low48 = ((1n << 48n) - 1n) & ~((1n << shift) - 1n);
  const low50 = ((1n << 50n) - 1n) & ~((1n << shift) - 1n);
  const oa =
    encoding === 'lpa'
      ? (d: bigint) => (d & low48) | ((d & 0xf000n) << 36n)
      : encoding === 'lpa2'
        ? (d: bigint) => (d & low50) | ((d & 0x300n) << 42n)
        : (d: bigint) => d & low48;
  return { pageShift, walkVaBits, names: LEVEL_NAMES[levels] ?? LEVEL_NAMES[4], oa, encoding };
}

export class Arm64 implements Arch {
  readonly name = 'arm64' as const;
  readonly pageSize: number;
  readonly pageShift: number;
  readonly layout: KernelLayout;
  readonly kernelRoot: bigint;
  readonly geometry: Arm64Geometry;
  /** _PAGE_OFFSET(VA_BITS): the origin of linear-map arithmetic (crash's page_offset). */
  private readonly pageOffset: bigint;
  private readonly linearStart: bigint;
  private readonly linearEnd: bigint;
  private readonly kernelBase: bigint;

  constructor(
    private readonly p: Arm64Params,
    private readonly readPhys: PhysReader,
  ) {
    this.pageShift = p.pageShift;
    this.pageSize = 1 << p.pageShift;
    this.kernelRoot = p.kernelRoot;
    const actual = Math.min(p.vaBitsActual ?? p.vaBits, p.vaBits);
    this.geometry = arm64Geometry(p.pageShift, p.vaBits, actual, p.maxPhysmemBits);
    // VA_BITS_MIN: 48, or 47 for 16K pages, when VA_BITS is 52 (asm/memory.h)
    const vaBitsMin = p.vaBits > 48 ? (p.pageShift === 14 ? 47 : 48) : p.vaBits;
    const kvStart = pageOffsetFor(p.vaBits);
    const half = pageEndFor(vaBitsMin);
    this.kernelBase = kvStart;
    const flipped = p.kernelText >= half;
    this.pageOffset = flipped ? kvStart : half;
    [this.linearStart, this.linearEnd] = flipped ? [pageOffsetFor(actual), half] : [half, TOP + 1n];
    const upperStart = flipped ? half : kvStart;
    this.layout = {
      pageOffset: this.linearStart,
      vmallocStart: p.vmallocStart ?? upperStart,
      vmallocEnd: p.vmallocEnd ?? (flipped ? TOP : half - 1n),
      vmemmapStart: p.vmemmapStart ?? 0n,
      vmemmapEnd: p.vmemmapEnd ?? 0n,
      kernelStart: p.kernelText,
      kernelEnd: p.kernelText + (1n << 30n),
      modulesStart: p.modulesStart ?? upperStart,
      modulesEnd: p.modulesEnd ?? upperStart + (128n << 20n),
    };
  }

  isKernelAddr(v: bigint): boolean {
    return v >= this.kernelBase;
  }

  linearToPhys(v: bigint): bigint | undefined {
    // With KASLR, PHYS_OFFSET (memstart_addr) is "negative": arithmetic is modulo 2^64.
    if (v >= this.linearStart && v < this.linearEnd) return BigInt.asUintN(64, v - this.pageOffset + this.p.physOffset);
    const { kernelStart, kernelEnd } = this.layout;
    if (v >= kernelStart && v < kernelEnd) return BigInt.asUintN(64, v - this.p.kimageVoffset);
    return undefined;
  }

  physToDirect(pa: bigint): bigint {
    return BigInt.asUintN(64, pa - this.p.physOffset + this.pageOffset);
  }

  /** Output address of a descriptor (table, block or page), in this dump's encoding. */
  descToPhys(desc: bigint): bigint {
    return this.geometry.oa(desc);
  }

  walk(vaddr: bigint, rootPaddr = this.kernelRoot): Walk {
    const g = this.geometry;
    const shift = BigInt(g.pageShift);
    const bpl = shift - 3n;
    const levels = g.names.length;
    const steps: WalkStep[] = [];
    const walk: Walk = { vaddr, rootPaddr, steps };
    // the root need not be page-aligned: a user pgd smaller than a page comes from a kmem_cache
    let table = rootPaddr & ((1n << 52n) - 1n) & ~7n;
    for (let i = 0; i < levels; i++) {
      const lshift = shift + bpl * BigInt(levels - 1 - i);
      const span = i === 0 ? BigInt(g.walkVaBits) - lshift : bpl;
      const idx = (vaddr >> lshift) & ((1n << span) - 1n);
      const entryPaddr = table + idx * 8n;
      const value = u64le(this.readPhys(entryPaddr, 8), 0);
      steps.push({ level: g.names[i], entryPaddr, value });
      if (!(value & DESC_VALID)) return walk;
      const last = i === levels - 1;
      const block = !last && !(value & DESC_TABLE);
      if (last || block) {
        const size = 1n << lshift;
        walk.paddr = (g.oa(value) & ~(size - 1n)) + (vaddr & (size - 1n));
        walk.pageSize = size;
        return walk;
      }
      table = g.oa(value);
    }
    return walk;
  }
}
