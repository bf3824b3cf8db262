import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';
import { resolveType } from '../../debuginfo/btf/types.js';

/**
 * struct maple_tree (lib/maple_tree.c, v6.1+): node pointers are tagged (xa_is_node(): low bits
 * 0b10, > 4096), the node type in bits 3-6 (MAPLE_NODE_TYPE_SHIFT/MASK), the node itself 256-byte
 * aligned. Each slot covers [previous pivot + 1, pivot]; a node ends at its last slot, at a zero
 * pivot past the first, or at a pivot equal to the node's maximum. One decoder of nodes serves
 * the in-order walk (mt_for_each) and the lookup (mtree_load).
 */
const NODE_STRUCTS: Record<number, { struct: string; leaf: boolean }> = {
  1: { struct: 'struct maple_range_64', leaf: true }, // maple_leaf_64
  2: { struct: 'struct maple_range_64', leaf: false }, // maple_range_64
  3: { struct: 'struct maple_arange_64', leaf: false }, // maple_arange_64
};
const MAX = (1n << 64n) - 1n;

/** xa_is_node() for maple entries. */
export const isMapleNode = (e: bigint): boolean => (e & 3n) === 2n && e > 4096n;

const arrayLen = (k: Kernel, s: string, m: string, dflt: number): number => {
  const t = k.types.memberOf(s, m);
  const r = t && resolveType(t.type);
  return r && r.kind === 'array' && r.length ? r.length : dflt;
};

interface MapleNode {
  leaf: boolean;
  slots: number;
  pivots: number;
  pivot(i: number): bigint;
  slot(i: number): bigint;
}

/** The node a tagged entry points to, or undefined for an unknown node type. */
function mapleNode(k: Kernel, entry: bigint): MapleNode | undefined {
  const t = NODE_STRUCTS[Number((entry >> 3n) & 0xfn)];
  if (!t) return undefined;
  const node = entry & ~255n;
  const { slots, pivots, pivOff, slotOff } = k.memo(`maple-tree:${t.struct}`, () => {
    const slots = arrayLen(k, t.struct, 'slot', t.struct.endsWith('range_64') ? 16 : 10);
    return { slots, pivots: arrayLen(k, t.struct, 'pivot', slots - 1), pivOff: BigInt(k.offsetOf(t.struct, 'pivot')), slotOff: BigInt(k.offsetOf(t.struct, 'slot')) };
  });
  return {
    leaf: t.leaf,
    slots,
    pivots,
    pivot: (i) => k.readU64(node + pivOff + BigInt(i * 8), 'maple node pivot'),
    slot: (i) => k.readPtr(node + slotOff + BigInt(i * 8), 'maple node slot'),
  };
}

export interface MapleWalkOptions {
  /** Skip a subtree that is corrupt (unknown node type, a node met twice, too deep) instead of throwing. */
  skipBad?: boolean;
  /** How deep the walk may go (default 32). */
  maxDepth?: number;
}

type MapleEntry = { index: bigint; last: bigint; entry: bigint };

/** mt_for_each() from a tree's root entry: the non-NULL leaf slots in index order. `label` names the tree in errors. */
export function* mapleEntries(k: Kernel, rootEntry: bigint, label: string, opts: MapleWalkOptions = {}): Generator<MapleEntry> {
  if (!isMapleNode(rootEntry)) {
    if (rootEntry) yield { index: 0n, last: 0n, entry: rootEntry };
    return;
  }
  const maxDepth = opts.maxDepth ?? 32;
  const bad = (why: string): void => {
    if (!opts.skipBad) throw new CrashError(`maple tree at ${label}: ${why}`);
  };
  const seen = new Set<bigint>();
  function* walk(entry: bigint, min: bigint, max: bigint, depth: number): Generator<MapleEntry> {
    const n = mapleNode(k, entry);
    if (!n) return bad(`unknown node type in ${entry.toString(16)}`);
    const node = entry & ~255n;
    // a node met twice (crash do_xarray_iter's "duplicate tree node"): without this check a
    // node pointing back at an ancestor from several slots is walked exponentially often
    if (seen.has(node)) return bad(`corrupt or looping nodes: duplicate tree node: ${node.toString(16)}`);
    seen.add(node);
    if (depth > maxDepth || seen.size > 1_000_000) return bad('corrupt or looping nodes');
    let lo = min;
    for (let i = 0; i < n.slots; i++) {
      const piv = i < n.pivots ? n.pivot(i) : max;
      if (i > 0 && piv === 0n) break;
      const hi = piv > max || i >= n.pivots ? max : piv;
      const slot = n.slot(i);
      if (n.leaf) {
        if (slot) yield { index: lo, last: hi, entry: slot };
      } else if (isMapleNode(slot)) yield* walk(slot, lo, hi, depth + 1);
      if (hi >= max) break;
      lo = hi + 1n;
    }
  }
  yield* walk(rootEntry, 0n, MAX, 0);
}

/** mt_for_each() over the struct maple_tree at `tree`. */
export function mtForEach(k: Kernel, tree: bigint): Generator<MapleEntry> {
  const root = k.readPtr(tree + BigInt(k.offsetOf('struct maple_tree', 'ma_root')), 'maple_tree ma_root');
  return mapleEntries(k, root, tree.toString(16));
}

/** mtree_load(): the entry whose range holds `index`, walking from the root entry. */
export function mtreeLookup(k: Kernel, rootEntry: bigint, index: bigint): bigint | undefined {
  if (!isMapleNode(rootEntry)) return index === 0n && rootEntry ? rootEntry : undefined;
  let entry = rootEntry;
  let max = MAX;
  for (let depth = 0; depth < 16; depth++) {
    const n = mapleNode(k, entry);
    if (!n) return undefined;
    let chosen = -1;
    for (let i = 0; i < n.slots; i++) {
      const piv = i < n.pivots ? n.pivot(i) : max;
      if (i > 0 && piv === 0n) return undefined; // past the node's data end
      if (index <= piv) {
        chosen = i;
        max = piv;
        break;
      }
      if (piv >= max) return undefined;
    }
    if (chosen < 0) return undefined;
    const slot = n.slot(chosen);
    if (n.leaf) return slot || undefined;
    if (!isMapleNode(slot)) return undefined;
    entry = slot;
  }
  return undefined;
}
