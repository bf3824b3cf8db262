import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';

/**
 * xa_for_each() over a struct xarray (include/linux/xarray.h, lib/xarray.c; v4.20+). Entries with
 * the low bits 10 are internal: node pointers (> 4096, the node at entry - 2), sibling, retry and
 * zero entries; entries with bit 0 set are values; the rest are pointers, yielded with their index.
 * A node met twice (crash do_xarray_iter's "duplicate tree node") or whose shift is not its parent's
 * less XA_CHUNK_SHIFT (garbage) ends the walk with a CrashError; so do depth and node-count bounds.
 */
export function* xaForEach(k: Kernel, xa: bigint): Generator<{ index: bigint; entry: bigint }> {
  const head = k.readPtr(xa + BigInt(k.offsetOf('struct xarray', 'xa_head')), 'xarray xa_head');
  const shiftOff = BigInt(k.offsetOf('struct xa_node', 'shift'));
  const slotsOff = BigInt(k.offsetOf('struct xa_node', 'slots'));
  const slotsMember = k.types.memberOf('struct xa_node', 'slots');
  const chunk = slotsMember ? Math.max(1, Math.floor(k.types.sizeof(slotsMember.type) / 8)) : 64;
  const siblingLimit = (BigInt(chunk - 1) << 2n) | 2n;
  const chunkShift = BigInt(Math.round(Math.log2(chunk)));
  const seen = new Set<bigint>();
  const where = `xarray at ${xa.toString(16)}`;

  /** `parentShift` is undefined for the head node, whose shift only has to be a whole number of levels. */
  function* walk(entry: bigint, index: bigint, depth: number, parentShift?: bigint): Generator<{ index: bigint; entry: bigint }> {
    if (entry === 0n) return;
    if ((entry & 3n) === 2n) {
      if (entry <= 4096n) return; // sibling, retry, zero
      const node = entry - 2n;
      if (seen.has(node)) throw new CrashError(`${where}: duplicate tree node: ${node.toString(16)}`);
      seen.add(node);
      if (depth > 16 || seen.size > 1_000_000) throw new CrashError(`${where}: corrupt or looping nodes`);
      const shift = BigInt(k.readU8(node + shiftOff, 'xa_node shift'));
      const want = parentShift === undefined ? undefined : parentShift - chunkShift;
      if (chunkShift && (want !== undefined ? shift !== want : shift % chunkShift !== 0n || shift >= 64n)) {
        throw new CrashError(`${where}: xa_node ${node.toString(16)}: invalid shift ${shift}${want === undefined ? '' : ` (expected ${want})`}`);
      }
      const slots = k.readBytes(node + slotsOff, chunk * 8, 'xa_node slots');
      const dv = new DataView(slots.buffer, slots.byteOffset, slots.byteLength);
      for (let i = 0; i < chunk; i++) {
        const e = dv.getBigUint64(i * 8, true);
        if (e === 0n || ((e & 3n) === 2n && e < siblingLimit)) continue;
        yield* walk(e, index + (BigInt(i) << shift), depth + 1, shift);
      }
      return;
    }
    if (entry & 1n) return; // a value entry, not a pointer
    yield { index, entry };
  }
  yield* walk(head, 0n, 0);
}
