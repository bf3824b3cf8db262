import { describe, expect, it } from 'vitest';
import { wrapLines } from '../../src/views/panes/PaneFrame.js';

describe('wrapLines', () => {
  it('breaks at a space so an address stays whole, hard-wraps a word longer than the width', () => {
    const text = 'tail page of a 32k compound page: refcount and flags live in head fffff597a42fdc00 (slab page of kmem_cache "kmalloc-512")';
    const rows = wrapLines([text], 78);
    expect(rows).toEqual(['tail page of a 32k compound page: refcount and flags live in head', 'fffff597a42fdc00 (slab page of kmem_cache "kmalloc-512")']);
    expect(wrapLines(['x'.repeat(10)], 4)).toEqual(['xxxx', 'xxxx', 'xx']);
    expect(wrapLines(['short', ''], 10)).toEqual(['short', '']);
  });
});
