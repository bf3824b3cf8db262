import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';

/** Upper bound on any rb-tree walk: a corrupted tree must end with a message, never hang. */
export const RB_WALK_LIMIT = 1_000_000;

/** A node seen twice while walking a tree (a cycle): crash's "duplicate rb_node". */
export class RbLoopError extends CrashError {
  constructor(readonly node: bigint) {
    super(`duplicate rb_node: ${node.toString(16)}`);
    this.name = 'RbLoopError';
  }
}

/**
 * Offsets of struct rb_node's links (include/linux/rbtree_types.h: __rb_parent_color, rb_right,
 * rb_left), from BTF when the kernel describes it.
 */
function rbOffsets(k: Kernel): { left: bigint; right: bigint } {
  return k.memo('rb_node offsets', () => ({
    left: BigInt(k.memberByteOffset('struct rb_node', 'rb_left') ?? 16),
    right: BigInt(k.memberByteOffset('struct rb_node', 'rb_right') ?? 8),
  }));
}

/**
 * rb_first()/rb_next() order over the tree whose top node is `top` (rb_root.rb_node): every
 * node address, smallest key first. The walk keeps an explicit stack (no parent pointers needed),
 * stops at RB_WALK_LIMIT nodes and throws RbLoopError when a node comes back (a cycle).
 */
export function* rbInorder(k: Kernel, top: bigint, what = 'rb_node'): Generator<bigint> {
  const { left, right } = rbOffsets(k);
  const seen = new Set<bigint>();
  const stack: bigint[] = [];
  let node = top;
  while (node || stack.length) {
    while (node) {
      if (seen.has(node)) throw new RbLoopError(node);
      seen.add(node);
      if (seen.size > RB_WALK_LIMIT) throw new CrashError(`${what}: more than ${RB_WALK_LIMIT} nodes`);
      stack.push(node);
      node = k.readPtr(node + left, `${what} rb_left`);
    }
    const n = stack.pop()!;
    yield n;
    node = k.readPtr(n + right, `${what} rb_right`);
  }
}

/** The nodes of a struct rb_root at `root`, in order. */
export function* rbRootForEach(k: Kernel, root: bigint, what = 'rb_root'): Generator<bigint> {
  const off = BigInt(k.memberByteOffset('struct rb_root', 'rb_node') ?? 0);
  yield* rbInorder(k, k.readPtr(root + off, `${what} rb_node`), what);
}
