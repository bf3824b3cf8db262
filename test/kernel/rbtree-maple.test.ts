/**
 * The generic tree walkers runq, timer -r and irq use, over small trees laid out in a fake
 * memory: rb-trees (in-order, cycles, unreadable nodes) and maple trees (leaf and range nodes).
 */
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/kernel/kernel.js';
import { rbInorder, RbLoopError } from '../../src/kernel/helpers/rbtree.js';
import { mtForEach } from '../../src/kernel/helpers/maple-tree.js';
import { CrashError } from '../../src/util/errors.js';

const MAX = (1n << 64n) - 1n;

/** A Kernel with only the reads these walkers make; layouts default as in v6.1 (no BTF). */
function fakeKernel(words: Map<bigint, bigint>): Kernel {
  const read = (a: bigint) => {
    const v = words.get(a);
    if (v === undefined) throw new CrashError(`invalid kernel virtual address: ${a.toString(16)}`);
    return v;
  };
  const offsets: Record<string, number> = { 'struct maple_tree.ma_root': 8, 'struct maple_range_64.pivot': 8, 'struct maple_range_64.slot': 128 };
  return {
    memo: <T>(_k: string, f: () => T) => f(),
    memberByteOffset: () => undefined,
    offsetOf: (s: string, m: string) => offsets[`${s}.${m}`],
    types: { memberOf: () => undefined },
    readPtr: read,
    readU64: read,
  } as unknown as Kernel;
}

/** rb_node at addr: __rb_parent_color at +0, rb_right at +8, rb_left at +16 (no BTF). */
function rbNode(m: Map<bigint, bigint>, addr: bigint, left = 0n, right = 0n) {
  m.set(addr, 0n);
  m.set(addr + 8n, right);
  m.set(addr + 16n, left);
}

describe('rbInorder', () => {
  it('yields nodes in key order (left subtree, node, right subtree)', () => {
    const m = new Map<bigint, bigint>();
    //        0x400
    //    0x200     0x600
    //  0x100 0x300    0x700
    rbNode(m, 0x400n, 0x200n, 0x600n);
    rbNode(m, 0x200n, 0x100n, 0x300n);
    rbNode(m, 0x600n, 0n, 0x700n);
    [0x100n, 0x300n, 0x700n].forEach((a) => rbNode(m, a));
    expect([...rbInorder(fakeKernel(m), 0x400n)]).toEqual([0x100n, 0x200n, 0x300n, 0x400n, 0x600n, 0x700n]);
    expect([...rbInorder(fakeKernel(m), 0n)]).toEqual([]);
  });

  it('a cycle is a crash-worded error, not a hang', () => {
    const m = new Map<bigint, bigint>();
    rbNode(m, 0x400n, 0x200n, 0n);
    rbNode(m, 0x200n, 0n, 0x400n); // right child points back up
    expect(() => [...rbInorder(fakeKernel(m), 0x400n)]).toThrow(RbLoopError);
    expect(() => [...rbInorder(fakeKernel(m), 0x400n)]).toThrow('duplicate rb_node: 400');
  });

  it('an unreadable child ends the walk with the read error', () => {
    const m = new Map<bigint, bigint>();
    rbNode(m, 0x400n, 0xdead000n, 0n);
    expect(() => [...rbInorder(fakeKernel(m), 0x400n)]).toThrow(/invalid kernel virtual address: dead010/);
  });
});

/** A maple_range_64 node (leaf or internal) at a 256-aligned address; returns its tagged entry. */
function mapleNode(m: Map<bigint, bigint>, addr: bigint, type: 1 | 2, pivots: bigint[], slots: bigint[]): bigint {
  for (let i = 0; i < 15; i++) m.set(addr + 8n + BigInt(i * 8), pivots[i] ?? 0n);
  for (let i = 0; i < 16; i++) m.set(addr + 128n + BigInt(i * 8), slots[i] ?? 0n);
  return addr | BigInt(type << 3) | 2n;
}

describe('mtForEach', () => {
  it('walks a leaf root: each non-empty slot with its index range', () => {
    const m = new Map<bigint, bigint>();
    const root = mapleNode(m, 0x10000n, 1, [2n, 5n, 9n, MAX], [0xa0n, 0n, 0xa2n, 0xa3n]);
    m.set(0x8000n + 8n, root);
    expect([...mtForEach(fakeKernel(m), 0x8000n)]).toEqual([
      { index: 0n, last: 2n, entry: 0xa0n },
      { index: 6n, last: 9n, entry: 0xa2n },
      { index: 10n, last: MAX, entry: 0xa3n },
    ]);
  });

  it('descends range nodes; a single-entry tree is index 0', () => {
    const m = new Map<bigint, bigint>();
    const l1 = mapleNode(m, 0x10000n, 1, [0n, 1n], [0xb0n, 0xb1n]);
    const l2 = mapleNode(m, 0x10100n, 1, [2n, 3n, MAX], [0xb2n, 0xb3n, 0n]);
    const root = mapleNode(m, 0x10200n, 2, [1n, MAX], [l1, l2]);
    m.set(0x8000n + 8n, root);
    expect([...mtForEach(fakeKernel(m), 0x8000n)].map((e) => [e.index, e.entry])).toEqual([
      [0n, 0xb0n],
      [1n, 0xb1n],
      [2n, 0xb2n],
      [3n, 0xb3n],
    ]);
    m.set(0x9000n + 8n, 0xffff888000001000n);
    expect([...mtForEach(fakeKernel(m), 0x9000n)]).toEqual([{ index: 0n, last: 0n, entry: 0xffff888000001000n }]);
  });

  it('a node that points to itself ends with an error', () => {
    const m = new Map<bigint, bigint>();
    const self = 0x10200n | (2n << 3n) | 2n;
    mapleNode(m, 0x10200n, 2, [MAX], [self]);
    m.set(0x8000n + 8n, self);
    expect(() => [...mtForEach(fakeKernel(m), 0x8000n)]).toThrow(/corrupt or looping nodes/);
  });
});
