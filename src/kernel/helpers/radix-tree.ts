import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';

/**
 * radix_tree_for_each_slot() over a struct radix_tree_root of a kernel before the xarray (4.20):
 * since 4.7 (b194d16c27af) internal-node pointers carry bit 0 and each node its `shift`; before,
 * only root->rnode carries RADIX_TREE_INDIRECT_PTR and the height is root->height (to 3.14) or the
 * low byte of node->path (3.15-4.6). Exceptional entries (bit 1: shadows, swap) are skipped.
 */
export function* radixTreeForEach(k: Kernel, root: bigint): Generator<{ index: bigint; entry: bigint }> {
  const R = 'struct radix_tree_root';
  const N = 'struct radix_tree_node';
  const rnode = k.readPtr(root + BigInt(k.offsetOf(R, 'rnode')), 'radix_tree_root rnode');
  const slotsOff = BigInt(k.offsetOf(N, 'slots'));
  const slots = k.types.memberOf(N, 'slots');
  const chunk = slots ? Math.max(1, Math.floor(k.types.sizeof(slots.type) / 8)) : 64;
  const bits = BigInt(Math.round(Math.log2(chunk)));
  let nodes = 0;
  const readSlots = (node: bigint) => {
    if (++nodes > 1_000_000) throw new CrashError(`radix tree at ${root.toString(16)}: corrupt or looping nodes`);
    const b = k.readBytes(node + slotsOff, chunk * 8, 'radix_tree_node slots');
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return [...Array(chunk).keys()].map((i) => dv.getBigUint64(i * 8, true));
  };
  if (!rnode) return;
  if (k.hasMember(N, 'shift')) {
    const shiftOff = BigInt(k.offsetOf(N, 'shift'));
    function* walk(entry: bigint, index: bigint, depth: number): Generator<{ index: bigint; entry: bigint }> {
      if (!entry || (entry & 2n)) return;
      if (!(entry & 1n)) {
        yield { index, entry };
        return;
      }
      if (depth > 16) throw new CrashError(`radix tree at ${root.toString(16)}: too deep`);
      const node = entry & ~3n;
      const shift = BigInt(k.readU8(node + shiftOff, 'radix_tree_node shift'));
      const s = readSlots(node);
      for (let i = 0; i < chunk; i++) {
        const e = s[i];
        // a sibling entry points into this node's own slots (multi-order entries)
        if ((e & 3n) === 1n && (e & ~3n) >= node + slotsOff && (e & ~3n) < node + slotsOff + BigInt(chunk * 8)) continue;
        yield* walk(e, index + (BigInt(i) << shift), depth + 1);
      }
    }
    yield* walk(rnode, 0n, 0);
    return;
  }
  if (!(rnode & 1n)) {
    if (!(rnode & 2n)) yield { index: 0n, entry: rnode };
    return;
  }
  const top = rnode & ~1n;
  const height = k.hasMember(R, 'height')
    ? k.readU32(root + BigInt(k.offsetOf(R, 'height')), 'radix_tree_root height')
    : k.readU32(top + BigInt(k.offsetOf(N, 'path')), 'radix_tree_node path') & 0xff;
  if (height > 12) throw new CrashError(`radix tree at ${root.toString(16)}: height ${height}`);
  function* level(node: bigint, h: number, index: bigint): Generator<{ index: bigint; entry: bigint }> {
    const s = readSlots(node);
    for (let i = 0; i < chunk; i++) {
      const e = s[i];
      if (!e) continue;
      const at = index + (BigInt(i) << (bits * BigInt(h - 1)));
      if (h > 1) yield* level(e & ~1n, h - 1, at);
      else if (!(e & 2n)) yield { index: at, entry: e };
    }
  }
  yield* level(top, height, 0n);
}
