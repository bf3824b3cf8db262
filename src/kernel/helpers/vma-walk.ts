import type { Kernel } from '../kernel.js';
import { readVma, type Vma } from './vma.js';
import { CrashError } from '../../util/errors.js';

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

// lib/maple_tree.c: tagged node pointers (low bits 0b10, above 4096), type in bits 3-6, nodes 256-byte aligned
const NODE_TYPES: Record<number, { struct: string; pivots: number; slots: number; leaf: boolean }> = {
  1: { struct: 'struct maple_range_64', pivots: 15, slots: 16, leaf: true }, // maple_leaf_64
  2: { struct: 'struct maple_range_64', pivots: 15, slots: 16, leaf: false }, // maple_range_64
  3: { struct: 'struct maple_arange_64', pivots: 9, slots: 10, leaf: false }, // maple_arange_64
};
const isNode = (e: bigint) => (e & 3n) === 2n && e > 4096n;

/** The non-NULL entries of a maple tree in index order (mt_for_each), at most `limit`. */
export function mapleTreeEntries(k: Kernel, rootEntry: bigint, limit = 1 << 20): bigint[] {
  const out: bigint[] = [];
  if (!rootEntry) return out;
  if (!isNode(rootEntry)) return [rootEntry];
  const visited = new Set<bigint>();
  const walk = (entry: bigint, max: bigint, depth: number): void => {
    if (depth > 16 || out.length >= limit) return;
    const t = NODE_TYPES[Number((entry >> 3n) & 0xfn)];
    const node = entry & ~255n;
    if (!t || visited.has(node)) return;
    visited.add(node);
    const pivOff = BigInt(k.offsetOf(t.struct, 'pivot'));
    const slotOff = BigInt(k.offsetOf(t.struct, 'slot'));
    for (let i = 0; i < t.slots && out.length < limit; i++) {
      const piv = i < t.pivots ? k.readU64(node + pivOff + BigInt(i * 8), 'maple node pivot') : max;
      if (i > 0 && piv === 0n) break; // past the node's data end
      const slot = k.readPtr(node + slotOff + BigInt(i * 8), 'maple node slot');
      if (slot) {
        if (t.leaf) {
          if ((slot & 7n) === 0n) out.push(slot); // internal entries (XA_ZERO_ENTRY ...) are not VMAs
        }
        else if (isNode(slot)) walk(slot, piv, depth + 1);
      }
      if (piv >= max) break;
    }
  };
  walk(rootEntry, (1n << 64n) - 1n, 0);
  return out;
}
