import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';
import { resolveType } from '../../debuginfo/btf/types.js';

/**
 * mt_for_each() over a struct maple_tree (lib/maple_tree.c, v6.1+): node pointers are tagged
 * (xa_is_node(): low bits 0b10, > 4096), the node type in bits 3-6, the node 256-byte aligned.
 * Each slot covers [previous pivot + 1, pivot]; a node ends at its last slot, at a zero pivot
 * past the first, or at a pivot equal to the node's maximum.
 */
const NODE_STRUCTS: Record<number, { struct: string; leaf: boolean }> = {
  1: { struct: 'struct maple_range_64', leaf: true }, // maple_leaf_64
  2: { struct: 'struct maple_range_64', leaf: false }, // maple_range_64
  3: { struct: 'struct maple_arange_64', leaf: false }, // maple_arange_64
};

const arrayLen = (k: Kernel, s: string, m: string, dflt: number): number => {
  const t = k.types.memberOf(s, m);
  const r = t && resolveType(t.type);
  return r && r.kind === 'array' && r.length ? r.length : dflt;
};

export function* mtForEach(k: Kernel, tree: bigint): Generator<{ index: bigint; last: bigint; entry: bigint }> {
  const isNode = (e: bigint) => (e & 3n) === 2n && e > 4096n;
  const root = k.readPtr(tree + BigInt(k.offsetOf('struct maple_tree', 'ma_root')), 'maple_tree ma_root');
  const MAX = (1n << 64n) - 1n;
  if (!isNode(root)) {
    if (root) yield { index: 0n, last: 0n, entry: root };
    return;
  }
  const seen = new Set<bigint>();
  function* walk(entry: bigint, min: bigint, max: bigint, depth: number): Generator<{ index: bigint; last: bigint; entry: bigint }> {
    const t = NODE_STRUCTS[Number((entry >> 3n) & 0xfn)];
    if (!t) throw new CrashError(`maple tree at ${tree.toString(16)}: unknown node type in ${entry.toString(16)}`);
    const node = entry & ~255n;
    // a node met twice (crash do_xarray_iter's "duplicate tree node"): without this check a
    // node pointing back at an ancestor from several slots is walked exponentially often
    if (seen.has(node)) throw new CrashError(`maple tree at ${tree.toString(16)}: corrupt or looping nodes: duplicate tree node: ${node.toString(16)}`);
    seen.add(node);
    if (depth > 32 || seen.size > 1_000_000) throw new CrashError(`maple tree at ${tree.toString(16)}: corrupt or looping nodes`);
    const slots = arrayLen(k, t.struct, 'slot', t.leaf || t.struct.endsWith('range_64') ? 16 : 10);
    const pivots = arrayLen(k, t.struct, 'pivot', slots - 1);
    const pivOff = BigInt(k.offsetOf(t.struct, 'pivot'));
    const slotOff = BigInt(k.offsetOf(t.struct, 'slot'));
    let lo = min;
    for (let i = 0; i < slots; i++) {
      const piv = i < pivots ? k.readU64(node + pivOff + BigInt(i * 8), 'maple node pivot') : max;
      if (i > 0 && piv === 0n) break;
      const hi = piv > max || (i >= pivots) ? max : piv;
      const slot = k.readPtr(node + slotOff + BigInt(i * 8), 'maple node slot');
      if (t.leaf) {
        if (slot) yield { index: lo, last: hi, entry: slot };
      } else if (isNode(slot)) yield* walk(slot, lo, hi, depth + 1);
      if (hi >= max) break;
      lo = hi + 1n;
    }
  }
  yield* walk(root, 0n, MAX, 0);
}
