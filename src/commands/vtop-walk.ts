import type { Arch } from '../arch/types.js';
import { Arm64 } from '../arch/arm64.js';
import { protNonePhys } from '../arch/x86-64.js';
import type { VtopPte, VtopStep } from './memory-results.js';

/**
 * A page-table walk as crash's verbose vtop prints it, from the architecture's walk() steps:
 * x86_64 (x86_64.c x86_64_kvtop, x86_64_uvtop_level4, x86_64_translate_pte) prints entry
 * physical addresses, and for kernel tables the pgd entry as "PAGE DIRECTORY"; arm64 (arm64.c
 * arm64_vtop_*, arm64_translate_pte) prints the pgd's virtual address and entry virtual addresses.
 */
export interface WalkView {
  pgdDirectory?: bigint;
  pageDirectory?: bigint;
  steps: VtopStep[];
  page?: { base: bigint; size?: string; blank?: boolean };
  pte?: VtopPte & { present: boolean };
  paddr?: bigint;
  pageSize?: bigint;
}

export interface WalkOptions {
  /** Physical address of the top-level table (the kernel's when omitted). */
  root?: bigint;
  /** Kernel tables (x86_64 prints PGD DIRECTORY / PAGE DIRECTORY). */
  kernel: boolean;
  /** Virtual address of the top-level table: init_top_pgt / swapper_pg_dir / mm->pgd. */
  pgdVirt: bigint;
}

const X86_PHYS_MASK = ((1n << 52n) - 1n) & ~0xfffn;

export function describeWalk(arch: Arch, vaddr: bigint, o: WalkOptions): WalkView {
  const root = o.root ?? arch.kernelRoot;
  const w = arch.walk(vaddr, root, { user: !o.kernel });
  const last = w.steps[w.steps.length - 1];
  const view: WalkView = { steps: [], paddr: w.paddr, pageSize: w.pageSize };
  const pageShift = BigInt(arch.pageShift);
  if (arch.name === 'x86_64') {
    let steps = w.steps;
    if (o.kernel) {
      view.pgdDirectory = o.pgdVirt;
      view.pageDirectory = steps[0]?.value;
      steps = steps.slice(1);
    }
    view.steps = steps.map((s) => ({ level: s.level, entry: s.entryPaddr, value: s.value }));
    if (!last) return view;
    if (w.paddr !== undefined) {
      const size = w.pageSize ?? 4096n;
      const phys = w.protNone ? protNonePhys(last.value) : last.value & X86_PHYS_MASK;
      const base = size > 4096n ? phys : w.paddr & ~0xfffn;
      // x86_64_uvtop_level4 prints "  PAGE: %lx  %s" for a 4K page; x86_64_kvtop "  PAGE: %lx"
      view.page = { base, size: sizeLabel(size, pageShift), ...(size === 4096n && !o.kernel ? { blank: true } : {}) };
      view.pte = { value: last.value, phys, flags: x86PteFlags(last.value), present: true };
    } else if (last.level === 'PTE' && last.value !== 0n) {
      view.pte = { value: last.value, phys: last.value & X86_PHYS_MASK, flags: x86PteFlags(last.value), present: false };
    }
    return view;
  }
  // arm64: entries are read through PTOV(); the top level through the pgd's own virtual address
  view.pageDirectory = o.pgdVirt;
  view.steps = w.steps.map((s, i) => ({
    level: s.level,
    entry: i === 0 ? o.pgdVirt + (s.entryPaddr - root) : arch.physToDirect(s.entryPaddr),
    value: s.value,
  }));
  if (!last) return view;
  const lpa2 = arch instanceof Arm64 && arch.geometry.encoding === 'lpa2';
  const toPhys = (v: bigint) => (arch instanceof Arm64 ? arch.descToPhys(v) : v & (((1n << 48n) - 1n) & ~((1n << pageShift) - 1n)));
  if (w.paddr !== undefined) {
    const size = w.pageSize ?? BigInt(arch.pageSize);
    // arm64_vtop_*: "  PAGE: %lx  %s" for a page (blank suffix), "  PAGE: %lx  (2MB)" for a block
    view.page = size > BigInt(arch.pageSize) ? { base: w.paddr & ~(size - 1n), size: sizeLabel(size, pageShift) } : { base: w.paddr & ~(size - 1n), blank: true };
    view.pte = { value: last.value, phys: toPhys(last.value), flags: arm64PteFlags(last.value, lpa2), present: true };
  } else if (last.level === 'PTE' && last.value !== 0n) {
    view.pte = { value: last.value, phys: toPhys(last.value), flags: arm64PteFlags(last.value, lpa2), present: (last.value & (1n << 58n)) !== 0n };
  }
  return view;
}

function sizeLabel(size: bigint, pageShift: bigint): string | undefined {
  if (size <= 1n << pageShift) return undefined;
  if (size >= 1n << 30n) return `${size >> 30n}GB`;
  return `${size >> 20n}MB`;
}

/** x86_64_translate_pte(), in crash's order. */
export function x86PteFlags(pte: bigint): string[] {
  const b = (n: bigint) => ((pte >> n) & 1n) === 1n;
  const out: string[] = [];
  if (!pte) return out;
  if (b(0n)) out.push('PRESENT');
  if (b(1n)) out.push('RW');
  if (b(2n)) out.push('USER');
  if (b(3n)) out.push('PWT');
  if (b(4n)) out.push('PCD');
  if (b(5n)) out.push('ACCESSED');
  if (b(6n)) out.push('DIRTY');
  if (b(7n) && b(0n)) out.push('PSE');
  if (b(8n) && !b(0n)) out.push('PROTNONE'); // _PAGE_PROTNONE is _PAGE_GLOBAL's bit
  if (b(8n)) out.push('GLOBAL');
  if (b(63n)) out.push('NX');
  return out;
}

/**
 * arm64_translate_pte() with the v4.0+ software bits (PTE_PROT_NONE bit 58, no PTE_FILE). With
 * LPA2 bits 9:8 hold PA[51:50], not SH (shareability moves to TCR): no SHARED then (crash has no LPA2).
 */
export function arm64PteFlags(pte: bigint, lpa2 = false): string[] {
  const b = (mask: bigint) => (pte & mask) !== 0n;
  const out: string[] = [];
  if (!pte) return out;
  if (b(1n)) out.push('VALID');
  if (b(1n << 58n)) out.push('PROT_NONE');
  if (b(1n << 6n)) out.push('USER');
  if (b(1n << 7n)) out.push('RDONLY');
  if (b(3n << 8n) && !lpa2) out.push('SHARED');
  if (b(1n << 10n)) out.push('AF');
  if (b(1n << 11n)) out.push('NG');
  if (b(1n << 53n)) out.push('PXN');
  if (b(1n << 54n)) out.push('UXN');
  if (b(1n << 55n)) out.push('DIRTY');
  if (b(1n << 56n)) out.push('SPECIAL');
  return out;
}
