import type { Kernel } from '../kernel.js';
import type { Xlate } from './search.js';
import type { Vma } from './vma.js';
import { memoryNodes } from './mm.js';
import { loadedModules } from './module.js';
import { rethrowInterrupt } from '../../util/interrupt.js';

/**
 * The address ranges `search` walks and how each translates (crash x86_64_get_kvaddr_ranges,
 * next_kpage, next_upage, next_physpage), built so that what is not there is skipped in one step:
 * present physical memory (the memory nodes as far as the dump holds them) for the direct map,
 * the kernel image and -p; the page tables, a whole empty table at a time, for vmalloc, modules
 * and vmemmap, and for user memory, the task's VMAs.
 */

export type KvRangeType = 'unity' | 'start' | 'vmalloc' | 'modules' | 'vmemmap';

export interface KvRange {
  type: KvRangeType;
  start: bigint;
  end: bigint;
  xlate: Xlate;
}

/** Physical memory that is both in a memory node and in the dump, sorted. */
export function presentPhys(k: Kernel): { start: bigint; end: bigint }[] {
  return k.memo('search:present-phys', () => {
    const ps = BigInt(k.arch.pageShift);
    const nodes = memoryNodes(k).map((n) => ({ start: n.startPfn << ps, end: (n.startPfn + n.spannedPages) << ps }));
    const dump = [...k.dump.ranges].sort((a, b) => (a.start < b.start ? -1 : 1));
    const out: { start: bigint; end: bigint }[] = [];
    for (const n of nodes.length ? nodes : dump) {
      for (const d of dump) {
        const s = n.start > d.start ? n.start : d.start;
        const e = n.end < d.end ? n.end : d.end;
        if (s < e) out.push({ start: s, end: e });
      }
    }
    return out.sort((a, b) => (a.start < b.start ? -1 : 1));
  });
}

/** The first node's start and the last node's end (crash's default -p range). */
export function physExtent(k: Kernel): { start: bigint; end: bigint } {
  const ps = BigInt(k.arch.pageShift);
  const nodes = memoryNodes(k);
  if (!nodes.length) {
    const r = presentPhys(k);
    return { start: r[0]?.start ?? 0n, end: r[r.length - 1]?.end ?? 0n };
  }
  const last = nodes[nodes.length - 1];
  return { start: nodes[0].startPfn << ps, end: (last.startPfn + last.spannedPages) << ps };
}

/** Translate through present physical memory, `toPhys` being arithmetic (direct map, image, identity). */
export function physXlate(k: Kernel, toPhys: (v: bigint) => bigint | undefined, fromPhys: (p: bigint) => bigint): Xlate {
  const ranges = presentPhys(k);
  return (v) => {
    const p = toPhys(v);
    if (p === undefined) return { next: undefined };
    for (const r of ranges) {
      if (p < r.start) return { next: fromPhys(r.start) };
      if (p < r.end) return { paddr: p, len: r.end - p };
    }
    return { next: undefined };
  };
}

/** The page-table levels, top down, with the address bits each entry covers. */
function levelShifts(k: Kernel): Map<string, bigint> {
  return k.memo('search:level-shifts', () => {
    const a = k.arch as { geometry?: { names: string[] } };
    const names = a.geometry?.names ?? (k.arch.isKernelAddr(0xff00000000000000n) ? ['PGD', 'P4D', 'PUD', 'PMD', 'PTE'] : ['PGD', 'PUD', 'PMD', 'PTE']);
    const bpl = k.arch.pageShift - 3;
    return new Map(names.map((n, i) => [n, BigInt(k.arch.pageShift + bpl * (names.length - 1 - i))]));
  });
}

/** Translate by walking page tables (kernel's, or `root`); a missing table skips all it would map. */
export function walkXlate(k: Kernel, root?: bigint, limit?: (v: bigint) => bigint): Xlate {
  const shifts = levelShifts(k);
  const ps = BigInt(k.arch.pageSize);
  return (v) => {
    let w;
    try {
      w = k.arch.walk(v, root);
    } catch (e) {
      rethrowInterrupt(e);
      return { next: (v / ps + 1n) * ps };
    }
    if (w.paddr !== undefined) {
      const size = w.pageSize ?? ps;
      let len = size - (v % size);
      if (limit) len = len < limit(v) - v ? len : limit(v) - v;
      return { paddr: w.paddr, len };
    }
    const last = w.steps[w.steps.length - 1];
    const shift = (last && shifts.get(last.level)) ?? BigInt(k.arch.pageShift);
    const next = ((v >> shift) + 1n) << shift;
    return { next: next > v ? next : undefined };
  };
}

/** crash's kvaddr ranges, sorted by start, overlapping ones clipped. */
export function kvaddrRanges(k: Kernel): KvRange[] {
  const L = k.arch.layout;
  const out: KvRange[] = [];
  const hm = k.symbol('high_memory');
  // without the variable (a kernel always has it; a dump's symbols may not), the direct map ends
  // where present memory does: high_memory = __va(max_pfn << PAGE_SHIFT)
  const present = presentPhys(k);
  const highMemory = hm ? k.readPtr(hm.address, 'high_memory') : present.length ? k.arch.physToDirect(present[present.length - 1].end) : L.pageOffset;
  const direct = physXlate(k, (v) => k.arch.linearToPhys(v), (p) => k.arch.physToDirect(p));
  out.push({ type: 'unity', start: L.pageOffset, end: highMemory, xlate: direct });
  if (k.arch.name === 'x86_64') {
    const end = k.symbol('_end')?.address ?? L.kernelEnd;
    const image = physXlate(
      k,
      (v) => (v < end ? k.arch.linearToPhys(v) : undefined),
      (p) => {
        // the image address of a physical address: inverse of the arithmetic translation
        const base = k.arch.linearToPhys(L.kernelStart) ?? 0n;
        return L.kernelStart + (p - base);
      },
    );
    out.push({ type: 'start', start: L.kernelStart, end, xlate: image });
  }
  out.push({ type: 'vmalloc', start: L.vmallocStart, end: L.vmallocEnd + 1n, xlate: walkXlate(k) });
  if (loadedModules(k).length || k.arch.name === 'arm64') out.push({ type: 'modules', start: L.modulesStart, end: L.modulesEnd, xlate: walkXlate(k) });
  out.push({ type: 'vmemmap', start: L.vmemmapStart, end: L.vmemmapEnd + 1n, xlate: walkXlate(k) });
  out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (let i = 1; i < out.length; i++) if (out[i].start < out[i - 1].end) out[i].start = out[i - 1].end;
  return out.filter((r) => r.start < r.end);
}

/** User memory through the task's VMAs and page tables (next_upage). */
export function userXlate(k: Kernel, vmas: Vma[], root: bigint): Xlate {
  const sorted = [...vmas].sort((a, b) => (a.start < b.start ? -1 : 1));
  const walk = walkXlate(k, root, (v) => sorted.find((m) => m.start <= v && v < m.end)?.end ?? v + BigInt(k.arch.pageSize));
  return (v) => {
    const vma = sorted.find((m) => v < m.end);
    if (!vma) return { next: undefined };
    if (v < vma.start) return { next: vma.start };
    const x = walk(v);
    if ('next' in x && x.next !== undefined && x.next > vma.end) return { next: vma.end };
    return x;
  };
}
