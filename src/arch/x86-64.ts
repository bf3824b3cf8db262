import type { Arch, KernelLayout, PhysReader, Walk, WalkStep } from './types.js';
import { u64le } from '../util/bytes.js';

/** __START_KERNEL_map: the kernel image's fixed virtual base (arch/x86/include/asm/page_64_types.h). */
export const START_KERNEL_MAP = 0xffffffff80000000n;
const KERNEL_IMAGE_END = 0xffffffffc0000000n; // MODULES_VADDR with the default 1G image size
const MODULES_END = 0xffffffffff000000n;

export const PTE_PRESENT = 1n << 0n;
export const PTE_PSE = 1n << 7n;
/** Bits 12..51 of an entry hold the next table / page frame (__PHYSICAL_MASK_SHIFT 52). */
const PHYS_MASK = ((1n << 52n) - 1n) & ~0xfffn;

export interface X86Params {
  physBase: bigint;
  /** Physical address of init_top_pgt. */
  kernelRoot: bigint;
  fiveLevel: boolean;
  /** AMD SME encryption bit, stripped from every entry (VMCOREINFO NUMBER(sme_mask)). */
  smeMask: bigint;
  pageOffset: bigint;
  vmallocStart: bigint;
  vmemmapStart: bigint;
  kernelImageSize?: bigint;
}

/** Defaults for kernels without memory-region KASLR (crash x86_64.c, 4.20+ layout). */
export function defaultX86Layout(fiveLevel: boolean) {
  return fiveLevel
    ? { pageOffset: 0xff11000000000000n, vmallocStart: 0xffa0000000000000n, vmemmapStart: 0xffd4000000000000n }
    : { pageOffset: 0xffff888000000000n, vmallocStart: 0xffffc90000000000n, vmemmapStart: 0xffffea0000000000n };
}

export class X86_64 implements Arch {
  readonly name = 'x86_64' as const;
  readonly pageSize = 4096;
  readonly pageShift = 12;
  readonly layout: KernelLayout;
  readonly kernelRoot: bigint;
  private readonly directEnd: bigint;

  constructor(
    private readonly p: X86Params,
    private readonly readPhys: PhysReader,
  ) {
    this.kernelRoot = p.kernelRoot;
    // Direct map spans 64 TB (4-level) / 32 PB (5-level) from PAGE_OFFSET (Documentation/arch/x86/x86_64/mm.rst).
    this.directEnd = p.pageOffset + (p.fiveLevel ? 1n << 55n : 1n << 46n);
    // With memory-region KASLR (arch/x86/mm/kaslr.c) the direct map is only as large as RAM plus
    // padding, and vmalloc/vmemmap may start well inside those 64 TB: the direct map ends there.
    for (const next of [p.vmallocStart, p.vmemmapStart]) if (next > p.pageOffset && next < this.directEnd) this.directEnd = next;
    const vmallocSize = p.fiveLevel ? 12800n << 40n : 32n << 40n;
    const vmemmapSize = p.fiveLevel ? 1n << 52n : 1n << 40n;
    this.layout = {
      pageOffset: p.pageOffset,
      vmallocStart: p.vmallocStart,
      vmallocEnd: p.vmallocStart + vmallocSize - 1n,
      vmemmapStart: p.vmemmapStart,
      vmemmapEnd: p.vmemmapStart + vmemmapSize - 1n,
      kernelStart: START_KERNEL_MAP,
      kernelEnd: START_KERNEL_MAP + (p.kernelImageSize ?? KERNEL_IMAGE_END - START_KERNEL_MAP),
      modulesStart: START_KERNEL_MAP + (p.kernelImageSize ?? KERNEL_IMAGE_END - START_KERNEL_MAP),
      modulesEnd: MODULES_END,
    };
  }

  isKernelAddr(v: bigint): boolean {
    return this.p.fiveLevel ? v >= 0xff00000000000000n : v >= 0xffff800000000000n;
  }

  linearToPhys(v: bigint): bigint | undefined {
    // phys_base may be "negative" (VMCOREINFO NUMBER(phys_base)=-23068672): arithmetic is mod 2^64
    if (v >= START_KERNEL_MAP && v < this.layout.kernelEnd) return BigInt.asUintN(64, v - START_KERNEL_MAP + this.p.physBase);
    if (v >= this.p.pageOffset && v < this.directEnd) return v - this.p.pageOffset;
    return undefined;
  }

  physToDirect(pa: bigint): bigint {
    return pa + this.p.pageOffset;
  }

  walk(vaddr: bigint, rootPaddr = this.kernelRoot, opts: { user?: boolean } = {}): Walk {
    const levels: [string, bigint][] = this.p.fiveLevel
      ? [['PGD', 48n], ['P4D', 39n], ['PUD', 30n], ['PMD', 21n], ['PTE', 12n]]
      : [['PGD', 39n], ['PUD', 30n], ['PMD', 21n], ['PTE', 12n]];
    const steps: WalkStep[] = [];
    const walk: Walk = { vaddr, rootPaddr, steps };
    let table = rootPaddr & PHYS_MASK;
    for (const [level, shift] of levels) {
      const entryPaddr = table + ((vaddr >> shift) & 0x1ffn) * 8n;
      // crash strips the SME C-bit from every entry it reads, and prints it stripped (x86_64.c *_offset()).
      const value = u64le(this.readPhys(entryPaddr, 8), 0) & ~this.p.smeMask;
      steps.push({ level, entryPaddr, value });
      // x86_64_uvtop_level4: at the PMD and PTE a PROT_NONE entry (mprotect(PROT_NONE), NUMA
      // hinting) still maps its page; its pfn is stored inverted since the L1TF fix (4.19, 6b28baca9b1f)
      const protNone = opts.user === true && (level === 'PMD' || level === 'PTE') && isProtNone(value);
      if (!(value & PTE_PRESENT) && !protNone) return walk;
      const next = protNone ? protNonePhys(value) : value & PHYS_MASK;
      const large = (level === 'PUD' || level === 'PMD') && (value & PTE_PSE) !== 0n;
      if (large || level === 'PTE') {
        const size = 1n << shift;
        const base = large ? next & ~(size - 1n) : next;
        walk.paddr = base + (vaddr & (size - 1n));
        walk.pageSize = size;
        if (protNone) walk.protNone = true;
        return walk;
      }
      table = next;
    }
    return walk;
  }
}

/** _PAGE_PROTNONE is _PAGE_GLOBAL's bit 8, meaningful only with _PAGE_PRESENT clear. */
export const PTE_PROTNONE = 1n << 8n;
export const isProtNone = (pte: bigint): boolean => (pte & PTE_PRESENT) === 0n && (pte & PTE_PROTNONE) !== 0n;

/** The frame of a PROT_NONE entry: pte_pfn() undoes the L1TF inversion (protnone_mask). */
export const protNonePhys = (pte: bigint): bigint => ~pte & PHYS_MASK;

/** PTE flag names in crash's order (x86_64.c x86_64_translate_pte). */
export const X86_PTE_FLAGS: [bigint, string][] = [
  [1n << 0n, 'PRESENT'],
  [1n << 1n, 'RW'],
  [1n << 2n, 'USER'],
  [1n << 3n, 'PWT'],
  [1n << 4n, 'PCD'],
  [1n << 5n, 'ACCESSED'],
  [1n << 6n, 'DIRTY'],
  [1n << 7n, 'PSE'],
  [1n << 8n, 'GLOBAL'],
  [1n << 63n, 'NX'],
];
