import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';

/**
 * xa_for_each() over a struct xarray (include/linux/xarray.h, lib/xarray.c; v4.20+). Entries with
 * the low bits 10 are internal: node pointers (> 4096, the node at entry - 2), sibling, retry and
 * zero entries; entries with bit 0 set are values; the rest are pointers, yielded with their index.
 */
export function* xaForEach(k: Kernel, xa: bigint): Generator<{ index: bigint; entry: bigint }> {
  const head = k.readPtr(xa + BigInt(k.offsetOf('struct xarray', 'xa_head')), 'xarray xa_head');
  const shiftOff = BigInt(k.offsetOf('struct xa_node', 'shift'));
  const slotsOff = BigInt(k.offsetOf('struct xa_node', 'slots'));
  const slotsMember = k.types.memberOf('struct xa_node', 'slots');
  const chunk = slotsMember ? Math.max(1, Math.floor(k.types.sizeof(slotsMember.type) / 8)) : 64;
  const siblingLimit = (BigInt(chunk - 1) << 2n) | 2n;
  let nodes = 0;

  function* walk(entry: bigint, index: bigint, depth: number): Generator<{ index: bigint; entry: bigint }> {
    if (entry === 0n) return;
    if ((entry & 3n) === 2n) {
      if (entry <= 4096n) return; // sibling, retry, zero
      if (depth > 16 || ++nodes > 1_000_000) throw new CrashError(`xarray at ${xa.toString(16)}: corrupt or looping nodes`);
      const node = entry - 2n;
      const shift = BigInt(k.readU8(node + shiftOff, 'xa_node shift'));
      const slots = k.readBytes(node + slotsOff, chunk * 8, 'xa_node slots');
      const dv = new DataView(slots.buffer, slots.byteOffset, slots.byteLength);
      for (let i = 0; i < chunk; i++) {
        const e = dv.getBigUint64(i * 8, true);
        if (e === 0n || ((e & 3n) === 2n && e < siblingLimit)) continue;
        yield* walk(e, index + (BigInt(i) << shift), depth + 1);
      }
      return;
    }
    if (entry & 1n) return; // a value entry, not a pointer
    yield { index, entry };
  }
  yield* walk(head, 0n, 0);
}
