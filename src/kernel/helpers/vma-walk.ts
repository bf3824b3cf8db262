import type { Kernel } from '../kernel.js';
import { readVma, type Vma } from './vma.js';
import { CrashError } from '../../util/errors.js';
import { isMapleNode, mapleEntries } from './maple-tree.js';

/**
 * Every VMA of an mm, in address order (mm/mmap.c VMA_ITERATOR / for_each_vma): the maple tree
 * mm->mm_mt (v6.1 d4af56c5c7c6 "mm: start tracking VMAs with maple tree") walked depth first, or
 * the mm->mmap vm_next list before it. Bounded: a cycle or a wild node ends the walk.
 */
export function mmVmas(k: Kernel, mm: bigint, limit = 1 << 20): Vma[] {
  if (!mm) return [];
  const out: Vma[] = [];
  if (k.hasMember('struct mm_struct', 'mm_mt')) {
    const root = k.readPtr(mm + BigInt(k.offsetOf('struct mm_struct', 'mm_mt.ma_root')), 'mm_struct mm_mt');
    for (const e of mapleTreeEntries(k, root, limit)) out.push(readVma(k, e));
    return out;
  }
  let vma = k.readPtr(mm + BigInt(k.offsetOf('struct mm_struct', 'mmap')), 'mm_struct mmap');
  const next = BigInt(k.offsetOf('struct vm_area_struct', 'vm_next'));
  const seen = new Set<bigint>();
  while (vma && out.length < limit) {
    if (seen.has(vma)) throw new CrashError(`vm_area_struct list loop at ${vma.toString(16)}`);
    seen.add(vma);
    out.push(readVma(k, vma));
    vma = k.readPtr(vma + next, 'vm_area_struct vm_next');
  }
  return out;
}

/** The VMAs among a maple tree's entries, at most `limit`; a corrupt subtree is skipped and the VMAs found elsewhere are kept. */
function mapleTreeEntries(k: Kernel, rootEntry: bigint, limit: number): bigint[] {
  const out: bigint[] = [];
  if (limit <= 0) return out;
  for (const e of mapleEntries(k, rootEntry, rootEntry.toString(16), { skipBad: true, maxDepth: 16 })) {
    // internal entries (XA_ZERO_ENTRY ...) are not VMAs; a root that is not a node is one VMA
    if (isMapleNode(rootEntry) && (e.entry & 7n) !== 0n) continue;
    out.push(e.entry);
    if (out.length >= limit) break;
  }
  return out;
}
