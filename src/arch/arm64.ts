import type { Arch, KernelLayout, PhysReader, Walk, WalkStep } from './types.js';
import { u64le } from '../util/bytes.js';

/**
 * arm64 kernel address translation (arch/arm64/include/asm/memory.h, pgtable-hwdef.h).
 * Since v5.4 ("arm64: mm: Flip kernel VA space", 14c127c957c1) the linear map is the lower
 * half of the kernel VA range and the kernel image sits in the upper half; before it, the
 * reverse. Which one a dump has is probed from where the kernel image is, not from a version.
 */
export interface Arm64Params {
  vaBits: number;
  /** 4K granule for now (PAGE_SHIFT 12); 16K/64K come with the memory issue. */
  pageShift: number;
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
/** Output address bits [47:12] of a descriptor (48-bit PA; 52-bit PA layouts are not handled). */
const OA_MASK = ((1n << 48n) - 1n) & ~0xfffn;

export class Arm64 implements Arch {
  readonly name = 'arm64' as const;
  readonly pageSize: number;
  readonly pageShift: number;
  readonly layout: KernelLayout;
  readonly kernelRoot: bigint;
  private readonly flipped: boolean;
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
    const top = (1n << 64n) - 1n;
    const kvStart = top - (1n << BigInt(p.vaBits)) + 1n; // _PAGE_OFFSET(VA_BITS)
    const half = top - (1n << BigInt(p.vaBits - 1)) + 1n; // _PAGE_END(VA_BITS)
    this.kernelBase = kvStart;
    this.flipped = p.kernelText >= half;
    [this.linearStart, this.linearEnd] = this.flipped ? [kvStart, half] : [half, top + 1n];
    const upperStart = this.flipped ? half : kvStart;
    this.layout = {
      pageOffset: this.linearStart,
      vmallocStart: p.vmallocStart ?? upperStart,
      vmallocEnd: p.vmallocEnd ?? (this.flipped ? top : half - 1n),
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
    if (v >= this.linearStart && v < this.linearEnd) return BigInt.asUintN(64, v - this.linearStart + this.p.physOffset);
    const { kernelStart, kernelEnd } = this.layout;
    if (v >= kernelStart && v < kernelEnd) return BigInt.asUintN(64, v - this.p.kimageVoffset);
    return undefined;
  }

  physToDirect(pa: bigint): bigint {
    return BigInt.asUintN(64, pa - this.p.physOffset + this.linearStart);
  }

  walk(vaddr: bigint, rootPaddr = this.kernelRoot): Walk {
    const shift = BigInt(this.pageShift);
    const bitsPerLevel = shift - 3n;
    const levels = Math.ceil((this.p.vaBits - this.pageShift) / Number(bitsPerLevel));
    const names = levels === 4 ? ['PGD', 'PUD', 'PMD', 'PTE'] : levels === 3 ? ['PGD', 'PMD', 'PTE'] : ['PGD', 'PTE'];
    const steps: WalkStep[] = [];
    const walk: Walk = { vaddr, rootPaddr, steps };
    let table = rootPaddr & OA_MASK;
    for (let i = 0; i < levels; i++) {
      const lshift = shift + bitsPerLevel * BigInt(levels - 1 - i);
      const span = i === 0 ? BigInt(this.p.vaBits) - lshift : bitsPerLevel;
      const idx = (vaddr >> lshift) & ((1n << span) - 1n);
      const entryPaddr = table + idx * 8n;
      const value = u64le(this.readPhys(entryPaddr, 8), 0);
      steps.push({ level: names[i], entryPaddr, value });
      if (!(value & DESC_VALID)) return walk;
      const last = i === levels - 1;
      const block = !last && !(value & DESC_TABLE);
      if (last || block) {
        const size = 1n << lshift;
        walk.paddr = (value & OA_MASK & ~(size - 1n)) + (vaddr & (size - 1n));
        walk.pageSize = size;
        return walk;
      }
      table = value & OA_MASK;
    }
    return walk;
  }
}
