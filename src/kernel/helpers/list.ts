import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';

/** Upper bound on any list walk: a corrupted list must end with a message, never hang. */
export const LIST_WALK_LIMIT = 1_000_000;

export class ListLoopError extends CrashError {
  constructor(readonly entry: bigint) {
    super(`duplicate list entry: ${entry.toString(16)}`);
    this.name = 'ListLoopError';
  }
}

/**
 * Walk a circular list_head starting at `head` (not included), yielding each node address
 * (the address of the embedded list_head). Detects cycles that do not return to the head.
 */
export function* listForEach(k: Kernel, head: bigint, what = 'list_head'): Generator<bigint> {
  const seen = new Set<bigint>();
  let node = k.readPtr(head, `${what} next`);
  let n = 0;
  while (node !== head) {
    if (node === 0n) return;
    if (seen.has(node)) throw new ListLoopError(node);
    seen.add(node);
    if (++n > LIST_WALK_LIMIT) throw new CrashError(`${what}: more than ${LIST_WALK_LIMIT} entries`);
    yield node;
    node = k.readPtr(node, `${what} next`);
  }
}

/** list_for_each_entry over a list embedded at `struct.member`: yields the containing objects. */
export function* listForEachEntry(k: Kernel, head: bigint, struct: string, member: string): Generator<bigint> {
  const off = BigInt(k.offsetOf(struct, member));
  for (const node of listForEach(k, head, `${struct}.${member}`)) yield node - off;
}
